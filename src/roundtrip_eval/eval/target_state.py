"""Whether calling the target can change what a later call computes: an allowlist.

Why an allowlist: two red-team rounds in a row found a way a function keeps state that a list
of known bad shapes missed (an attribute of the function itself, `globals()[...]`,
`sys.modules[__name__].X`, a store through a call's result). So a function is taken to leave
state alone only when everything it could change is shown to be its own, and anything the
analysis does not understand counts as a change (the demo that calls it is then kept: the
program runs as written).

A function leaves state alone when, in its body (nested functions, lambdas and comprehensions
included) and in every module function it names (transitively):

- it declares no `global`/`nonlocal`, names no module class, and has no decorator but a
  standard cache (`functools.cache`/`lru_cache`);
- no function or lambda in it has a parameter whose default is other than an immutable
  constant (`IMMUTABLE_CONSTANTS`, a tuple or frozenset of such, a module name bound only to
  such): a default is made once and kept between calls, and what a call does with it
  (`next(it)`, `any(it)`, `zip(it, ...)`) is not followed (red29);
- it names none of `NAMESPACE_NAMES` (`globals`, `setattr`, `getattr`, `__dict__`, `sys`, ...);
- every store, `del` and augmented assignment into an attribute or item has as its root a name
  the function *owns*: a parameter (the demo's argument for it is checked to be unshared, by
  `demos`) or a local bound only from what reads no module name other than builtins and
  constants (`row = GRID[i]` aliases module state, so `row` is not owned);
- every call is of an owned local, a pure builtin (`demos.PURE_BUILTINS`, `print`), a builtin
  exception, a module function (followed), a pure standard-library function, or a method
  whose root is owned, a string or fresh value (`"".join`, `str(n).zfill`), a pure module, an
  immutable builtin type, or a read-only method (`READ_METHODS`: `get`, `items`, ...) of a
  module name bound only to literal data or of a local, that no module class redefines (not
  followed: a library object whose `get` or `items` changes it);
- what a call is handed (other than by a pure builtin: `len(WORDS)`) is owned or constant
  (a module function's result is owned when everything it returns or yields is: the
  greatest such set of functions);
  no bound method of an unowned object is handed anywhere (`map(WORDS.remove, xs)`).
"""

from __future__ import annotations

import ast
from collections.abc import Callable

CACHE_DECORATORS = frozenset({"cache", "lru_cache", "functools.cache", "functools.lru_cache"})
NAMESPACE_NAMES = frozenset({
    "globals", "vars", "locals", "setattr", "delattr", "exec", "eval", "compile", "__import__",
    "getattr", "__dict__", "__globals__", "__builtins__", "__setattr__", "__delattr__",
    "__code__", "__closure__", "__defaults__", "__kwdefaults__", "__class__", "__self__",
    "sys", "importlib", "gc", "inspect", "ctypes", "builtins", "open", "__module__", "__func__",
    "__wrapped__", "f_globals", "f_locals", "modules",
})  # fmt: skip
"""Names and attributes that reach, bind or change state without a store that names it."""
READ_METHODS = frozenset({
    "get", "items", "keys", "values", "copy", "count", "index", "find", "rfind", "startswith",
    "endswith", "upper", "lower", "strip", "lstrip", "rstrip", "split", "join", "replace",
    "format", "isdigit", "isalpha", "isalnum", "isspace", "isupper", "islower", "title",
    "capitalize", "zfill", "rjust", "ljust", "center", "splitlines", "partition", "rpartition",
    "rsplit", "swapcase", "casefold", "isnumeric", "isdecimal", "removeprefix", "removesuffix",
    "encode", "decode", "rindex", "translate", "expandtabs", "isidentifier", "istitle",
    "most_common", "bit_length", "bit_count", "is_integer", "group", "groups", "span",
})  # fmt: skip
"""Methods that only read a builtin container or string."""
FRESH_BUILTINS = frozenset({
    "str", "list", "dict", "set", "sorted", "tuple", "frozenset", "repr", "format", "bin", "hex",
    "oct", "chr", "bytes", "bytearray", "int", "float", "abs", "round", "len", "sum", "ascii",
})  # fmt: skip
"""Builtins whose result is a new object (or an immutable one): a method called on it changes
nothing that outlives the call."""
_IMMUTABLE_TYPES = frozenset({"str", "bytes", "int", "float", "complex", "bool", "tuple", "frozenset",
                              "dict", "list", "set"})  # fmt: skip
ARGUMENT_ONLY_MODULES = frozenset({
    "heapq", "bisect", "copy", "operator", "functools", "json", "ast", "typing", "numbers", "string",
    "math", "cmath", "statistics", "fractions", "itertools", "collections", "re", "unicodedata",
    "textwrap", "array",
})  # fmt: skip
"""Standard-library modules whose functions change at most what they are handed (`heapq.heappush`
changes its list): a call of one is handed only owned values, unless the name only computes."""
IMMUTABLE_CONSTANTS = (type(None), bool, int, float, complex, str, bytes)
"""The types of a parameter default that a call cannot change."""
_TYPE_NAMES = frozenset({"bytearray", "memoryview", "object", "NotImplemented", "Ellipsis"})
"""Builtins read as values (`isinstance(x, (bytes, bytearray))`); calling one is checked apart."""
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ListComp, ast.SetComp,
           ast.DictComp, ast.GeneratorExp)  # fmt: skip


class _Module:
    """What the module binds, as the check of a function needs it."""

    def __init__(self, tree: ast.Module, safe_builtins: frozenset[str], constants: frozenset[str],
                 pure_import: dict[str, bool], imports: dict[str, str]) -> None:  # fmt: skip
        self.functions = {n.name: n for n in tree.body if isinstance(n, _FUNCTIONS)}
        self.classes = {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
        self.class_methods = {m.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef)
                              for m in n.body if isinstance(m, _FUNCTIONS)}  # fmt: skip
        self.safe_builtins = safe_builtins
        self.constants = constants
        self.pure_import = pure_import  # import name -> whether it is a pure module
        self.imports = imports  # import name -> dotted name
        self.argument_only = {name for name, dotted in imports.items()
                              if dotted.split(".")[0] in ARGUMENT_ONLY_MODULES}  # fmt: skip
        self.literal = _literal_names(tree)
        self.is_pure: Callable[[str], bool] = lambda _dotted: False
        self.clean: set[str] = set()  # module functions whose results are new objects


def changes_state(tree: ast.Module, function: str, safe_builtins: frozenset[str],
                  constants: frozenset[str], imports: dict[str, str],
                  is_pure_import: Callable[[str], bool]) -> bool:  # fmt: skip
    """Whether calling `function` may change state that outlives the call (see the module
    docstring). `safe_builtins`: builtins that only compute (and builtin exceptions), none
    rebound by the module; `constants`:
    module names only ever bound to immutable constants; `imports`: import name -> dotted name;
    `is_pure_import(dotted)`: whether a standard-library name only computes."""
    pure = {name: is_pure_import(f"{dotted}.x") or is_pure_import(dotted) for name, dotted in imports.items()}
    module = _Module(tree, safe_builtins, constants, pure, imports)
    module.is_pure = is_pure_import
    if any(isinstance(n, ast.ClassDef) and n.name == function for n in tree.body):
        return True
    if any(isinstance(n, ast.Global | ast.Nonlocal) and function in n.names for n in ast.walk(tree)):
        return True
    defs = [n for n in tree.body if isinstance(n, _FUNCTIONS) and n.name == function]
    stores = [n for top in tree.body if not isinstance(top, _FUNCTIONS) for n in _outside_bodies(top)
              if _binds_name(n, function)]  # fmt: skip
    if not defs and not stores:  # calling it raises NameError, unless bound without a name
        return any(_namespace(n) for n in ast.walk(tree))
    if len(defs) == 1 and not stores:
        todo = [function]
    elif not defs and len(stores) == 1:
        wrapped = _wrapped(tree, function, module)
        if wrapped is None:
            return True  # bound otherwise in a way not understood
        todo = wrapped
    else:
        return True  # bound twice: not understood
    seen: set[str] = set()
    try:
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            named = {n.id for n in ast.walk(module.functions[name]) if isinstance(n, ast.Name)}
            if named & module.classes:
                return True
            todo += sorted((named & module.functions.keys()) - seen)
        # a function handed on as a value (`sorted(GRID, key=_row)`) is called with what the
        # callee gives it: its parameters are not its own
        callbacks = set().union(*(_handed_names(module.functions[name]) for name in seen))
        module.clean = set(seen)  # the greatest set whose returns are owned, given each other's
        while unclean := {n for n in module.clean
                          if not _returns_owned(module.functions[n], module, callbacks)}:  # fmt: skip
            module.clean -= unclean
        return any(_changes(module.functions[name], module, callbacks) for name in sorted(seen))
    except RecursionError:
        return True


def _handed_names(node: ast.AST) -> set[str]:
    """Names read other than as the callee of a call."""
    callees = {id(n.func) for n in ast.walk(node) if isinstance(n, ast.Call)}
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
            and id(n) not in callees}  # fmt: skip


def _outside_bodies(node: ast.AST) -> list[ast.AST]:
    """The nodes of a top-level statement outside function bodies (a local named like the
    target is not a binding of it)."""
    found: list[ast.AST] = []
    todo = [node]
    while todo:
        current = todo.pop()
        found.append(current)
        if isinstance(current, _FUNCTIONS):
            todo += [*current.decorator_list, *current.args.defaults, *filter(None, current.args.kw_defaults)]
        elif not isinstance(current, ast.Lambda):
            todo += list(ast.iter_child_nodes(current))
    return found


def _binds_name(node: ast.AST, name: str) -> bool:
    if isinstance(node, ast.Name):
        return node.id == name and not isinstance(node.ctx, ast.Load)
    if isinstance(node, ast.Import | ast.ImportFrom):
        return any((a.asname or a.name).split(".")[0] == name for a in node.names)
    return False


def _namespace(node: ast.AST) -> bool:
    """A name, attribute or star import that may bind names without naming them."""
    if isinstance(node, ast.Name):
        return node.id in NAMESPACE_NAMES
    if isinstance(node, ast.Attribute):
        return node.attr in NAMESPACE_NAMES
    return isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names)


def _wrapped(tree: ast.Module, function: str, module: _Module) -> list[str] | None:
    """The module functions a target bound as `f = memo(_f)` may run, or None when the binding
    is anything else: one top-level assignment whose value only calls and names module
    functions, and whose wrappers (the functions called there) nest no function or lambda
    (a closure made once at import keeps its variables across calls of the target)."""
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            continue
        target = node.targets[0]
        if not (isinstance(target, ast.Name) and target.id == function):
            continue
        names: list[str] = []
        for n in ast.walk(node.value):
            if isinstance(n, ast.Name) and n.id in module.functions:
                names.append(n.id)
            elif not isinstance(n, ast.Call | ast.Load) or (isinstance(n, ast.Call) and n.keywords):
                return None
        wrappers = [n.func.id for n in ast.walk(node.value) if isinstance(n, ast.Call)
                    and isinstance(n.func, ast.Name)]  # fmt: skip
        for name in wrappers:
            body = module.functions[name]
            if any(isinstance(n, (*_FUNCTIONS, ast.Lambda)) for part in body.body for n in ast.walk(part)):
                return None
        return names or None
    return None


def _literal_names(tree: ast.Module) -> frozenset[str]:
    """Module names every binding of which is a top-level assignment of a literal
    (`WORDS = {3: "Fizz"}`): a dict, list, set, tuple or string whose methods are known."""
    literal: set[str] = set()
    bindings: dict[str, int] = {}
    for n in ast.walk(tree):
        if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load):
            bindings[n.id] = bindings.get(n.id, 0) + 1
        elif isinstance(n, ast.Global | ast.Nonlocal):
            for name in n.names:
                bindings[name] = bindings.get(name, 0) + 2
    plain: dict[str, int] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets):
            try:
                ast.literal_eval(node.value)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                continue
            for target in node.targets:
                assert isinstance(target, ast.Name)
                plain[target.id] = plain.get(target.id, 0) + 1
    literal = {name for name, count in plain.items() if bindings.get(name) == count}
    return frozenset(literal)


def _decorated(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A decorator other than a standard cache."""
    for decorator in node.decorator_list:
        func = decorator.func if isinstance(decorator, ast.Call) else decorator
        if ast.unparse(func) not in CACHE_DECORATORS:
            return True
    return False


def _changes(node: ast.FunctionDef | ast.AsyncFunctionDef, module: _Module, callbacks: set[str]) -> bool:
    """Whether one function's body breaks a rule of the module docstring."""
    inside = [n for part in [*node.body, node.args] for n in ast.walk(part)]  # not its decorators
    for inner in [node, *inside]:
        if isinstance(inner, _FUNCTIONS) and _decorated(inner):
            return True
        if isinstance(inner, ast.Global | ast.Nonlocal):
            return True
        if isinstance(inner, (*_FUNCTIONS, ast.Lambda)) and not _constant_defaults(inner.args, module):
            return True
        if isinstance(inner, ast.Name) and inner.id in NAMESPACE_NAMES:
            return True
        if isinstance(inner, ast.Attribute) and inner.attr in NAMESPACE_NAMES:
            return True
        if isinstance(inner, ast.Import) and any(
                a.name.split(".")[0] not in ARGUMENT_ONLY_MODULES for a in inner.names):
            return True  # a module imported in the body: its objects are not shown harmless
        if isinstance(inner, ast.ImportFrom) and (inner.level or (inner.module or "").split(".")[0]
                                                  not in ARGUMENT_ONLY_MODULES):
            return True
        if isinstance(inner, ast.ClassDef):
            return True
    local, owned = _owned(node, module, callbacks)
    derived = _derived(local, module)
    data = {n for n, sources in derived.items() if sources <= module.literal}  # read, not changed
    for inner in inside:
        if isinstance(inner, ast.Attribute | ast.Subscript) and isinstance(inner.ctx, ast.Store | ast.Del):
            if _root_name(inner.value) not in owned:
                return True
        elif isinstance(inner, ast.Call) and not _call_allowed(inner, module, local, owned, data):
            return True
    return False


def _constant_defaults(args: ast.arguments, module: _Module) -> bool:
    """Whether every parameter default is an immutable constant (see the module docstring)."""
    return all(_immutable(d, module) for d in [*args.defaults, *filter(None, args.kw_defaults)])


def _immutable(node: ast.expr, module: _Module) -> bool:
    """An immutable constant, a tuple or frozenset of such, or a module name bound only to
    such (`module.constants`)."""
    if isinstance(node, ast.Name):
        return node.id in module.constants
    if isinstance(node, ast.Call):  # `frozenset({1, 2})`
        func = node.func
        frozen = isinstance(func, ast.Name) and func.id == "frozenset" and func.id in module.safe_builtins
        if not frozen or node.keywords or len(node.args) > 1:
            return False
        items = node.args[0] if node.args else ast.Tuple(elts=[])
        if not isinstance(items, ast.Tuple | ast.List | ast.Set):
            return False
        return all(_immutable(e, module) for e in items.elts)
    if isinstance(node, ast.Tuple):
        return all(_immutable(e, module) for e in node.elts)
    try:
        value = ast.literal_eval(node)  # `-1`, `1 + 2j`
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return isinstance(value, IMMUTABLE_CONSTANTS)


_Bound = dict[str, list[ast.expr | None]]


def _owned(node: ast.FunctionDef | ast.AsyncFunctionDef, module: _Module, callbacks: set[str],
           ) -> tuple[_Bound, set[str]]:  # fmt: skip
    """The function's locals, and those it owns (see the module docstring)."""
    local, shared = _bindings(node, callbacks | _handed_names(node))
    return local, {n for n, sources in _derived(local, module).items() if not sources} - shared


def _returns_owned(node: ast.FunctionDef | ast.AsyncFunctionDef, module: _Module,
                   callbacks: set[str]) -> bool:  # fmt: skip
    """Whether everything the function (or a function or lambda nested in it) returns or
    yields is owned or made of harmless names: then a caller owns the result."""
    _, owned = _owned(node, module, callbacks)
    results = (ast.Return, ast.Yield, ast.YieldFrom)
    values = [n.value for n in ast.walk(node) if isinstance(n, results) and n.value is not None]
    values += [n.body for n in ast.walk(node) if isinstance(n, ast.Lambda)]
    return _handed_owned(values, module, owned)


def _bindings(node: ast.FunctionDef | ast.AsyncFunctionDef, callbacks: set[str]) -> tuple[_Bound, set[str]]:
    """Every local name of the function (and of what nests in it) with the expressions it is
    bound from (None: a parameter or a definition, owned), and the names not owned: kept
    across calls (a parameter's mutable default, `self`, `cls`), or parameters of a lambda or
    of a function handed on as a value (`callbacks`), which receive what their caller gives."""
    local: dict[str, list[ast.expr | None]] = {}
    shared: set[str] = set()

    def bind(target: ast.AST, value: ast.expr | None) -> None:
        for n in ast.walk(target):  # not the owner of an attribute or item stored into
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                local.setdefault(n.id, []).append(value)

    for inner in ast.walk(node):
        if isinstance(inner, (*_FUNCTIONS, ast.Lambda)):
            args = inner.args
            every = [*args.posonlyargs, *args.args, *args.kwonlyargs]
            every += [a for a in (args.vararg, args.kwarg) if a is not None]
            for a in every:
                local.setdefault(a.arg, []).append(None)
            if isinstance(inner, ast.Lambda) or inner.name in callbacks:
                shared |= {a.arg for a in every}
            given = [*args.posonlyargs, *args.args]
            with_default = [a.arg for a in given][len(given) - len(args.defaults):]
            defaults = list(zip(with_default, args.defaults, strict=True))
            defaults += [(a.arg, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d]
            shared |= {name for name, d in defaults if not isinstance(d, ast.Constant)}
            shared |= {"self", "cls"} & {a.arg for a in every}
            if inner is not node and isinstance(inner, _FUNCTIONS):
                local.setdefault(inner.name, []).append(None)
        elif isinstance(inner, ast.Assign):
            for t in inner.targets:
                bind(t, inner.value)
        elif isinstance(inner, ast.AnnAssign | ast.AugAssign | ast.NamedExpr):
            bind(inner.target, inner.value)
        elif isinstance(inner, ast.For | ast.AsyncFor | ast.comprehension):
            bind(inner.target, inner.iter)
        elif isinstance(inner, ast.withitem) and inner.optional_vars is not None:
            bind(inner.optional_vars, inner.context_expr)
        elif isinstance(inner, ast.ExceptHandler) and inner.name:
            local.setdefault(inner.name, []).append(None)
        elif isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store | ast.Del):
            local.setdefault(inner.id, [])
    return local, shared


def _derived(local: dict[str, list[ast.expr | None]], module: _Module) -> dict[str, set[str]]:
    """For each local, the module names its value may come from (through other locals):
    empty when it reads only builtins, constants, pure imports and owned values."""
    sources: dict[str, set[str]] = {name: set() for name in local}
    changed = True
    while changed:
        changed = False
        for name, values in local.items():
            found = set(sources[name])
            for value in values:
                if value is None:
                    continue
                for n in ast.walk(value):
                    if not isinstance(n, ast.Name) or not isinstance(n.ctx, ast.Load):
                        continue
                    if n.id in local:
                        found |= sources[n.id]
                    elif not _harmless_global(n.id, module):
                        found.add(n.id)
            if found != sources[name]:
                sources[name] = found
                changed = True
    return sources


def _harmless_global(name: str, module: _Module) -> bool:
    """A global whose value a local may hold without aliasing module state: a pure builtin or
    exception, a constant, a pure module."""
    imported = module.pure_import.get(name, False) or name in module.argument_only
    if name in module.clean or name in _TYPE_NAMES:
        return True
    return name in module.safe_builtins or name in module.constants or imported


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _call_allowed(call: ast.Call, module: _Module, local: dict[str, list[ast.expr | None]],
                  owned: set[str], data: set[str]) -> bool:  # fmt: skip
    """Whether a call is of something shown to change nothing but owned values, and is handed
    nothing unowned that it could change."""
    func = call.func
    if ast.unparse(func) in CACHE_DECORATORS:  # `@lru_cache(None)` on a nested function: made per call
        return all(isinstance(a, ast.Constant) for a in [*call.args, *(k.value for k in call.keywords)])
    given = [*call.args, *(k.value for k in call.keywords)]
    handed = [a.value if isinstance(a, ast.Starred) else a for a in given]
    if any(isinstance(a, ast.Attribute) and not _readable_attribute(a, module, owned) for a in handed):
        return False  # a bound method handed on (`map(WORDS.remove, xs)`)
    if isinstance(func, ast.Name):
        name = func.id
        if name in local:
            return name in owned and _handed_owned(handed, module, owned)
        if name in module.safe_builtins:
            return all(_handed_readable(a, module, owned, data) for a in handed)
        if name in module.functions:
            return _handed_owned(handed, module, owned)  # its body is followed
        if module.pure_import.get(name, False):
            return _handed_owned(handed, module, owned) or _all_readable(handed, module, owned, data)
        return name in module.argument_only and _handed_owned(handed, module, owned)
    if not isinstance(func, ast.Attribute):
        return False
    base = func.value
    while isinstance(base, ast.Subscript):
        base = base.value
    if isinstance(base, ast.Name) and base.id in owned:
        return _handed_owned(handed, module, owned)
    if isinstance(base, ast.Name) and base.id not in local and base.id in module.argument_only:
        dotted = f"{module.imports[base.id]}.{func.attr}"
        if module.is_pure(dotted) and _all_readable(handed, module, owned, data):
            return True
        return _handed_owned(handed, module, owned)
    if _fresh(base, module, owned) or (isinstance(base, ast.Name) and base.id in _IMMUTABLE_TYPES
                                        and base.id in module.safe_builtins and base.id not in local):
        return _handed_owned(handed, module, owned)
    reads = func.attr in READ_METHODS and func.attr not in module.class_methods
    if reads and isinstance(base, ast.Call):  # `s.replace(...).replace(...)`: the inner call is checked too
        return _all_readable(handed, module, owned, data)
    literal = isinstance(base, ast.Name) and base.id in module.literal and base.id not in local
    known = literal or (isinstance(base, ast.Name) and base.id in local)  # `key=lambda w: w.lower()`
    return reads and known and _all_readable(handed, module, owned, data)


def _fresh(node: ast.expr, module: _Module, owned: set[str]) -> bool:
    """A value made by the expression itself: a literal, display, comprehension, f-string, or
    a call of a builtin or string method that returns a new object."""
    if isinstance(node, ast.Constant | ast.List | ast.Dict | ast.Set | ast.Tuple | ast.JoinedStr
                  | ast.ListComp | ast.SetComp | ast.DictComp):  # fmt: skip
        return True
    if isinstance(node, ast.BinOp | ast.UnaryOp | ast.Compare):  # `(a ^ b).bit_count()`
        return _handed_owned([node], module, owned)
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name):
            return func.id in FRESH_BUILTINS and func.id in module.safe_builtins
        return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Constant)
    return False


def _readable_attribute(node: ast.Attribute, module: _Module, owned: set[str]) -> bool:
    root = _root_name(node)
    if root in owned:
        return True
    if isinstance(node.value, ast.Constant):
        return True
    types = root in _IMMUTABLE_TYPES and root in module.safe_builtins  # `str.isupper`
    return root is not None and (types or module.pure_import.get(root, False) or root in module.argument_only)


def _handed_owned(handed: list[ast.expr], module: _Module, owned: set[str]) -> bool:
    """Everything handed is owned, constant, or made on the spot of such."""
    for arg in handed:
        for n in ast.walk(arg):
            if not (isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)) or n.id in owned:
                continue
            if not _harmless_global(n.id, module) and n.id not in module.functions:
                return False
    return True


def _handed_readable(arg: ast.expr, module: _Module, owned: set[str], data: set[str]) -> bool:
    """What a pure builtin may be given: owned values, constants, literal data (a builtin
    does not change a dict or list it reads), module functions (followed)."""
    for n in ast.walk(arg):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
            known = n.id in owned or n.id in data or n.id in module.literal or n.id in module.functions
            if not (known or _harmless_global(n.id, module)):
                return False
    return True


def _all_readable(handed: list[ast.expr], module: _Module, owned: set[str], data: set[str]) -> bool:
    return all(_handed_readable(a, module, owned, data) for a in handed)
