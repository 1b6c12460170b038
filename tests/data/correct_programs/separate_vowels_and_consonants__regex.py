```python
import re

VOWEL = re.compile(r"[aeiouAEIOU]")


def separate_vowels_and_consonants(input_string):
    vowels = "".join(VOWEL.findall(input_string))
    others = VOWEL.sub("", input_string)
    return vowels + others
```
