"""Extract code and specs from model replies, strictly or tolerantly.

Why two modes: the original harness took the first fenced block matching a narrow pattern,
and chatty preambles, lone or unterminated fences and `<think>` blocks turned correct code
into "failures". `tolerant` (the default) recovers the code a human reader would see;
`strict` (the first complete fenced block, nothing else) measures format discipline. Every
extraction records the rule that fired, so any verdict can be traced to how the code was found.

What counts as code (so that `extraction` means *no code at all*, and code that is there but
wrong reaches the checker as `syntax` or `signature`): Python that parses; a whole line in inline
backticks; a line that opens a definition in some notation (`def`/`function`/`FUNCTION name(`,
`(define ...`, or the target's name followed by `(`, `:` or `=` at the start of a line); a line
that opens or closes a brace block; and the content of a fenced block that is tagged with a
language (not `text`/`markdown`) or reads as code by those rules, and is more than comments.
Prose that merely mentions code inline is not code.
"""

from __future__ import annotations

import ast
import builtins
import io
import itertools
import re
import symtable
import textwrap
import tokenize
from dataclasses import dataclass
from typing import TypeGuard

from roundtrip_eval.eval.demos import demo_lines

MODES = ("tolerant", "strict", "first_fence")
_FIRST_FENCE = re.compile(r"```(?:\w+)?\s*([\s\S]*?)```")
"""EvaLooop's code extraction: the first fenced block (its pattern), else the whole reply."""
MAX_SALVAGE_LINES = 400

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*([\w+.-]*)")
_PROSE_FENCES = {"text", "txt", "plaintext", "markdown", "md"}
_INLINE_CODE_LINE = re.compile(r"^`[^`]+`$")
_DEFINITION = re.compile(
    r"^(def|function|FUNCTION|func|fn|fun|procedure|PROCEDURE|sub)\s+[A-Za-z_][\w.]*\s*\("
    r"|^\(\s*(define|defun|def|lambda)\b"
)
_BRACES = re.compile(r"(^\}|\{$)")
_LINE_END = re.compile(r"\r?\n")
_SOURCE_LINE_END = re.compile(r"\r\n|\r|\n")
"""Where Python's parser ends a line (a lone `\r` too), so that `ast` line numbers index it."""


@dataclass(frozen=True)
class Extraction:
    code: str | None
    rule: str


@dataclass(frozen=True)
class _Block:
    lang: str
    text: str
    terminated: bool


def strip_think(text: str) -> tuple[str, bool]:
    """Drop reasoning blocks; returns the text and whether anything was removed.

    A reasoning block is prose around the answer, never part of its code: a `<think>` or
    `</think>` inside fenced code (a comment, a string literal) is the program's own text and
    stays, unless the tag is alone on its line and the fenced block with that line does not
    parse as Python (reasoning may open a fence it never closes; a line of a multi-line string
    may be the tag alone). A closing tag without an opening one drops what precedes it."""
    tags = _think_tags(text)
    if not tags:
        return text, False
    spans: list[tuple[int, int]] = []
    orphan: int | None = None
    opened: tuple[int, int] | None = None
    for start, end, closing in tags:
        if opened is not None and closing:
            spans.append((opened[0], end))
            opened = None
        elif opened is None and closing:
            orphan = end
        elif opened is None:
            opened = (start, end)
    if orphan is not None:  # closing tag without an opening one: drop what precedes it
        spans = [(0, orphan)] + [(a, b) for a, b in spans if a >= orphan]
    elif opened is not None:  # unterminated reasoning: keep the text, drop the tag
        spans.append(opened)
    stripped, at = [], 0
    for start, end in spans:
        stripped.append(text[at:start])
        at = end
    stripped.append(text[at:])
    joined = "".join(stripped)
    return joined, joined != text


_THINK_TAG = re.compile(r"<(/?)think>", re.I)


def _think_tags(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, is closing) of every reasoning tag outside fenced code, in order. Inside an
    open reasoning block fences are not followed (its code is reasoning too)."""
    tags: list[tuple[int, int, bool]] = []
    fence = ""  # the open fence's marker, if inside fenced code
    code = False  # the open fence's block parses with its lone tag lines: they are its code
    thinking = False
    at = 0
    lines = text.split("\n")
    for number, line in enumerate(lines):
        alone = _lone_tag(line) and not code
        if fence and not thinking and not alone:
            if _closes_fence(line, fence):
                fence, code = "", False
        else:
            if alone:
                fence = ""
            for tag in _THINK_TAG.finditer(line):
                closing = bool(tag.group(1))
                tags.append((at + tag.start(), at + tag.end(), closing))
                thinking = not closing
            match = _FENCE.match(line)
            if match and not thinking and not fence:
                fence = match.group(1)
                code = _tags_in_code(lines, number + 1, fence)
        at += len(line) + 1
    return tags


def _lone_tag(line: str) -> bool:
    return line.strip().lower() in ("<think>", "</think>")


def _closes_fence(line: str, fence: str) -> bool:
    """Whether a line inside fenced code ends it (as `fenced_blocks` reads it): a bare fence of
    the same kind, or code glued to the fence."""
    return _bare_close(line, fence) or _glued_close(line, fence)


def _bare_close(line: str, fence: str) -> bool:
    match = _FENCE.match(line)
    return match is not None and match.group(1)[0] == fence[0] and not match.group(2)


def _glued_close(line: str, fence: str) -> bool:
    return line.rstrip().endswith(fence) and line.strip() != fence


def _fence_in_code(before: list[str], lines: list[str], at: int, fence: str) -> bool:
    """Whether line `at`, which ends with the fence string, is code rather than code glued to
    the closing fence: a bare closing fence follows (before any fence that opens a tagged
    block), and the block read up to it, with line `at` whole, parses (a comment quoting code
    in Markdown, `# e.g. ```f(30)```: red31 cut a correct function there)."""
    block = [*before, lines[at]]
    for line in itertools.islice(lines, at + 1, None):
        match = _FENCE.match(line)
        if match and match.group(2):
            return False
        if _bare_close(line, fence):
            return _parse("\n".join(block)) is not None
        block.append(line)
    return False


def _tags_in_code(lines: list[str], start: int, fence: str) -> bool:
    """Whether the fenced block from `lines[start]` on holds a line that is a reasoning tag
    alone, and parses as Python with it (the line is then part of a multi-line string)."""
    block: list[str] = []
    for line in itertools.islice(lines, start, None):
        if _lone_tag(line):
            block.append(line)
        elif _bare_close(line, fence):
            break
        elif _glued_close(line, fence):
            block.append(line.rstrip()[: -len(fence)])
            break
        else:
            block.append(line)
    if not any(_lone_tag(line) for line in block):
        return False
    code = "\n".join(block)
    return _parse(code) is not None or _parse(textwrap.dedent(code)) is not None


def split_lines(text: str) -> list[str]:
    """Lines as the reply's author wrote them: broken at `\n` or `\r\n` only. `str.splitlines`
    also breaks at U+2028, `\x85`, `\x0c` and more, which Python code may hold inside a string
    literal (and which Python's own parser does not count as line ends)."""
    return _LINE_END.split(text)


def fenced_blocks(text: str) -> list[_Block]:
    """Every fenced block in order; an unterminated last fence runs to the end of the text. A
    code line that ends with the fence string closes the block (code glued to the fence), unless
    a bare close follows and the block read through it parses (`_fence_in_code`)."""
    blocks: list[_Block] = []
    lang, fence = "", ""
    lines: list[str] = []
    inside = False
    all_lines = split_lines(text)
    for number, line in enumerate(all_lines):
        match = _FENCE.match(line)
        if not inside:
            if match:
                inside, fence, lang, lines = True, match.group(1), match.group(2).lower(), []
            continue
        if match and match.group(1)[0] == fence[0] and not match.group(2):
            blocks.append(_Block(lang, "\n".join(lines), True))
            inside = False
        elif _glued_close(line, fence) and not _fence_in_code(lines, all_lines, number, fence):
            lines.append(line.rstrip()[: -len(fence)])  # code line glued to the closing fence
            blocks.append(_Block(lang, "\n".join(lines), True))
            inside = False
        else:
            lines.append(line)
    if inside:
        blocks.append(_Block(lang, "\n".join(lines), False))
    return blocks


_PYTHON_TAGS = ("python", "py", "python3")


def _without_language_line(block: _Block) -> _Block:
    """An untagged block whose first line is only a language name (`python`, as a chat UI's
    copy of a code box gives it) without it, when the block names it nowhere else: run, the
    line could only raise `NameError`; outside a fence the same word is prose already."""
    if block.lang:
        return block
    first, _, rest = block.text.lstrip("\n").partition("\n")
    word = first.strip()
    if word.lower() not in _PYTHON_TAGS or word in _name_tokens(rest):
        return block
    return _Block(block.lang, rest, block.terminated)


def _name_tokens(code: str) -> set[str]:
    """Every name token of `code`; every word of it when it does not tokenize."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError, ValueError, RecursionError, MemoryError):
        return set(re.findall(r"[^\W\d]\w*", code))
    return {tok.string for tok in tokens if tok.type == tokenize.NAME}


def _parse(code: str) -> ast.Module | None:
    try:
        return ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def defines(tree: ast.Module, function: str) -> bool:
    """Whether the module defines `function` at top level with a real body (not a stub)."""
    return any(_is_def_of(node, function) and not is_stub(node) for node in tree.body)


def _is_def_of(node: ast.stmt, function: str) -> TypeGuard[ast.FunctionDef | ast.AsyncFunctionDef]:
    return isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == function


def is_stub(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A signature without behaviour: a body of only `...`, `pass` and/or a docstring
    (`def f(n: int) -> str: ...`), as specs give it and replies restate it "for reference"."""
    return all(
        isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)
                                    and (s.value.value is Ellipsis or isinstance(s.value.value, str)))
        for s in node.body
    )  # fmt: skip


def only_stubs(tree: ast.Module, function: str) -> bool:
    """Whether every top-level binding of `function` is a stub: the block restates a signature."""
    bindings = [n for n in tree.body if function in _top_bindings(ast.Module([n], []))]
    return bool(bindings) and all(_is_def_of(n, function) and is_stub(n) for n in bindings)


def binds(tree: ast.Module, function: str) -> bool:
    """Whether the module binds `function` at top level to something that may be callable:
    a def, a class, or an assignment of anything but a literal (`f = memo(_f)`, `f = F()`,
    `f = Solver.method`, `f = lambda n: ...`)."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if node.name == function:
                return True
        elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            named = any(isinstance(t, ast.Name) and t.id == function for t in targets)
            if named and not isinstance(node.value, ast.Constant):
                return True
    return False


_NAME_BUILDERS = frozenset({"exec", "eval", "setattr", "globals", "vars", "locals", "__import__"})
_NAMESPACE_ATTRIBUTES = frozenset({"__dict__", "modules", "__setattr__"})


def binds_any(tree: ast.Module, function: str) -> bool:
    """Whether the module as written may bind `function` in any way, not only as `binds` reads
    it: any binding at top level (a tuple or starred target, `+=`, `:=`, `for`, `with`, an
    import), a function that declares it `global`, or a call that binds names it builds
    (`exec`, `setattr`, `globals()[...]`) in a module that spells the name. Why: such a block is
    the program as written; salvaging a `def` from elsewhere in its text (a docstring, a
    template handed to `exec`) would check another program. A plain `f = <literal>` does not
    count (`binds` says why)."""
    if binds(tree, function):
        return True
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Constant):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if all(isinstance(t, ast.Name) for t in targets):
                continue
        if function in _top_bindings(ast.Module([node], [])):
            return True
    nodes = list(ast.walk(tree))
    if any(isinstance(n, ast.Global) and function in n.names for n in nodes):
        return True
    builds = any(
        (isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in _NAME_BUILDERS)
        or (isinstance(n, ast.Attribute) and n.attr in _NAMESPACE_ATTRIBUTES)
        for n in nodes
    )  # fmt: skip
    return builds and any(
        (isinstance(n, ast.Constant) and isinstance(n.value, str) and function in n.value)
        or (isinstance(n, ast.Name) and n.id == function)
        for n in nodes
    )  # fmt: skip


def _normalise_strict(code: str) -> str:
    """Strict mode's normalisation, unchanged: every tab becomes four spaces."""
    return textwrap.dedent(code.replace("\t", "    ")).strip("\n") + "\n"


def _normalise(code: str) -> str:
    """Repair indentation (tabs in it become four spaces, a common margin goes) without
    touching the inside of any string literal: a tab in `"3\tFizz"` is data."""
    lines = code.split("\n")
    repairs = any(ln[: len(ln) - len(ln.lstrip())].count("\t") or (ln and not ln.strip()) for ln in lines)
    inside = _string_lines(code) if repairs else set()  # where leading whitespace is data
    for i, line in enumerate(lines):
        if i not in inside:
            body = line.lstrip(" \t")
            lines[i] = line[: len(line) - len(body)].replace("\t", "    ") + body
    margins = [ln[: len(ln) - len(ln.lstrip())] for ln in lines if ln.strip()]
    margin = _common_prefix(margins)
    for i, line in enumerate(lines):
        if not line.strip() and i not in inside:
            lines[i] = ""
        elif line.startswith(margin):
            lines[i] = line[len(margin) :]
    return "\n".join(lines).strip("\n") + "\n"


def _common_prefix(texts: list[str]) -> str:
    if not texts:
        return ""
    low, high = min(texts), max(texts)
    n = next((i for i, (a, b) in enumerate(zip(low, high, strict=False)) if a != b), min(len(low), len(high)))
    return low[:n]


def _string_lines(code: str) -> set[int]:
    """0-based indices of the lines that begin inside a multi-line string literal."""
    for text in (code, "\n".join(ln.lstrip(" \t") for ln in code.split("\n"))):
        try:  # indentation may be what is broken: then find the strings in the flattened text
            tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
        except (tokenize.TokenError, SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        inside: set[int] = set()
        opened: list[int] = []  # f-strings on Python >= 3.12 come as start/middle/end tokens
        for tok in tokens:
            kind = tokenize.tok_name.get(tok.type, "")
            if kind == "FSTRING_START":
                opened.append(tok.start[0])
            elif kind == "FSTRING_END" and opened:
                inside.update(range(opened.pop(), tok.end[0]))
            elif tok.type == tokenize.STRING:
                inside.update(range(tok.start[0], tok.end[0]))
        return inside
    return set()


def _lines_in_strings(text: str) -> set[int]:
    """0-based indices of the lines of loose text that begin inside a string literal. When the
    text parses, every string counts. When it does not (prose around code), only a string that
    opens after code on its line (`T = \'\'\'`, `exec(\"\"\"`) and closes counts, as far as the
    text tokenizes: a lone quote line in prose says nothing about what follows it."""
    parses = _parse(textwrap.dedent(text)) is not None
    flat = "\n".join(ln.lstrip(" \t") for ln in text.split("\n"))  # indentation is not the question
    inside: set[int] = set()
    opened: list[tuple[int, int]] = []  # f-strings on Python >= 3.12 come as start/middle/end tokens
    try:
        for tok in tokenize.generate_tokens(io.StringIO(flat).readline):
            kind = tokenize.tok_name.get(tok.type, "")
            if kind == "FSTRING_START":
                opened.append(tok.start)
                continue
            if kind == "FSTRING_END" and opened:
                (line, col), last = opened.pop(), tok.end[0]
            elif tok.type == tokenize.STRING:
                (line, col), last = tok.start, tok.end[0]
            else:
                continue
            if parses or col > 0:
                inside.update(range(line, last))
    except (tokenize.TokenError, SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    return inside


def _def_line(lines: list[str], function: str) -> int | None:
    """Index of the line that starts `def <function>(`, if any (not inside a string literal)."""
    pattern = re.compile(rf"\s*(async\s+)?def\s+{re.escape(function)}\s*\(")
    quoted = _lines_in_strings("\n".join(lines))
    return next((i for i, ln in enumerate(lines) if i not in quoted and pattern.match(ln)), None)


_ANNOTATION = r"(:\s*[A-Za-z_][\w.\[\], |]*)"
"""A type annotation (`: dict[str, int]`), not prose that happens to parse (`f: f() = 42`)."""
_STATEMENT_START = re.compile(
    r"(@|#|(async\s+)?def\s|class\s|import\s|from\s+\S+\s+import\s|(if|for|while|with|elif)\s.*:"
    r"|(try|else|finally)\s*:|except\b.*:|(match|case)\s.*:|[rRbBuUfF]{0,2}(\"|')"
    r"|(return|assert|del|pass|raise|break|continue|yield|global|nonlocal)\b"
    r"|[A-Za-z_][\w.]*(\[[^\]]*\])?(\s*,\s*[A-Za-z_]\w*)*\s*" + _ANNOTATION
    + r"?\s*([-+*/%&|^@]|//|\*\*|>>|<<)?=(?!=)"
    r"|[A-Za-z_][\w.]*\(.*\)\s*(#.*)?$)"
)
MAX_SALVAGE_STARTS = 8


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _anchors(lines: list[str], function: str) -> list[int]:
    """Every line that binds the target: its def (at any depth) or an assignment to it,
    never a line inside a string literal (a docstring's example, a template for `exec`)."""
    name = re.escape(function)
    pattern = re.compile(rf"\s*((async\s+)?def\s+{name}\s*\(|class\s+{name}\b|{name}\s*{_ANNOTATION}?=(?!=))")
    quoted = _lines_in_strings("\n".join(lines))
    return [i for i, ln in enumerate(lines) if i not in quoted and pattern.match(ln)]


def _code_like(line: str, base: int) -> bool:
    return not line.strip() or _indent(line) > base or _STATEMENT_START.match(line.strip()) is not None


_CLOSER = re.compile(r"\s*[)\]}]")


def _opener(lines: list[str], closer: int, lo: int) -> int | None:
    """The line (from `lo` on) that starts the statement whose brackets line `closer` closes
    (`}` ending a multi-line table, `)` a parenthesised import): the nearest line above it from
    which the lines up to `closer` parse, or None when `closer` closes nothing."""
    if not _CLOSER.match(lines[closer]):
        return None
    for start in range(closer - 1, lo - 1, -1):
        head = lines[start].lstrip()  # inside brackets indentation means nothing: only here
        if head and _parse("\n".join([head, *lines[start + 1 : closer + 1]])) is not None:
            return start
    return None


def _salvage(text: str, function: str) -> str | None:
    """Find the target in loose text: the run of code lines around the line that binds it
    (the class a method or a callable instance needs, the set-up above it), then the longest
    piece of that run that parses and binds the target.

    Only lines *after* the target's own block may be cut (prose, a lone fence): cutting a
    line of its body would turn a syntax error into a different, wrong function.

    When the text binds the target again after that run ("Fixed version:" and a corrected
    `def`), the last restatement that salvages wins, as the last fenced block does, unless
    it runs into the end of a text that stops mid-line or past `MAX_SALVAGE_LINES` (a reply
    cut by its token limit: that restatement may be missing its end).
    """
    every = split_lines(text)
    lines = every[:MAX_SALVAGE_LINES]
    cut = len(every) > len(lines) or not text.endswith("\n")  # the text may stop mid-statement
    anchors = _anchors(lines, function)
    found: str | None = None
    end = 0
    for anchor in anchors:
        if anchor < end:
            continue  # inside the run already salvaged (a nested def, `f = cache(f)`)
        salvaged = _salvage_at(lines, anchor, function)
        if salvaged is None:
            if found is None:
                return None  # as before: the first binding decides whether anything salvages
            continue
        if found is not None and cut and salvaged[1] >= len(lines):
            break  # a restatement the reply's end cuts off (a token limit) is no correction
        found, end = salvaged
    return found


def _salvage_at(lines: list[str], anchor: int, function: str) -> tuple[str, int] | None:
    """The salvaged code around the binding on line `anchor`, and the index of the line after
    the run of code it was cut from."""
    base = own = _indent(lines[anchor])
    first = anchor
    while first > 0:
        if _code_like(lines[first - 1], base):
            first -= 1
        elif (opener := _opener(lines, first - 1, 0)) is not None:  # a whole bracketed statement
            first = opener
        else:
            break
        if lines[first].strip():
            base = min(base, _indent(lines[first]))
    after = range(anchor + 1, len(lines))
    block_end = next((i for i in after if lines[i].strip() and _indent(lines[i]) <= own), len(lines))
    last = block_end
    while last < len(lines) and (
        _code_like(lines[last], base) or _opener(lines, last, block_end) is not None
    ):
        last += 1
    starts = [i for i in range(first, anchor + 1) if lines[i].strip() and _indent(lines[i]) == base]
    starts = starts[:MAX_SALVAGE_STARTS]
    pulled = anchor  # the old rule: the def itself, with the imports and decorators right above it
    while pulled > 0 and re.match(r"\s*(import |from \S+ import |@)", lines[pulled - 1]):
        pulled -= 1
    if pulled not in starts:
        starts.append(pulled)
    for start in starts:
        margin = _indent(lines[start])
        body = [ln[margin:] if ln[:margin].strip() == "" else ln for ln in lines[start:last]]
        for end in range(len(body), block_end - start - 1, -1):
            candidate = _normalise("\n".join(body[:end]))
            tree = _parse(candidate)
            if tree is not None and binds(tree, function):
                return candidate, last
    return None


def _unparsed(text: str, function: str) -> str | None:
    """The target function as written, when it does not parse: the checker calls it syntax."""
    lines = split_lines(text)[:MAX_SALVAGE_LINES]
    start = _def_line(lines, function)
    if start is None:
        return None
    return _normalise("\n".join(lines[start:]))


def sanitize(code: str, function: str) -> tuple[str, bool]:
    """Drop top-level demos (see `roundtrip_eval.eval.demos`): a main block, asserts, prints,
    input, and uses of the module's own code that nothing the function needs depends on.

    Why: small models append demos such as `print(f(10))` that call the function wrongly;
    executing them at import would blame the function for its demo. Set-up the function
    needs stays (`RULES = _make_rules()`, `f = memo(_f)`), and so do definitions, imports and
    `sys.setrecursionlimit(...)`, with their layout. Tolerant mode only.
    """
    tree = _parse(code)
    if tree is None:
        return code, False
    drop = demo_lines(tree, code, function)
    if not drop:
        return code, False
    lines = _SOURCE_LINE_END.split(code)  # numbered as the parser numbers them
    kept = [ln for i, ln in enumerate(lines, start=1) if i not in drop]
    cleaned = "\n".join(kept).strip("\n") + "\n"
    tree = _parse(cleaned)
    if tree is None or not tree.body:
        return code, False
    return cleaned, True


def extract_code(reply: str, function: str, mode: str = "tolerant") -> Extraction:
    """Find the code of `function` in a model reply. `code` is None when nothing was found."""
    if mode not in MODES:
        raise ValueError(f"extraction must be one of {MODES}, not {mode!r}")
    if mode == "strict":
        for block in fenced_blocks(reply):
            if block.terminated:
                return Extraction(_normalise_strict(block.text), "strict:first_fence")
        return Extraction(None, "strict:no_fence")
    if mode == "first_fence":
        match = _FIRST_FENCE.search(reply)
        code = (match.group(1) if match else reply).strip()
        rule = "first_fence" if match else "first_fence:whole_reply"
        return Extraction(code or None, rule if code else "first_fence:empty")
    found = _find_code(reply, function)
    if found.code is None:
        return found
    code, dropped = sanitize(found.code, function)
    return Extraction(code, found.rule + ("+sanitized" if dropped else ""))


def _find_code(reply: str, function: str) -> Extraction:
    """The tolerant search, in order of confidence; see `extract_code`."""
    text, had_think = strip_think(reply)
    prefix = "think+" if had_think else ""
    blocks = [_without_language_line(block) for block in fenced_blocks(text)]
    # 1. fenced blocks that parse and define the target function; the last one wins
    #    (models restate a corrected version after a draft), with the earlier blocks it needs.
    #    A signature stub restates nothing: a block with a real body wins over any stub.
    parsed = [(block, _normalise(block.text)) for block in blocks]
    trees = [_parse(code) for _, code in parsed]
    hits = [i for i, tree in enumerate(trees) if tree is not None and binds(tree, function)]
    real = [i for i in hits if not only_stubs(trees[i] or ast.Module([], []), function)]
    if hits and not real:  # only signature stubs parse: the full function may need salvage
        for block in reversed(blocks):
            salvaged = _salvage(block.text, function)
            tree = _parse(salvaged) if salvaged else None
            if salvaged and tree is not None and not only_stubs(tree, function):
                return Extraction(salvaged, prefix + "fence:salvaged")
    hits = real or hits  # a stub restates nothing: the last block with a real body wins
    if hits:
        block, code = parsed[hits[-1]]
        joined = _needed_blocks(trees, hits[-1], function)
        if not block.terminated:
            rule = "fence:unterminated"
        elif len(joined) > 1:
            rule = f"fence:joined_{len(joined)}_of_{len(blocks)}"
            code = "\n\n".join(parsed[i][1].rstrip("\n") for i in joined) + "\n"
        elif len(blocks) > 1:
            rule = f"fence:target_of_{len(blocks)}"
        else:
            rule = "fence"
        return Extraction(code, prefix + rule)
    # 2. a block that parses and binds the target in a way step 1 does not read (a tuple target,
    #    `exec`, `globals()[...]`) is the program as written; else a block with the target but
    #    junk inside or after it (prose, a lone fence) is salvaged.
    for i in reversed(range(len(blocks))):
        tree = trees[i]
        if tree is not None and binds_any(tree, function):
            return Extraction(parsed[i][1], prefix + "fence:as_written")
        salvaged = _salvage(blocks[i].text, function)
        if salvaged:
            return Extraction(salvaged, prefix + "fence:salvaged")
    # 3. no usable fence: code in prose, or before a lone closing fence.
    unfenced = "\n".join(ln for ln in split_lines(text) if not _FENCE.match(ln))
    whole = _parse(_normalise(unfenced)) if unfenced.strip() else None
    if whole is not None and not binds(whole, function) and binds_any(whole, function):
        return Extraction(_normalise(unfenced), prefix + "bare:as_written")
    salvaged = _salvage(unfenced, function)
    if salvaged:
        return Extraction(salvaged, prefix + "bare")
    # 4. the target function is there but does not parse: a syntax failure, not "no code".
    for block in reversed(blocks):
        broken = _unparsed(block.text, function)
        if broken:
            return Extraction(broken, prefix + "fence:unparsed")
    broken = _unparsed(unfenced, function)
    if broken:
        return Extraction(broken, prefix + "bare:unparsed")
    for block in reversed(blocks):  # code the model labelled Python, but it is not Python
        is_python = block.lang in _PYTHON_TAGS and block.text.strip()
        if is_python and _parse(_normalise(block.text)) is None:
            return Extraction(_normalise(block.text), prefix + "fence:unparsed")
    # 5. code that parses but defines another function: let the checker call it a signature
    #    change rather than hide it as an extraction failure.
    for block in reversed(blocks):
        code = _normalise(block.text)
        tree = _parse(code)
        if tree is not None and any(isinstance(n, ast.FunctionDef) for n in tree.body):
            return Extraction(code, prefix + "fence:other_function")
    for name in _defined_names(unfenced):
        salvaged = _salvage(unfenced, name)
        if salvaged:
            return Extraction(salvaged, prefix + "bare:other_function")
    # 6. code without the target (another language, pseudocode, code in inline backticks):
    #    passed on as written, so the checker reports `syntax` (or `signature` if it parses).
    for block in reversed(blocks):
        if _block_is_code(block, function):
            return Extraction(_normalise(block.text), prefix + "fence:no_target")
    written = code_lines(unfenced, function)
    if written:
        return Extraction(_normalise(written), prefix + "bare:no_target")
    return Extraction(None, prefix + "none")


def _needed_blocks(trees: list[ast.Module | None], last: int, function: str) -> list[int]:
    """The indices of the blocks that make one program with block `last` (the last that binds
    the target), in source order: `last` and every other block that parses and binds a name the
    program needs and does not bind itself (a helper, an import), transitively. Earlier blocks
    are looked at first (nearest first), then later ones (last first): a reply may give the
    helper after the function ("It uses this helper: ..."), and restate it corrected after a
    draft, so among later blocks the last restatement wins, as it does for the target.
    A builtin's name the program reads
    counts as needed when another block defines it (`def format(n)` beside `return format(n)`).
    An earlier block that binds the target joins when the program reads the target before
    binding it (`f = cache(f)` wraps the earlier definition), or when it is the only block
    that binds a name the program needs (`RULES` given only beside a draft): joined in source
    order, the last block's definitions replace the draft's; otherwise it is a draft the last
    block replaces. A later
    block never joins when it binds the target (a stub or a restatement). A later block that
    reads the target at module level (a demo: `print(f(3))`, an `if __name__ == "__main__":`
    block) joins only through what it *defines* (`def`, `class`, import): "this helper, with a
    quick check" is the commonest shape of a helper given late, and its demo statements are
    then removed by `sanitize`, the filter the target's own block gets. A name such a block
    binds by plain assignment (`_word = str` beside `print(f(3))`) does not join it: a value set
    next to a demo is the demo's own (`n = 15`), and a program that needs it as set-up has no
    definition of it anywhere; a `def` or an import exists to be called by other code.
    A later block made only of definitions of helpers the program defines and calls itself
    (a corrected `_word` after the program) joins after it, so its definitions replace the
    draft's (`_restates_helpers`)."""
    winner = trees[last]
    if winner is None:
        return [last]
    needed = _free_names(winner, function)
    shadowed = _builtins_read(winner)  # `format(n)` calls a `def format` another block gives
    restated = (_names_read(winner) & _top_bindings(winner)) - {function}  # a helper it defines
    joined = {last}
    order = [*range(last - 1, -1, -1), *range(len(trees) - 1, last, -1)]
    bindings = {i: _top_bindings(t) for i, t in enumerate(trees) if t is not None}
    elsewhere = set().union(*(b for i, b in bindings.items() if function not in b))
    changed = True
    while changed and (needed or shadowed or restated):  # a later helper may need an earlier import, and back
        changed = False
        for i in order:
            tree = trees[i]
            if tree is None or i in joined:
                continue
            bound = bindings[i]
            if i > last and function in bound:
                continue  # a later restatement of the target
            demo = i > last and _reads_at_top(tree, function)
            offered = ((_definitions(tree) if demo else bound) & needed) | (_definitions(tree) & shadowed)
            if i > last and _restates_helpers(tree, restated):
                offered |= bound  # a corrected helper given after the program replaces its own
            if function in bound and function not in needed:
                offered -= elsewhere  # a draft the later block replaces joins for what only it binds
            if offered:
                joined.add(i)
                reads = _free_names(tree, function) - ({function} if i > last else set())
                needed = (needed - bound) | reads  # a later block's demo reads the bound target
                shadowed = (shadowed | _builtins_read(tree)) - bound
                changed = True
    return sorted(joined)


def _restates_helpers(tree: ast.Module, restated: set[str]) -> bool:
    """A later block made only of definitions (no statement that runs beyond them: no demo)
    of names the chosen program defines and reads itself (`def _word(n)` restated after a
    program with a wrong `_word`): a correction, which the last-one-wins rule lets replace
    the program's own definition once joined after it."""
    bound = _top_bindings(tree)
    definitions = all(isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) for n in tree.body)
    return definitions and bool(bound) and bound <= restated


def _builtins_read(tree: ast.Module) -> set[str]:
    """Builtin names the module reads and does not bind itself: another block's `def` of
    such a name (a helper called `format` or `sum`) is the reply's own, as any helper is."""
    return _global_reads(tree) & _BUILTIN_NAMES


def _reads_at_top(tree: ast.Module, name: str) -> bool:
    """Whether the module reads `name` in its own scope (a call when it runs, not in a body)."""
    return any(
        isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)
        for node in tree.body
        for n in _module_level(node)
    )


def _definitions(tree: ast.Module) -> set[str]:
    """Names a module binds at top level by a definition or an import (not by assignment)."""
    definitions = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)
    return _top_bindings(ast.Module([n for n in tree.body if isinstance(n, definitions)], []))


def _top_bindings(tree: ast.Module) -> set[str]:
    """Names a module binds at top level: definitions, imports, assignment targets."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"}
        else:
            names |= {
                n.id for n in _module_level(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
            }
    return names


def _free_names(tree: ast.Module, function: str) -> set[str]:
    """Global names the module reads but binds nowhere (builtins aside; read from the symbol
    table, so a parameter `n` is not a global), and the target when the module reads it before
    its first binding of it (`f = cache(f)`)."""
    free = _global_reads(tree) - _BUILTIN_NAMES
    for node in tree.body:
        if function in _top_bindings(ast.Module([node], [])):
            level = _module_level(node)
            reads = {n.id for n in level if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
            return free | ({function} if function in reads else set())
        if function in {n.id for n in _module_level(node) if isinstance(n, ast.Name)}:
            return free | {function}
    return free


def _global_reads(tree: ast.Module) -> set[str]:
    """Global names the module reads but does not bind at top level, builtins included (read
    from the symbol table, so a parameter `n` is not a global)."""
    return _names_read(tree) - _top_bindings(tree)


def _names_read(tree: ast.Module) -> set[str]:
    """Global names the module reads, at top level or in its bodies, bound there or not."""
    try:
        top = symtable.symtable(ast.unparse(tree), "<candidate>", "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    read = {s.get_name() for s in top.get_symbols() if s.is_referenced()}
    stack = list(top.get_children())
    while stack:
        table = stack.pop()
        read |= {s.get_name() for s in table.get_symbols() if s.is_referenced() and s.is_global()}
        stack += table.get_children()
    return read


def _module_level(node: ast.AST) -> list[ast.AST]:
    """The nodes of a statement evaluated in the module's scope (not inside a nested body)."""
    found: list[ast.AST] = []
    todo = [node]
    while todo:
        current = todo.pop()
        found.append(current)
        if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
            todo += [*current.decorator_list, *current.args.defaults, *filter(None, current.args.kw_defaults)]
        elif isinstance(current, ast.ClassDef):
            todo += [*current.decorator_list, *current.bases, *(k.value for k in current.keywords)]
        elif not isinstance(current, _NESTED_SCOPES):
            todo += list(ast.iter_child_nodes(current))
    return found


_BUILTIN_NAMES = frozenset(dir(builtins))
_NESTED_SCOPES = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _defined_names(text: str) -> list[str]:
    """Names of every `def NAME(` line in loose text, in order."""
    return re.findall(r"^[ \t]*(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(", text, flags=re.M)


def _block_is_code(block: _Block, function: str) -> bool:
    """A fenced block holds code: something besides blank lines and `#` comments, and either a
    language tag that is not a prose one or content that reads as code by itself."""
    if not any(ln.strip() and not ln.strip().startswith("#") for ln in split_lines(block.text)):
        return False
    if block.lang in _PROSE_FENCES:
        return False
    return bool(block.lang) or code_lines(block.text, function) is not None


def _is_code_line(line: str, function: str) -> bool:
    """A line a reader sees as code rather than prose (see the module docstring)."""
    stripped = line.strip()
    if _INLINE_CODE_LINE.match(stripped):
        return True
    bare = stripped.strip("`").strip()
    if _DEFINITION.match(bare) or _BRACES.search(bare):
        return True
    return re.match(rf"{re.escape(function)}\s*[(:=]", bare) is not None


def _is_words(node: ast.stmt) -> bool:
    """An expression made of names and constants only (`OK, thanks`, `e.g`): prose that parses."""
    return isinstance(node, ast.Expr) and all(
        isinstance(n, ast.Name | ast.Constant | ast.Tuple | ast.Attribute | ast.Load)
        for n in ast.walk(node.value)
    )


def code_lines(text: str, function: str) -> str | None:
    """The code written outside fences, from its first code line: None when the text is prose."""
    lines = split_lines(text)[:MAX_SALVAGE_LINES]
    first = next((i for i, ln in enumerate(lines) if _is_code_line(ln, function)), None)
    if first is None:
        tree = _parse(_normalise(text)) if text.strip() else None
        has_code = tree is not None and any(not _is_words(n) for n in tree.body)
        return text if has_code else None
    return "\n".join(lines[first:])


def extract_spec(reply: str) -> Extraction:
    """The spec is the reply without reasoning blocks. It is empty, and g produced nothing, when
    no content is left once `<think>` blocks, code fence lines and whitespace are removed (a
    bare or empty fence is no spec)."""
    text, had_think = strip_think(reply)
    spec = text.strip()
    content = "".join(ln for ln in spec.splitlines() if not _FENCE.fullmatch(ln.strip()))
    rule = ("think+" if had_think else "") + ("spec" if content.strip() else "spec:empty")
    return Extraction(spec if content.strip() else None, rule)


def spec_leak(spec: str, function: str, previous_code: str | None = None) -> str | None:
    """Why the 'spec' is the code itself (Python defining the function, or the previous code
    quoted verbatim), else None."""
    for text in [b.text for b in fenced_blocks(spec)] + [spec]:
        tree = _parse(_normalise(text))
        if tree is not None and defines(tree, function):
            return f"it is Python code defining {function}()"
    if previous_code:
        squash = " ".join(previous_code.split())
        if len(squash) > 20 and squash in " ".join(spec.split()):
            return "it quotes the previous code verbatim"
    return None


def spec_leaks_code(spec: str, function: str, previous_code: str | None = None) -> bool:
    """True when the 'spec' is itself Python defining the function, or quotes the code verbatim."""
    return spec_leak(spec, function, previous_code) is not None
