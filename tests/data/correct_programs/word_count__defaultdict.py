```python
from collections import defaultdict


def word_count(text):
    counts = defaultdict(int)
    for raw in text.lower().split():
        word = raw.strip(".,!?;:\"'")
        if word:
            counts[word] += 1
    return dict(counts)


print(word_count("the cat and the hat"))
```
