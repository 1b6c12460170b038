```python
from enum import Enum


class Word(Enum):
    FIZZ = (3, "Fizz")
    BUZZ = (5, "Buzz")

    def __init__(self, divisor, text):
        self.divisor = divisor
        self.text = text


def fizzbuzz(n):
    text = "".join(w.text for w in Word if n % w.divisor == 0)
    return text if text else n
```
