"""Inputs for turnstile: event sequences of coin/push with repeats, noise and look-alikes."""

import random

CASES = [([],), (["coin"],), (["push"],), (["coin", "push"],), (["coin", "coin"],),
         (["push", "coin", "push", "coin"],), (["coin", "kick"],), (["Coin"],),
         (["coin", "push", "push"],)]

_EVENTS = ["coin", "push"]
_NOISE = ["kick", "", "Coin", "PUSH", "coin ", "coïn", "pуsh", "wait"]


def generate(rng: random.Random, count: int) -> list[tuple]:
    inputs: list[tuple] = [([e],) for e in _NOISE]
    while len(inputs) < count:
        size = rng.choice([1, 2, 3, 4, 6, 10, 25, 100])
        noise = rng.choice([0.0, 0.0, 0.2, 0.5])
        events = [rng.choice(_NOISE) if rng.random() < noise else rng.choice(_EVENTS)
                  for _ in range(size)]
        if (events,) not in inputs:
            inputs.append((events,))
    return inputs


def probe_classes(args: tuple) -> list[str]:
    (events,) = args
    classes = []
    if len(events) <= 1:
        classes.append("edge")
    if any(e.lower() != e for e in events):
        classes.append("case")
    if any(any(ord(c) > 127 for c in e) for e in events):
        classes.append("unicode")
    if any(e not in _EVENTS for e in events):
        classes.append("noise")
    if any(a == b for a, b in zip(events, events[1:], strict=False)):
        classes.append("repeat")
    if len(events) >= 25:
        classes.append("large")
    if not classes:
        classes.append("plain")
    return classes
