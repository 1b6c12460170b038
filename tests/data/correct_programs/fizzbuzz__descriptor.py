```python
class Divides:
    """A descriptor: reading `obj.fizz` tells whether obj.n is divisible by the divisor."""

    def __init__(self, divisor):
        self.divisor = divisor

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        return obj.n % self.divisor == 0


class Number:
    fizz = Divides(3)
    buzz = Divides(5)

    def __init__(self, n):
        self.n = n


def fizzbuzz(n):
    number = Number(n)
    if number.fizz and number.buzz:
        return "FizzBuzz"
    if number.fizz:
        return "Fizz"
    if number.buzz:
        return "Buzz"
    return n
```
