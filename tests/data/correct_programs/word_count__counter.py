```python
from collections import Counter

PUNCTUATION = ".,!?;:\"'"


def word_count(text):
    words = (w.strip(PUNCTUATION) for w in text.lower().split())
    return dict(Counter(w for w in words if w))
```
