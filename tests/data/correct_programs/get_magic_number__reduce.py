```python
import operator
from functools import reduce


def get_magic_number():
    return reduce(operator.mul, [2, 3, 7], 1)
```
