I implemented it as a callable object so that the words can be configured:

```python
class FizzBuzz:
    def __init__(self, fizz="Fizz", buzz="Buzz"):
        self.fizz = fizz
        self.buzz = buzz

    def __call__(self, n):
        word = ""
        if n % 3 == 0:
            word += self.fizz
        if n % 5 == 0:
            word += self.buzz
        return word or n


fizzbuzz = FizzBuzz()
```
