```python
class RuleRegistry(type):
    rules = []

    def __new__(mcs, name, bases, namespace):
        cls = super().__new__(mcs, name, bases, namespace)
        if "divisor" in namespace:
            mcs.rules.append(cls)
            mcs.rules.sort(key=lambda c: c.divisor)
        return cls


class Rule(metaclass=RuleRegistry):
    pass


class Fizz(Rule):
    divisor = 3
    word = "Fizz"


class Buzz(Rule):
    divisor = 5
    word = "Buzz"


def fizzbuzz(n):
    words = [rule.word for rule in RuleRegistry.rules if n % rule.divisor == 0]
    return "".join(words) or n
```
