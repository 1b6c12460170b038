```python
def _rank(average):
    if average >= 90:
        return "Excellent"
    elif average >= 70:
        return "Good"
    elif average > 0:
        return "Fair"
    return "N/A"


def process_user_list(users):
    lines = []
    for user in users:
        scores = user["scores"]
        average = sum(scores) / len(scores) if scores else 0.0
        lines.append("%s: Average %.1f (Rank: %s)" % (user["name"], average, _rank(average)))
    return lines
```
