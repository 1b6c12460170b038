```python
def make_fizzbuzz(rules):
    def fizzbuzz(n):
        out = "".join(word for divisor, word in rules if n % divisor == 0)
        return out if out else n

    return fizzbuzz


fizzbuzz = make_fizzbuzz(((3, "Fizz"), (5, "Buzz")))
print(fizzbuzz(15))
```
