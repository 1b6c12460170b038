```python
from concurrent.futures import ThreadPoolExecutor


def _divisible(n, d):
    return n % d == 0


def fizzbuzz(n):
    with ThreadPoolExecutor(max_workers=2) as pool:
        by3, by5 = pool.map(lambda d: _divisible(n, d), (3, 5))
    if by3 and by5:
        return "FizzBuzz"
    if by3:
        return "Fizz"
    if by5:
        return "Buzz"
    return n
```
