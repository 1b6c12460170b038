"""The host-side static screen: constructs that only serve to reach the runner, found before anything runs.

Why: the trusted runner (`check/runner/`, design in `docs/threat_model.md`) must hold at run
time whatever the candidate does, and it is the guarantee.
But a whole class of code never has an ordinary reason to exist in a function
that computes a result from its arguments: raw memory, the interpreter's frames and garbage
collector, code-object surgery, the runner's descriptors, `/proc` memory, trace and audit hooks,
the builtins of the process. Such code is scored `tampering` on the host, naming the construct
and its line, without sending anything to the sandbox. The screen is a first, cheap layer: code
can always hide a construct from a syntax tree (`exec` of a computed string, `getattr` with a
computed name), and what it misses the runner must still stop.

Each rule is decided by what ordinary code needs (docs/static_screen.md): `functools.lru_cache`,
`inspect.signature`, dataclasses, `threading`, `asyncio`, `multiprocessing.Value` (also with a
`ctypes` scalar type), `sys.setrecursionlimit`, `gc.collect`, `traceback.format_exc`, naming the
running or calling function (`sys._getframe().f_code.co_name`, `inspect.stack()[1].function`), an own
`os.pipe()` closed by its descriptors, `os.dup2(devnull, 1)`, `eval` of an expression and
`exec` of code the screen can read all stay clean. Pure and fast: one parse, one walk; standard library only.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

MAX_NESTED_SOURCE = 3
"""How deep `exec("...")` / `compile("...")` of a constant string is read (code inside code)."""


@dataclass(frozen=True)
class Finding:
    """One construct that only serves to reach the runner."""

    rule: str  # one of RULES
    construct: str  # what was found, as written or resolved: `ctypes.Union`, `f_locals`, ...
    line: int

    def __str__(self) -> str:
        return f"{self.construct} (line {self.line})"


RULES = {
    "raw_memory": "ctypes beyond its scalar types, _ctypes, CPython's test modules, marshal.loads, "
    "from_address",
    "frames": "frame and traceback internals: f_locals, f_globals, f_code (beyond its name "
    "and file), tb_frame, gi_frame, sys._current_frames, inspect.trace, inspect.getargvalues",
    "gc_walk": "gc.get_objects / get_referrers / get_referents",
    "code_surgery": "assigning __code__ or defaults, code.replace, types.CodeType, co_consts",
    "descriptors": "os.dup2 onto anything but 0-2, os.closerange, the runner's descriptors 3 and 4, "
    "closing 0-2",
    "proc_memory": "/proc/<pid>/mem, fd, maps, task, oom_score_adj, /dev/mem, /dev/fd/N",
    "hooks": "sys.addaudithook, sys.audit, settrace, setprofile, sys.monitoring",
    "builtins": "rebinding __builtins__ or storing into the builtins module",
    "dynamic_import": "__import__ / importlib.import_module of a computed name",
    "runner_module": "__main__ (the runner's own module)",
    "subinterpreters": "subinterpreter modules",
    "class_walk": "__subclasses__ of a class the code did not define",
}
"""Rule -> what it covers (one line each; the doc lists the reasons)."""

# ---------------------------------------------------------------- what each rule looks for

CTYPES_SCALARS = frozenset({
    "c_bool", "c_char", "c_wchar", "c_byte", "c_ubyte", "c_short", "c_ushort", "c_int", "c_uint",
    "c_long", "c_ulong", "c_longlong", "c_ulonglong", "c_size_t", "c_ssize_t", "c_float",
    "c_double", "c_longdouble", "c_int8", "c_int16", "c_int32", "c_int64", "c_uint8", "c_uint16",
    "c_uint32", "c_uint64", "sizeof", "alignment",
})  # fmt: skip
"""ctypes names ordinary code uses: type codes for `multiprocessing.Value/Array`, fixed-width
arithmetic (`c_uint32(x).value`) and the size of a type. No pointer, void pointer, string
pointer, py_object, buffer, Structure or Union: those read and write addresses."""

MODULES = {
    "_ctypes": "raw_memory",
    "_testcapi": "raw_memory",
    "_testinternalcapi": "raw_memory",
    "_testbuffer": "raw_memory",
    "_testmultiphase": "raw_memory",
    "_testsinglephase": "raw_memory",
    "_testimportmultiple": "raw_memory",
    "_testclinic": "raw_memory",
    "_xxtestfuzz": "raw_memory",
    "_xxsubinterpreters": "subinterpreters",
    "_xxinterpchannels": "subinterpreters",
    "_interpreters": "subinterpreters",
    "_interpchannels": "subinterpreters",
    "_interpqueues": "subinterpreters",
    "interpreters": "subinterpreters",
    "concurrent.interpreters": "subinterpreters",
    "__main__": "runner_module",
}
"""Modules (and their submodules) that no ordinary function imports. `ctypes` is separate:
its scalar types stay clean."""

QUALIFIED = {
    "sys._current_frames": "frames",
    "sys._current_exceptions": "frames",
    "inspect.trace": "frames",
    "inspect.getinnerframes": "frames",
    "inspect.getargvalues": "frames",
    "inspect.getgeneratorlocals": "frames",
    "inspect.getcoroutinelocals": "frames",
    "traceback.walk_tb": "frames",
    "gc.get_objects": "gc_walk",
    "gc.get_referrers": "gc_walk",
    "gc.get_referents": "gc_walk",
    "sys.getobjects": "gc_walk",
    "types.CodeType": "code_surgery",
    "marshal.loads": "raw_memory",
    "marshal.load": "raw_memory",
    "sys.addaudithook": "hooks",
    "sys.audit": "hooks",
    "sys.settrace": "hooks",
    "sys.setprofile": "hooks",
    "sys.call_tracing": "hooks",
    "sys.monitoring": "hooks",
    "threading.settrace": "hooks",
    "threading.setprofile": "hooks",
    "threading.settrace_all_threads": "hooks",
    "threading.setprofile_all_threads": "hooks",
    "os.closerange": "descriptors",
    "importlib.__import__": "dynamic_import",
}
"""Module attributes, resolved through imports, `getattr(m, "name")` and `__import__("m")`."""

ATTRIBUTES = {
    "f_locals": "frames",
    "f_globals": "frames",
    "f_builtins": "frames",
    "f_code": "frames",
    "f_trace": "frames",
    "tb_frame": "frames",
    "gi_frame": "frames",
    "cr_frame": "frames",
    "ag_frame": "frames",
    "_current_frames": "frames",
    "get_referrers": "gc_walk",
    "get_referents": "gc_walk",
    "co_consts": "code_surgery",
    "co_code": "code_surgery",
    "_co_code_adaptive": "code_surgery",
    "from_address": "raw_memory",
    "ctypes": "raw_memory",  # a module's `ctypes` attribute (multiprocessing.sharedctypes.ctypes)
    "_ctypes": "raw_memory",
    "addaudithook": "hooks",
    "settrace": "hooks",
    "setprofile": "hooks",
}
"""Attribute names that mean one thing whatever the object: nothing else in the standard
library or in ordinary code is called `f_back` or `from_address`. Also matched as the exact
text of a string constant (`getattr(x, "f_back")`, `attrgetter("f_locals")`)."""

STORED_ATTRIBUTES = {
    "__code__": "code_surgery",
    "__defaults__": "code_surgery",
    "__kwdefaults__": "code_surgery",
}
"""Attributes whose *assignment* is code surgery; reading them (`f.__code__.co_argcount`) is not."""

CODE_NAMES = frozenset({"co_name", "co_qualname", "co_filename", "co_firstlineno"})
"""What a log line reads of a frame's code (`sys._getframe().f_code.co_name`): `f_code` followed
by one of these is clean; `f_code` kept, passed on or read further is not."""

CODE_OBJECTS = ("__code__", "f_code", "gi_code", "cr_code", "ag_code")
"""`.replace(...)` on one of these is `code.replace`; on anything else it is `str.replace`."""

RUNNER_FDS = frozenset({3, 4})
"""The candidate process's ends of the runner's reply and job pipes (`runner.CHANNEL_FD`,
`runner.JOB_FD`); ordinary code never names a descriptor above 2 by number."""

FD_CALLS = {"close", "write", "read", "dup", "dup2", "fstat", "fdopen", "lseek", "ftruncate", "fsync",
            "set_inheritable", "set_blocking", "pwrite", "pread", "writev", "readv", "sendfile"}
"""`os` functions whose first argument is a descriptor."""

DUPLICATE_ONTO = frozenset({"os.dup2", "os.dup3"})
"""`os` functions that make their second argument a copy of their first, closing what it was:
clean only as a call whose target is a constant 0, 1 or 2 (`os.dup2(devnull, 1)` silences
stdout); any other target (3 and 4 are the runner's pipes, a computed one may be) and the
function handed on as a value (`d = os.dup2`) are `descriptors`."""
STANDARD_FDS = frozenset({0, 1, 2})

_PROC = re.compile(
    r"/proc/[^/\s]*/(?:task/[^/\s]*/)?(mem|fd|fdinfo|maps|smaps|pagemap|map_files|environ|"
    r"oom_score_adj|oom_adj|syscall|stack|root|cwd|exe)\b"
    r"|/proc/kcore|/dev/k?mem\b|/dev/fd/(?:[3-9]|\d\d)"
)
"""Paths into process memory and descriptors; `/proc/cpuinfo` and the like are not here."""

_PLACEHOLDER = "{}"


# ---------------------------------------------------------------- the walk


def screen(code: str) -> list[Finding]:
    """Every construct of `code` that only serves to reach the runner, in source order.

    Code that does not parse gets no findings: the check reports `syntax` as before."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    try:
        found = set(_Screen(tree, 0).findings())
    except RecursionError:  # too deep to walk at all: the runner's own limits decide
        return []
    # per line: resolved constructs before the bare strings that name them (`getattr(m, "x")`)
    return sorted(found, key=lambda f: (f.line, f.construct.startswith("'"), f.rule, f.construct))


def first_finding(code: str) -> Finding | None:
    """The first finding of `code`, or None when it is clean."""
    found = screen(code)
    return found[0] if found else None


class _Screen:
    """One pass over a module: its import aliases first, then every node."""

    def __init__(self, tree: ast.Module, depth: int) -> None:
        self.tree = tree
        self.depth = depth
        self.aliases: dict[str, str] = {}  # local name -> dotted module path it is bound to
        self.classes: set[str] = set()
        self.parents: dict[ast.AST, ast.AST] = {}
        self.docstrings: set[int] = set()
        self.nodes: list[ast.AST] = [tree]
        for node in self.nodes:  # breadth first, like ast.walk, recording each node's parent
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
                self.nodes.append(child)
            if isinstance(node, ast.ClassDef):
                self.classes.add(node.name)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                body = node.body
                if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                    self.docstrings.add(id(body[0].value))
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.aliases[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        self.aliases[top] = top
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    self.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def findings(self) -> Iterator[Finding]:
        for node in self.nodes:
            try:
                found = list(self._node(node))
            except RecursionError:  # a 10,000-deep `+` chain: skip that node, screen the rest
                continue
            yield from found

    # -- resolution

    def dotted(self, node: ast.AST) -> str | None:
        """The dotted name an expression is bound to (`c.Union` -> `ctypes.Union`), if known."""
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.dotted(node.value)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, ast.Call):
            name = self._called(node.func)
            arg = _const_str(node.args[0]) if node.args else None
            if name in ("__import__", "importlib.import_module") and arg:
                return arg if name == "importlib.import_module" else arg.split(".")[0]
            if name == "getattr" and len(node.args) >= 2:
                base, attr = self.dotted(node.args[0]), _const_str(node.args[1])
                return f"{base}.{attr}" if base and attr else None
        if isinstance(node, ast.Subscript) and self.dotted(node.value) == "sys.modules":
            return _const_str(node.slice)
        return None

    def _called(self, func: ast.expr) -> str | None:
        """What a call calls: `os.write` for `os.write(...)` and for `write(...)` after
        `from os import write`; a builtin's own name (`open`, `getattr`)."""
        if isinstance(func, ast.Name):
            return self.aliases.get(func.id, func.id)
        return self.dotted(func)

    # -- the rules

    def _node(self, node: ast.AST) -> Iterator[Finding]:
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield from self._module(alias.name, line)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield from self._module(node.module, line, [a.name for a in node.names])
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if full in QUALIFIED:
                    yield Finding(QUALIFIED[full], full, line)
                elif alias.name in ("ctypes", "_ctypes") and node.module.split(".")[0] != "ctypes":
                    yield Finding("raw_memory", full, line)  # ctypes as another module's attribute
        elif isinstance(node, ast.Attribute):
            yield from self._attribute(node, line)
        elif isinstance(node, ast.Call):
            yield from self._call(node, line)
        elif isinstance(node, ast.Name):
            if node.id == "__builtins__" and isinstance(node.ctx, ast.Store | ast.Del):
                yield Finding("builtins", "__builtins__ rebound", line)
            if self.aliases.get(node.id) == "ctypes":
                yield from self._ctypes_use(node, line)
            resolved = self.aliases.get(node.id)
            if resolved in DUPLICATE_ONTO and not self._duplicates_onto_standard(node):
                yield Finding("descriptors", resolved, line)  # `from os import dup2`, then used
        elif isinstance(node, ast.Subscript):
            base = self.dotted(node.value)
            key = _const_str(node.slice)
            if base == "sys.modules" and key == "__main__":
                yield Finding("runner_module", "sys.modules['__main__']", line)
            if isinstance(node.ctx, ast.Store | ast.Del) and _is_builtins(node.value, self):
                yield Finding("builtins", "__builtins__[...] assigned", line)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in self.docstrings:
                yield from self._text(node.value, line)
        elif isinstance(node, ast.JoinedStr | ast.BinOp) and not isinstance(
            self.parents.get(node), ast.JoinedStr | ast.BinOp
        ):
            folded = _const_str(node)
            if folded is not None:  # constants only ("/proc/self/" + "maps"): read as one constant
                yield from self._text(folded, line)
            else:
                text = _static_text(node)
                if text:
                    yield from self._path(text, line)

    def _module(self, name: str, line: int, names: list[str] | None = None) -> Iterator[Finding]:
        parts = name.split(".")
        for i in range(len(parts), 0, -1):
            prefix = ".".join(parts[:i])
            if prefix in MODULES:
                yield Finding(MODULES[prefix], prefix, line)
                return
        if parts[0] != "ctypes":
            return
        if len(parts) > 1:  # ctypes.util, ctypes.wintypes, ...
            yield Finding("raw_memory", name, line)
        for item in names or ():
            if item not in CTYPES_SCALARS:
                yield Finding("raw_memory", f"ctypes.{item}", line)

    def _ctypes_use(self, node: ast.expr, line: int) -> Iterator[Finding]:
        """`ctypes.c_int` is clean; `ctypes.Union`, `ctypes.pointer` or `ctypes` itself passed
        around are not."""
        parent = self.parents.get(node)
        if isinstance(parent, ast.Attribute) and parent.value is node:
            if parent.attr not in CTYPES_SCALARS:
                yield Finding("raw_memory", f"ctypes.{parent.attr}", line)
        else:
            yield Finding("raw_memory", "ctypes", line)

    def _attribute(self, node: ast.Attribute, line: int) -> Iterator[Finding]:
        full = self.dotted(node)
        if full is not None:
            if full in QUALIFIED:
                yield Finding(QUALIFIED[full], full, line)
            elif full.startswith("builtins.") and isinstance(node.ctx, ast.Store | ast.Del):
                yield Finding("builtins", f"{full} assigned", line)
            else:
                module = full.rsplit(".", 1)[0]
                if module in MODULES and isinstance(node.value, ast.Call):
                    yield from self._module(module, line)
        if full in DUPLICATE_ONTO and not self._duplicates_onto_standard(node):
            yield Finding("descriptors", full, line)
        if node.attr in ATTRIBUTES and full not in QUALIFIED and not self._names_code(node):
            yield Finding(ATTRIBUTES[node.attr], node.attr, line)
        stored = isinstance(node.ctx, ast.Store | ast.Del)
        if node.attr in STORED_ATTRIBUTES and stored:
            yield Finding(STORED_ATTRIBUTES[node.attr], f"{node.attr} assigned", line)
        if stored and isinstance(node.value, ast.Name) and node.value.id == "__builtins__":
            yield Finding("builtins", f"__builtins__.{node.attr} assigned", line)
        if node.attr == "__subclasses__" and not self._own_class(node.value):
            yield Finding("class_walk", "__subclasses__", line)

    def _names_code(self, node: ast.Attribute) -> bool:
        """`<frame>.f_code.co_name` (or its file, first line): naming the running code."""
        parent = self.parents.get(node)
        return (
            node.attr == "f_code" and isinstance(parent, ast.Attribute) and parent.value is node
            and parent.attr in CODE_NAMES and isinstance(parent.ctx, ast.Load)
        )  # fmt: skip

    def _duplicates_onto_standard(self, func: ast.expr) -> bool:
        """`func` (a reference to `os.dup2`/`os.dup3`) is called with a constant target 0, 1 or 2."""
        call = self.parents.get(func)
        if not (isinstance(call, ast.Call) and call.func is func):
            return False
        targets = [*call.args[1:2], *(k.value for k in call.keywords if k.arg == "fd2")]
        starred = any(isinstance(a, ast.Starred) for a in call.args)
        starred = starred or any(k.arg is None for k in call.keywords)
        return len(targets) == 1 and not starred and _const_int(targets[0]) in STANDARD_FDS

    def _own_class(self, node: ast.expr) -> bool:
        """A class the code defines: its name, or inside one of its classes `cls`,
        `type(self)` or `self.__class__` (a registry of subclasses)."""
        if isinstance(node, ast.Name) and node.id in self.classes:
            return True
        inside = self.parents.get(node)
        while inside is not None and not isinstance(inside, ast.ClassDef):
            inside = self.parents.get(inside)
        if inside is None:
            return False
        if isinstance(node, ast.Name):
            return node.id == "cls"
        if isinstance(node, ast.Attribute) and node.attr == "__class__":
            return isinstance(node.value, ast.Name) and node.value.id == "self"
        return (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "type"
            and len(node.args) == 1 and isinstance(node.args[0], ast.Name) and node.args[0].id == "self"
        )

    def _call(self, node: ast.Call, line: int) -> Iterator[Finding]:
        func = node.func
        name = self._called(func)
        first = node.args[0] if node.args else None
        if name in ("__import__", "importlib.import_module", "importlib.__import__"):
            module = _const_str(first) if first is not None else None
            if module is None:
                yield Finding("dynamic_import", f"{name}(<computed name>)", line)
            else:
                yield from self._module(module, line)
                if module == "ctypes":
                    yield from self._ctypes_use(node, line)
        if name == "sys.modules.get" and _const_str(first) == "__main__":
            yield Finding("runner_module", "sys.modules.get('__main__')", line)
        if name == "getattr" and self.dotted(node) in QUALIFIED:
            resolved = self.dotted(node) or ""
            yield Finding(QUALIFIED[resolved], resolved, line)
        duplicate = self.dotted(node) if name == "getattr" else None
        if duplicate in DUPLICATE_ONTO and not self._duplicates_onto_standard(node):
            yield Finding("descriptors", duplicate or "", line)
        if name in ("setattr", "delattr") and len(node.args) >= 2:
            attr = _const_str(node.args[1])
            if attr in STORED_ATTRIBUTES:
                yield Finding(STORED_ATTRIBUTES[attr], f"{attr} assigned", line)
            if _is_builtins(node.args[0], self):
                yield Finding("builtins", f"{name}(builtins, ...)", line)
        if isinstance(func, ast.Attribute) and func.attr == "replace":
            receiver = func.value
            if isinstance(receiver, ast.Attribute) and receiver.attr in CODE_OBJECTS:
                yield Finding("code_surgery", f"{receiver.attr}.replace", line)
        fd = _const_int(first) if first is not None else None
        if fd is not None and name is not None:
            if name.startswith("os.") and name[3:] in FD_CALLS:
                call = name[3:]
                if fd in RUNNER_FDS or (call == "close" and 0 <= fd <= 2):
                    yield Finding("descriptors", f"{name}({fd})", line)
            elif name in ("open", "io.open", "io.FileIO", "os.fdopen") and fd in RUNNER_FDS:
                yield Finding("descriptors", f"{name}({fd})", line)
        if name in ("exec", "eval", "compile") and first is not None:
            source = _const_str(first)
            if source and self.depth < MAX_NESTED_SOURCE:
                try:
                    inner = ast.parse(source, mode="exec")
                except (SyntaxError, ValueError, RecursionError, MemoryError):
                    return
                for found in _Screen(inner, self.depth + 1).findings():
                    yield Finding(found.rule, f"{name}: {found.construct}", line)
        if name == "os.path.join":
            parts = [_const_str(a) or _PLACEHOLDER for a in node.args]
            yield from self._path("/".join(parts), line)

    def _text(self, text: str, line: int) -> Iterator[Finding]:
        if text in ATTRIBUTES:
            yield Finding(ATTRIBUTES[text], repr(text), line)
        yield from self._path(text, line)

    def _path(self, text: str, line: int) -> Iterator[Finding]:
        match = _PROC.search(text)
        if match:
            yield Finding("proc_memory", match.group(0), line)


def _const_str(node: ast.AST | None) -> str | None:
    """The text of a string constant, or of constants joined by `+` (`"lo" + "ads"`): what a
    name built that way resolves to, wherever a constant name is read."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = _const_str(node.left)
        right = _const_str(node.right) if left is not None else None
        return left + right if left is not None and right is not None else None
    return None


def _const_int(node: ast.AST) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    return None


def _is_builtins(node: ast.AST, scope: _Screen) -> bool:
    if isinstance(node, ast.Name) and node.id == "__builtins__":
        return True
    return scope.dotted(node) in ("builtins", "builtins.__dict__")


def _static_text(node: ast.AST) -> str | None:
    """The text of a string built from constants and holes (`"/proc/" + pid + "/mem"`,
    `f"/proc/{pid}/mem"`), each hole written as `{}`; None for anything else."""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            text = _static_text(value) if isinstance(value, ast.Constant) else _PLACEHOLDER
            parts.append(text or "")
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _static_text(node.left), _static_text(node.right)
        if left is None and right is None:
            return None
        return (left if left is not None else _PLACEHOLDER) + (right if right is not None else _PLACEHOLDER)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _static_text(node.left)
    return None
