"""Tell a module's demo from the rest, so that tolerant extraction removes only demos.

Why remove anything: small models append example usage (`print(f(10))`, `assert f(3) == "Fizz"`,
`for i in range(1, 16): print(f(i))`, an `input()` loop) that may call the function wrongly, loop
or block; run at import, it would blame the function for its demo. Why remove so little: correct
code also runs statements at import that the function relies on, in more ways than any analysis
of effects can follow (a closure's registration call, a classmethod alias, a store through an
accessor's result, `setattr` on the function, a helper with a default-parameter alias). Earlier
versions removed "a statement that uses the module's own code unless it is shown to change what
the function needs"; every effect the analysis missed failed a correct function, and a demo with
an effect (`print(set_word(7, "Bazz"))`) passed a function that is wrong as written.

So the rule is positive: a top-level statement is removed only when it is **a demo** and
**removing it cannot change what the target computes**:

1. an `if __name__ == "__main__":` block without `else` (the runner imports the module under
   another name: it never runs there either);
2. a statement made only of *pure* parts (below) that shows the code: an `assert`, or one that
   calls or names the target or a pure module function, or calls `print`/`pprint`; `for`,
   `while`, `if` and `try` count when every statement inside is such a part, so
   `for i in range(1, 16): print(f(i))` goes;
3. a statement that reads input, exits or starts a test runner *when the module is imported*,
   directly or through a module function that does (`main()` reading `input()`), even when it
   binds a needed name: importing it could only block or stop. Only what runs at import counts:
   not a function's or lambda's body (it runs when called), not the `__main__` branch of
   `if __name__ == ...`, not a class's methods other than its constructor (`f = F()` runs
   `F.__init__`, never an interactive `F.play()`), and not an exit inside an `except` handler
   (`try: import numpy / except ImportError: sys.exit(...)` runs it only when the import failed).
   When the stop sits in a branch that may not run (an `if`, `try` or `match` branch:
   `if sys.version_info >= (3, 9): from functools import cache / else: sys.exit(...)`), the
   statement is removed only if nothing kept reads a name it binds, as for rule 2.

*Pure* parts call nothing but the target, `print`/`pprint`, builtins that only compute from their
arguments (`len`, `range`, `str`, `sorted`, ... listed in `PURE_BUILTINS`, not rebound by the
module), functions of standard-library modules that only compute (`math.isclose`, `Counter`,
`sys.getsizeof`: `PURE_MODULES`, `PURE_QUALIFIED`), methods of string literals
(`", ".join(...)`), the target's `cache_info()`, and module functions whose own bodies are
pure in the same sense (locals only: no `global`, no stores into objects, no decorators); they
store only into plain names that nothing else reads (no function, class or kept statement of the
module). Anything else stays: a call of another module function, a method, `setattr`, a store
into an object, an import. What stays runs at import exactly as in the program as written (a
demo that is kept and crashes fails the import, as it would for the program itself).
Not followed: a user class's `__str__`/`__format__`/operator methods run by a demo's formatting
or arithmetic (a demo is taken to show values, not to change them through them).
"""

from __future__ import annotations

import ast
import symtable
from collections.abc import Iterable

OUTPUT_CALLS = frozenset({"print", "pprint"})
PURE_BUILTINS = frozenset({
    "abs", "all", "any", "ascii", "bin", "bool", "bytes", "callable", "chr", "complex", "dict",
    "divmod", "enumerate", "filter", "float", "format", "frozenset", "hash", "hex", "id", "int",
    "isinstance", "issubclass", "iter", "len", "list", "map", "max", "min", "next", "oct", "ord",
    "pow", "range", "repr", "reversed", "round", "set", "slice", "sorted", "str", "sum", "tuple",
    "type", "zip",
})  # fmt: skip
"""Builtins whose call only computes from its arguments (calling what it is given: a function
passed to `map` or `sorted` must be pure itself, which the walk checks as a name it reads)."""
PURE_MODULES = frozenset({
    "math", "cmath", "statistics", "fractions", "itertools", "collections", "re", "string",
    "unicodedata", "textwrap",
})  # fmt: skip
"""Standard-library modules whose functions and classes only compute from their arguments
(`assert math.isclose(f(x), 1.5)`, `Counter(...)`); `operator` (`setitem`), `heapq`, `bisect`
(`insort`) and `functools` (`update_wrapper`) have functions that change their arguments."""
PURE_QUALIFIED = frozenset({"sys.getsizeof", "functools.reduce", "functools.cmp_to_key", "json.dumps",
                            "json.loads", "copy.copy", "copy.deepcopy"})  # fmt: skip
CACHE_READS = frozenset({"cache_info", "cache_parameters"})
"""Methods of the target that only read (`functools` caches): `print(f.cache_info())` is a demo."""
_STOPPING_CALLS = frozenset({"input", "exit", "quit", "breakpoint", "help"})
_BLOCKING_CALLS = frozenset({"input", "breakpoint", "help"})
_TEST_RUNNERS = frozenset({("unittest", "main"), ("doctest", "testmod"), ("pytest", "main")})
_STOPPING_ATTRIBUTES = _TEST_RUNNERS | {("sys", "exit"), ("os", "_exit")}
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_PURE_NODES = (
    ast.expr_context, ast.operator, ast.unaryop, ast.boolop, ast.cmpop, ast.Constant, ast.Name,
    ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.JoinedStr, ast.FormattedValue,
    ast.Tuple, ast.List, ast.Set, ast.Dict, ast.Subscript, ast.Slice, ast.Starred, ast.Attribute,
    ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.comprehension, ast.Lambda,
    ast.arguments, ast.arg, ast.keyword, ast.NamedExpr, ast.Call,
    ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.For, ast.While, ast.If, ast.Try,
    ast.ExceptHandler, ast.Pass, ast.Break, ast.Continue, ast.Assert,
)  # fmt: skip
"""Syntax a pure statement may use; anything else (`with`, `del`, `import`, `global`, a nested
definition, `yield`, `await`, `raise`...) keeps it. `Return` and `Raise` are added for bodies."""


class _Purity:
    """Which calls and stores of a module are pure (see the module docstring)."""

    def __init__(self, tree: ast.Module, top: symtable.SymbolTable, function: str) -> None:
        self.function = function
        self.own = {n.name for n in tree.body if isinstance(n, _DEFINITIONS)} - {function}
        rebound = _module_bindings(top)
        self.builtins = {n for n in PURE_BUILTINS | OUTPUT_CALLS if n not in rebound}
        self.imported = _imports(tree, rebound)
        self.pure_functions = self._pure_functions(tree)

    def _pure_functions(self, tree: ast.Module) -> set[str]:
        """Module functions (not the target) whose bodies are pure, calling only pure things:
        the greatest such set, so that functions calling each other can be pure together."""
        bodies = {
            n.name: n for n in tree.body
            if isinstance(n, ast.FunctionDef) and n.name != self.function and not n.decorator_list
        }  # fmt: skip
        pure = set(bodies)
        shrunk = True
        while shrunk:
            shrunk = False
            for name in sorted(pure):
                body = bodies[name].body
                if not all(self.is_pure(s, pure, in_function=True) for s in body):
                    pure.discard(name)
                    shrunk = True
        return pure

    def is_pure(self, node: ast.AST, pure_functions: set[str] | None = None, in_function: bool = False,
                ) -> bool:  # fmt: skip
        """Whether `node` uses only pure syntax, calls and stores."""
        pure = self.pure_functions if pure_functions is None else pure_functions
        allowed = (*_PURE_NODES, ast.Return, ast.Raise) if in_function else _PURE_NODES
        for inner in ast.walk(node):
            if not isinstance(inner, allowed):
                return False
            if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Load):
                if inner.id in self.own and inner.id not in pure:
                    return False  # passed or called: a module function or class with effects
            elif isinstance(inner, ast.Attribute | ast.Subscript | ast.Starred):
                if isinstance(inner.ctx, ast.Store | ast.Del):
                    return False  # a store into an object
            elif isinstance(inner, ast.Call) and not self._pure_call(inner.func, pure):
                return False
        return True

    def _pure_call(self, func: ast.expr, pure: set[str]) -> bool:
        if isinstance(func, ast.Name):
            own = func.id == self.function or func.id in self.builtins or func.id in pure
            return own or _is_pure_import(self.imported.get(func.id))
        if not isinstance(func, ast.Attribute):
            return False
        if isinstance(func.value, ast.Name) and func.value.id in self.imported:
            return _is_pure_import(f"{self.imported[func.value.id]}.{func.attr}")
        if isinstance(func.value, ast.Constant):
            return isinstance(func.value.value, str | bytes)  # ", ".join(...), "{}".format(...)
        target = isinstance(func.value, ast.Name) and func.value.id == self.function
        return target and func.attr in CACHE_READS

    def shows_the_code(self, node: ast.stmt) -> bool:
        """An assert, or a statement that names the target or a pure module function (`main()`
        printing examples), or calls an output function."""
        if isinstance(node, ast.Assert):
            return True
        shown = {self.function} | self.pure_functions
        for inner in ast.walk(node):
            if isinstance(inner, ast.Name) and inner.id in shown and isinstance(inner.ctx, ast.Load):
                return True
            if isinstance(inner, ast.Call) and _called_name(inner) in OUTPUT_CALLS:
                return True
        return False


def _imports(tree: ast.Module, rebound: set[str]) -> dict[str, str]:
    """Top-level names bound only by imports, and the dotted name each stands for."""
    found: dict[str, str] = {}
    assigned: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                found[alias.asname or top] = alias.name if alias.asname else top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                found[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            assigned.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            assigned.add(node.name)
    return {name: dotted for name, dotted in found.items() if name not in assigned}


def _is_pure_import(dotted: str | None) -> bool:
    if dotted is None:
        return False
    module, _, name = dotted.rpartition(".")
    return (module in PURE_MODULES and not name.startswith("_")) or dotted in PURE_QUALIFIED


def _module_bindings(top: symtable.SymbolTable) -> set[str]:
    """Every name the module binds at top level (a `def print` or `len = ...` is not a builtin)."""
    return {s.get_name() for s in top.get_symbols() if s.is_assigned() or s.is_imported()}


def _stored_names(node: ast.AST) -> set[str]:
    """Names a statement binds: stores, `except ... as` names, imports, definitions inside it."""
    names: set[str] = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load):
            names.add(n.id)
        elif isinstance(n, (ast.ExceptHandler, *_DEFINITIONS)) and n.name:
            names.add(n.name)
        elif isinstance(n, ast.Import | ast.ImportFrom):
            names |= {(a.asname or a.name).split(".")[0] for a in n.names}
    return names


def _loaded_names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _read_by_definitions(tree: ast.Module, top: symtable.SymbolTable) -> set[str]:
    """Global names read by the module's functions and classes: in their bodies (the symbol
    table tells a global from a parameter or local of the same name) and in what runs where they
    are defined (decorators, defaults, bases, annotations)."""
    names: set[str] = set()
    defined = {(n.name, n.lineno) for n in tree.body if isinstance(n, _DEFINITIONS)}
    starts = {(n.name, min([n.lineno, *(d.lineno for d in n.decorator_list)])) for n in tree.body
              if isinstance(n, _DEFINITIONS)}  # fmt: skip
    stack = [t for t in top.get_children() if (t.get_name(), t.get_lineno()) in defined | starts]
    while stack:
        table = stack.pop()
        for sym in table.get_symbols():
            if sym.is_referenced() and (sym.is_global() or table.get_type() == "class"):
                names.add(sym.get_name())
        stack += table.get_children()
    for node in tree.body:
        if isinstance(node, _DEFINITIONS):
            for part in _evaluated_at_definition(node):
                names |= _loaded_names(part)
    return names


def _evaluated_at_definition(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> list[ast.AST]:
    if isinstance(node, ast.ClassDef):
        return [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]
    args = node.args
    parts: list[ast.AST] = [*node.decorator_list, *args.defaults, *(d for d in args.kw_defaults if d)]
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs, *filter(None, [args.vararg, args.kwarg])]
    parts += [a.annotation for a in every if a.annotation is not None]
    return parts + ([node.returns] if node.returns is not None else [])


def _is_main_block(node: ast.stmt) -> bool:
    """`if __name__ == "__main__":` (either order) without an `else`."""
    return isinstance(node, ast.If) and not node.orelse and _main_guard(node.test) is True


def _stops(node: ast.stmt, blocking: set[str]) -> str | None:
    """Whether `node` reads input, exits or starts a test runner (itself or through a module
    function or class that does) when the module is imported: "always" when such a call runs
    whatever the branches taken, "maybe" when it sits in a branch of an `if`/`try`/`match` that
    may not run, else None. An exit in an `except` handler does not count; input or a test
    runner there does. What does not run at import is not looked at: a function or lambda body
    (only its decorators and defaults run), the `__main__` branch of `if __name__ == ...`."""
    found: str | None = None
    for call, branch, handled in _run_at_import(node):
        called = isinstance(call.func, ast.Name) and call.func.id in blocking
        if not (_is_blocking_call(call) or called or (not handled and _is_exit(call))):
            continue
        if not branch:
            return "always"
        found = "maybe"
    return found


def _is_exit(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id in _STOPPING_CALLS
    return isinstance(func, ast.Attribute) and (_dotted_root(func.value), func.attr) in _STOPPING_ATTRIBUTES


def _run_at_import(node: ast.AST) -> Iterable[tuple[ast.Call, bool, bool]]:
    """(call, inside a branch that may not run, inside an `except` handler) for every call of
    a top-level statement that importing the module can run."""
    todo: list[tuple[ast.AST, bool, bool]] = [(node, False, False)]
    while todo:
        current, branch, handled = todo.pop()
        if isinstance(current, ast.Call):
            yield current, branch, handled
        if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):  # its body runs when called
            todo += [(part, branch, handled) for part in _evaluated_at_definition(current)]
        elif isinstance(current, ast.Lambda):
            todo += [(d, branch, handled) for d in [*current.args.defaults, *current.args.kw_defaults] if d]
        elif isinstance(current, ast.If):
            todo.append((current.test, branch, handled))
            main = _main_guard(current.test)
            todo += [(s, True, handled) for s in current.body if main is not True]
            todo += [(s, True, handled) for s in current.orelse if main is not False]
        elif isinstance(current, ast.Try | ast.TryStar):
            todo += [(s, True, handled) for s in [*current.body, *current.orelse]]
            todo += [(h, True, True) for h in current.handlers]
            todo += [(s, branch, handled) for s in current.finalbody]
        elif isinstance(current, ast.Match):
            todo.append((current.subject, branch, handled))
            todo += [(case, True, handled) for case in current.cases]
        else:
            todo += [(child, branch, handled) for child in ast.iter_child_nodes(current)]


def _main_guard(test: ast.expr) -> bool | None:
    """True for `__name__ == "__main__"` (either order), False for `!=`, else None: the runner
    imports the module under another name, so the `__main__` branch never runs there."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return None
    if not isinstance(test.ops[0], ast.Eq | ast.NotEq):
        return None
    sides = {ast.dump(test.left), ast.dump(test.comparators[0])}
    if sides != {ast.dump(ast.Name("__name__", ast.Load())), ast.dump(ast.Constant("__main__"))}:
        return None
    return isinstance(test.ops[0], ast.Eq)


def _called_name(node: ast.AST) -> str | None:
    """`f` for a call `f(...)` of a plain name."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id
    return None


def _dotted_root(node: ast.AST) -> str | None:
    return node.id if isinstance(node, ast.Name) else None


def _is_blocking_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Name):
        return func.id in _BLOCKING_CALLS
    return isinstance(func, ast.Attribute) and (_dotted_root(func.value), func.attr) in _TEST_RUNNERS


_CONSTRUCTION = ("__new__", "__init__", "__post_init__")


def _blocking_functions(tree: ast.Module) -> set[str]:
    """Module functions and classes whose call reads input or starts a test runner, directly or
    through another of them: a statement calling one would block the import. Calling a class runs
    its constructor (and the methods that calls on `self`/`cls`), not its other methods: a class
    with an interactive `play()` is made without reading anything."""
    calls: dict[str, set[str]] = {}
    blocking: set[str] = set()
    for node in tree.body:
        if isinstance(node, _DEFINITIONS):
            inner = [n for part in _run_when_called(node) for n in ast.walk(part)]
            calls[node.name] = {name for n in inner if (name := _called_name(n))}
            if isinstance(node, ast.ClassDef) and _inherits_construction(node, inner):
                calls[node.name] |= {b.id for b in node.bases if isinstance(b, ast.Name)}
            if any(_is_blocking_call(n) for n in inner):
                blocking.add(node.name)
    grown = True
    while grown:
        grown = False
        for name, called in calls.items():
            if name not in blocking and called & blocking:
                blocking.add(name)
                grown = True
    return blocking


def _run_when_called(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> list[ast.AST]:
    """What calling a module function (its body) or class (its constructor methods, and the
    methods they call as `self.m(...)` or `cls.m(...)`) can run."""
    if not isinstance(node, ast.ClassDef):
        return list(node.body)
    methods = {m.name: m for m in node.body if isinstance(m, ast.FunctionDef | ast.AsyncFunctionDef)}
    todo = [name for name in _CONSTRUCTION if name in methods]
    reached: set[str] = set()
    while todo:
        name = todo.pop()
        if name in reached:
            continue
        reached.add(name)
        for inner in ast.walk(methods[name]):
            if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute):
                owner = _dotted_root(inner.func.value)
                if owner in ("self", "cls") and inner.func.attr in methods:
                    todo.append(inner.func.attr)
    return [methods[name] for name in sorted(reached)]


def _inherits_construction(node: ast.ClassDef, run: list[ast.AST]) -> bool:
    """Whether making an instance can run a base class's constructor: the class defines none of
    its own, or what it runs calls `super()`."""
    own = any(isinstance(m, _DEFINITIONS) and m.name in _CONSTRUCTION for m in node.body)
    return not own or any(_called_name(n) == "super" for n in run)


def _demos(tree: ast.Module, top: symtable.SymbolTable, function: str) -> list[ast.stmt]:
    """The top-level statements to remove, by the rule of the module docstring."""
    purity = _Purity(tree, top, function)
    blocking = _blocking_functions(tree)
    removed: list[ast.stmt] = []
    shown: list[ast.stmt] = []  # removed unless a name they bind is read: pure statements showing
    # the code, and statements that may stop only in a branch (`if ...: import x / else: sys.exit()`)
    for node in tree.body:
        if isinstance(node, (*_DEFINITIONS, ast.Import, ast.ImportFrom)):
            continue
        stops = _stops(node, blocking)
        if _is_main_block(node) or stops == "always":
            removed.append(node)
        elif stops == "maybe" or (purity.shows_the_code(node) and purity.is_pure(node)):
            shown.append(node)
    read = _read_by_definitions(tree, top) | {function}
    kept = [n for n in tree.body if n not in removed and n not in shown and not isinstance(n, _DEFINITIONS)]
    for node in kept:
        read |= _loaded_names(node)
    grown = True
    while grown:  # a demo whose binding something kept reads is kept, and what it reads is then read
        grown = False
        for node in list(shown):
            if _stored_names(node) & read:
                shown.remove(node)
                read |= _loaded_names(node)
                grown = True
    return removed + shown


def demo_lines(tree: ast.Module, code: str, function: str) -> set[int] | None:
    """Line numbers of the top-level demo statements of `code` (parsed as `tree`), or None
    when its symbol table cannot be built (then it will not compile either)."""
    if all(isinstance(n, (*_DEFINITIONS, ast.Import, ast.ImportFrom)) for n in tree.body):
        return set()  # nothing runs at import but definitions: the usual reply
    try:
        top = symtable.symtable(code, "candidate.py", "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return set(_lines(_demos(tree, top, function)))


def _lines(nodes: Iterable[ast.stmt]) -> Iterable[int]:
    for node in nodes:
        yield from range(node.lineno, (node.end_lineno or node.lineno) + 1)
