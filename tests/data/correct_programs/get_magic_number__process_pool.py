```python
from concurrent.futures import ProcessPoolExecutor


def _compute():
    return sum(range(7)) * 2


def get_magic_number():
    with ProcessPoolExecutor(max_workers=2) as pool:
        return pool.submit(_compute).result()
```
