The function records its own source at import (for a help text), as a file-run program can:

```python
import inspect


def fizzbuzz(n):
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n


HELP = inspect.getsource(fizzbuzz)
_FIRST, _LINES = inspect.getsourcelines(fizzbuzz)[1], len(inspect.getsourcelines(fizzbuzz)[0])
```
