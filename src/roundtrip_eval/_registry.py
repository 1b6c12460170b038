"""Inspect entry point: importing this registers our tasks, sandbox and model APIs.

Inspect imports every `inspect_ai` entry point at the start of each eval, so keep this
module light (no heavy optional imports at module level).
"""

from roundtrip_eval.eval.replay import replay  # noqa: F401
from roundtrip_eval.eval.tasks import (  # noqa: F401
    fizzbuzz,
    generalization_gap,
    get_magic_number,
    humaneval_plus,
    mbpp_plus,
    process_user_list,
    roundtrip,
    separate_vowels_and_consonants,
)
from roundtrip_eval.sandbox import RoundtripDockerSandbox  # noqa: F401
