# inspect-evals-lint: ignore-file[host_code_execution] -- a part of the runner, which runs inside the sandbox
"""The typed codec (values <-> JSON with type tags) and the sealed writer the candidate side uses."""

from __future__ import annotations

import builtins
import math
import sys
from _blake2 import blake2b as _BLAKE2B  # the candidate process has it loaded (its audit hook's)
from typing import Any

from .protocol import (
    CHECK_INLINE_BYTES,
    CHECK_LIMITS,
    DIGEST_TAG,
    HEX_INT_BITS,
    MAX_DEPTH,
    MAX_VALUE_BYTES,
    TOO_LARGE,
    VALUE_LIMITS,
)


def _seal(fn: Any) -> Any:
    """Bind `fn` to itself as its `_self` default, so that it can recurse without a global.

    A sealed function reads no module global, builtin or closure cell: everything it uses is a
    positional default (an immutable tuple that only `object.__setattr__` can replace, which the
    candidate process's audit hook refuses for runner functions).
    """
    names = fn.__code__.co_varnames[: fn.__code__.co_argcount]
    defaults = list(fn.__defaults__)
    offset = len(names) - len(defaults)
    defaults[names.index("_self") - offset] = fn
    fn.__defaults__ = tuple(defaults)
    return fn


STDLIB_MAPPINGS = ("Counter", "OrderedDict", "defaultdict")
"""The standard library's dict subclasses, encoded as dicts of their items (docs/scoring.md)."""


class _TooLarge(Exception):
    """The encoded value grew past its size or item limit."""



try:  # the C escaper json.dumps uses; the pure-Python one gives the same text
    from _json import encode_basestring_ascii as _ESCAPE
except ImportError:  # pragma: no cover - CPython always has _json
    from json.encoder import py_encode_basestring_ascii as _ESCAPE


_BUILTIN_EXCEPTIONS = tuple(
    v for v in vars(builtins).values() if isinstance(v, type) and issubclass(v, BaseException)
)
OWN_CLASS = "code."
"""How `exception_name` marks a class the checked code defined itself (or one whose claimed
home does not hold it)."""


def exception_name(
    exc: Any, own: str, _type: Any = type, _str: Any = str, _builtins: Any = _BUILTIN_EXCEPTIONS,
    _modules: Any = sys.modules, _getattr: Any = getattr, _own_class: str = OWN_CLASS,
) -> str:  # fmt: skip
    """The name an exception is compared by, the same rule for C0 (on the host) and the candidate.

    A builtin exception is its bare name (`ValueError`) only when it *is* the builtin class: a
    candidate's own `class ValueError(Exception)` is `code.ValueError` and never matches the
    builtin. Any other class is named by its home module (`json.decoder.JSONDecodeError`) when
    that module really holds it, else (a class of the code in module `own`, or one whose
    `__module__` claims a home it does not have) `code.<qualname>`. May raise on a hostile class;
    the caller catches.
    """
    cls = _type(exc)
    for known in _builtins:
        if known is cls:
            return _str(known.__name__)
    module, qual = cls.__module__, cls.__qualname__
    if _type(module) is not _str or _type(qual) is not _str:
        return "?"
    if module != own:
        home = _modules.get(module)
        for part in qual.split("."):
            home = _getattr(home, part, None)
        if home is cls:
            return module + "." + qual
    return _own_class + qual


def _stdlib_mapping(
    t: Any, _type: Any = type, _str: Any = str, _dict: Any = dict, _issubclass: Any = issubclass,
    _base: Any = BaseException, _names: Any = STDLIB_MAPPINGS,
) -> bool:  # fmt: skip
    """Whether `t` is one of the standard library's dict subclasses (`STDLIB_MAPPINGS`).

    A class that only claims the module and name is harmless: its value is read from the dict
    storage (`dict.items`), so it can only report the items it holds, as a dict would."""
    try:
        name, module = t.__name__, t.__module__
        return (  # each test is a bool (the types are checked first): no `bool` global
            _type(name) is _str and _type(module) is _str and module == "collections"
            and name in _names and _issubclass(t, _dict)
        )  # fmt: skip
    except _base:  # a hostile metaclass
        return False


def _enc(
    value: Any, depth: int = 0, budget: list[int] | None = None, _self: Any = None,
    _type: Any = type, _str: Any = str, _repr: Any = repr, _sorted: Any = sorted,
    _len: Any = len, _bool: Any = bool, _int: Any = int, _float: Any = float, _list: Any = list,
    _tuple: Any = tuple, _dict: Any = dict, _set: Any = set, _frozenset: Any = frozenset,
    _bytes: Any = bytes, _base: Any = BaseException, _too_large: Any = _TooLarge,
    _max_depth: int = MAX_DEPTH, _complex: Any = complex, _hex: Any = hex,
    _hex_bits: int = HEX_INT_BITS, _issubclass: Any = issubclass,
    _bases: Any = (int, float, str, bytes, tuple, list, dict, frozenset, set), _is_mapping: Any = None,
) -> Any:  # fmt: skip
    """`encode`, sealed; with `budget` ([bytes left, items left]) it raises `_TooLarge` early.

    An int longer than `HEX_INT_BITS` is written in hex (`int(text, 0)` reads both forms)."""
    if budget is not None:
        budget[0] -= 8
        budget[1] -= 1
        if budget[0] < 0 or budget[1] < 0:
            raise _too_large()
    if depth > _max_depth:
        return ["opaque", _type(value).__name__, "<too deep>"]
    t = _type(value)
    if value is None:
        return ["none"]
    if t is _bool:
        return ["bool", value]
    if t is _int:
        text = _str(value) if value.bit_length() <= _hex_bits else _hex(value)
    elif t is _float:
        text = _repr(value)
    elif t is _str:
        text = value
    elif t is _bytes:
        text = value.hex()
    elif t is _complex:
        text = _repr(value)
    else:
        text = None
    if text is not None:
        if budget is not None:
            budget[0] -= _len(text)
            if budget[0] < 0:
                raise _too_large()
        return [t.__name__, text]
    if t is _list or t is _tuple:
        items = []
        for v in value:
            items.append(_self(v, depth + 1, budget))
        return [t.__name__, items]
    if t is _dict or (t is not _set and t is not _frozenset and _is_mapping(t)):
        # Counter, OrderedDict and defaultdict are encoded as the dict of their items
        pairs = []
        for k, v in _dict.items(value):  # the storage itself, whatever the class overrides
            pairs.append([_self(k, depth + 1, budget), _self(v, depth + 1, budget)])
        return ["dict", pairs]
    if t is _set or t is _frozenset:
        items = []
        for v in value:
            items.append(_self(v, depth + 1, budget))
        return [t.__name__, _sorted(items, key=_repr)]
    try:
        text = _repr(value)[:200]
    except _base:  # a hostile __repr__ must not break the runner
        text = "<unrepresentable>"
    if _type(text) is not _str:
        text = "<unrepresentable>"
    name = t.__name__
    opaque = ["opaque", name if _type(name) is _str else "?", text]
    # EvalPlus's rule (`out == exp`) may still equal such a value to a plain one: send also the
    # value as its builtin base sees it (a namedtuple, an IntEnum, a user's str subclass), read
    # through the base type's own C methods, never the subclass's dunders (a subclass may lie
    # in `__eq__` or `__iter__`); or the exact form of the standard library's Fraction and
    # Decimal, which the host rebuilds (`check.compare.live_value`). Typed mode ignores it.
    plain = None
    try:
        for base in _bases:
            if not _issubclass(t, base):
                continue
            if base is _int:  # bool cannot be subclassed
                plain = ["base", _int.__int__(value)]
            elif base is _float:
                plain = ["base", _float.__float__(value)]
            elif base is _str:
                plain = ["base", _str.__str__(value)]
            elif base is _bytes:
                plain = ["base", _bytes.fromhex(_bytes.hex(value))]
            elif base is _dict:
                plain = ["base", _dict(_dict.items(value))]
            else:  # tuple, list, set, frozenset: the storage's own iterator
                plain = ["base", base(base.__iter__(value))]
            break
        if plain is None:
            module = t.__module__
            if _type(module) is _str and _type(name) is _str:
                if module == "fractions" and name == "Fraction":
                    num, den = value.numerator, value.denominator
                    if _type(num) is _int and _type(den) is _int:
                        plain = ["fraction", [num, den]]
                elif module == "decimal" and name == "Decimal":
                    exact = _str(value)
                    if _type(exact) is _str:
                        plain = ["decimal", exact]
    except _base:  # a hostile class: the value stays opaque
        plain = None
    if plain is not None:
        opaque.append([plain[0], _self(plain[1], depth + 1, budget)])
    return opaque


_enc.__defaults__ = (*_enc.__defaults__[:-1], _stdlib_mapping)  # type: ignore[index]
_seal(_enc)


def encode(value: Any, depth: int = 0) -> Any:
    """Encode a Python value as JSON with type tags that keep int/float/bool/str/... apart."""
    return _enc(value, depth)


def _dumps(
    obj: Any, _self: Any = None, _type: Any = type, _str: Any = str, _list: Any = list,
    _tuple: Any = tuple, _bool: Any = bool, _int: Any = int, _esc: Any = _ESCAPE,
    _join: Any = ", ".join, _error: Any = TypeError, _dict: Any = dict,
) -> str:  # fmt: skip
    """`json.dumps` of what `_enc` returns, and of the candidate side's messages (dicts with
    str keys), with the same text; sealed, so the candidate side builds no JSON by hand."""
    t = _type(obj)
    if t is _str:
        return _esc(obj)
    if t is _list or t is _tuple:
        parts = []
        for item in obj:
            parts.append(_self(item))
        return "[" + _join(parts) + "]"
    if t is _dict:
        parts = []
        for key, item in obj.items():
            if _type(key) is not _str:
                raise _error("not a message")
            parts.append(_esc(key) + ": " + _self(item))
        return "{" + _join(parts) + "}"
    if t is _bool:
        return "true" if obj else "false"
    if t is _int:
        return _str(obj)
    if obj is None:
        return "null"
    raise _error("not an encoded value")


_seal(_dumps)


CHECK_BUDGET = (CHECK_INLINE_BYTES, *CHECK_LIMITS)
"""A check's budget at its start: (bytes sent as values, bytes encoded, items encoded)."""


def _encode_value(
    value: Any, budget: Any = CHECK_BUDGET, _enc: Any = _enc, _dumps: Any = _dumps,
    _len: Any = len, _type: Any = type, _str: Any = str, _min: Any = min, _max: Any = max,
    _too_large: Any = _TooLarge, _inline: int = MAX_VALUE_BYTES, _limits: Any = VALUE_LIMITS,
    _hash: Any = _BLAKE2B, _tag: str = DIGEST_TAG, _marker: str = TOO_LARGE,
) -> Any:  # fmt: skip
    """`(encoding, budget left)` of one returned value, the check's `budget` (`CHECK_BUDGET`)
    charged with what encoding it cost, even when it was cut off.

    The encoding is the value itself when its JSON text fits `MAX_VALUE_BYTES` and what is left
    of the check's inline bytes; else a digest of that text (`DIGEST_TAG`); else, past the
    value's or the check's limits (`VALUE_LIMITS`, `CHECK_LIMITS`), the opaque `TOO_LARGE`
    marker. The budget is a tuple the loop rebinds: nothing the candidate reaches can change it."""
    inline, spent_bytes, spent_items = budget
    allow = [_min(_limits[0], spent_bytes), _min(_limits[1], spent_items)]
    start = (allow[0], allow[1])
    try:
        encoded = _enc(value, 0, allow)
    except _too_large:
        encoded = None
    spent_bytes = _max(0, spent_bytes - (start[0] - _max(allow[0], 0)))
    spent_items = _max(0, spent_items - (start[1] - _max(allow[1], 0)))
    name = _type(value).__name__
    name = name if _type(name) is _str else "?"
    if encoded is None:
        return ["opaque", name, _marker], (inline, spent_bytes, spent_items)
    text = _dumps(encoded)
    size = _len(text)
    if size <= _inline and size <= inline:
        return encoded, (inline - size, spent_bytes, spent_items)
    digest = _hash(text.encode("ascii"), digest_size=32).hexdigest()
    return [_tag, name, digest, _str(size)], (inline, spent_bytes, spent_items)


def _encode_text(value: Any, _dumps: Any = _dumps, _encode_value: Any = _encode_value) -> str:
    """The JSON text of `_encode_value(value)` at the start of a check."""
    return _dumps(_encode_value(value)[0])


def _dec(
    obj: Any, _self: Any = None, _bool: Any = bool, _int: Any = int, _float: Any = float,
    _str: Any = str, _list: Any = list, _tuple: Any = tuple, _dict: Any = dict, _set: Any = set,
    _frozenset: Any = frozenset, _bytes: Any = bytes, _complex: Any = complex, _len: Any = len,
    _opaque: Any = None, _digest: Any = None, _tag: str = DIGEST_TAG,
) -> Any:  # fmt: skip
    """`decode`, sealed (the candidate process decodes each input right before the call)."""
    tag = obj[0]
    if tag == "none":
        return None
    if tag == "bool":
        return _bool(obj[1])
    if tag == "int":
        return _int(obj[1], 0)
    if tag == "float":
        return _float(obj[1])
    if tag == "str":
        return _str(obj[1])
    if tag == "list" or tag == "tuple" or tag == "set" or tag == "frozenset":
        items = []
        for v in obj[1]:
            items.append(_self(v))
        if tag == "list":
            return items
        return _tuple(items) if tag == "tuple" else (_set(items) if tag == "set" else _frozenset(items))
    if tag == "dict":
        out = _dict()
        for k, v in obj[1]:
            out[_self(k)] = _self(v)
        return out
    if tag == "bytes":
        return _bytes.fromhex(obj[1])
    if tag == "complex":
        return _complex(obj[1])
    if tag == _tag:
        return _digest(_str(obj[1]), _str(obj[2]), _int(obj[3]))
    if _len(obj) > 3:  # with its plain form (`_enc`); an older record has none
        return _opaque(_str(obj[1]), _str(obj[2]), _str(obj[3][0]), _self(obj[3][1]))
    return _opaque(_str(obj[1]), _str(obj[2]))


PLAIN_KINDS = ("base", "fraction", "decimal")
"""What an opaque value's plain form is (`_enc`): its builtin base type's value, a Fraction's
`[numerator, denominator]`, a Decimal's exact text."""


class Opaque:
    """A value of a type the codec does not know; equal only to the same type and repr.

    `plain_kind`/`plain` carry what EvalPlus's `out == exp` may still see in it (`_enc`; None
    for a value with none, or from an older record): only `check.compare` reads them."""

    def __init__(self, type_name: str, text: str, plain_kind: str | None = None, plain: Any = None) -> None:
        self.type_name = type_name
        self.text = text
        self.plain_kind = plain_kind
        self.plain = plain

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Opaque)
            and other.type_name == self.type_name
            and other.text == self.text
        )

    def __hash__(self) -> int:
        return hash((self.type_name, self.text))

    def __repr__(self) -> str:
        return f"<{self.type_name} {self.text}>"


class Digest:
    """A value the runner sent as the digest of its encoding (`DIGEST_TAG`): equal to C0's value
    exactly when `digest_of` that value is `digest` (`check.host` resolves it)."""

    def __init__(self, type_name: str, digest: str, size: int) -> None:
        self.type_name = type_name
        self.digest = digest
        self.size = size

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Digest) and (other.type_name, other.digest) == (self.type_name, self.digest)

    def __hash__(self) -> int:
        return hash((self.type_name, self.digest))

    def __repr__(self) -> str:
        return f"<{self.type_name} of {self.size:,} encoded bytes, digest {self.digest[:12]}>"


def digest_of(value: Any) -> str:
    """The digest the runner sends for `value` (`_encode_value`), computed on the host."""
    return _BLAKE2B(_dumps(encode(value)).encode("ascii"), digest_size=32).hexdigest()


_dec.__defaults__ = (*_dec.__defaults__[:-3], Opaque, Digest, DIGEST_TAG)  # type: ignore[index]
_seal(_dec)


def decode(obj: Any) -> Any:
    """Inverse of `encode`."""
    return _dec(obj)


def typed_equal(a: Any, b: Any) -> bool:
    """Equality that also requires identical types, recursively (1 != 1.0 != True != '1'),
    inside sets, frozensets and dict keys too; every NaN equals every NaN, and 0.0 equals -0.0
    (docs/scoring.md)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, complex):  # part by part, by the float rule
        return typed_equal(a.real, b.real) and typed_equal(a.imag, b.imag)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(typed_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        if len(a) != len(b):
            return False
        theirs = {_typed_key(k): v for k, v in b.items()}
        return all(
            (key := _typed_key(k)) in theirs and typed_equal(v, theirs[key]) for k, v in a.items()
        )
    if isinstance(a, set | frozenset):
        return len(a) == len(b) and _typed_key(a) == _typed_key(b)
    return bool(a == b)


def _typed_key(value: Any) -> Any:
    """A hashable key that two values share exactly when `typed_equal` holds between them
    (the type goes into the key, NaN is one key, -0.0 is 0.0's), for set members and dict keys."""
    t = type(value)
    if t is float:
        return (t, "nan") if math.isnan(value) else (t, value + 0.0)
    if t is complex:
        return (t, _typed_key(value.real), _typed_key(value.imag))
    if t is list or t is tuple:
        return (t, tuple(_typed_key(v) for v in value))
    if t is set or t is frozenset:  # members sorted by repr: NaNs may repeat, so not a frozenset
        return (t, tuple(sorted((_typed_key(v) for v in value), key=repr)))
    if t is dict:
        items = ((_typed_key(k), _typed_key(v)) for k, v in value.items())
        return (t, tuple(sorted(items, key=repr)))
    if t is Opaque:
        return (t, value.type_name, value.text)
    return (t, value)


def valid_encoding(obj: Any, depth: int = 0) -> bool:
    """Whether `obj` has the shape `encode` produces (checked before anything decodes it)."""
    if depth > MAX_DEPTH + 2 or not isinstance(obj, list) or not obj or not isinstance(obj[0], str):
        return False
    tag, rest = obj[0], obj[1:]
    if tag == "none":
        return not rest
    if tag == "bool":
        return len(rest) == 1 and isinstance(rest[0], bool)
    if tag in ("int", "float", "str", "bytes", "complex"):
        return len(rest) == 1 and isinstance(rest[0], str)
    if tag in ("list", "tuple", "set", "frozenset"):
        return (len(rest) == 1 and isinstance(rest[0], list)
                and all(valid_encoding(v, depth + 1) for v in rest[0]))  # fmt: skip
    if tag == "dict":
        return len(rest) == 1 and isinstance(rest[0], list) and all(
            isinstance(p, list) and len(p) == 2
            and valid_encoding(p[0], depth + 1) and valid_encoding(p[1], depth + 1)
            for p in rest[0]
        )
    if tag == "opaque":  # [name, repr] and, since red16, optionally [kind, plain encoding]
        if len(rest) == 3 and isinstance(rest[2], list) and len(rest[2]) == 2:
            kind, plain = rest[2]
            return (isinstance(rest[0], str) and isinstance(rest[1], str) and kind in PLAIN_KINDS
                    and valid_encoding(plain, depth + 1))  # fmt: skip
        return len(rest) == 2 and all(isinstance(x, str) for x in rest)
    if tag == DIGEST_TAG:  # a whole returned value only
        return (depth == 0 and len(rest) == 3 and all(isinstance(x, str) for x in rest)
                and rest[2].isascii() and rest[2].isdigit())  # fmt: skip
    return False

