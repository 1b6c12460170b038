Here is a table-driven version: the rules are built once, when the module loads.

```python
def _make_rules():
    return [(15, "FizzBuzz"), (3, "Fizz"), (5, "Buzz")]


RULES = _make_rules()


def fizzbuzz(n):
    for divisor, word in RULES:
        if n % divisor == 0:
            return word
    return n
```
