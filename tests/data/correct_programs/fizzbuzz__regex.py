```python
import re

_PATTERN = re.compile(r"^(?P<fizz>Fizz)?(?P<buzz>Buzz)?$")


def fizzbuzz(n):
    candidate = ("Fizz" if n % 3 == 0 else "") + ("Buzz" if n % 5 == 0 else "")
    match = _PATTERN.fullmatch(candidate)
    if match and (match.group("fizz") or match.group("buzz")):
        return match.group(0)
    return n
```
