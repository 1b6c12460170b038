"""Inputs for caesar_cipher: mixed texts (letters, digits, non-ASCII) and many shifts."""

import random
import string

CASES = [("abc", 1), ("xyz", 3), ("Hello, World!", 3), ("Hello, World!", -3), ("", 5),
         ("attack at dawn 42", 13), ("ABC xyz 789", 0), ("abc", 26), ("Zebra-9", 52)]

_PRINTABLE = string.ascii_letters + string.digits + string.punctuation + " "
_UNICODE = "éàüÖñçÅøßЖжあいうΩ"
_FIXED_TEXTS = ["a", "z", "A", "Z", "0", "9", " ", "\t\n", "zzz", "ZZZ", "0123456789",
                "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "naïve café", "日本語"]
_SHIFTS = [0, 1, -1, 3, 13, 25, 26, 27, -26, 100, -100, 10**9, -(10**9) - 7]


def generate(rng: random.Random, count: int) -> list[tuple]:
    inputs = [(text, rng.choice(_SHIFTS)) for text in _FIXED_TEXTS]
    inputs += [("The quick brown fox 123", shift) for shift in _SHIFTS]
    alphabets = [string.ascii_lowercase, _PRINTABLE, string.ascii_letters + _UNICODE,
                 string.digits + string.ascii_lowercase]
    while len(inputs) < count:
        alphabet = alphabets[len(inputs) % len(alphabets)]
        length = rng.choice([1, 2, 3, 5, 8, 13, 21, 40, 80])
        text = "".join(rng.choice(alphabet) for _ in range(length))
        shift = rng.choice([rng.randint(-30, 30), rng.randint(-1000, 1000), rng.choice(_SHIFTS)])
        inputs.append((text, shift))
    return inputs


def probe_classes(args: tuple) -> list[str]:
    text, shift = args
    classes = []
    if text == "" or text.isspace() or shift == 0 or shift < 0:
        classes.append("edge")
    if any(c.isupper() for c in text):
        classes.append("case")
    if any(ord(c) > 127 for c in text):
        classes.append("unicode")
    if any(c.isdigit() for c in text):
        classes.append("digits")
    if any(not c.isalnum() for c in text):
        classes.append("punctuation")
    if len(text) >= 40 or abs(shift) >= 10**6:
        classes.append("large")
    if not 0 <= shift < 26:
        classes.append("wrap_shift")
    if not classes:
        classes.append("plain")
    return classes
