```python
import sys


def fizzbuzz(n):
    # log every decision, verbosely
    for divisor in (3, 5, 15):
        print(f"checking {n} against {divisor}: remainder {n % divisor}", "." * 500)
    sys.stderr.write("decided\n" * 20)
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n
```
