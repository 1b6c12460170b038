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
    OPAQUE_DIGEST_BYTES,
    TOO_LARGE,
    VALUE_LIMITS,
)
from .protocol import valid_encoding as valid_encoding  # the supervisor's: the runner joins no codec


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


_TYPE_NAME = type.__dict__["__name__"].__get__
"""A class's own `__name__` read at the C level: a metaclass `__name__` property (candidate
code, run between the function's return and the signed send) is never called."""
_TYPE_MODULE = type.__dict__["__module__"].__get__
"""A class's `__module__` read the same way (the class's own dict, no metaclass property)."""


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
    _base: Any = BaseException, _names: Any = STDLIB_MAPPINGS, _name_of: Any = _TYPE_NAME,
    _module_of: Any = _TYPE_MODULE,
) -> bool:  # fmt: skip
    """Whether `t` is one of the standard library's dict subclasses (`STDLIB_MAPPINGS`).

    A class that only claims the module and name is harmless: its value is read from the dict
    storage (`dict.items`), so it can only report the items it holds, as a dict would."""
    try:
        if not _issubclass(t, _dict):  # C-level reads only: no metaclass code runs here
            return False
        name, module = _name_of(t), _module_of(t)
        return (  # each test is a bool (the types are checked first): no `bool` global
            _type(name) is _str and _type(module) is _str and module == "collections"
            and name in _names
        )  # fmt: skip
    except _base:  # a hostile metaclass
        return False


def _enc_json(
    value: Any, depth: int = 0, left: Any = None, keyed: bool = False, _self: Any = None,
    _type: Any = type, _str: Any = str, _repr: Any = repr, _sorted: Any = sorted, _len: Any = len,
    _bool: Any = bool, _int: Any = int, _float: Any = float, _list: Any = list, _tuple: Any = tuple,
    _dict: Any = dict, _set: Any = set, _frozenset: Any = frozenset, _bytes: Any = bytes,
    _base: Any = BaseException, _too_large: Any = _TooLarge, _max_depth: int = MAX_DEPTH,
    _complex: Any = complex, _hex: Any = hex, _hex_bits: int = HEX_INT_BITS, _esc: Any = _ESCAPE,
    _issubclass: Any = issubclass, _bases: Any = (int, float, str, bytes, tuple, list, dict, frozenset, set),
    _hash: Any = _BLAKE2B, _digest_bytes: int = OPAQUE_DIGEST_BYTES, _modules: Any = sys.modules,
    _getattr: Any = getattr, _module_of: Any = _TYPE_MODULE, _unicode_error: Any = UnicodeEncodeError,
    _is_mapping: Any = None, _name_of: Any = _TYPE_NAME,
) -> tuple[str, str, Any]:  # fmt: skip
    """`(JSON text of encode(value), its sort key, budget left)`, sealed: the encoder the
    candidate side runs, and `encode`'s.

    `left` is None or `(bytes left, items left)`, a tuple threaded through the recursion; past
    it `_TooLarge(bytes, items)` is raised early with what was left at that point. The text is
    built by str concatenation and holds no list or dict in a named local at any time: code of
    the candidate's that runs while a value is encoded (an opaque value's `__repr__`, or a
    thread) finds nothing mutable whose change would reach the text. `keyed` (inside a set)
    also builds the sort key: the `repr` of the nested lists `encode` returns, the order set
    members have always been sent in. Class names are read at the C level (`_TYPE_NAME`).
    An int longer than `HEX_INT_BITS` is written in hex (`int(text, 0)` reads both forms).
    An opaque value carries the blake2b digest of its whole `repr` (`OPAQUE_DIGEST_BYTES`), by
    which it compares, beside that repr cut to 200 characters (what a verdict shows)."""
    if left is not None:
        spare, items = left[0] - 8, left[1] - 1
        if spare < 0 or items < 0:
            raise _too_large(spare, items)
        left = (spare, items)
    t = _type(value)
    if depth > _max_depth:
        # the part below is encoded again from depth 0 (as exactly as any value) and travels as
        # the digest of that text: compared exactly, never by a repr the candidate writes
        # (red22). Past the interpreter's recursion limit (a list that holds itself) encoding
        # raises RecursionError: the value is unencodable, as any value the codec cannot carry
        name = _name_of(t)
        inner, _, left = _self(value, 0, left)
        digest = _hash(inner.encode("utf-8", "surrogatepass"), digest_size=_digest_bytes).hexdigest()
        inner = None
        if left is not None:
            spare = left[0] - _len(digest)
            if spare < 0:
                raise _too_large(spare, left[1])
            left = (spare, left[1])
        return ('["opaque", ' + _esc(name) + ', "<too deep>", ' + _esc(digest) + "]",
                ("['opaque', " + _repr(name) + ", '<too deep>', " + _repr(digest) + "]") if keyed else "",
                left)  # fmt: skip
    if value is None:
        return '["none"]', "['none']", left
    if t is _bool:
        if value:
            return '["bool", true]', "['bool', True]", left
        return '["bool", false]', "['bool', False]", left
    tag = ""  # a scalar's kind: its type's name, unless a lone surrogate makes a str `strx`
    if t is _int:
        text = _str(value) if value.bit_length() <= _hex_bits else _hex(value)
    elif t is _float:
        text = _repr(value)
    elif t is _str:
        text = value
        if not value.isascii():
            try:
                value.encode("utf-8")
            except _unicode_error:  # a lone surrogate: JSON's escape of it reads back as another
                # string (a high and a low one as the astral character they would pair into):
                # sent as its UTF-8 bytes with the surrogates passed (red30)
                text = None
            if text is None:
                text, tag = value.encode("utf-8", "surrogatepass").hex(), "strx"
    elif t is _bytes:
        text = value.hex()
    elif t is _complex:
        text = _repr(value)
    else:
        text = None
    if text is not None:
        if left is not None:
            spare = left[0] - _len(text)
            if spare < 0:
                raise _too_large(spare, left[1])
            left = (spare, left[1])
        name = tag or _name_of(t)
        return ('["' + name + '", ' + _esc(text) + "]",
                ("[" + _repr(name) + ", " + _repr(text) + "]") if keyed else "", left)  # fmt: skip
    body = key = ""
    if t is _list or t is _tuple:
        for v in value:
            part, part_key, left = _self(v, depth + 1, left, keyed)
            body += (", " + part) if body else part
            if keyed:
                key += (", " + part_key) if key else part_key
    elif t is _dict or (t is not _set and t is not _frozenset and _is_mapping(t)):
        # Counter, OrderedDict and defaultdict are encoded as the dict of their items
        t = _dict
        for k, v in _dict.items(value):  # the storage itself, whatever the class overrides
            k_text, k_key, left = _self(k, depth + 1, left, keyed)
            v_text, v_key, left = _self(v, depth + 1, left, keyed)
            body += (", [" if body else "[") + k_text + ", " + v_text + "]"
            if keyed:
                key += (", [" if key else "[") + k_key + ", " + v_key + "]"
    elif t is _set or t is _frozenset:
        # members in the order of their keys: "key NUL text" entries joined by SOH (neither
        # character is in a key, a repr, or a text, ASCII JSON), sorted as a temporary
        joined = ""
        for v in value:
            part, part_key, left = _self(v, depth + 1, left, True)
            joined += "\x01" + part_key + "\x00" + part
        for entry in _sorted(joined[1:].split("\x01")) if joined else ():
            cut = entry.index("\x00")
            body += (", " if body else "") + entry[cut + 1 :]
            if keyed:
                key += (", " if key else "") + entry[:cut]
    else:
        try:
            full = _repr(value)
        except _base:  # a hostile __repr__ must not break the runner
            full = None
        if _type(full) is _str:
            # the whole repr, however long: its time is the call's, its memory the candidate's
            digest = _hash(full.encode("utf-8", "surrogatepass"), digest_size=_digest_bytes).hexdigest()
            text, full = full[:200], None
        else:  # no repr was read: the empty digest, which equals no other value (`Opaque`)
            text, digest, full = "<unrepresentable>", "", None
        if left is not None:  # the text and the digest travel: they count
            spare = left[0] - _len(text) - _len(digest)
            if spare < 0:
                raise _too_large(spare, left[1])
            left = (spare, left[1])
        name = _name_of(t)  # the class's own name: a metaclass `__name__` is not called
        body = '["opaque", ' + _esc(name) + ", " + _esc(text) + ", " + _esc(digest)
        key = ("['opaque', " + _repr(name) + ", " + _repr(text) + ", " + _repr(digest)) if keyed else ""
        # EvalPlus's rule (`out == exp`) may still equal such a value to a plain one: send also
        # the value as its builtin base sees it (a namedtuple, an IntEnum, a user's str
        # subclass), read through the base type's own C methods, never the subclass's dunders;
        # or the exact form of the standard library's Fraction and Decimal, which the host
        # rebuilds (`check.compare.live_value`). Typed mode ignores it.
        kind = plain = None
        try:
            for base in _bases:
                if not _issubclass(t, base):
                    continue
                kind = "base"
                if base is _int:  # bool cannot be subclassed
                    plain = _int.__int__(value)
                elif base is _float:
                    plain = _float.__float__(value)
                elif base is _str:
                    plain = _str.__str__(value)
                elif base is _bytes:
                    plain = _bytes.fromhex(_bytes.hex(value))
                elif base is _dict:
                    plain = _dict(_dict.items(value))
                else:  # tuple, list, set, frozenset: the storage's own iterator
                    plain = base(base.__iter__(value))
                break
            if kind is None:
                # by the class itself, not its names: a class of the candidate's that calls itself
                # `fractions.Fraction` is not read as one; the class must be the one the loaded
                # module holds (no import here: a value of the real class means it is loaded)
                module = _module_of(t)
                if _type(module) is _str and module == "fractions" and name == "Fraction":
                    if _getattr(_modules.get("fractions"), "Fraction", None) is t:
                        num, den = value.numerator, value.denominator
                        if _type(num) is _int and _type(den) is _int:
                            kind, plain = "fraction", [num, den]
                elif (_type(module) is _str and module == "decimal" and name == "Decimal"
                      and _getattr(_modules.get("decimal"), "Decimal", None) is t):  # fmt: skip
                    exact = _str(value)
                    if _type(exact) is _str:
                        kind, plain = "decimal", exact
        except _base:  # a hostile class: the value stays opaque
            kind = None
        if kind is not None:
            part, part_key, left = _self(plain, depth + 1, left, keyed)
            plain = None
            body += ', ["' + kind + '", ' + part + "]"
            if keyed:
                key += ", [" + _repr(kind) + ", " + part_key + "]"
        return body + "]", (key + "]") if keyed else "", left
    name = _name_of(t)
    return ('["' + name + '", [' + body + "]]",
            ("[" + _repr(name) + ", [" + key + "]]") if keyed else "", left)  # fmt: skip


_enc_json.__defaults__ = (*_enc_json.__defaults__[:-2], _stdlib_mapping, _TYPE_NAME)  # type: ignore[index]
_seal(_enc_json)


def _dumps(
    obj: Any, _self: Any = None, _type: Any = type, _str: Any = str, _list: Any = list,
    _tuple: Any = tuple, _bool: Any = bool, _int: Any = int, _esc: Any = _ESCAPE,
    _error: Any = TypeError, _dict: Any = dict,
) -> str:  # fmt: skip
    """`json.dumps` of what `encode` returns, and of the values in candidate-side messages,
    with the same text; sealed, so the candidate side builds no JSON by hand. Concatenated
    str by str: it keeps no list of its own."""
    t = _type(obj)
    if t is _str:
        return _esc(obj)
    if t is _list or t is _tuple:
        text = ""
        for item in obj:
            text += (", " if text else "") + _self(item)
        return "[" + text + "]"
    if t is _dict:
        text = ""
        for key, item in obj.items():
            if _type(key) is not _str:
                raise _error("not a message")
            text += (", " if text else "") + _esc(key) + ": " + _self(item)
        return "{" + text + "}"
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
    value: Any, budget: Any = CHECK_BUDGET, _enc_json: Any = _enc_json, _len: Any = len,
    _type: Any = type, _str: Any = str, _min: Any = min, _max: Any = max,
    _too_large: Any = _TooLarge, _inline: int = MAX_VALUE_BYTES, _limits: Any = VALUE_LIMITS,
    _hash: Any = _BLAKE2B, _tag: str = DIGEST_TAG, _marker: str = TOO_LARGE,
    _name_of: Any = _TYPE_NAME, _esc: Any = _ESCAPE,
) -> tuple[str, Any]:  # fmt: skip
    """`(JSON text of the encoding, budget left)` of one returned value, the check's `budget`
    (`CHECK_BUDGET`) charged with what encoding it cost, even when it was cut off.

    The encoding is the value itself when its JSON text fits `MAX_VALUE_BYTES` and what is left
    of the check's inline bytes; else a digest of that text (`DIGEST_TAG`); else, past the
    value's or the check's limits (`VALUE_LIMITS`, `CHECK_LIMITS`), the opaque `TOO_LARGE`
    marker. Everything here is a str or a tuple: nothing the candidate reaches (a frame's
    `f_locals`) can change the text it returns; the budget is a tuple the loop rebinds."""
    inline, spent_bytes, spent_items = budget
    start = (_min(_limits[0], spent_bytes), _min(_limits[1], spent_items))
    try:
        text, _, left = _enc_json(value, 0, start)
    except _too_large as exc:
        text, left = "", exc.args
    spent_bytes = _max(0, spent_bytes - (start[0] - _max(left[0], 0)))
    spent_items = _max(0, spent_items - (start[1] - _max(left[1], 0)))
    name = _name_of(_type(value))  # C-level: no metaclass code runs
    if not text:
        return '["opaque", ' + _esc(name) + ", " + _esc(_marker) + "]", (inline, spent_bytes, spent_items)
    size = _len(text)
    if size <= _inline and size <= inline:
        return text, (inline - size, spent_bytes, spent_items)
    digest = _hash(text.encode("ascii"), digest_size=32).hexdigest()
    return ("[" + _esc(_tag) + ", " + _esc(name) + ", " + _esc(digest) + ", " + _esc(_str(size)) + "]",
            (inline, spent_bytes, spent_items))  # fmt: skip


def _message(
    pairs: Any, raw: Any = None, _dumps: Any = _dumps, _esc: Any = _ESCAPE, _len: Any = len,
    _range: Any = range, _type: Any = type, _str: Any = str, _error: Any = TypeError,
) -> str:  # fmt: skip
    """The JSON text of a candidate-side message, `_dumps` of the dict of `pairs` (a tuple
    `(key, value, key, value, ...)`) with `raw` (`(key, JSON text)` or None) last.

    Built by str concatenation from immutable parts, with no dict or list of its own: a
    finalizer, signal handler or thread of the candidate's that runs meanwhile finds no
    mutable object whose change would reach the signed text."""
    text = "{"
    for j in _range(0, _len(pairs), 2):
        key = pairs[j]
        if _type(key) is not _str:
            raise _error("not a message")
        text += (", " if j else "") + _esc(key) + ": " + _dumps(pairs[j + 1])
    if raw is not None:
        text += (", " if _len(pairs) else "") + _esc(raw[0]) + ": " + raw[1]
    return text + "}"


def _encode_text(value: Any, _encode_value: Any = _encode_value) -> str:
    """The JSON text of `_encode_value(value)` at the start of a check."""
    return _encode_value(value)[0]


def _dec(
    obj: Any, _self: Any = None, _bool: Any = bool, _int: Any = int, _float: Any = float,
    _str: Any = str, _list: Any = list, _tuple: Any = tuple, _dict: Any = dict, _set: Any = set,
    _frozenset: Any = frozenset, _bytes: Any = bytes, _complex: Any = complex, _len: Any = len,
    _opaque: Any = None, _digest: Any = None, _tag: str = DIGEST_TAG, _type: Any = type,
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
    if tag == "strx":  # a str holding a lone surrogate (`_enc_json`)
        return _bytes.fromhex(obj[1]).decode("utf-8", "surrogatepass")
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
    if _len(obj) == 3:  # a marker (`TOO_LARGE`, too deep), or a record from before the digest
        return _opaque(_str(obj[1]), _str(obj[2]))
    if _type(obj[3]) is not _str:  # a record from before the digest, with its plain form
        return _opaque(_str(obj[1]), _str(obj[2]), _str(obj[3][0]), _self(obj[3][1]))
    if _len(obj) > 4:  # with its plain form (`_enc_json`)
        return _opaque(_str(obj[1]), _str(obj[2]), _str(obj[4][0]), _self(obj[4][1]), obj[3])
    return _opaque(_str(obj[1]), _str(obj[2]), None, None, obj[3])


class Opaque:
    """A value of a type the codec does not know; equal only to a value of the same type name
    whose whole `repr` has the same digest (`_enc_json`). `text` is that repr cut to 200
    characters, for reading only. Without a digest (a marker such as `TOO_LARGE`, or a record
    from before the digest) it compares by `text`; with the empty digest (its repr raised) it
    equals only itself.

    `plain_kind`/`plain` carry what EvalPlus's `out == exp` may still see in it (`_enc_json`;
    None for a value with none, or from an older record): only `check.compare` reads them."""

    def __init__(
        self, type_name: str, text: str, plain_kind: str | None = None, plain: Any = None,
        digest: str | None = None,
    ) -> None:  # fmt: skip
        self.type_name = type_name
        self.text = text
        self.plain_kind = plain_kind
        self.plain = plain
        self.digest = digest

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Opaque) or other.type_name != self.type_name:
            return False
        if self.digest == "" or other.digest == "":
            return other is self
        if self.digest is None or other.digest is None:
            return self.digest is other.digest and other.text == self.text
        return other.digest == self.digest

    def __hash__(self) -> int:
        return hash((self.type_name, self.text if self.digest is None else self.digest))

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


_dec.__defaults__ = (*_dec.__defaults__[:-4], Opaque, Digest, DIGEST_TAG, type)  # type: ignore[index]
_seal(_dec)


# -- host only: the join stops here


def _enc(value: Any, depth: int = 0, budget: list[int] | None = None) -> Any:
    """`encode` with an optional budget (`[bytes left, items left]`, charged in place, also
    when `_TooLarge` stops it early): the host's entry to `_enc_json`. `json` is imported here,
    not by the module: the candidate process, which loads this module, never calls it."""
    import json

    left = None if budget is None else (budget[0], budget[1])
    try:
        text, _, left = _enc_json(value, depth, left)
    except _TooLarge as exc:
        if budget is not None:
            budget[0], budget[1] = exc.args
        raise
    if budget is not None:
        budget[0], budget[1] = left
    return json.loads(text)


def opaque_encoding(value: Opaque) -> list[str]:
    """`value`'s encoding without its plain form: its type name, text and digest (if any), what
    it compares by (a cache of C0's outcomes keeps it)."""
    head = ["opaque", value.type_name, value.text]
    return head if value.digest is None else [*head, value.digest]


def encode(value: Any, depth: int = 0) -> Any:
    """Encode a Python value as JSON with type tags that keep int/float/bool/str/... apart."""
    return _enc(value, depth)


def digest_of(value: Any) -> str:
    """The digest the runner sends for `value` (`_encode_value`), computed on the host."""
    return _BLAKE2B(_enc_json(value)[0].encode("ascii"), digest_size=32).hexdigest()


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
        return all((key := _typed_key(k)) in theirs and typed_equal(v, theirs[key]) for k, v in a.items())
    if isinstance(a, set | frozenset):
        return len(a) == len(b) and _typed_key(a) == _typed_key(b)
    return bool(a == b)


def _key_text(key: Any) -> str:
    """A `_typed_key`'s text, to order set members and dict items by: its repr, but an int in
    hex, since `repr` of an int past the interpreter's digit limit raises (red22: a set holding
    10**5000 made the host's compare raise)."""
    if type(key) is tuple:
        return "(" + ", ".join(map(_key_text, key)) + ")"
    if type(key) is int:
        return hex(key)
    return repr(key)


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
    if t is set or t is frozenset:  # members sorted by their text: NaNs may repeat, so not a frozenset
        return (t, tuple(sorted((_typed_key(v) for v in value), key=_key_text)))
    if t is dict:
        items = ((_typed_key(k), _typed_key(v)) for k, v in value.items())
        return (t, tuple(sorted(items, key=_key_text)))
    if t is Opaque:  # the same key exactly when `Opaque.__eq__` holds
        if value.digest == "":
            return (t, value.type_name, "", id(value))
        if value.digest is None:
            return (t, value.type_name, None, value.text)
        return (t, value.type_name, value.digest)
    return (t, value)
