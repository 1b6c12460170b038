```python
SYMBOLS = "IVXLCDM"
VALUES = dict(zip(SYMBOLS, (1, 5, 10, 50, 100, 500, 1000)))


def roman_to_int(numeral):
    total = 0
    previous = 0
    for char in numeral[::-1]:
        value = VALUES[char]
        if value < previous:
            total -= value
        else:
            total += value
            previous = value
    return total
```
