"""Inputs for process_user_list: lists of users around the rank thresholds."""

import random

CASES = [
    ([],),
    ([{"name": "Alice", "scores": [95, 88, 92]}],),
    ([{"name": "Bob", "scores": [70, 70]}, {"name": "Cara", "scores": []}],),
    ([{"name": "Dan", "scores": [0, 0]}, {"name": "Eve", "scores": [50]}],),
    ([{"name": "Fay", "scores": [90]}, {"name": "Gus", "scores": [89, 91]}],),
]

_NAMES = ["Ann", "Ben", "Chloé", "Dev", "Émile", "Fatima", "Georg", "Hana", "Ivan", "Jun", "", "O'Neil"]
_EDGE_SCORES = [[], [0], [90], [70], [89.96], [69.95], [0.04], [-5, 5], [-10], [100, 100], [89, 90, 91]]


def generate(rng: random.Random, count: int) -> list[tuple]:
    inputs: list[tuple] = [([{"name": "X", "scores": list(s)}],) for s in _EDGE_SCORES]
    while len(inputs) < count:
        users = []
        for _ in range(rng.choice([1, 2, 3, 5])):
            n = rng.choice([0, 1, 2, 3, 4, 7])
            if rng.random() < 0.3:
                scores = [round(rng.uniform(0, 100), 1) for _ in range(n)]
            else:
                scores = [rng.randint(0, 100) for _ in range(n)]
            users.append({"name": rng.choice(_NAMES), "scores": scores})
        inputs.append((users,))
    return inputs


def probe_classes(args: tuple) -> list[str]:
    (users,) = args
    classes = []
    if not users or any(not u["scores"] for u in users):
        classes.append("edge")
    if any(any(isinstance(x, float) for x in u["scores"]) for u in users):
        classes.append("float")
    if any(u["scores"] and sum(u["scores"]) / len(u["scores"]) in (90, 70, 0) for u in users):
        classes.append("boundary")
    if any(any(ord(c) > 127 for c in u["name"]) for u in users):
        classes.append("unicode")
    if not classes:
        classes.append("plain")
    return classes
