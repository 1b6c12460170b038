"""red4: a correct function behind a `functools.wraps` decorator whose wrapper takes other
parameters than the wrapped function is scored `signature`.

The candidate side checks arity before the calls with `inspect.signature(func)`, which follows
`__wrapped__` (set by `functools.wraps`) to the *inner* function: `fizzbuzz(n, rules)` here,
although the object the module binds, and that the runner calls, is `wrapper(n)`. The check
stops at `signature: fizzbuzz() cannot take the inputs: missing a required argument: 'rules'`
before a single call; calling it would have passed every input. Injecting an argument (a
table, a cache) through a decorator is an ordinary pattern. Expected: pass.
Reproduce: replay with WRAPS_INJECTED as the f reply, `inspect eval roundtrip_eval/fizzbuzz
--model replay/FILE -T cycles=2` (default settings, static screen on).
"""

from __future__ import annotations

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.problems.load import load_problem

pytestmark = pytest.mark.docker

WRAPS_INJECTED = '''import functools

RULES = ((3, "Fizz"), (5, "Buzz"))

def with_rules(func):
    @functools.wraps(func)
    def wrapper(n):
        return func(n, RULES)
    return wrapper

@with_rules
def fizzbuzz(n, rules):
    words = "".join(word for divisor, word in rules if n % divisor == 0)
    return words or n
'''

WRAPS_MEMO = '''from functools import wraps

def memoize(func):
    cache = {1: 0}
    @wraps(func)
    def inner(n):
        return func(n, cache)
    return inner

@memoize
def collatz_steps(n, cache):
    path = []
    while n > 1 and n not in cache:
        path.append(n)
        n = n // 2 if n % 2 == 0 else 3 * n + 1
    steps = cache.get(n, 0)
    for m in reversed(path):
        steps += 1
        cache[m] = steps
    return steps
'''


@pytest.mark.parametrize(
    ("problem", "code"), [("fizzbuzz", WRAPS_INJECTED), ("collatz_steps", WRAPS_MEMO)],
    ids=["injected_table", "injected_cache"],
)
async def test_wrapped_function_with_other_parameters_passes(docker_sandbox, problem: str, code: str) -> None:
    verdict = await run_check(docker_sandbox, code, load_problem(problem))
    assert verdict.passed, verdict.detail


def test_the_wrapper_is_what_gets_called() -> None:
    """Control, on the host: the module's `fizzbuzz` takes one argument and is right."""
    namespace: dict = {}
    exec(compile(WRAPS_INJECTED, "candidate.py", "exec"), namespace)  # our own literal
    problem = load_problem("fizzbuzz")
    pairs = zip(problem.inputs, problem.expected, strict=True)
    assert all(namespace["fizzbuzz"](*args) == outcome.value for args, outcome in pairs)
