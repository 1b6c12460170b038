"""The scripted run the analysis tests read: replay-model logs whose numbers are worked out by hand.

The scripted candidates are our own literals (reference code and simple mutants), so the
`local` sandbox is fine here.

The run: N = 3 cycles, 5 epochs, one eval holding both problems.
  fizzbuzz (known):  e1 survives; e2 return_type at 2; e3 survives; e4 extraction at 1;
                     e5 censored after 1 (its record stops).       cycles survived 3,1,3,0,1
  separate_vowels (novel): e1 semantic at 1; e2 survives; e3 semantic at 3;
                     e4 infrastructure error (not scored); e5 survives. cycles 0,3,2,-,3
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from replay_scripts import spec, surviving, trial, write  # noqa: E402

from roundtrip_eval.problems.load import load_problem  # noqa: E402

FB = "fizzbuzz"
SV = "separate_vowels_and_consonants"
FB_REF = load_problem(FB).reference
SV_REF = load_problem(SV).reference
STR_N = FB_REF.replace("return n", "return str(n)")
SV_BAD = "def separate_vowels_and_consonants(input_string):\n    return input_string\n"
STOP = {"stop": "the record ends here"}
EXTRA_REASON = "needs the analysis extra: pip install 'roundtrip-eval[analysis]'"


def script_lines() -> dict[tuple[str, int | str], list[Any]]:
    return {
        (FB, 1): surviving(FB, 3),
        (FB, 2): trial(FB, [FB_REF, STR_N]),
        (FB, 3): surviving(FB, 3),
        (FB, 4): trial(FB, ["Sorry, I cannot write that."]),
        (FB, 5): trial(FB, [FB_REF]) + [STOP],
        (SV, 1): trial(SV, [SV_BAD]),
        (SV, 2): surviving(SV, 3),
        (SV, 3): trial(SV, [SV_REF, SV_REF, SV_BAD]),
        (SV, 4): trial(SV, [SV_REF]) + [spec(2), {"error": "connection reset"}],
        (SV, 5): surviving(SV, 3),
    }


def run_logs(folder: Path, script: Path | None = None, **task_args: Any) -> Path:
    """One eval of the fixture script into `folder/logs` (extra task args change the config).

    The model is `replay/<script path>`, so runs meant to be comparable share one script."""
    from inspect_ai import eval as inspect_eval

    from roundtrip_eval.eval.tasks import roundtrip

    folder.mkdir(parents=True, exist_ok=True)
    script = script or write(folder / "replay.jsonl", script_lines())
    task = roundtrip(problems=f"{FB},{SV}", cycles=3, epochs=5, sandbox="local", **task_args)
    inspect_eval(
        task,
        model=f"replay/{script}",
        log_dir=str(folder / "logs"),
        display="none",
        fail_on_error=False,
    )
    return folder / "logs"
