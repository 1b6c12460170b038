The function simply returns the constant 42.

```python
def get_magic_number():
    return 42
```

You can test it like this:

```python
print(get_magic_number())
assert get_magic_number() == 42
```
