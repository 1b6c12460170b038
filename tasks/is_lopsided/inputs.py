"""Inputs for is_lopsided: the same kinds of strings as for its twin is_palindrome."""

import random
import string

CASES = [("",), ("a",), ("aa",), ("ab",), ("aba",), ("abba",), ("abca",), ("racecar",),
         ("Racecar",), ("xyzzy",), ("abcde",), ("a b a",)]

_SMALL = "ab"
_LOWER = string.ascii_lowercase
_MIXED = "aAbBcC"
_UNICODE = "éÉåÅж日aé"
_FIXED = ["  ", "\t\n", " a", "noon", "Noon", "level", "été", "日本日", "ΑΒΑ", "12321", "1231",
          "abcabc", "abab", "aabb", "zzzzzz", "ab ba", "A man a plan", "éé", "aéa", "xyx yx"]


def _palindrome(rng: random.Random, alphabet: str, half: int) -> str:
    left = "".join(rng.choice(alphabet) for _ in range(half))
    middle = rng.choice(["", rng.choice(alphabet)])
    return left + middle + left[::-1]


def generate(rng: random.Random, count: int) -> list[tuple]:
    inputs = [(s,) for s in _FIXED]
    alphabets = [_SMALL, _LOWER, _MIXED, _UNICODE + _SMALL]
    while len(inputs) < count:
        alphabet = alphabets[len(inputs) % len(alphabets)]
        half = rng.choice([1, 2, 3, 5, 8, 20, 60])
        kind = rng.randrange(3)
        text = _palindrome(rng, alphabet, half)
        if kind == 1:  # a near-palindrome: one character changed
            i = rng.randrange(len(text))
            text = text[:i] + rng.choice(alphabet + "z") + text[i + 1:]
        elif kind == 2:
            text = "".join(rng.choice(alphabet) for _ in range(len(text)))
        inputs.append((text,))
    return inputs


def probe_classes(args: tuple) -> list[str]:
    (s,) = args
    classes = []
    if len(s) <= 1 or s.isspace():
        classes.append("edge")
    if any(c.isupper() for c in s):
        classes.append("case")
    if any(ord(c) > 127 for c in s):
        classes.append("unicode")
    if any(not c.isalpha() for c in s):
        classes.append("non_letter")
    if len(s) >= 40:
        classes.append("large")
    if len(s) > 1 and s == s[::-1]:
        classes.append("palindrome")
    if len(s) > 1 and s.lower() == s.lower()[::-1] and s != s[::-1]:
        classes.append("palindrome_ignoring_case")
    if not classes:
        classes.append("plain")
    return classes
