```python
_TABLE = {}


def _fill():
    for r in range(15):
        _TABLE[r] = ("Fizz" if r % 3 == 0 else "") + ("Buzz" if r % 5 == 0 else "")


_fill()


def fizzbuzz(n):
    return _TABLE[n % 15] or n
```
