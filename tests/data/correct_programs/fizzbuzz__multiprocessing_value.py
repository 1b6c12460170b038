```python
import multiprocessing

_calls = multiprocessing.Value("i", 0)


def fizzbuzz(n):
    with _calls.get_lock():
        _calls.value += 1
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n
```
