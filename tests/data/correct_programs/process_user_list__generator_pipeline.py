```python
def _averages(users):
    for user in users:
        scores = user["scores"]
        yield user["name"], (sum(scores) / len(scores) if scores else 0.0)


def _ranked(pairs):
    for name, average in pairs:
        if average >= 90:
            rank = "Excellent"
        elif average >= 70:
            rank = "Good"
        elif average > 0:
            rank = "Fair"
        else:
            rank = "N/A"
        yield name, average, rank


def process_user_list(users):
    return [f"{n}: Average {a:.1f} (Rank: {r})" for n, a, r in _ranked(_averages(users))]
```
