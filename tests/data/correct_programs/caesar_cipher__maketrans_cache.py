```python
import string
from functools import lru_cache


@lru_cache(maxsize=64)
def _table(shift):
    shift %= 26
    lower, upper = string.ascii_lowercase, string.ascii_uppercase
    return str.maketrans(lower + upper, lower[shift:] + lower[:shift] + upper[shift:] + upper[:shift])


def caesar_cipher(text, shift):
    return text.translate(_table(shift))
```
