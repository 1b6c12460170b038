```python
WORDS = None


def _init():
    global WORDS
    WORDS = {0: "FizzBuzz", 3: "Fizz", 6: "Fizz", 9: "Fizz", 12: "Fizz", 5: "Buzz", 10: "Buzz"}


_init()


def fizzbuzz(n):
    return WORDS.get(n % 15, n)
```
