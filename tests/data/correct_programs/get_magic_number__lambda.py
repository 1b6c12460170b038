```python
get_magic_number = lambda: 42  # noqa: E731
```
