```python
import bisect


def _thresholds():
    return [70, 90], ["Fair", "Good", "Excellent"]


CUTS, NAMES = _thresholds()


def rank_for(average):
    if average <= 0:
        return "N/A"
    return NAMES[bisect.bisect_right(CUTS, average)]


def process_user_list(users):
    template = "{name}: Average {avg:.1f} (Rank: {rank})"
    result = []
    for user in users:
        s = user["scores"]
        avg = sum(s) / len(s) if len(s) > 0 else 0.0
        result.append(template.format(name=user["name"], avg=avg, rank=rank_for(avg)))
    return result


users = [{"name": "Alice", "scores": [95, 88, 92]}]
for line in process_user_list(users):
    print(line)
```
