"""Edges of the red25 extraction rules: what they must still leave out.

A builtin's name joins only through a block that *defines* it; a draft joins only for a name no
other block binds; a print with keywords other than `file=` is still a demo; a language word the block uses
stays code.
"""

from __future__ import annotations

from roundtrip_eval.eval.extract import extract_code

FENCE = "```"
TARGET = "def fizzbuzz(n):\n    return str(n) if n % 3 else 'Fizz'\n"


def _reply(*blocks: str) -> str:
    return "\n\ntext\n\n".join(f"{FENCE}python\n{b}{FENCE}" for b in blocks)


def test_an_assignment_to_a_builtin_name_elsewhere_does_not_join() -> None:
    found = extract_code(_reply("str = 'demo'\nprint(str)\n", TARGET), "fizzbuzz")
    assert found.code is not None and "str = " not in found.code, found.code


def test_a_builtin_named_definition_elsewhere_joins() -> None:
    found = extract_code(_reply("def str(n):\n    return f'<{n}>'\n", TARGET), "fizzbuzz")
    assert found.code is not None and "def str" in found.code, found.rule


def test_a_draft_joins_only_for_what_no_other_block_binds() -> None:
    draft = "WORD = 'Fuzz'\n\ndef fizzbuzz(n):\n    return WORD\n"
    fixed = "def fizzbuzz(n):\n    return WORD if n % 3 == 0 else n\n"
    found = extract_code(_reply(draft, "WORD = 'Fizz'\n", fixed), "fizzbuzz")
    assert found.code is not None and "Fuzz" not in found.code and "'Fizz'" in found.code, found.code


def test_a_draft_with_nothing_needed_stays_out() -> None:
    draft = "LIMIT = 3\n\ndef fizzbuzz(n):\n    return n % LIMIT\n"
    found = extract_code(_reply(draft, TARGET), "fizzbuzz")
    assert found.code is not None and "LIMIT" not in found.code, found.code


def test_a_print_with_other_keywords_is_still_a_demo() -> None:
    code = TARGET + "\nprint(fizzbuzz(3), sep='', end='\\n')\n"
    found = extract_code(_reply(code), "fizzbuzz")
    assert found.code is not None and "print(" not in found.code, found.code


def test_a_print_to_a_buffer_inside_a_demo_function_keeps_its_call() -> None:
    code = "import io\n\nBUF = io.StringIO()\n" + TARGET + "\nprint(fizzbuzz(3), file=BUF)\n"
    found = extract_code(_reply(code), "fizzbuzz")
    assert found.code is not None and "file=BUF" in found.code, found.code


def test_a_language_word_the_block_uses_stays() -> None:
    code = "python\n" + TARGET + "\npython = 3\n"
    found = extract_code(f"{FENCE}\n{code}{FENCE}\n", "fizzbuzz")
    assert found.code is not None and found.code.startswith("python"), found.code


def test_a_tagged_block_keeps_its_first_line() -> None:
    code = "py\n" + TARGET
    found = extract_code(f"{FENCE}python\n{code}{FENCE}\n", "fizzbuzz")
    assert found.code is not None and found.code.startswith("py\n"), found.code
