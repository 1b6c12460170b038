```python
VOWELS = "aeiouAEIOU"
SEPARATOR = "	"  # a literal tab, never part of the result


def separate_vowels_and_consonants(input_string):
	"""Vowels first	then the rest."""
	joined = "".join(c for c in input_string if c in VOWELS) + SEPARATOR
	joined += "".join(c for c in input_string if c not in VOWELS)
	return joined.replace("\t", "", 1) if SEPARATOR == "\t" else None
```
