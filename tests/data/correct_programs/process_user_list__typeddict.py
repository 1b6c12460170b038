```python
from typing import Final, List, TypedDict


class UserRecord(TypedDict):
    name: str
    scores: List[float]


EXCELLENT: Final = 90
GOOD: Final = 70


def process_user_list(users: List[UserRecord]) -> List[str]:
    results: List[str] = []
    for user in users:
        scores = user["scores"]
        average: float = sum(scores) / len(scores) if scores else 0.0
        rank = "Excellent" if average >= EXCELLENT else "Good" if average >= GOOD else (
            "Fair" if average > 0 else "N/A"
        )
        results.append(f"{user['name']}: Average {average:.1f} (Rank: {rank})")
    return results
```
