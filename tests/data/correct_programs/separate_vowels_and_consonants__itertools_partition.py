```python
from itertools import filterfalse, tee


def _is_vowel(ch):
    return ch in "aeiouAEIOU"


def _partition(pred, iterable):
    first, second = tee(iterable)
    return filter(pred, first), filterfalse(pred, second)


def separate_vowels_and_consonants(input_string):
    vowels, others = _partition(_is_vowel, input_string)
    return "".join(vowels) + "".join(others)
```
