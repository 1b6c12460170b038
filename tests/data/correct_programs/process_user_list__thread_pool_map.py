```python
from concurrent.futures import ThreadPoolExecutor


def _line(user):
    scores = user["scores"]
    average = sum(scores) / len(scores) if scores else 0.0
    if average >= 90:
        rank = "Excellent"
    elif average >= 70:
        rank = "Good"
    elif average > 0:
        rank = "Fair"
    else:
        rank = "N/A"
    return "{}: Average {} (Rank: {})".format(user["name"], format(average, ".1f"), rank)


def process_user_list(users):
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(_line, users))
```
