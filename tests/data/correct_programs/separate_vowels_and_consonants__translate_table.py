```python
def _build_table():
    return str.maketrans("", "", "aeiouAEIOU")


_DROP_VOWELS = _build_table()
_VOWELS = frozenset("aeiouAEIOU")


def separate_vowels_and_consonants(input_string):
    vowels = "".join(c for c in input_string if c in _VOWELS)
    return vowels + input_string.translate(_DROP_VOWELS)
```
