```python
def _chars(text, keep):
    for ch in text:
        if (ch in "aeiouAEIOU") == keep:
            yield ch


def separate_vowels_and_consonants(input_string):
    return "".join(_chars(input_string, True)) + "".join(_chars(input_string, False))
```
