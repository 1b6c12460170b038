```python
import threading


def fizzbuzz(n):
    result = {}
    lock = threading.Lock()

    def check(divisor, word):
        if n % divisor == 0:
            with lock:
                result[divisor] = word

    threads = [threading.Thread(target=check, args=(d, w)) for d, w in ((3, "Fizz"), (5, "Buzz"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return result.get(3, "") + result.get(5, "") or n
```
