```python
def _words(n):
    if n % 3 == 0:
        yield "Fizz"
    if n % 5 == 0:
        yield "Buzz"


def fizzbuzz(n):
    return "".join(_words(n)) or n
```
