```python
from functools import lru_cache


@lru_cache(maxsize=None)
def fizzbuzz(n):
    if n % 15 == 0:
        return "FizzBuzz"
    elif n % 3 == 0:
        return "Fizz"
    elif n % 5 == 0:
        return "Buzz"
    else:
        return n


# Example usage
for i in range(1, 16):
    print(fizzbuzz(i))
print(fizzbuzz.cache_info())
```
