This version computes the word in a worker process:

```python
from concurrent.futures import ProcessPoolExecutor


def _word(n):
    word = ""
    if n % 3 == 0:
        word += "Fizz"
    if n % 5 == 0:
        word += "Buzz"
    return word


def fizzbuzz(n):
    with ProcessPoolExecutor(max_workers=1) as pool:
        word = pool.submit(_word, n).result()
    return word or n
```
