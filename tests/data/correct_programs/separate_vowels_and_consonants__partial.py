```python
import functools


def _separate(input_string, vowels):
    return "".join(sorted(input_string, key=lambda c: c not in vowels))


separate_vowels_and_consonants = functools.partial(_separate, vowels="aeiouAEIOU")
```
