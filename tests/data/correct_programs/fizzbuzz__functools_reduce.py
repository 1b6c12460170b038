```python
from functools import reduce


def fizzbuzz(n):
    rules = [(3, "Fizz"), (5, "Buzz")]
    word = reduce(lambda acc, rule: acc + (rule[1] if n % rule[0] == 0 else ""), rules, "")
    return word or n
```
