```python
DIGITS = "4" + "2"


def get_magic_number():
    return int(f"{DIGITS:>2}")
```
