"""Inputs for word_count: sentences and lists with commas, punctuation, case and non-ASCII words."""

import random

CASES = [("",), ("the cat and the hat",), ("Hello, hello! HELLO?",), ("one,two, three ,,four",),
         ("  spaced   out  ",), ("it's a dog's life",), ("apple, Apricot, banana, apple pie",),
         ("...",), ("Über, über, uber",), ("a\tb\nc, a",)]

_WORDS = ["the", "The", "THE", "cat", "Cat", "hat", "apple", "apricot", "ant", "an", "a", "I",
          "über", "Über", "naïve", "日本", "день", "don't", "e-mail", "x2", "42", "b"]
_PUNCT = ["", "", "", ",", ".", "!", "?", ";", ":", "'", "\"", ",,", "...", "-"]
_SPACES = [" ", " ", " ", "  ", "\t", "\n", ", ", " , "]
_FIXED = [" ", ",", ", ,", "\n\t", "a", "A", "a,a", "a, A", "!!!", "''", "x" * 60,
          ", ".join(["alpha"] * 30), "word " * 40]


def generate(rng: random.Random, count: int) -> list[tuple]:
    inputs = [(s,) for s in _FIXED]
    while len(inputs) < count:
        n_words = rng.choice([1, 2, 3, 5, 8, 13, 30])
        pieces = []
        for _ in range(n_words):
            word = rng.choice(_WORDS)
            pieces.append(rng.choice(_PUNCT[:4]) + word + rng.choice(_PUNCT))
            pieces.append(rng.choice(_SPACES))
        text = "".join(pieces)
        if rng.random() < 0.3:
            text = text.strip()
        if (text,) not in inputs:
            inputs.append((text,))
    return inputs


def probe_classes(args: tuple) -> list[str]:
    (s,) = args
    classes = []
    if s.strip(" \t\n,.!?;:'\"") == "":
        classes.append("edge")
    if any(c.isupper() for c in s):
        classes.append("case")
    if any(ord(c) > 127 for c in s):
        classes.append("unicode")
    if any(c in ",.!?;:'\"" for c in s):
        classes.append("punctuation")
    if any(c in "\t\n" for c in s) or "  " in s:
        classes.append("whitespace")
    if len(s) >= 60:
        classes.append("large")
    if not classes:
        classes.append("plain")
    return classes
