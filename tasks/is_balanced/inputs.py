"""Inputs for is_balanced: nested bracket strings, their corruptions, and text around them."""

import random

CASES = [("",), ("()",), ("()[]{}",), ("(]",), ("([)]",), ("{[]}",), ("(",), (")(",),
         ("f(a[0]) { return; }",), ("((()))",), ("(()",)]

_OPEN = "([{"
_CLOSE = {"(": ")", "[": "]", "{": "}"}
_FILLER = "ab x1;é日"
_FIXED = ["   ", "abc", "]", "}", "{{{{}}}}", "([{}])", "([{}]))", "(((", "éé(日)", "<>",
          "<(>)", "([])[]{}" * 10]


def _nested(rng: random.Random, depth: int) -> str:
    if depth == 0 or rng.random() < 0.3:
        return ""
    opener = rng.choice(_OPEN)
    inner = _nested(rng, depth - 1) + _nested(rng, depth - 1)
    return opener + inner + _CLOSE[opener]


def generate(rng: random.Random, count: int) -> list[tuple]:
    inputs = [(s,) for s in _FIXED]
    while len(inputs) < count:
        text = _nested(rng, rng.choice([2, 3, 4, 6, 8]))
        kind = len(inputs) % 4
        if kind == 1 and text:
            i = rng.randrange(len(text))
            text = text[:i] + rng.choice("()[]{}") + text[i + 1:]
        elif kind == 2:
            text = "".join(c + rng.choice(["", "", rng.choice(_FILLER)]) for c in text)
        elif kind == 3:
            text = text + rng.choice(_OPEN)
        if (text,) not in inputs:
            inputs.append((text,))
    return inputs


def probe_classes(args: tuple) -> list[str]:
    (s,) = args
    classes = []
    if len(s) <= 1 or s.isspace():
        classes.append("edge")
    if any(ord(c) > 127 for c in s):
        classes.append("unicode")
    if any(c not in "()[]{}" for c in s):
        classes.append("other_text")
    if len(s) >= 40:
        classes.append("large")
    if not classes:
        classes.append("brackets_only")
    return classes
