"""The closest known name to a mistyped one, for refusals that say "did you mean ...?".

One place for the suggestion, so every refusal of a name (a problem, a pair, a `-T` setting)
words it the same way and a long list of known names is not the only help.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(name: str, known: Iterable[str]) -> str | None:
    """The known name nearest `name` when one is near enough to be a typo, else None."""
    near = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return near[0] if near else None


def unknown_names(kind: str, names: list[str], known: Iterable[str]) -> str:
    """`unknown problem 'fizbuzz' (did you mean 'fizzbuzz'?)`; the known names are listed only
    when some name has no near match (`unknown problem 'x'; 32 known: a, b, ...`)."""
    choices = sorted(known)
    near = {name: closest(name, choices) for name in names}
    parts = [f"{n!r}" + (f" (did you mean {m!r}?)" if m else "") for n, m in near.items()]
    plural = "s" if len(names) > 1 else ""
    text = f"unknown {kind}{plural} {', '.join(parts)}"
    if all(near.values()):
        return text
    return f"{text}; {len(choices)} known: {', '.join(choices)}"
