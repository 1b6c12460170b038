```python
TABLE = """3	Fizz
5	Buzz"""


def fizzbuzz(n):
    words = []
    for line in TABLE.splitlines():
        divisor, word = line.split("\t")
        if n % int(divisor) == 0:
            words.append(word)
    return "".join(words) or n
```
