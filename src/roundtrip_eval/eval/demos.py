"""Tell a module's demo from its set-up, so that tolerant extraction removes only the demo.

Why: small models append example usage (`print(f(10))`, `assert f(3) == "Fizz"`, an
`if __name__ == "__main__":` block, an `input()` loop) that may call the function wrongly;
executing it at import would blame the function for its demo. But correct code also runs
statements at import that the function relies on: `RULES = _make_rules()`, `fizzbuzz =
memo(_fizzbuzz)`, `fizzbuzz = FizzBuzz()`, `_fill()` filling a table. The difference is not the
shape of a statement but whether the function needs what it does.

So a top-level statement is **set-up** when it binds or changes a name the target needs: the
target itself, and every module global read by something needed, transitively (read from the
symbol table, so a parameter `n` is not the global `n`). "Changes" covers `X[k] = v`, `X.a = v`,
`X.append(...)`, passing `X` to a call, and calling a module function that assigns or changes
`X` (through `global X`, the same forms inside it, or the same forms on a local alias of `X`:
`t = X; t[i] = v`). A function that reaches globals by name (`globals()[...]`, `vars()`,
`exec`, `sys.modules`, `__dict__`) may change any of them: a top-level call of it is set-up,
since its effect cannot be ruled out (a demo kept by mistake runs in the sandbox, its output is
captured; one dropped by mistake fails a correct function). A statement "calls" a module
function or class when it calls it by name, passes it to a call (`map(_register, ...)` may call
it), or calls a method of it or of a module name bound from it (`Rules.add(...)`, `r.add(...)`
after `r = Rules()`: the class's effects), anywhere it runs at import, the inside of its
comprehensions included. Set-up stays whatever it calls, unless it calls a module function that
reads input or starts a test runner.

Everything else stays too, unless it is a **demo**: it runs a main block (`if __name__ ...`),
asserts, prints, reads input, exits, starts a test runner, or uses the module's own functions or
classes while nothing needs its result. Definitions and imports always stay. A statement that
reads input, exits or starts a test runner is a demo even when it binds a needed name: importing
it could only block or stop; an exit inside an `except` handler does not count (`try: from math
import gcd / except ImportError: sys.exit(...)` is set-up: it exits only when the import failed).
"""

from __future__ import annotations

import ast
import symtable
from collections.abc import Iterator
from dataclasses import dataclass, field

_OUTPUT_CALLS = frozenset({"print", "pprint"})
_STOPPING_CALLS = frozenset({"input", "exit", "quit", "breakpoint", "help"})
_BLOCKING_CALLS = frozenset({"input", "breakpoint", "help"})
_TEST_RUNNERS = frozenset({("unittest", "main"), ("doctest", "testmod"), ("pytest", "main")})
_STOPPING_ATTRIBUTES = _TEST_RUNNERS | {("sys", "exit"), ("os", "_exit")}
_BY_NAME = frozenset({"globals", "vars", "exec", "eval", "__import__"})
ANY = "*"
"""The effect of a function that reaches module globals by name: it may change any of them."""
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@dataclass
class _Statement:
    node: ast.stmt
    binds: set[str] = field(default_factory=set)
    changes: set[str] = field(default_factory=set)
    reads: set[str] = field(default_factory=set)
    calls: set[str] = field(default_factory=set)


def _module_scope(node: ast.AST, running: bool = False) -> Iterator[ast.AST]:
    """Nodes evaluated in the module's scope: nested bodies are skipped, but decorators,
    defaults, bases and a comprehension's iterables (evaluated where they are written) are not.
    `running`: also the inside of comprehensions, which runs on the spot (`[_register(d, w)
    for d, w in PAIRS]` calls `_register` at import) though its names are its own."""
    yield node
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        parts: list[ast.AST] = [*node.decorator_list, *node.args.defaults]
        parts += [d for d in node.args.kw_defaults if d is not None]
    elif isinstance(node, ast.Lambda):
        parts = [*node.args.defaults, *(d for d in node.args.kw_defaults if d is not None)]
    elif isinstance(node, ast.ClassDef):
        parts = [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]
    elif isinstance(node, _COMPREHENSIONS) and not running:
        parts = [g.iter for g in node.generators]
    else:
        parts = list(ast.iter_child_nodes(node))
    for part in parts:
        yield from _module_scope(part, running)


def _root(node: ast.AST) -> str | None:
    """`X` for `X`, `X.a.b`, `X[k]`, `X.a[k].b`."""
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Starred):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _changed_roots(nodes: Iterator[ast.AST]) -> tuple[set[str], set[str]]:
    """(names changed in place, names passed to a call) among `nodes`."""
    changed: set[str] = set()
    passed: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Attribute | ast.Subscript) and isinstance(node.ctx, ast.Store | ast.Del):
            changed.add(_root(node) or "")
        elif isinstance(node, ast.AugAssign):
            changed.add(_root(node.target) or "")
        elif isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute):  # X.append(...), X.a.update(...)
                changed.add(_root(node.func.value) or "")
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                passed.add(_root(arg) or "")
    return changed - {""}, passed - {""}


def _direct_calls(nodes: Iterator[ast.AST]) -> set[str]:
    return {n.func.id for n in nodes if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}


def _calls(nodes: list[ast.AST], own: set[str], instances: dict[str, set[str]] | None = None) -> set[str]:
    """The names a call among `nodes` may run: `f(...)`; the module's own function or class
    passed to a call (`map(_register, ...)` calls it); a method of an own class or of an
    instance of one (`Rules.add(...)`, `r.add(...)` for `r = Rules()`: the class's effects).
    Whatever cannot be ruled out counts: a set-up kept by mistake runs in the sandbox, one
    dropped by mistake fails a correct function."""
    instances = instances or {}
    found = _direct_calls(iter(nodes))
    for node in nodes:
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Attribute):
            root = _root(node.func.value)
            if root in own:
                found.add(root)
            found |= instances.get(root or "", set())
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            root = _root(arg)
            if root in own:
                found.add(root)
            found |= instances.get(root or "", set())
    return found


class _Scopes:
    """The symbol tables of every nested scope, found by the line they start on."""

    def __init__(self, code: str) -> None:
        self.by_line: dict[int, list[symtable.SymbolTable]] = {}
        self._index(symtable.symtable(code, "candidate.py", "exec"))

    def _index(self, table: symtable.SymbolTable) -> None:
        for child in table.get_children():
            self.by_line.setdefault(child.get_lineno(), []).append(child)
            self._index(child)

    def globals_read(self, node: ast.AST) -> set[str]:
        """Module globals read anywhere inside the nested scopes of `node`."""
        names: set[str] = set()
        for table in self._tables(node):
            names |= {s.get_name() for s in table.get_symbols() if s.is_referenced() and s.is_global()}
        return names

    def globals_assigned(self, node: ast.AST) -> set[str]:
        names: set[str] = set()
        for table in self._tables(node):
            names |= {s.get_name() for s in table.get_symbols() if s.is_declared_global() and s.is_assigned()}
        return names

    def is_global_in(self, node: ast.AST, name: str) -> bool:
        for table in self._tables(node):
            try:
                sym = table.lookup(name)
            except KeyError:
                continue
            if not sym.is_global():
                return False
        return True

    def _tables(self, node: ast.AST) -> list[symtable.SymbolTable]:
        found = []
        for inner in ast.walk(node):
            if isinstance(inner, _SCOPES + _COMPREHENSIONS):
                found += self.by_line.get(inner.lineno, [])
        return found


def _aliases(nodes: list[ast.AST]) -> dict[str, set[str]]:
    """Local names bound to (a part of) another name: `t = T`, `row = T[i]`, `for row in T`,
    `with T as t`, `(t := T.rows)`, each mapped to the names it may stand for, transitively."""
    bound: dict[str, set[str]] = {}
    for node in nodes:
        pairs: list[tuple[ast.AST, ast.AST | None]] = []
        if isinstance(node, ast.Assign):
            pairs = [(target, node.value) for target in node.targets]
        elif isinstance(node, ast.AnnAssign | ast.NamedExpr):
            pairs = [(node.target, node.value)]
        elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
            pairs = [(node.target, node.iter)]
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            pairs = [(node.optional_vars, node.context_expr)]
        for target, value in pairs:
            source = _root(value) if value is not None else None
            if source is None:
                continue
            for part in ast.walk(target):
                if isinstance(part, ast.Name):
                    bound.setdefault(part.id, set()).add(source)
    grown = True
    while grown:
        grown = False
        for sources in bound.values():
            extra = set().union(*(bound.get(s, set()) for s in sources)) - sources
            if extra:
                sources |= extra
                grown = True
    return bound


def _reaches_globals_by_name(nodes: list[ast.AST]) -> bool:
    """Whether the code reaches module globals by name, where no symbol table can follow:
    `globals()[...]`, `vars()`, `exec`/`eval`, `sys.modules`, an object's `__dict__`."""
    for node in nodes:
        if isinstance(node, ast.Name) and node.id in _BY_NAME:
            return True
        if isinstance(node, ast.Attribute) and node.attr in ("modules", "__dict__"):
            return True
    return False


def _effects(tree: ast.Module, scopes: _Scopes) -> dict[str, set[str]]:
    """For each module function or class: the globals that calling it may bind or change
    (`ANY` when it reaches globals by name, so that no statement calling it is a demo)."""
    own: dict[str, set[str]] = {}
    calls: dict[str, set[str]] = {}
    defined = {n.name for n in tree.body if isinstance(n, _DEFINITIONS)}
    for node in tree.body:
        if not isinstance(node, _DEFINITIONS):
            continue
        inner = list(ast.walk(node))
        changed, _passed = _changed_roots(iter(inner))
        aliases = _aliases(inner)
        changed |= set().union(*(aliases.get(name, set()) for name in changed))
        own[node.name] = scopes.globals_assigned(node) | {
            name for name in changed if scopes.is_global_in(node, name)
        }
        if _reaches_globals_by_name(inner):
            own[node.name].add(ANY)
        calls[node.name] = _calls(inner, defined)
    grown = True
    while grown:  # a function that calls another has its effects too
        grown = False
        for name, called in calls.items():
            extra = set().union(*(own.get(c, set()) for c in called)) - own[name]
            if extra:
                own[name] |= extra
                grown = True
    return own


def _statement(
    node: ast.stmt, scopes: _Scopes, effects: dict[str, set[str]], own_names: set[str],
    instances: dict[str, set[str]],
) -> _Statement:
    """What one top-level statement binds, changes and reads in the module's scope.

    Passing the module's own function or class to a call does not change it, but may call it
    (`map(f, xs)`: `f`'s effects count), and a bare `print(...)` changes nothing
    (`print(f.cache_info())`)."""
    local = list(_module_scope(node))
    running = list(_module_scope(node, running=True))
    stmt = _Statement(node)
    if isinstance(node, _DEFINITIONS):
        stmt.binds.add(node.name)
    for inner in local:
        if isinstance(inner, ast.Name):
            (stmt.binds if isinstance(inner.ctx, ast.Store | ast.Del) else stmt.reads).add(inner.id)
        elif isinstance(inner, ast.alias):
            stmt.binds.add((inner.asname or inner.name).split(".")[0])
        elif isinstance(inner, ast.Global):
            stmt.binds.update(inner.names)
    changed, passed = _changed_roots(iter(running))
    stmt.calls = _calls(running, own_names, instances)
    stmt.reads |= scopes.globals_read(node)
    if _is_output(node):
        return stmt
    stmt.changes = changed | (passed - own_names)
    stmt.changes |= set().union(*(effects.get(c, set()) for c in stmt.calls))
    return stmt


def _is_output(node: ast.stmt) -> bool:
    call = node.value if isinstance(node, ast.Expr) else None
    return isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in _OUTPUT_CALLS


def _mentions_main(node: ast.AST) -> bool:
    """Whether `__name__` appears in the node (as a name, attribute or string)."""
    return any(
        (isinstance(n, ast.Name) and n.id == "__name__")
        or (isinstance(n, ast.Attribute) and n.attr == "__name__")
        or (isinstance(n, ast.Constant) and isinstance(n.value, str) and "__name__" in n.value)
        for n in ast.walk(node)
    )


def _stops(node: ast.stmt) -> bool:
    """Reads input, exits, or starts a test runner: never run at import.

    An exit in an `except` handler does not count: it runs only when the `try` body failed
    (`try: from math import gcd / except ImportError: sys.exit(...)` is set-up, and the
    program could not work without it anyway)."""
    if isinstance(node, ast.If) and _mentions_main(node.test):
        return True
    handled = {id(n) for h in ast.walk(node) if isinstance(h, ast.ExceptHandler) for n in ast.walk(h)}
    for inner in _module_scope(node):
        if not isinstance(inner, ast.Call):
            continue
        func = inner.func
        if id(inner) in handled:
            if _is_blocking_call(inner):
                return True
            continue
        if isinstance(func, ast.Name) and func.id in _STOPPING_CALLS:
            return True
        if isinstance(func, ast.Attribute) and (_root(func.value), func.attr) in _STOPPING_ATTRIBUTES:
            return True
    return False


def _instances(tree: ast.Module, own: set[str]) -> dict[str, set[str]]:
    """Module names bound to what the module's own functions or classes made, and which:
    `r = Rules()` maps `r` to {"Rules"}, so that `r.add(...)` has the class's effects."""
    found: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, (*_DEFINITIONS, ast.Import, ast.ImportFrom)):
            continue
        names = [n for n in _module_scope(node) if isinstance(n, ast.Name)]
        reads = {n.id for n in names if isinstance(n.ctx, ast.Load)}
        origin = (reads & own).union(*(found.get(r, set()) for r in reads))
        for name in names:
            if origin and isinstance(name.ctx, ast.Store):
                found.setdefault(name.id, set()).update(origin)
    return found


def _blocking_functions(tree: ast.Module) -> set[str]:
    """Module functions and classes that read input or start a test runner, directly or through
    another of them: a statement calling one is never kept as set-up (it would block the import)."""
    direct: dict[str, set[str]] = {}
    blocking: set[str] = set()
    for node in tree.body:
        if isinstance(node, _DEFINITIONS):
            inner = list(ast.walk(node))
            direct[node.name] = _direct_calls(iter(inner))
            if any(_is_blocking_call(n) for n in inner):
                blocking.add(node.name)
    grown = True
    while grown:
        grown = False
        for name, called in direct.items():
            if name not in blocking and called & blocking:
                blocking.add(name)
                grown = True
    return blocking


def _is_blocking_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Name):
        return func.id in _BLOCKING_CALLS
    return isinstance(func, ast.Attribute) and (_root(func.value), func.attr) in _TEST_RUNNERS


def _is_demo(stmt: _Statement, own_names: set[str]) -> bool:
    """A statement nothing needs that only exercises or shows the code."""
    node = stmt.node
    if isinstance(node, (*_DEFINITIONS, ast.Import, ast.ImportFrom)):
        return False
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return False  # a docstring
    if isinstance(node, ast.Assert) or _stops(node):
        return True
    return bool(stmt.calls & _OUTPUT_CALLS or stmt.reads & own_names)


def demo_lines(tree: ast.Module, code: str, function: str) -> set[int] | None:
    """Line numbers of the top-level demo statements of `code` (parsed as `tree`), or None
    when its symbol table cannot be built (then it will not compile either)."""
    if all(isinstance(n, (*_DEFINITIONS, ast.Import, ast.ImportFrom)) for n in tree.body):
        return set()  # nothing runs at import but definitions: the usual reply
    try:
        scopes = _Scopes(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    effects = _effects(tree, scopes)
    defined = {n.name for n in tree.body if isinstance(n, _DEFINITIONS)}
    own_names = defined | {function}
    instances = _instances(tree, defined)
    statements = [_statement(node, scopes, effects, own_names, instances) for node in tree.body]
    # calling a module's function (`bisect.bisect_right(...)`) does not set the module up
    modules = set().union(*(s.binds for s in statements if isinstance(s.node, ast.Import | ast.ImportFrom)))
    blocking = _blocking_functions(tree)
    needed = {function}
    kept: set[int] = set()
    grown = True
    while grown:
        grown = False
        for i, stmt in enumerate(statements):
            touched = stmt.binds | (stmt.changes - modules)
            if (i not in kept and (touched & needed or ANY in touched)
                    and not _stops(stmt.node) and not stmt.calls & blocking):  # fmt: skip
                kept.add(i)
                needed |= stmt.reads
                grown = True
    lines: set[int] = set()
    for i, stmt in enumerate(statements):
        if i in kept or not _is_demo(stmt, own_names | set(instances)):
            continue
        node = stmt.node
        lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return lines
