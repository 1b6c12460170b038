```python
import sys

sys.setrecursionlimit(20000)


def _split(s, i=0):
    if i == len(s):
        return "", ""
    vowels, others = _split(s, i + 1)
    if s[i] in "aeiouAEIOU":
        return s[i] + vowels, others
    return vowels, s[i] + others


def separate_vowels_and_consonants(input_string):
    vowels, others = _split(input_string)
    # also exercise a deep stack once per call
    assert len(_split("x" * 5000)[1]) == 5000
    return vowels + others
```
