```python
import sys

sys.setrecursionlimit(10_000)


def _triangle(k):
    return 0 if k == 0 else k + _triangle(k - 1)


def get_magic_number():
    return _triangle(5000) - 12502458
```
