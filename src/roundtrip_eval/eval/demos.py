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
   statement is removed only when it leaves state alone (no store into an object, no `del`
   or `global`, no call but the stopping ones and pure ones) and names nothing (bound or
   read, at any depth) that kept code reads or a kept demo binds, other than the stopping
   call's own name (`sys` of `sys.exit`): a loop filling `VALUES[symbol] = value` beside a
   guarded exit, or an `else:`/`except EOFError:` branch writing `WORDS[7]`, runs as written.

A call of the target (or of a pure module function) is pure only when it cannot change what a
later call computes: the target is shown to change nothing but what it owns
(`target_state.changes_state`, an allowlist: every store and mutating call rooted in a local
it binds itself, no `globals`/`setattr`/`sys`/..., the module functions it calls likewise;
a target bound otherwise, `f = memo(_f)`, or anything not understood counts as a change), and
each argument is unshared: an immutable value (constants, tuples, scalar
builtins, names only ever bound to such, loop variables over `range`, strings or displays of
such), a fresh display (`[2, 7, 11]`), a lambda, a data name no definition reads, or a name
nothing binds. So `print(fizzbuzz(7, {7: "Bazz"}))` stays when fizzbuzz updates a global table
from it. Not followed: what a library function does to an object of its own module.

*Pure* parts call nothing but the target, `print`/`pprint`, builtins that only compute from their
arguments (`len`, `range`, `str`, `sorted`, ... listed in `PURE_BUILTINS`, not rebound by the
module), functions of standard-library modules that only compute (`math.isclose`, `Counter`,
`sys.getsizeof`: `PURE_MODULES`, `PURE_QUALIFIED`), methods of string literals
(`", ".join(...)`), the target's `cache_info()`, and module functions whose own bodies are
pure in the same sense (locals only: no `global`, no stores into objects, no decorators); they
store only into plain names that nothing else reads (no function, class or kept statement of the
module). Anything else stays: a call of another module function, a method, `setattr`, a store
into an object, an import.

A pure part also hands nothing with effects to what it calls, since a builtin may call or
consume what it is given (`print(list(map(RULES.remove, ...)))`, `sorted(xs, key=obj.method)`,
`iter(f, sentinel)`, `next(it)`, `print(*it)`): an attribute read as a value must be a pure
module's, a string literal's or an immutable builtin type's (`str.upper`), and a global read
anywhere but where it is only looked at (an argument of `print`/`len`/`repr`, a formatted value,
a truth test, a side of `==`) must be the target, a pure builtin, function or import, a name
nothing binds, or a *data name*: one every binding of which assigns plain data
(`CASES = [(3, "Fizz")]`, `n = len(CASES)`) or lies in a demo, and whose object nothing that
runs hands on to be changed (a method call on it, a store into it, passing it to a call that is
not pure, aliasing it). Not followed: an element of a data name changed through another name.

What stays runs at import exactly as in the program as written (a
demo that is kept and crashes fails the import, as it would for the program itself).
Not followed: a user class's `__str__`/`__format__`/operator methods run by a demo's formatting
or arithmetic (a demo is taken to show values, not to change them through them).
"""

from __future__ import annotations

import ast
import builtins
import symtable
from collections.abc import Callable, Iterable
from typing import TypeVar

from roundtrip_eval.eval.target_state import changes_state

_T = TypeVar("_T")
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
_IMMUTABLE_TYPES = frozenset({"str", "bytes", "int", "float", "complex", "bool", "tuple", "frozenset"})
_SCALAR_BUILTINS = frozenset({
    "abs", "all", "any", "ascii", "bin", "bool", "bytes", "callable", "chr", "complex", "divmod",
    "float", "format", "hash", "hex", "int", "isinstance", "issubclass", "len", "oct", "ord", "pow",
    "range", "repr", "round", "str",
})  # fmt: skip
"""Pure builtins whose result is plain data whatever they are given."""
_CONTAINER_BUILTINS = frozenset({"dict", "frozenset", "list", "max", "min", "set", "sorted", "sum", "tuple"})
"""Pure builtins whose result holds what they are given (plain data when that is)."""
_INERT_SHAPES = (
    ast.List, ast.Tuple, ast.Set, ast.Dict, ast.Starred, ast.BinOp, ast.UnaryOp, ast.BoolOp,
    ast.Compare, ast.IfExp, ast.JoinedStr, ast.FormattedValue, ast.Subscript, ast.Slice,
)  # fmt: skip
_BUILTIN_EXCEPTIONS = frozenset(
    n for n, v in vars(builtins).items() if isinstance(v, type) and issubclass(v, BaseException)
)
"""Read in a demo's `except ValueError:`; a class, not state a demo could change."""
_BUILTIN_NAMES = frozenset(dir(builtins))
_NAMESPACE_ACCESS = frozenset({
    "globals", "vars", "locals", "exec", "eval", "setattr", "delattr", "__import__", "__dict__", "modules",
    "__builtins__",
})  # fmt: skip
"""Names and attributes that can bind a module name without a statement that names it."""
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

    def __init__(self, tree: ast.Module, top: symtable.SymbolTable, function: str,
                 data: frozenset[str] | None = None, read_globally: frozenset[str] = frozenset(),
                 ) -> None:  # fmt: skip
        self.function = function
        self.read_globally = read_globally
        self.own = {n.name for n in tree.body if isinstance(n, _DEFINITIONS)} - {function}
        rebound = _module_bindings(top)
        self.builtins = {n for n in PURE_BUILTINS | OUTPUT_CALLS if n not in rebound}
        self.exceptions = {n for n in _BUILTIN_EXCEPTIONS if n not in rebound}
        self.imported = _imports(tree, rebound)
        self.data = frozenset() if data is None else data
        self.unbound = _unbound_names(tree, rebound)
        self.constants = _constant_names(tree, self.builtins)
        self.target_changes_module = changes_state(tree, function, frozenset(self.builtins | self.exceptions),
                                                   frozenset(self.constants), self.imported, _is_pure_import)
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
                body, local = bodies[name].body, _function_locals(bodies[name])
                if not all(self.is_pure(s, pure, in_function=True, local=local) for s in body):
                    pure.discard(name)
                    shrunk = True
        return pure

    def is_pure(self, node: ast.AST, pure_functions: set[str] | None = None, in_function: bool = False,
                local: frozenset[str] = frozenset()) -> bool:  # fmt: skip
        """Whether `node` uses only pure syntax, calls and stores, and hands nothing that may
        change the program's state to what it calls (`map(RULES.remove, ...)`, `next(it)`)."""
        pure = self.pure_functions if pure_functions is None else pure_functions
        allowed = (*_PURE_NODES, ast.Return, ast.Raise) if in_function else _PURE_NODES
        vetted: set[int] = set()  # the callee of a call found pure, and the owner of a pure method
        for inner in ast.walk(node):
            if not isinstance(inner, allowed):
                return False
            if isinstance(inner, ast.Attribute | ast.Subscript | ast.Starred):
                if isinstance(inner.ctx, ast.Store | ast.Del):
                    return False  # a store into an object
            elif isinstance(inner, ast.Call):
                if not self._pure_call(inner.func, pure) or self.writes_elsewhere(inner):
                    return False
                own = _called_name(inner) in {self.function, *pure}
                if own and not self.harmless_target_call(inner, node, local):
                    return False
                vetted.add(id(inner.func))
                if isinstance(inner.func, ast.Attribute):
                    vetted.add(id(inner.func.value))
        for inner in ast.walk(node):
            attribute = inner if isinstance(inner, ast.Attribute) and id(inner) not in vetted else None
            if attribute is not None and not self._pure_attribute(attribute):
                return False  # a bound method or an object's part handed over as a value
        shown = _shown_only(node)
        for name, is_local in _scoped_loads(node, local):
            if is_local or id(name) in vetted or id(name) in shown:
                continue
            if not self.readable(name.id, pure):
                return False  # module state that a call may consume or call (`next(it)`)
        return True

    def writes_elsewhere(self, call: ast.Call) -> bool:
        """An output call that may write somewhere other than the screen: a `print` with a
        `file=` (a `pprint` with a `stream=`) not shown to be `sys.stdout`/`sys.stderr`, or with
        `**` keywords. `print(word, file=buffer)` fills data the program reads back: set-up."""
        if _called_name(call) not in OUTPUT_CALLS:
            return False
        for keyword in call.keywords:
            if keyword.arg is None:
                return True
            if keyword.arg in ("file", "stream") and not self._standard_stream(keyword.value):
                return True
        return False

    def _standard_stream(self, node: ast.expr) -> bool:
        """`sys.stdout`/`sys.stderr` (or the name imported from `sys`) of the real `sys`."""
        streams = ("sys.stdout", "sys.stderr")
        if isinstance(node, ast.Name):
            return self.imported.get(node.id) in streams
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            owner = self.imported.get(node.value.id)
            return owner is not None and f"{owner}.{node.attr}" in streams
        return False

    def readable(self, name: str, pure: set[str] | None = None) -> bool:
        """Whether reading global `name` in a demo can hand over nothing with effects: the target,
        a pure builtin, function or import, a builtin exception, a data name (`_data_names`), or a
        name nothing binds (reading it raises `NameError`, as the program as written would)."""
        pure = self.pure_functions if pure is None else pure
        if name == self.function or name in self.builtins or name in pure or name in self.exceptions:
            return True
        dotted = self.imported.get(name)
        if name in self.data or name in self.unbound:
            return True
        return dotted is not None and (dotted in PURE_MODULES or _is_pure_import(dotted))

    def harmless_target_call(self, call: ast.Call, statement: ast.AST,
                             local: frozenset[str] = frozenset()) -> bool:  # fmt: skip
        """A call of the target that cannot change what a later call computes: the target
        changes no module state itself (`target_state.changes_state`), and every argument is an immutable
        value (a constant, a tuple or operation of such, a name only ever bound to one, or a loop
        variable over such values), so the target cannot store into what it is given."""
        target = _called_name(call) == self.function
        if (target and self.target_changes_module) or any(isinstance(a, ast.Starred) for a in call.args):
            return False
        loops = _immutable_loop_names(statement, self) | local  # a pure function's own names
        given = [*call.args, *(k.value for k in call.keywords)]
        return all(_deep_safe(self.unshared, a, loops) for a in given)

    def unshared(self, node: ast.expr, local: frozenset[str]) -> bool:
        """Whether changing `node`'s value could change nothing kept: an immutable value, a
        fresh display (`[2, 7, 11]`) of such values, or a name only demos see (`demo_only`)."""
        if self.immutable(node, local) or self.demo_only(node) or isinstance(node, ast.Lambda):
            return True  # a lambda's body is pure: the statement holding it is checked whole
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            return all(self.unshared(e, local) for e in node.elts)
        if isinstance(node, ast.Dict):
            return all(p is not None and self.unshared(p, local) for p in [*node.keys, *node.values])
        return False

    def demo_only(self, node: ast.expr) -> bool:
        """A name whose object only demos can see: a data name no definition reads (changing it
        changes nothing kept), or a name nothing binds (reading it raises `NameError`)."""
        if not isinstance(node, ast.Name):
            return False
        return node.id in self.unbound or (node.id in self.data and node.id not in self.read_globally)

    def immutable(self, node: ast.expr, local: frozenset[str] = frozenset()) -> bool:
        """Whether `node`'s value is immutable data: constants, tuples, operations and formatted
        strings of such, scalar builtins' results, names in `local` or `constants`."""
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.Name):
            return node.id in local or node.id in self.constants
        if isinstance(node, ast.Call):
            return _called_name(node) in _SCALAR_BUILTINS and _called_name(node) in self.builtins
        if isinstance(node, ast.Tuple | ast.BinOp | ast.UnaryOp | ast.BoolOp | ast.Compare | ast.IfExp
                      | ast.JoinedStr | ast.FormattedValue):  # fmt: skip
            parts = [c for c in ast.iter_child_nodes(node) if isinstance(c, ast.expr)]
            return all(self.immutable(c, local) for c in parts)
        return False

    def _data_import_call(self, func: ast.expr) -> bool:
        """A pure standard-library call whose result holds only what it is given (not an
        iterator: `itertools`, `re.finditer`)."""
        if isinstance(func, ast.Name):
            dotted = self.imported.get(func.id)
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            owner = self.imported.get(func.value.id)
            dotted = None if owner is None else f"{owner}.{func.attr}"
        else:
            return False
        lazy = dotted is not None and (dotted.startswith("itertools.") or dotted == "re.finditer")
        return _is_pure_import(dotted) and not lazy

    def _pure_attribute(self, node: ast.Attribute) -> bool:
        """An attribute read as a value that cannot be a callable with effects: a pure module's
        (`math.pi`, `math.sqrt` handed to `map`), a method of a string literal or an immutable
        builtin type (`str.upper`), or the target's name or cache statistics."""
        owner = node.value
        if isinstance(owner, ast.Constant):
            return isinstance(owner.value, str | bytes)
        if not isinstance(owner, ast.Name):
            return False
        if owner.id in self.imported:
            return _is_pure_import(f"{self.imported[owner.id]}.{node.attr}")
        if owner.id in _IMMUTABLE_TYPES and owner.id in self.builtins:
            return True
        dunder = node.attr.startswith("__") and node.attr.endswith("__")
        return owner.id == self.function and (dunder or node.attr in CACHE_READS)

    def pure_call(self, func: ast.expr) -> bool:
        """Whether calling `func` only computes (see the module docstring)."""
        return self._pure_call(func, self.pure_functions)

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

    def inert(self, node: ast.expr) -> bool:
        """Whether the value of `node` is plain data (no callable with effects, no iterator):
        literals, displays and comprehensions of data, data names, scalars a builtin makes
        (`len(x)`, `int(s)`), containers of data (`list(range(5))`, `sorted(CASES)`). Too deep
        to follow is not shown to be data."""
        try:
            return self._inert(node, frozenset())
        except RecursionError:
            return False

    def _inert(self, node: ast.expr, local: frozenset[str]) -> bool:
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.Name):
            return node.id in local or (self.readable(node.id) and node.id not in self.imported)
        if isinstance(node, ast.Call):
            parts = [*node.args, *(k.value for k in node.keywords)]
            if self._data_import_call(node.func):  # `Counter(...)`, `math.sqrt(2)`
                return all(self._inert(p, local) for p in parts)
            name = _called_name(node)
            if name not in self.builtins:
                return False
            if name in _SCALAR_BUILTINS:
                return True
            return name in _CONTAINER_BUILTINS and all(self._inert(p, local) for p in parts)
        if isinstance(node, ast.Attribute):
            return isinstance(node.value, ast.Name) and self._pure_attribute(node)
        if isinstance(node, ast.ListComp | ast.SetComp | ast.DictComp):
            inner = local | _targets(node.generators)
            firsts = [node.generators[0].iter]
            rest = [*(g.iter for g in node.generators[1:]), *(c for g in node.generators for c in g.ifs)]
            elts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
            outer = all(self._inert(p, local) for p in firsts)
            return outer and all(self._inert(p, inner) for p in rest + elts)
        if isinstance(node, _INERT_SHAPES):
            return all(self._inert(c, local) for c in ast.iter_child_nodes(node) if isinstance(c, ast.expr))
        return False

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


_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _constant_names(tree: ast.Module, pure_builtins: set[str]) -> set[str]:
    """Module names only ever bound, at top level, to a constant or a tuple of constants
    (`N = 15`, `CASE = (3, "Fizz")`), and declared `global` nowhere."""
    bindings: dict[str, int] = {}
    for n in ast.walk(tree):
        if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load):
            bindings[n.id] = bindings.get(n.id, 0) + 1
        elif isinstance(n, ast.Global | ast.Nonlocal):
            for name in n.names:
                bindings[name] = bindings.get(name, 0) + 2  # never counted as constant
    plain: dict[str, int] = {}
    runs = [n for top in tree.body if not isinstance(top, _DEFINITIONS) for n in _module_level(top)]
    for node in runs:
        if isinstance(node, ast.Assign) and _deep_safe(_constant_value, node.value, pure_builtins):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    plain[target.id] = plain.get(target.id, 0) + 1
    return {name for name, count in plain.items() if bindings.get(name) == count}


def _deep_safe(check: Callable[[ast.expr, _T], bool], node: ast.expr, extra: _T) -> bool:
    """`check(node, extra)`, False where the expression nests too deep to follow (`------1`)."""
    try:
        return check(node, extra)
    except RecursionError:
        return False


def _constant_value(node: ast.expr, pure_builtins: set[str]) -> bool:
    """A constant, a tuple of such, or a scalar builtin's result (`int(text)`)."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Call):
        name = _called_name(node)
        return name in _SCALAR_BUILTINS and name in pure_builtins
    if isinstance(node, ast.Tuple | ast.UnaryOp):
        parts = [c for c in ast.iter_child_nodes(node) if isinstance(c, ast.expr)]
        return all(_constant_value(c, pure_builtins) for c in parts)
    return False


def _immutable_loop_names(statement: ast.AST, purity: _Purity) -> frozenset[str]:
    """Names a statement's `for` loops and comprehensions bind to immutable values: over
    `range(...)`, a string, or a display (or a name only ever bound to a display) of immutable
    values (`for n, expected in [(3, "Fizz"), (5, "Buzz")]`)."""
    names: set[str] = set()
    for n in ast.walk(statement):
        if not isinstance(n, ast.For | ast.comprehension):
            continue
        plain = all(isinstance(t, ast.Name | ast.Tuple | ast.List | ast.Store) for t in ast.walk(n.target))
        if plain and _immutable_elements(n.iter, purity, frozenset(names)):
            names |= {t.id for t in ast.walk(n.target) if isinstance(t, ast.Name)}
    return frozenset(names)


def _immutable_elements(node: ast.expr, purity: _Purity, local: frozenset[str]) -> bool:
    if isinstance(node, ast.Call):
        return _called_name(node) == "range" and "range" in purity.builtins
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str | bytes)
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return all(_deep_safe(purity.immutable, e, local) for e in node.elts)
    return purity.demo_only(node)


def _scoped_loads(node: ast.AST, local: frozenset[str]) -> Iterable[tuple[ast.Name, bool]]:
    """Every name `node` reads, and whether it is local there (a lambda's parameter, a
    comprehension's variable, a name in `local`) rather than a global of the module. Iterative:
    an expression may nest deeper than Python's recursion limit (`X = ------1`)."""
    todo: list[tuple[ast.AST, frozenset[str]]] = [(node, local)]
    while todo:
        current, names = todo.pop()
        if isinstance(current, ast.Name):
            if isinstance(current.ctx, ast.Load):
                yield current, current.id in names
        elif isinstance(current, ast.Lambda):
            args = current.args
            todo += [(d, names) for d in [*args.defaults, *filter(None, args.kw_defaults)]]
            todo.append((current.body, names | _parameters(args)))
        elif isinstance(current, _COMPREHENSIONS):
            gens = current.generators
            inner = names | _targets(gens)
            parts: list[ast.AST] = [*(g.iter for g in gens[1:]), *(c for g in gens for c in g.ifs)]
            parts += [current.key, current.value] if isinstance(current, ast.DictComp) else [current.elt]
            todo += [(gens[0].iter, names), *((part, inner) for part in parts)]
        else:
            todo += [(child, names) for child in ast.iter_child_nodes(current)]


_SHOWING_CALLS = frozenset({"print", "pprint", "len", "repr", "str", "ascii", "format", "isinstance",
                            "issubclass", "type", "id", "hash", "bool", "callable"})  # fmt: skip
"""Calls that look at an object without iterating or calling it (a user class's dunder methods
aside, as the module docstring says)."""


def _shown_only(node: ast.AST) -> set[int]:
    """Ids of the names `node` only looks at: an argument of `print`, `len`, `repr`...
    (not unpacked with `*`), a formatted value, a truth test, a side of `==`/`<`/`is` (not of
    `in`, which may consume an iterator). Reading any object so changes nothing; a name in any
    other place must be data (`readable`)."""
    seen: set[int] = set()
    for inner in ast.walk(node):
        looked: list[ast.expr] = []
        if isinstance(inner, ast.Call) and _called_name(inner) in _SHOWING_CALLS:
            looked = [*inner.args, *(k.value for k in inner.keywords)]
        elif isinstance(inner, ast.FormattedValue):
            looked = [inner.value]
        elif isinstance(inner, ast.Assert | ast.If | ast.While | ast.IfExp):
            looked = [inner.test]
        elif isinstance(inner, ast.BoolOp):
            looked = list(inner.values)
        elif isinstance(inner, ast.UnaryOp) and isinstance(inner.op, ast.Not):
            looked = [inner.operand]
        elif isinstance(inner, ast.Compare):
            consumes = any(isinstance(op, ast.In | ast.NotIn) for op in inner.ops)
            looked = [] if consumes else [inner.left, *inner.comparators]
        seen |= {id(e) for e in looked if isinstance(e, ast.Name)}
    return seen


def _parameters(args: ast.arguments) -> set[str]:
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs, *filter(None, [args.vararg, args.kwarg])]
    return {a.arg for a in every}


def _function_locals(node: ast.FunctionDef) -> frozenset[str]:
    """A function's parameters and the names it binds in its own scope (not `global` ones)."""
    names = _parameters(node.args)
    declared: set[str] = set()
    todo: list[ast.AST] = list(node.body)
    while todo:
        current = todo.pop()
        if isinstance(current, ast.Name) and not isinstance(current.ctx, ast.Load):
            names.add(current.id)
        elif isinstance(current, ast.Global | ast.Nonlocal):
            declared |= set(current.names)
        if not isinstance(current, (*_DEFINITIONS, ast.Lambda, *_COMPREHENSIONS)):
            todo += list(ast.iter_child_nodes(current))
    return frozenset(names - declared)


def _data_names(tree: ast.Module, purity: _Purity, outside: set[int], read_globally: set[str],
                ) -> frozenset[str]:  # fmt: skip
    """Module names a demo may read without effect: every binding of the name is an assignment
    of plain data (`CASES = [(3, "Fizz")]`) or lies in a statement that does not run as written
    (a demo, a `__main__` block: ids in `outside`), and nothing that runs hands the object on to
    be changed (a method call on it, a store into it, passing or aliasing it, outside pure
    functions). Not followed: an element of the object changed through another name (the
    contents of a data name are taken as data). Where the module may bind names without naming
    them (`globals()`, `exec`, `setattr`), only names bound by demos alone and spelled in no
    string are data. In a definition only the globals it reads (`read_globally`) count."""
    runs = [n for n in tree.body if id(n) not in outside]
    dynamic = _binds_unnamed(tree)
    strings = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    spelled = " ".join(strings)
    excluded: set[str] = set()
    for node in tree.body:
        if isinstance(node, _DEFINITIONS):
            excluded.add(node.name)
            excluded |= {n for inner in ast.walk(node) if isinstance(inner, ast.Global) for n in inner.names}
        elif isinstance(node, ast.Import | ast.ImportFrom):
            excluded |= _stored_names(node)
        elif id(node) not in outside and (dynamic or not _inert_binding(node, purity)):
            excluded |= _module_stores(node)
    looking = purity.builtins & (_SHOWING_CALLS | _SCALAR_BUILTINS | _CONTAINER_BUILTINS)
    bound = {n for node in tree.body if not isinstance(node, _DEFINITIONS) for n in _module_stores(node)}
    candidates = bound - excluded  # a name no statement binds is a builtin (`exec`) or unknown
    if dynamic:
        candidates = {n for n in candidates if n not in spelled}
    for node in runs:
        if isinstance(node, ast.FunctionDef) and node.name in purity.pure_functions:
            continue  # a pure function changes nothing it is given
        handed = _handed_on(node, looking)
        candidates -= handed & read_globally if isinstance(node, _DEFINITIONS) else handed
    return frozenset(candidates)


def _unbound_names(tree: ast.Module, rebound: set[str]) -> set[str]:
    """Names the module reads that nothing binds, no builtin has, and no function declares
    `global` (none, where the module may bind names without naming them: `globals()`...)."""
    if _binds_unnamed(tree):
        return set()
    nodes = list(ast.walk(tree))
    declared = {name for n in nodes if isinstance(n, ast.Global) for name in n.names}
    read = {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return read - rebound - declared - _BUILTIN_NAMES


def _binds_unnamed(tree: ast.Module) -> bool:
    """Whether the module may bind a global without a statement naming it (`globals()[k] = v`,
    `exec`, `setattr(sys.modules[__name__], ...)`)."""
    return any(
        (isinstance(n, ast.Name) and n.id in _NAMESPACE_ACCESS)
        or (isinstance(n, ast.Attribute) and n.attr in _NAMESPACE_ACCESS)
        for n in ast.walk(tree)
    )


def _targets(generators: list[ast.comprehension]) -> set[str]:
    """The names a comprehension's `for` clauses bind (local to it)."""
    return {n.id for g in generators for n in ast.walk(g.target) if isinstance(n, ast.Name)}


def _module_stores(node: ast.stmt) -> set[str]:
    """Names a top-level statement binds in the module's scope (with `except ... as` names)."""
    names = {n.id for n in _module_level(node) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    return names | {n.name for n in ast.walk(node) if isinstance(n, ast.ExceptHandler) and n.name}


def _module_level(node: ast.AST) -> list[ast.AST]:
    """The nodes of a statement in the module's scope (not a lambda's or comprehension's)."""
    found: list[ast.AST] = []
    todo = [node]
    while todo:
        current = todo.pop()
        found.append(current)
        if isinstance(current, _COMPREHENSIONS):
            todo.append(current.generators[0].iter)
            todo += [n for n in ast.walk(current) if isinstance(n, ast.NamedExpr)]  # `:=` binds outside
        elif not isinstance(current, (*_DEFINITIONS, ast.Lambda)):
            todo += list(ast.iter_child_nodes(current))
    return found


def _inert_binding(node: ast.stmt, purity: _Purity) -> bool:
    """`NAME = <plain data>` (also `a, b = ...`, `NAME: T = ...`, `NAME += ...`)."""
    if isinstance(node, ast.Assign):
        targets, value = node.targets, node.value
    elif isinstance(node, ast.AnnAssign | ast.AugAssign) and node.value is not None:
        targets, value = [node.target], node.value
    else:
        return False
    shapes = (ast.Name, ast.Tuple, ast.List, ast.Starred, ast.Store)
    plain = all(isinstance(n, shapes) for t in targets for n in ast.walk(t))
    return plain and purity.inert(value)


_PLAIN_READERS = (
    ast.comprehension, ast.For, ast.Compare, ast.BinOp, ast.BoolOp, ast.UnaryOp, ast.FormattedValue,
    ast.If, ast.While, ast.Assert, ast.Expr, ast.IfExp,
)  # fmt: skip


def _handed_on(node: ast.AST, looking: set[str]) -> set[str]:
    """Global names whose object a statement may hand on to be changed: a method called on it
    or on its element, a store into it, the object passed to a call, returned, stored or aliased.
    Iterating it, comparing it, formatting it, indexing it with a plain read or giving it to a
    builtin in `looking` (`len`, `sorted`: one that neither keeps nor calls what it is given) is not."""
    parents: dict[int, ast.AST] = {}
    for outer in ast.walk(node):
        for child in ast.iter_child_nodes(outer):
            parents[id(child)] = outer
    handed: set[str] = set()
    for name in ast.walk(node):
        if not (isinstance(name, ast.Name) and isinstance(name.ctx, ast.Load)):
            continue
        current: ast.AST = name
        parent: ast.AST | None = parents.get(id(current))
        element = False
        while isinstance(parent, ast.Subscript) and parent.value is current:
            if not isinstance(parent.ctx, ast.Load):
                handed.add(name.id)  # a store into it
            current, parent, element = parent, parents.get(id(parent)), True
        if isinstance(parent, ast.Attribute):
            handed.add(name.id)
        elif isinstance(parent, ast.Subscript) and parent.slice is current:
            continue  # used as an index
        elif isinstance(parent, ast.Call) and current in parent.args and _called_name(parent) in looking:
            continue  # `len(arr)`, `sorted(arr)`: looked at or copied, not kept or changed
        elif not element and not isinstance(parent, _PLAIN_READERS):
            handed.add(name.id)
        elif not element and isinstance(parent, ast.IfExp) and parent.test is not current:
            handed.add(name.id)  # `x = A if c else B` aliases A
    return handed


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
    blocking = _blocking_functions(tree)
    removed: list[ast.stmt] = []
    maybe: list[ast.stmt] = []  # statements that may stop only in a branch (`if ...: import x /
    # else: sys.exit()`): removed unless a name they bind is read
    rest: list[ast.stmt] = []
    shared = _sharing_a_line(tree.body)
    for node in tree.body:
        if isinstance(node, (*_DEFINITIONS, ast.Import, ast.ImportFrom)) or id(node) in shared:
            continue
        stops = _stops(node, blocking)
        if _is_main_block(node) or stops == "always":
            removed.append(node)
        elif stops == "maybe":
            maybe.append(node)
        else:
            rest.append(node)
    # the greatest set of demos and data names that agree: a demo reads only data names (or the
    # names demos bind), and a data name is bound and handed on by nothing but demos
    data = frozenset(n.id for n in ast.walk(tree) if isinstance(n, ast.Name))  # narrowed below
    globally = _read_by_definitions(tree, top)  # a definition's own parameters and locals aside
    while True:
        purity = _Purity(tree, top, function, data, frozenset(globally))
        shown = [n for n in rest if purity.shows_the_code(n) and purity.is_pure(n)]
        narrowed = data & _data_names(tree, purity, {id(n) for n in removed + shown}, globally)
        if narrowed == data:
            break
        data = narrowed
    shown += maybe
    guarded = {id(n) for n in maybe if not _leaves_state_alone(n, purity, blocking)}
    read = globally | {function}
    kept = [n for n in tree.body if n not in removed and n not in shown and not isinstance(n, _DEFINITIONS)]
    for node in kept:
        read |= _loaded_names(node)
    bound_by_kept: set[str] = set()  # names a demo kept below binds: what reads them is kept too
    grown = True
    while grown:  # a demo whose binding something kept reads is kept, and what it reads is then
        grown = False  # read; so is a demo that reads what such a demo binds (it may consume it)
        for node in list(shown):
            touched = _names_beside_the_stop(node, purity, blocking) if node in maybe else set()
            if id(node) in guarded or touched & (read | bound_by_kept) or \
                    _stored_names(node) & read or _loaded_names(node) & bound_by_kept:  # fmt: skip
                shown.remove(node)
                read |= _loaded_names(node)
                bound_by_kept |= _stored_names(node) - {function}  # calling the target is a demo
                grown = True
    return removed + shown


def _stopping_calls(node: ast.AST, blocking: set[str]) -> list[ast.Call]:
    return [c for c in ast.walk(node) if isinstance(c, ast.Call)
            and (_is_exit(c) or _is_blocking_call(c) or _called_name(c) in blocking)]  # fmt: skip


def _names_beside_the_stop(node: ast.stmt, purity: _Purity, blocking: set[str]) -> set[str]:
    """Every name a statement that may stop names, at any depth, bound or read, other than the
    name of the stopping call itself (`sys` of `sys.exit`, `input`): a statement that names
    what kept code reads may change it (`VALUES[symbol] = value` beside a guarded exit)."""
    callee = set()
    for call in _stopping_calls(node, blocking):
        root = call.func.value if isinstance(call.func, ast.Attribute) else call.func
        callee.add(id(root))
    targets = [c for c in ast.walk(node) if isinstance(c, ast.Call) and _called_name(c) == purity.function]
    # a call of the target that cannot change state only reads it
    callee |= {id(c.func) for c in targets if purity.harmless_target_call(c, node)}
    names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and id(n) not in callee}
    return names | _stored_names(node)


def _leaves_state_alone(node: ast.stmt, purity: _Purity, blocking: set[str]) -> bool:
    """Whether a statement that may stop changes nothing but its own names: no store into or
    deletion from an object, no `global`, no call but the stopping ones and pure calls (not of
    the target, which may change module state). Rule 3 removes only such a statement."""
    stops = {id(c) for c in _stopping_calls(node, blocking)}
    for n in ast.walk(node):
        if isinstance(n, ast.Attribute | ast.Subscript) and isinstance(n.ctx, ast.Store | ast.Del):
            return False
        if isinstance(n, ast.Global | ast.Nonlocal | ast.Delete):
            return False
        if isinstance(n, ast.Call) and id(n) not in stops:
            target = _called_name(n) == purity.function
            if target and not purity.harmless_target_call(n, node):
                return False
            if not target and not purity.pure_call(n.func):
                return False
    return True


def _sharing_a_line(body: list[ast.stmt]) -> set[int]:
    """ids of the top-level statements that share a physical line with another (`A; print(f(3))`).

    Removal deletes whole lines, so such a demo is kept, and counts as kept (what it reads is
    read): deleting its line would delete the statement beside it (a correct program's table,
    or a wrong program's rebinding), and keeping a demo runs it as the program as written does.
    """
    owners: dict[int, list[int]] = {}
    for node in body:
        for line in range(node.lineno, (node.end_lineno or node.lineno) + 1):
            owners.setdefault(line, []).append(id(node))
    return {owner for ids in owners.values() if len(ids) > 1 for owner in ids}


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
