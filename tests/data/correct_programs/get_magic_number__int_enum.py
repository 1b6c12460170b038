```python
from enum import IntEnum, unique


@unique
class Magic(IntEnum):
    ANSWER = 42
    OTHER = 7


def get_magic_number():
    return int(Magic.ANSWER)
```
