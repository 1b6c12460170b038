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
import re
import textwrap
from dataclasses import dataclass

MODES = ("tolerant", "strict", "first_fence")
_FIRST_FENCE = re.compile(r"```(?:\w+)?\s*([\s\S]*?)```")
"""EvaLooop's code extraction: the first fenced block (its pattern), else the whole reply."""
MAX_SALVAGE_LINES = 400

_THINK_BLOCK = re.compile(r"<think>.*?</think>", re.S | re.I)
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*([\w+.-]*)")
_PROSE_FENCES = {"text", "txt", "plaintext", "markdown", "md"}
_INLINE_CODE_LINE = re.compile(r"^`[^`]+`$")
_DEFINITION = re.compile(
    r"^(def|function|FUNCTION|func|fn|fun|procedure|PROCEDURE|sub)\s+[A-Za-z_][\w.]*\s*\("
    r"|^\(\s*(define|defun|def|lambda)\b"
)
_BRACES = re.compile(r"(^\}|\{$)")


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
    """Drop reasoning blocks; returns the text and whether anything was removed."""
    stripped = _THINK_BLOCK.sub("", text)
    lowered = stripped.lower()
    if "</think>" in lowered:  # closing tag without an opening one: drop what precedes it
        stripped = stripped[lowered.rindex("</think>") + len("</think>") :]
    elif "<think>" in lowered:  # unterminated reasoning: keep the text, drop the tag
        stripped = re.sub(r"<think>", "", stripped, flags=re.I)
    return stripped, stripped != text


def fenced_blocks(text: str) -> list[_Block]:
    """Every fenced block in order; an unterminated last fence runs to the end of the text."""
    blocks: list[_Block] = []
    lang, fence = "", ""
    lines: list[str] = []
    inside = False
    for line in text.splitlines():
        match = _FENCE.match(line)
        if not inside:
            if match:
                inside, fence, lang, lines = True, match.group(1), match.group(2).lower(), []
            continue
        if match and match.group(1)[0] == fence[0] and not match.group(2):
            blocks.append(_Block(lang, "\n".join(lines), True))
            inside = False
        elif line.rstrip().endswith(fence) and line.strip() != fence:
            lines.append(line.rstrip()[: -len(fence)])  # code line glued to the closing fence
            blocks.append(_Block(lang, "\n".join(lines), True))
            inside = False
        else:
            lines.append(line)
    if inside:
        blocks.append(_Block(lang, "\n".join(lines), False))
    return blocks


def _parse(code: str) -> ast.Module | None:
    try:
        return ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def defines(tree: ast.Module, function: str) -> bool:
    return any(
        isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == function
        for node in tree.body
    )


def _normalise(code: str) -> str:
    return textwrap.dedent(code.replace("\t", "    ")).strip("\n") + "\n"


def _def_line(lines: list[str], function: str) -> int | None:
    """Index of the line that starts `def <function>(`, if any."""
    pattern = re.compile(rf"\s*(async\s+)?def\s+{re.escape(function)}\s*\(")
    return next((i for i, ln in enumerate(lines) if pattern.match(ln)), None)


def _salvage(text: str, function: str) -> str | None:
    """Find the target function in loose text: from its imports/def to the last line that parses.

    Only lines *after* the function may be cut (prose, a lone fence): cutting a line of its
    body would turn a syntax error into a different, wrong function.
    """
    lines = text.splitlines()[:MAX_SALVAGE_LINES]
    start = _def_line(lines, function)
    if start is None:
        return None
    indent = len(lines[start]) - len(lines[start].lstrip())
    def_line = start
    while start > 0 and re.match(r"\s*(import |from \S+ import |@)", lines[start - 1]):
        start -= 1
    body = [ln[indent:] if ln[:indent].strip() == "" else ln for ln in lines[start:]]
    function_end = len(body)
    for i in range(def_line - start + 1, len(body)):
        line = body[i]
        if line.strip() and len(line) - len(line.lstrip()) == 0:
            function_end = i
            break
    for end in range(len(body), function_end - 1, -1):
        candidate = _normalise("\n".join(body[:end]))
        tree = _parse(candidate)
        if tree is not None and defines(tree, function):
            return candidate
    return None


def _unparsed(text: str, function: str) -> str | None:
    """The target function as written, when it does not parse: the checker calls it syntax."""
    lines = text.splitlines()[:MAX_SALVAGE_LINES]
    start = _def_line(lines, function)
    if start is None:
        return None
    return _normalise("\n".join(lines[start:]))


_SCRIPT_CALLS = {"print", "input", "exit", "quit"}


def _calls(node: ast.AST, names: set[str]) -> bool:
    return any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in names
        for n in ast.walk(node)
    )


def _mentions_name(node: ast.AST) -> bool:
    """Whether `__name__` appears in the node (as a name, attribute or string)."""
    try:
        return "__name__" in ast.dump(node)
    except (ValueError, RecursionError, MemoryError):  # a huge int literal, or deep nesting
        return any(
            isinstance(value, str) and "__name__" in value
            for child in ast.walk(node)
            for _field, value in ast.iter_fields(child)
        )


def _is_script(node: ast.stmt, exercised: set[str]) -> bool:
    """A top-level statement that exercises the code (a demo) rather than sets it up."""
    if isinstance(node, ast.If) and _mentions_name(node.test):
        return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return False  # a docstring
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return False
    if isinstance(node, ast.Import | ast.ImportFrom):
        return False
    return _calls(node, exercised)


def sanitize(code: str, function: str) -> tuple[str, bool]:
    """Drop top-level example usage: statements that call the module's own functions or
    classes, `print` or `input`, and `if __name__ == "__main__":` blocks.

    Why: small models append demos such as `print(f(10))` that call the function wrongly;
    executing them at import would blame the function for its demo. Definitions, imports and
    set-up such as `sys.setrecursionlimit(...)` stay, with their layout. Tolerant mode only.
    """
    tree = _parse(code)
    if tree is None:
        return code, False
    defined = {
        n.name
        for n in tree.body
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    }
    exercised = _SCRIPT_CALLS | defined | {function}
    drop: set[int] = set()
    for node in tree.body:
        if _is_script(node, exercised) and node.end_lineno is not None:
            drop.update(range(node.lineno, node.end_lineno + 1))
    if not drop:
        return code, False
    kept = [ln for i, ln in enumerate(code.splitlines(), start=1) if i not in drop]
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
                return Extraction(_normalise(block.text), "strict:first_fence")
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
    blocks = fenced_blocks(text)
    # 1. fenced blocks that parse and define the target function; the last one wins
    #    (models restate a corrected version after a draft).
    hits = []
    for block in blocks:
        code = _normalise(block.text)
        tree = _parse(code)
        if tree is not None and defines(tree, function):
            hits.append((block, code))
    if hits:
        block, code = hits[-1]
        if not block.terminated:
            rule = "fence:unterminated"
        elif len(blocks) > 1:
            rule = f"fence:target_of_{len(blocks)}"
        else:
            rule = "fence"
        return Extraction(code, prefix + rule)
    # 2. a block with the target but junk inside or after it (prose, a lone fence).
    for block in reversed(blocks):
        salvaged = _salvage(block.text, function)
        if salvaged:
            return Extraction(salvaged, prefix + "fence:salvaged")
    # 3. no usable fence: code in prose, or before a lone closing fence.
    unfenced = "\n".join(ln for ln in text.splitlines() if not _FENCE.match(ln))
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
        is_python = block.lang in ("python", "py", "python3") and block.text.strip()
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


def _defined_names(text: str) -> list[str]:
    """Names of every `def NAME(` line in loose text, in order."""
    return re.findall(r"^[ \t]*(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(", text, flags=re.M)


def _block_is_code(block: _Block, function: str) -> bool:
    """A fenced block holds code: something besides blank lines and `#` comments, and either a
    language tag that is not a prose one or content that reads as code by itself."""
    if not any(ln.strip() and not ln.strip().startswith("#") for ln in block.text.splitlines()):
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
    lines = text.splitlines()[:MAX_SALVAGE_LINES]
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
