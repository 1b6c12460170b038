```python
from dataclasses import dataclass, field


@dataclass
class User:
    name: str
    scores: list = field(default_factory=list)

    @classmethod
    def from_dict(cls, data):
        return cls(data["name"], list(data["scores"]))

    @property
    def average(self):
        return sum(self.scores) / len(self.scores) if self.scores else 0.0

    @property
    def rank(self):
        avg = self.average
        if avg >= 90:
            return "Excellent"
        if avg >= 70:
            return "Good"
        if avg > 0:
            return "Fair"
        return "N/A"


def process_user_list(users):
    out = []
    for raw in users:
        user = User.from_dict(raw)
        out.append(f"{user.name}: Average {user.average:.1f} (Rank: {user.rank})")
    return out
```
