"""Inputs for ferry_gate: signal sequences of horn/rope with repeats, noise and look-alikes."""

import random

CASES = [([],), (["horn"],), (["rope"],), (["horn", "rope"],), (["horn", "horn"],),
         (["rope", "horn", "rope", "horn"],), (["horn", "wave"],), (["Horn"],),
         (["horn", "rope", "rope"],)]

_EVENTS = ["horn", "rope"]
_NOISE = ["wave", "", "Horn", "ROPE", "horn ", "hørn", "rоpe", "wait"]


def generate(rng: random.Random, count: int) -> list[tuple]:
    inputs: list[tuple] = [([e],) for e in _NOISE]
    while len(inputs) < count:
        size = rng.choice([1, 2, 3, 4, 6, 10, 25, 100])
        noise = rng.choice([0.0, 0.0, 0.2, 0.5])
        signals = [rng.choice(_NOISE) if rng.random() < noise else rng.choice(_EVENTS)
                  for _ in range(size)]
        if (signals,) not in inputs:
            inputs.append((signals,))
    return inputs


def probe_classes(args: tuple) -> list[str]:
    (signals,) = args
    classes = []
    if len(signals) <= 1:
        classes.append("edge")
    if any(e.lower() != e for e in signals):
        classes.append("case")
    if any(any(ord(c) > 127 for c in e) for e in signals):
        classes.append("unicode")
    if any(e not in _EVENTS for e in signals):
        classes.append("noise")
    if any(a == b for a, b in zip(signals, signals[1:], strict=False)):
        classes.append("repeat")
    if len(signals) >= 25:
        classes.append("large")
    if not classes:
        classes.append("plain")
    return classes
