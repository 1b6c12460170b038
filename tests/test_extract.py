"""Extraction on reply shapes seen in real model output (some quoted from the original study)."""

import pytest

from roundtrip_eval.eval.extract import (
    extract_code,
    extract_spec,
    fenced_blocks,
    spec_leaks_code,
    strip_think,
)

FIZZ = (
    'def fizzbuzz(n):\n    if n % 15 == 0:\n        return "FizzBuzz"\n    elif n % 3 == 0:\n'
    '        return "Fizz"\n    elif n % 5 == 0:\n        return "Buzz"\n    else:\n        return n\n'
)

# --- Real replies from the original study's raw logs (quoted verbatim) --------------------
# llama3:8b, en, fizzbuzz run9 cycle 1: a preamble and an unterminated generic fence. The
# original harness executed the preamble and called it a syntax failure.
UPSTREAM_PREAMBLE_UNTERMINATED = (
    "Here is the generated Python function based on the pseudocode specification:\n\n```\n"
    + FIZZ.rstrip("\n")
)
# llama3:8b, en, separate_vowels run17 cycle 2: an opening fence that is never closed.
UPSTREAM_OPEN_FENCE_ONLY = (
    '```\ndef separate_vowels_and_consonants(input_string):\n    vowels = "aeiouAEIOU"\n'
    "    vowel_chars, consonant_chars = [], []\n    \n    for char in input_string:\n"
    "        if char.lower() in vowels:\n            vowel_chars.append(char)\n        else:\n"
    "            consonant_chars.append(char)\n            \n"
    '    return "".join(vowel_chars + consonant_chars)'
)
# llama3:8b, ja, fizzbuzz run27 cycle 9: a stub block with only the def line, prose with a
# code line glued to a fence, a full block, and a final unterminated block.
UPSTREAM_STUB_THEN_FULL = (
    "Based on the pseudo-code specification, I will generate a Python function.\n\n"
    "**Function Definition**\n```python\ndef fizzbuzz(n):\n```\n\n"
    "**Condition Logic Translation**\n\n"
    "1. `もし n を 15 で割った余りが 0 ならば:` becomes `if n % 15 == 0:`\n"
    "4. `そうでなければ:` becomes `else:``\n\n"
    "**Translated Python Function**\n```python\n" + FIZZ + "```\n\n"
    "**Final Output**\n\n```python\n" + FIZZ.rstrip("\n")
)
# falcon3:3b, ja, fizzbuzz run23 cycle 2: a block, mixed Japanese/Chinese prose, a second block.
UPSTREAM_TWO_BLOCKS_PROSE = (
    "```python\n" + FIZZ + "```\n\n"
    "このPythonコードでは、同じの関数名と引数が使われている。根据提供的文本，我将解析并生成相应的Python代码。\n\n"
    "### 分析和翻译\n\n1. **関数名**: `fizzbuzz`\n2. **引数**: `n`\n\n"
    "```python\n" + FIZZ + "```\n\n### 必要的考察\n\n因此，上述Python代码正确地翻译了提供的文本。"
)


@pytest.mark.parametrize(
    ("reply", "function", "rule"),
    [
        (UPSTREAM_PREAMBLE_UNTERMINATED, "fizzbuzz", "fence:unterminated"),
        (UPSTREAM_OPEN_FENCE_ONLY, "separate_vowels_and_consonants", "fence:unterminated"),
        (UPSTREAM_STUB_THEN_FULL, "fizzbuzz", "fence:unterminated"),
        (UPSTREAM_TWO_BLOCKS_PROSE, "fizzbuzz", "fence:target_of_2"),
        ("```python\n" + FIZZ + "```", "fizzbuzz", "fence"),
        ("Sure! Here is the code:\n\n```python\n" + FIZZ + "```\nHope it helps.", "fizzbuzz", "fence"),
        ("<think>I should use modulo. ```python\nprint(1)\n```</think>\n```python\n" + FIZZ + "```",
         "fizzbuzz", "think+fence"),
        ("</think>\n```python\n" + FIZZ + "```", "fizzbuzz", "think+fence"),
        ("<think>\nreasoning cut short\n```python\n" + FIZZ + "```", "fizzbuzz", "think+fence"),
        (FIZZ, "fizzbuzz", "bare"),
        ("The function is:\n\n" + FIZZ + "\nThis returns the right values.", "fizzbuzz", "bare"),
        (FIZZ + "```\n\nExplanation: it works.", "fizzbuzz", "bare"),  # lone closing fence
        ("```python\n" + "".join("    " + ln + "\n" for ln in FIZZ.splitlines()) + "```",
         "fizzbuzz", "fence"),  # uniformly indented block
        ("```py\nimport math\n\n" + FIZZ + "\nprint(fizzbuzz(3))\n```\n```python\nfizzbuzz(5)\n```",
         "fizzbuzz", "fence:target_of_2+sanitized"),
        ("```python\n" + FIZZ + "```\n\nExample:\n```\n>>> fizzbuzz(3)\n'Fizz'\n```", "fizzbuzz",
         "fence:target_of_2"),
        ("~~~python\n" + FIZZ + "~~~", "fizzbuzz", "fence"),
        ("```python\n" + FIZZ + "\nThis is prose inside the fence.\n```", "fizzbuzz", "fence:salvaged"),
    ],
)
def test_tolerant_finds_the_target_function(reply: str, function: str, rule: str) -> None:
    result = extract_code(reply, function, "tolerant")
    assert result.rule == rule
    assert result.code is not None
    namespace: dict = {}
    exec(compile(result.code, "x", "exec"), namespace)  # our own literals, not model output
    assert callable(namespace[function])


def test_tolerant_picks_the_last_complete_definition() -> None:
    draft = FIZZ.replace('"Fizz"', '"Fiz"')
    reply = f"Draft:\n```python\n{draft}```\nCorrected:\n```python\n{FIZZ}```"
    assert extract_code(reply, "fizzbuzz").code == FIZZ


def test_code_for_another_function_is_kept_for_the_signature_check() -> None:
    result = extract_code("```python\ndef fizz_buzz(n):\n    return n\n```", "fizzbuzz")
    assert result.rule == "fence:other_function"
    assert result.code is not None and "fizz_buzz" in result.code


@pytest.mark.parametrize(
    "reply", ["", "I cannot help with that.", "```\nnot python at all (\n```", "<think>hmm</think>"]
)
def test_no_code_gives_none(reply: str) -> None:
    result = extract_code(reply, "fizzbuzz")
    assert result.code is None
    assert result.rule.endswith("none")


def test_strict_takes_only_the_first_complete_fence() -> None:
    assert extract_code(UPSTREAM_TWO_BLOCKS_PROSE, "fizzbuzz", "strict").rule == "strict:first_fence"
    assert extract_code(UPSTREAM_PREAMBLE_UNTERMINATED, "fizzbuzz", "strict").code is None
    assert extract_code(FIZZ, "fizzbuzz", "strict").rule == "strict:no_fence"
    # strict does not skip the stub block: it returns the broken first block as is
    stub = extract_code(UPSTREAM_STUB_THEN_FULL, "fizzbuzz", "strict").code
    assert stub == "def fizzbuzz(n):\n"


def test_unknown_mode_is_an_error() -> None:
    with pytest.raises(ValueError, match="extraction must be one of"):
        extract_code(FIZZ, "fizzbuzz", "loose")


def test_fenced_blocks_handles_glued_closing_fence() -> None:
    blocks = fenced_blocks("```python\nx = 1\ny = 2```\nafter")
    assert [(b.text, b.terminated) for b in blocks] == [("x = 1\ny = 2", True)]


def test_spec_extraction_strips_reasoning_and_flags_empty() -> None:
    assert extract_spec("<think>plan</think>\nFUNCTION f(n)").code == "FUNCTION f(n)"
    assert extract_spec("<think>plan</think>\nFUNCTION f(n)").rule == "think+spec"
    empty = extract_spec("  <think>only thoughts</think> ")
    assert empty.code is None and empty.rule == "think+spec:empty"


def test_spec_leak_detection() -> None:
    assert spec_leaks_code("```python\n" + FIZZ + "```", "fizzbuzz")
    assert spec_leaks_code("Spec:\n" + FIZZ, "fizzbuzz", previous_code=FIZZ)
    assert not spec_leaks_code("FUNCTION fizzbuzz(n): if n mod 15 = 0 RETURN 'FizzBuzz'", "fizzbuzz")


def test_salvage_never_cuts_the_function_body() -> None:
    # A stray quote glued to the last body line: dropping that line would "fix" the parse and
    # yield a function returning None. It must stay a syntax failure instead.
    reply = '"import math\n\ndef fizzbuzz(n):\n    if n % 3 == 0:\n        return "Fizz"\n    return n"\n```'
    result = extract_code(reply, "fizzbuzz")
    assert result.rule == "bare:unparsed"
    assert result.code is not None and result.code.rstrip().endswith('return n"')


def test_tolerant_drops_example_usage_but_keeps_definitions() -> None:
    # Real shape (qwen2.5-coder-0.5b, get_magic_number): a demo that calls the function wrongly
    reply = (
        "```python\nimport sys\nsys.setrecursionlimit(5000)\nLIMIT = len('abc')\n\n"
        "def get_magic_number():\n    return 42\n\n"
        "# Test the function\nprint(get_magic_number())\nprint(get_magic_number(10))\n"
        "value = get_magic_number(3)\nfor i in range(3):\n    print(i)\n"
        "if __name__ == '__main__':\n    get_magic_number()\n```"
    )
    result = extract_code(reply, "get_magic_number")
    assert result.rule == "fence+sanitized"
    assert result.code == (  # set-up stays, the demo goes
        "import sys\nsys.setrecursionlimit(5000)\nLIMIT = len('abc')\n\n"
        "def get_magic_number():\n    return 42\n\n# Test the function\n"
    )
    strict = extract_code(reply, "get_magic_number", "strict").code
    assert strict is not None and "print(get_magic_number(10))" in strict  # strict keeps all


def test_python_fence_that_is_not_python_is_a_syntax_case() -> None:
    # Real shape (qwen2.5-coder-0.5b, process_user_list): pseudocode inside a python fence
    reply = "```python\nfunction process_user_list(users):\n    return users\n```"
    result = extract_code(reply, "process_user_list")
    assert result.rule == "fence:unparsed" and result.code is not None


# --- Issue 13: what counts as code, and what is an empty spec (shapes written for the rules) ---


@pytest.mark.parametrize(
    ("reply", "rule"),
    [
        # another language: a Go definition line
        ('Go version:\nfunc fizzbuzz(n int) interface{} {\n\tif n%15 == 0 {\n\t\treturn "FizzBuzz"\n'
         "\t}\n\treturn n\n}", "bare:no_target"),
        # every line in inline backticks
        ("`if n % 15 == 0:`\n`    return 'FizzBuzz'`\n`return n`", "bare:no_target"),
        # pseudocode in a fence tagged with its own language
        ("```pseudo\nPROCEDURE fizzbuzz(n)\n  IF n MOD 15 = 0 THEN RETURN 'FizzBuzz'\nEND\n```",
         "fence:no_target"),
        # an S-expression written as the answer
        ('(define (fizzbuzz n)\n  (cond ((= 0 (modulo n 15)) "FizzBuzz") (else n)))', "bare:no_target"),
        # a minilang line naming the target, in an untagged fence
        ("```\nfizzbuzz: f(n) = n % 15 == 0 ? 'FizzBuzz' : n\n```", "fence:no_target"),
    ],
)
def test_code_that_is_not_python_is_passed_on_for_a_syntax_verdict(reply: str, rule: str) -> None:
    result = extract_code(reply, "fizzbuzz")
    assert result.rule == rule
    assert result.code is not None
    with pytest.raises(SyntaxError):
        compile(result.code, "candidate.py", "exec")


@pytest.mark.parametrize(
    ("reply", "rule", "defines"),
    [
        ("Here it is:\n\ndef fizz(n):\n    return n if n % 3 else 'Fizz'\n", "bare:other_function", "fizz"),
        ("```python\nresult = [fizz(i) for i in range(10)]\n```", "fence:no_target", None),
        ("```python\nfizzbuzz = None\n```", "fence:no_target", None),
    ],
)
def test_python_without_the_target_is_passed_on_for_a_signature_verdict(
    reply: str, rule: str, defines: str | None
) -> None:
    result = extract_code(reply, "fizzbuzz")
    assert result.rule == rule
    assert result.code is not None
    compile(result.code, "candidate.py", "exec")  # it parses: the checker, not extraction, decides
    if defines:
        assert f"def {defines}(" in result.code


@pytest.mark.parametrize(
    "reply",
    [
        "You can call `fizzbuzz(n)` with any integer; it returns a word or `n` itself.",
        "OK, thanks",
        "```text\nThe function returns Fizz for multiples of three.\n```",
        "```python\n# TODO: write fizzbuzz here\n```",
        "```\n```",
        "<think>```python\ndef fizzbuzz(n):\n    return n\n```</think>\nI have no answer.",
    ],
)
def test_prose_comments_and_empty_fences_are_no_code(reply: str) -> None:
    result = extract_code(reply, "fizzbuzz")
    assert result.code is None, result
    assert result.rule.endswith("none")


@pytest.mark.parametrize(
    "reply", ["```\n```", "```minilang\n\n```", "  ```  ", "<think>plan</think>\n~~~\n~~~\n", "\n```python"]
)
def test_a_spec_that_is_only_fences_thinking_and_whitespace_is_empty(reply: str) -> None:
    spec = extract_spec(reply)
    assert spec.code is None
    assert spec.rule.endswith("spec:empty")


def test_a_fenced_spec_with_content_is_kept_whole() -> None:
    reply = "```\nFUNCTION fizzbuzz(n): IF n MOD 15 = 0 RETURN 'FizzBuzz'\n```"
    assert extract_spec(reply).code == reply
    assert extract_spec(reply).rule == "spec"


def test_spec_leak_says_why() -> None:
    from roundtrip_eval.eval.extract import spec_leak

    fenced = "My spec:\n```py\n" + FIZZ + "```"
    assert spec_leak(fenced, "fizzbuzz") == "it is Python code defining fizzbuzz()"
    quoted = "The code is " + " ".join(FIZZ.split()) + " and nothing else."
    assert spec_leak(quoted, "fizzbuzz", previous_code=FIZZ) == "it quotes the previous code verbatim"
    assert spec_leak("FUNCTION fizzbuzz(n): RETURN n", "fizzbuzz", previous_code=FIZZ) is None


# --- Issue 28: keep the set-up the function needs, drop only demos, never edit strings -----


def _tolerant(reply: str, function: str = "fizzbuzz") -> str:
    code = extract_code(reply, function, "tolerant").code
    assert code is not None
    return code


def test_a_global_named_like_a_parameter_is_not_needed() -> None:
    code = _tolerant(FIZZ + "\nn = int(input('n? '))\nprint(fizzbuzz(n))\nvalue = fizzbuzz(3)\n")
    assert code == FIZZ  # the parameter n is local: the input demo and the unused call go


def test_set_up_that_fills_what_the_function_reads_stays() -> None:
    reply = (
        "TABLE = {}\nWORDS = None\n\ndef _fill():\n    for r in range(15):\n"
        "        TABLE[r] = 'Fizz' * (r % 3 == 0) + 'Buzz' * (r % 5 == 0)\n\n"
        "def _init():\n    global WORDS\n    WORDS = TABLE\n\n_fill()\n_init()\nTABLE.update({})\n"
        "print(TABLE)\nassert WORDS\n\ndef fizzbuzz(n):\n    return WORDS[n % 15] or n\n"
    )
    code = _tolerant(reply)
    for kept in ("_fill()\n", "_init()\n", "TABLE.update({})\n", "TABLE = {}\n", "WORDS = None\n"):
        assert kept in code
    assert "print(TABLE)" not in code and "assert WORDS" not in code


def test_a_wrapped_aliased_or_instantiated_target_is_kept() -> None:
    memo = (
        "def memo(f):\n    return f\n\ndef _fb(n):\n    return n\n\nfizzbuzz = memo(_fb)\n"
        "print(fizzbuzz(3))\n"
    )
    assert _tolerant(f"```python\n{memo}```") == memo.replace("print(fizzbuzz(3))\n", "")
    alias = "class S:\n    @staticmethod\n    def fizzbuzz(n):\n        return n\n\nfizzbuzz = S.fizzbuzz\n"
    assert _tolerant(f"```python\n{alias}```") == alias
    assert _tolerant(f"Try this:\n\n{alias}\nIt returns n.") == alias  # salvage keeps the class
    instance = "class F:\n    def __call__(self, n):\n        return n\n\nfizzbuzz = F()\n"
    assert _tolerant(f"Here:\n{instance}\nAn instance is callable.\n") == instance


def test_set_up_that_would_block_or_exit_is_dropped_even_when_needed() -> None:
    reply = (
        "import unittest\nLIMIT = int(input())\n\ndef fizzbuzz(n):\n    return n % LIMIT\n\n"
        "unittest.main()\n"
    )
    code = _tolerant(reply)
    assert "input()" not in code and "unittest.main()" not in code


def test_prose_that_parses_as_an_annotation_is_not_code() -> None:
    reply = "Spec recap:\nget_magic_number: f() = 42\n\ndef get_magic_number():\n    return 42\n"
    assert _tolerant(reply, "get_magic_number") == "def get_magic_number():\n    return 42\n"


def test_tabs_inside_strings_are_data_and_strict_mode_is_unchanged() -> None:
    reply = '```python\ndef fizzbuzz(n):\n\tsep = "a\tb"\n\treturn """x\n\ty"""\n```'
    assert _tolerant(reply) == 'def fizzbuzz(n):\n    sep = "a\tb"\n    return """x\n\ty"""\n'
    strict = extract_code(reply, "fizzbuzz", "strict").code  # strict rewrites every tab, as before
    assert strict == 'def fizzbuzz(n):\n    sep = "a    b"\n    return """x\n    y"""\n'


# --- red8: a program split over fenced blocks --------------------------------------------


def test_earlier_blocks_the_target_needs_are_joined_in_order() -> None:
    helper = "```python\ndef _word(n):\n    return 'Fizz' * (n % 3 == 0)\n```\n"
    imports = "```python\nimport math\n```\n"
    demo = "```python\nx = 3\nprint(x)\n```\n"
    target = "```python\ndef fizzbuzz(n):\n    return _word(n) or math.floor(n)\n```\n"
    result = extract_code(helper + demo + imports + target + "```python\nprint(fizzbuzz(3))\n```", "fizzbuzz")
    assert result.rule == "fence:joined_3_of_5"
    assert result.code == (
        "def _word(n):\n    return 'Fizz' * (n % 3 == 0)\n\nimport math\n\n"
        "def fizzbuzz(n):\n    return _word(n) or math.floor(n)\n"
    )


def test_a_later_block_that_wraps_the_target_joins_its_definition() -> None:
    wrap = "```python\nfrom functools import lru_cache\nfizzbuzz = lru_cache(maxsize=None)(fizzbuzz)\n```"
    result = extract_code(f"```python\n{FIZZ}```\nCache it:\n{wrap}", "fizzbuzz")
    assert result.rule == "fence:joined_2_of_2"
    assert result.code is not None and result.code.startswith(FIZZ) and result.code.endswith("(fizzbuzz)\n")


def test_an_earlier_draft_of_the_target_is_not_joined() -> None:
    draft = "```python\ndef _w(n):\n    return ''\n\ndef fizzbuzz(n):\n    return _w(n)\n```"
    reply = f"{draft}\nFixed:\n```python\ndef _w(n):\n    return 'Fizz'\n```\n```python\n" \
        "def fizzbuzz(n):\n    return _w(n) or n\n```"
    result = extract_code(reply, "fizzbuzz")
    assert result.rule == "fence:joined_2_of_3"
    assert "return ''" not in (result.code or "") and "return 'Fizz'" in (result.code or "")
    # a parameter named like an earlier block's global is not a need
    reply = "```python\nn = 15\n```\n```python\n" + FIZZ + "```"
    assert extract_code(reply, "fizzbuzz").rule == "fence:target_of_2"


# --- red10: a signature stub (`def f(n): ...`) restates nothing -------------------------------
STUB = 'def fizzbuzz(n: int) -> int | str:\n    """FizzBuzz of n."""\n    ...\n'


def test_a_real_body_wins_over_a_later_stub_but_a_lone_stub_is_still_the_code() -> None:
    recap = f"```python\n{FIZZ}```\nSignature:\n```python\n{STUB}```\n"
    assert extract_code(recap, "fizzbuzz").code == FIZZ
    assert extract_code(f"```python\n{STUB}```\n", "fizzbuzz").code == STUB  # the check says what it is
    wrapped = f"```python\n{FIZZ}```\n```python\n{STUB}fizzbuzz = cache(fizzbuzz)\n```\n"
    assert "cache(fizzbuzz)" in (extract_code(wrapped, "fizzbuzz").code or "")  # not a stub only


def test_a_full_function_needing_salvage_wins_over_a_stub_that_parses() -> None:
    reply = f"```python\n{FIZZ}This returns the word.\n```\n```python\n{STUB}```\n"
    found = extract_code(reply, "fizzbuzz")
    assert found.code == FIZZ, found


def test_a_spec_with_a_stub_is_not_a_leak_but_one_with_a_body_is() -> None:
    from roundtrip_eval.eval.extract import spec_leak

    assert spec_leak(f"Returns Fizz for multiples of 3.\n```python\n{STUB}```", "fizzbuzz") is None
    assert spec_leak("```python\ndef fizzbuzz(n):\n    pass\n```", "fizzbuzz") is None
    body = "```python\ndef fizzbuzz(n):\n    '''FizzBuzz.'''\n    return n\n```"
    assert spec_leak(body, "fizzbuzz") == "it is Python code defining fizzbuzz()"


def test_a_def_inside_a_string_is_never_salvaged() -> None:
    # red12: a docstring's example is not the program; the module defines another function
    reply = (
        '```python\ndef _fb(n):\n    """Usage:\n\n    def fizzbuzz(n):\n        return n\n    """\n'
        "    return str(n)\n```"
    )
    result = extract_code(reply, "fizzbuzz")
    assert result.rule == "fence:other_function", result
    assert result.code is not None and result.code.startswith("def _fb(n):")


def test_a_quote_line_in_prose_does_not_hide_the_code_after_it() -> None:
    reply = 'Think:\n"""\nThe task says it.\n\ndef fizzbuzz(n):\n    return n\n\nThat is all.'
    result = extract_code(reply, "fizzbuzz")
    assert result.rule == "bare", result
    assert result.code == "def fizzbuzz(n):\n    return n\n"


@pytest.mark.parametrize("sep", ["\u2028", "\x85", "\x0c", "\x1c"])
def test_a_string_holding_a_unicode_line_separator_is_kept_whole(sep: str) -> None:
    # red12: str.splitlines() broke fenced blocks (and the demo filter's line numbers) at these
    code = f'WORDS = "Fizz{sep}Buzz"\n\n\ndef fizzbuzz(n):\n    return WORDS\n\n\nprint(fizzbuzz(3))\n'
    result = extract_code(f"```python\n{code}```", "fizzbuzz")
    assert result.code == code.replace("\n\n\nprint(fizzbuzz(3))", ""), result


# --- red16: a helper the function needs may come in a later block ---------------------------
LATER_HELPER = "```python\ndef _word(n):\n    return 'Fizz' * (n % 3 == 0) or n\n```\n"
USES_HELPER = "```python\ndef fizzbuzz(n):\n    return _word(n)\n```\n"


def test_a_later_block_the_target_needs_is_joined_in_source_order() -> None:
    imports = "```python\nimport math\n\ndef _floor(n):\n    return math.floor(n)\n```\n"
    target = "```python\ndef fizzbuzz(n):\n    return _word(n) or _floor(n)\n```\n"
    result = extract_code("Here:\n" + target + "It uses:\n" + LATER_HELPER + imports, "fizzbuzz")
    assert result.rule == "fence:joined_3_of_3"
    assert result.code == (
        "def fizzbuzz(n):\n    return _word(n) or _floor(n)\n\n"
        "def _word(n):\n    return 'Fizz' * (n % 3 == 0) or n\n\n"
        "import math\n\ndef _floor(n):\n    return math.floor(n)\n"
    )


def test_a_later_block_that_redefines_the_target_is_not_joined() -> None:
    # the later block binds the target (a stub beside the helper): it is a restatement, not a helper
    stub = "```python\ndef _word(n):\n    return ''\n\ndef fizzbuzz(n: int) -> str:\n    ...\n```\n"
    result = extract_code(USES_HELPER + stub, "fizzbuzz")
    assert result.rule == "fence:target_of_2"
    assert result.code == "def fizzbuzz(n):\n    return _word(n)\n"


def test_a_later_demo_block_is_not_joined() -> None:
    # the demo binds the name the function reads, but only by assignment beside a call of the
    # target: a value set next to a demo is the demo's own, not set-up (red18: a `def` differs)
    demo = "```python\n_word = str\nprint(fizzbuzz(3))\n```\n"
    result = extract_code(USES_HELPER + demo, "fizzbuzz")
    assert result.rule == "fence:target_of_2"
    assert "print" not in (result.code or "") and "_word = str" not in (result.code or "")


def test_a_later_block_defining_a_helper_beside_a_demo_is_joined_without_the_demo() -> None:
    # red18: "this helper, with a quick check": the `def` joins, and `sanitize` drops the demo
    for demo in ("print(fizzbuzz(3))\n", "if __name__ == '__main__':\n    print(fizzbuzz(3))\n"):
        later = f"```python\ndef _word(n):\n    return n\n\n{demo}```\n"
        result = extract_code(USES_HELPER + later, "fizzbuzz")
        assert result.rule == "fence:joined_2_of_2+sanitized", result
        assert result.code == "def fizzbuzz(n):\n    return _word(n)\n\ndef _word(n):\n    return n\n"
    # the demo still never pulls in an earlier draft of the target it reads
    draft = "```python\ndef fizzbuzz(n):\n    return 0\n```\n"
    later = "```python\ndef _word(n):\n    return n\n\nprint(fizzbuzz(3))\n```\n"
    result = extract_code(draft + USES_HELPER + later, "fizzbuzz")
    assert result.rule == "fence:joined_2_of_3+sanitized", result
    assert "return 0" not in (result.code or "")


def test_a_restatement_cut_off_by_the_reply_end_does_not_replace_the_complete_one() -> None:
    whole = "def fizzbuzz(n):\n    if n % 3 == 0:\n        return 'Fizz'\n    return n\n"
    reply = f"Solution:\n{whole}\nprint(fizzbuzz(3))\nSolution:\ndef fizzbuzz(n):\n    if n % 3 == 0:"
    assert _tolerant(reply) == whole
    fixed = whole.replace("'Fizz'", "'Fizz!'")
    assert _tolerant(f"Draft:\n{whole}\nFixed version:\n{fixed}") == fixed


def test_a_lone_think_line_is_code_only_where_its_fenced_block_parses() -> None:
    docstring = 'def f():\n    """a\n</think>\n    """\n    return 1\n'
    assert strip_think(f"```python\n{docstring}```\n") == (f"```python\n{docstring}```\n", False)
    reasoning = "```python\ndef f():\n    return 1\n</think>\n```python\ndef g():\n    return 2\n```\n"
    text, stripped = strip_think(reasoning)
    assert stripped and "def f" not in text and "def g" in text
