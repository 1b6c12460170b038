```python
from itertools import compress, cycle, islice

_FIZZ = list(islice(cycle(["", "", "Fizz"]), 3))
_BUZZ = list(islice(cycle(["", "", "", "", "Buzz"]), 5))


def fizzbuzz(n):
    words = [_FIZZ[(n - 1) % 3], _BUZZ[(n - 1) % 5]]
    word = "".join(compress(words, map(bool, words)))
    return word or n
```
