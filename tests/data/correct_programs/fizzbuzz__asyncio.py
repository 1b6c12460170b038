```python
import asyncio


async def _classify(n):
    await asyncio.sleep(0)
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n


def fizzbuzz(n):
    return asyncio.run(_classify(n))
```
