# inspect-evals-lint: ignore-file[host_code_execution] -- served to the candidate process, inside the sandbox
"""`multiprocessing.sharedctypes` without ctypes, as the candidate process imports it.

The candidate process refuses ctypes, whoever imports it (docs/threat_model.md: a raw-memory
primitive in the process that holds the signing key could forge a pass). The standard library's
one user of ctypes is this module, behind `multiprocessing.Value`, `Array`, `RawValue` and
`RawArray`; so the candidate side serves this file's text as `multiprocessing.sharedctypes`
instead (`candidate._SharedValues`). It keeps the real module's behaviour where ordinary code
can see it: the memory comes from the same place (`multiprocessing.heap`: a file in /dev/shm,
mapped shared, so a forked child sees every write, and picklable while spawning), values are
zeroed, integers wrap like C's, and `Value` / `Array` are wrapped in a lock (`get_lock`,
`with`). Each element is read and written through a typed `memoryview`, never an address. A
type is named by its typecode ("i", "d", "c", ...); a ctypes type (`ctypes.c_int`) cannot be
named, since ctypes cannot be imported.

Not a joined part: its text is a constant of the candidate side's program (`runner.source`).
"""

from __future__ import annotations

import multiprocessing
import struct
from multiprocessing import heap
from multiprocessing.context import assert_spawning
from typing import Any

__all__ = ["RawValue", "RawArray", "Value", "Array", "copy", "synchronized"]

FORMATS = {
    "c": "c", "u": "I", "b": "b", "B": "B", "h": "h", "H": "H", "i": "i", "I": "I", "l": "l",
    "L": "L", "q": "q", "Q": "Q", "f": "f", "d": "d",
}  # fmt: skip
"""The real module's typecodes -> memoryview formats ("u", a C wchar_t, is 4 bytes on Linux)."""
C_NAMES = {
    "c": "char", "u": "wchar", "b": "byte", "B": "ubyte", "h": "short", "H": "ushort", "i": "int",
    "I": "uint", "l": "long", "L": "ulong", "q": "longlong", "Q": "ulonglong", "f": "float",
    "d": "double",
}  # fmt: skip


def _format(typecode: Any) -> str:
    if isinstance(typecode, str) and typecode in FORMATS:
        return FORMATS[typecode]
    if isinstance(typecode, str):
        raise TypeError(f"unknown typecode {typecode!r} (one of {''.join(FORMATS)})")
    raise TypeError("a ctypes type cannot be used in the sandbox (ctypes is refused): name a typecode, 'i'")


def _store(typecode: str, itemsize: int, value: Any) -> Any:
    """`value` as the memoryview stores it, converted the way ctypes converts it."""
    if typecode == "c":
        if isinstance(value, int):
            return bytes([value & 0xFF])
        if isinstance(value, bytes | bytearray) and len(value) == 1:
            return bytes(value)
        raise TypeError(f"one character bytes, bytearray or integer expected, not {type(value).__name__}")
    if typecode == "u":
        if isinstance(value, str) and len(value) == 1:
            return ord(value)
        raise TypeError(f"unicode string of length 1 expected, not {type(value).__name__}")
    if typecode in "fd":
        if isinstance(value, float | int):
            value = float(value)
            if typecode == "f" and abs(value) > 3.4028234663852886e38 and value == value:
                return float("inf") if value > 0 else float("-inf")
            return value
        raise TypeError(f"must be real number, not {type(value).__name__}")
    if isinstance(value, float):
        raise TypeError("int expected instead of float")
    number, bits = int(value.__index__()), 8 * itemsize
    number &= (1 << bits) - 1
    if typecode.islower() and number >= 1 << (bits - 1):  # a signed type
        number -= 1 << bits
    return number


def _load(typecode: str, value: Any) -> Any:
    return chr(value) if typecode == "u" else value


class _Raw:
    """Shared memory for `length` elements of `typecode` (a value when `length` is None)."""

    def __init__(self, typecode: str, wrapper: Any, length: int | None) -> None:
        self._typecode, self._wrapper, self._length = typecode, wrapper, length
        self._view = wrapper.create_memoryview().cast("B").cast(_format(typecode))

    def __reduce__(self) -> Any:
        assert_spawning(self)
        return _rebuild, (self._typecode, self._wrapper, self._length)

    def _get(self, i: int) -> Any:
        return _load(self._typecode, self._view[i])

    def _set(self, i: int, value: Any) -> None:
        self._view[i] = _store(self._typecode, self._view.itemsize, value)


class _RawValue(_Raw):
    """What `RawValue` returns: one shared value, read and written as `.value`."""

    @property
    def value(self) -> Any:
        return self._get(0)

    @value.setter
    def value(self, value: Any) -> None:
        self._set(0, value)

    def __repr__(self) -> str:
        return f"c_{C_NAMES[self._typecode]}({self.value!r})"


class _RawArray(_Raw):
    """What `RawArray` returns: a fixed-length shared sequence; "c" and "u" arrays have `.value`."""

    def __len__(self) -> int:
        return self._length or 0

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            items = [self._get(i) for i in range(*index.indices(len(self)))]
            if self._typecode == "c":
                return b"".join(items)
            return "".join(items) if self._typecode == "u" else items
        return self._get(range(len(self))[index])

    def __setitem__(self, index: int | slice, value: Any) -> None:
        if isinstance(index, slice):
            positions = range(*index.indices(len(self)))
            items = list(value)
            if len(items) != len(positions):
                raise ValueError("Can only assign sequence of same size")
            for i, item in zip(positions, items, strict=True):
                self._set(i, item)
        else:
            self._set(range(len(self))[index], value)

    def __iter__(self) -> Any:
        return (self._get(i) for i in range(len(self)))

    @property
    def value(self) -> Any:
        text = self[:]
        if self._typecode == "c":
            return text.split(b"\0", 1)[0]
        if self._typecode == "u":
            return text.split("\0", 1)[0]
        raise AttributeError("value")

    @value.setter
    def value(self, value: Any) -> None:
        if self._typecode not in "cu" or len(value) > len(self):
            raise ValueError("string too long" if self._typecode in "cu" else "not a character array")
        items = list(value if self._typecode == "u" else [bytes([b]) for b in value])
        self[: len(items)] = items
        if len(items) < len(self):
            self._set(len(items), "\0" if self._typecode == "u" else b"\0")

    @property
    def raw(self) -> bytes:
        if self._typecode != "c":
            raise AttributeError("raw")
        return bytes(self[:])

    @raw.setter
    def raw(self, value: bytes) -> None:
        if self._typecode != "c" or len(value) > len(self):
            raise ValueError("byte string too long")
        self[: len(value)] = [bytes([b]) for b in value]

    def __repr__(self) -> str:
        return f"<c_{C_NAMES[self._typecode]}_Array_{len(self)}>"


def _rebuild(typecode: str, wrapper: Any, length: int | None) -> _Raw:
    return _RawValue(typecode, wrapper, None) if length is None else _RawArray(typecode, wrapper, length)


def _new(typecode: Any, length: int | None) -> _Raw:
    size = struct.calcsize(_format(typecode)) * (1 if length is None else length)
    raw = _rebuild(typecode, heap.BufferWrapper(max(size, 1)), length)
    raw._view.cast("B")[:] = bytes(len(raw._view.cast("B")))
    return raw


def RawValue(typecode_or_type: Any, *args: Any) -> Any:  # noqa: N802 - the real module's name
    """One shared value, zeroed, then set to `args[0]` if given."""
    obj = _new(typecode_or_type, None)
    if args:
        obj._set(0, args[0])
    return obj


def RawArray(typecode_or_type: Any, size_or_initializer: Any) -> Any:  # noqa: N802
    """A shared array of `size` zeros, or holding the items of an initializer."""
    if isinstance(size_or_initializer, int):
        return _new(typecode_or_type, size_or_initializer)
    items = list(size_or_initializer)
    if typecode_or_type == "c" and isinstance(size_or_initializer, bytes | bytearray):
        items = [bytes([b]) for b in items]
    obj: Any = _new(typecode_or_type, len(items))
    obj[:] = items
    return obj


def _locked(obj: Any, lock: Any, ctx: Any) -> Any:
    if lock is False:
        return obj
    if lock in (True, None):
        lock = (ctx or multiprocessing.get_context()).RLock()
    if not hasattr(lock, "acquire"):
        raise AttributeError(f"{lock!r} has no method 'acquire'")
    return synchronized(obj, lock, ctx=ctx)


def Value(typecode_or_type: Any, *args: Any, lock: Any = True, ctx: Any = None) -> Any:  # noqa: N802
    """A shared value with a lock (`get_lock()`), unless `lock` is False."""
    return _locked(RawValue(typecode_or_type, *args), lock, ctx)


def Array(typecode_or_type: Any, size_or_initializer: Any, *, lock: Any = True, ctx: Any = None) -> Any:  # noqa: N802
    """A shared array with a lock (`get_lock()`), unless `lock` is False."""
    return _locked(RawArray(typecode_or_type, size_or_initializer), lock, ctx)


def copy(obj: Any) -> Any:
    """A new raw shared object holding what `obj` holds."""
    new = _new(obj._typecode, obj._length)
    new._view[:] = obj._view
    return new


def synchronized(obj: Any, lock: Any = None, ctx: Any = None) -> Any:
    """`obj` behind a lock: Synchronized, SynchronizedArray or SynchronizedString."""
    if isinstance(obj, _RawArray):
        cls = SynchronizedString if obj._typecode == "c" else SynchronizedArray
        return cls(obj, lock, ctx)
    return Synchronized(obj, lock, ctx)


class SynchronizedBase:
    def __init__(self, obj: Any, lock: Any = None, ctx: Any = None) -> None:
        self._obj = obj
        self._lock = lock if lock else (ctx or multiprocessing.get_context()).RLock()
        self.acquire = self._lock.acquire
        self.release = self._lock.release

    def __enter__(self) -> Any:
        return self._lock.__enter__()

    def __exit__(self, *args: Any) -> Any:
        return self._lock.__exit__(*args)

    def __reduce__(self) -> Any:
        assert_spawning(self)
        return synchronized, (self._obj, self._lock)

    def get_obj(self) -> Any:
        return self._obj

    def get_lock(self) -> Any:
        return self._lock

    def __repr__(self) -> str:
        return f"<{type(self).__name__} wrapper for {self._obj}>"


class Synchronized(SynchronizedBase):
    @property
    def value(self) -> Any:
        with self._lock:
            return self._obj.value

    @value.setter
    def value(self, value: Any) -> None:
        with self._lock:
            self._obj.value = value


class SynchronizedArray(SynchronizedBase):
    def __len__(self) -> int:
        return len(self._obj)

    def __getitem__(self, i: Any) -> Any:
        with self._lock:
            return self._obj[i]

    def __setitem__(self, i: Any, value: Any) -> None:
        with self._lock:
            self._obj[i] = value

    def __getslice__(self, start: int, stop: int) -> Any:
        with self._lock:
            return self._obj[start:stop]

    def __setslice__(self, start: int, stop: int, values: Any) -> None:
        with self._lock:
            self._obj[start:stop] = values


class SynchronizedString(SynchronizedArray):
    value = Synchronized.value

    @property
    def raw(self) -> bytes:
        with self._lock:
            return self._obj.raw

    @raw.setter
    def raw(self, value: bytes) -> None:
        with self._lock:
            self._obj.raw = value


def __getattr__(name: str) -> Any:
    """The real module's `ctypes` attribute (`multiprocessing.sharedctypes.ctypes`): asking for it
    is asking for ctypes, so it is refused as an import of ctypes would be (the audit hook ends
    the candidate process, `tampering`), not answered with an AttributeError a candidate could
    mistake for a crash of its own."""
    if name in ("ctypes", "_ctypes"):
        import ctypes  # noqa: F401 - refused in the candidate process: the process ends here
    raise AttributeError(f"module 'multiprocessing.sharedctypes' has no attribute {name!r}")
