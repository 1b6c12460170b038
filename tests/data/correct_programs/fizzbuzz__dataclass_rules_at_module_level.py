```python
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    divisor: int
    word: str

    def matches(self, n: int) -> bool:
        return n % self.divisor == 0


RULES = (Rule(15, "FizzBuzz"), Rule(3, "Fizz"), Rule(5, "Buzz"))


def fizzbuzz(n):
    for rule in RULES:
        if rule.matches(n):
            return rule.word
    return n
```
