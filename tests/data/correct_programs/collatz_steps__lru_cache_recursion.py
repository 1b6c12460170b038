```python
import sys
from functools import lru_cache

sys.setrecursionlimit(100_000)


@lru_cache(maxsize=None)
def _steps(n):
    if n <= 1:
        return 0
    return 1 + _steps(n // 2 if n % 2 == 0 else 3 * n + 1)


def collatz_steps(n):
    return _steps(n)
```
