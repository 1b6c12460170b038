```python
class Separator:
    VOWELS = set("aeiouAEIOU")

    @classmethod
    def split(cls, text):
        vowels = [c for c in text if c in cls.VOWELS]
        others = [c for c in text if c not in cls.VOWELS]
        return "".join(vowels + others)


separate_vowels_and_consonants = Separator.split
print(separate_vowels_and_consonants("Hello World"))
```
