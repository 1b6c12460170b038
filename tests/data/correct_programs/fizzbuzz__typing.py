```python
from __future__ import annotations

from typing import Final, Protocol, TypeVar, Union

T = TypeVar("T")
Result = Union[str, int]
WORDS: Final[dict[int, str]] = {3: "Fizz", 5: "Buzz"}


class Classifier(Protocol):
    def __call__(self, n: int) -> Result: ...


def _first(items: list[T], default: T) -> T:
    return items[0] if items else default


def fizzbuzz(n: int) -> Result:
    joined: str = "".join(word for divisor, word in WORDS.items() if n % divisor == 0)
    return _first([joined] if joined else [], n)


checker: Classifier = fizzbuzz
```
