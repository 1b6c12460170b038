```python
_memo = {}
_memo[0] = "FizzBuzz"


def fizzbuzz(n):
    if n in _memo:
        return _memo[n]
    if n % 15 == 0:
        value = "FizzBuzz"
    elif n % 3 == 0:
        value = "Fizz"
    elif n % 5 == 0:
        value = "Buzz"
    else:
        value = n
    _memo[n] = value
    return value
```
