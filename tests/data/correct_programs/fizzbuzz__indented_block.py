Here you go:

```python
    import functools

    @functools.cache
    def fizzbuzz(n):
        out = ""
        if n % 3 == 0:
            out += "Fizz"
        if n % 5 == 0:
            out += "Buzz"
        return out or n
```
