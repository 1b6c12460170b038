"""No code from bytes in the candidate process (issue 28, red team round 2, red3's finding 1).

Crafted bytecode is a raw-memory primitive in CPython 3.11 (`LOAD_CONST` past the end of a
tuple is not bound-checked; tests/redteam/test_red3_marshal_forged_key.py reads the hook's key
with it). The candidate process's interpreter reads no .pyc (`protocol.NO_PYCACHE`), so its
import system never calls `marshal.loads`; the audit hook refuses `marshal.loads` and
`marshal.load`, and guards the two functions of `_imp` that build code from bytes without an
audit event. Every route below must be scored `tampering` with the screen off (the runtime
alone), the runner must keep serving the trial, and correct programs that import much of the
standard library, and red3's file named `mem`, must still pass. Also red3's finding 2: the hook's
memory-file refusal reads a `str`/`bytes` subclass and a relative path for what they are.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest

from roundtrip_eval.check import host
from roundtrip_eval.problems.load import load_problem
from roundtrip_eval.sandbox import RoundtripDockerSandbox

pytestmark = pytest.mark.docker

run_check = functools.partial(host.run_check, screen=False)

FIZZ = load_problem("fizzbuzz")
CORRECT = FIZZ.reference

PYC = """
import importlib.util, marshal, os
def _pyc(source):
    # a .pyc as the import system writes one: magic, flags, mtime, size, then the code
    return importlib.util.MAGIC_NUMBER + bytes(12) + marshal.dumps(compile(source, "m", "exec"))
"""

MARSHAL = "loaded code from bytes with marshal"
IMP = "built code from bytes through _imp"
HOOK_CODE = "read the code of the checker's audit hook"
PROC_MEM = "opened a process's memory"

ROUTES: dict[str, tuple[str, str]] = {
    # name: (code run at import, before a correct fizzbuzz; the refusal the detail must name)
    "marshal_loads": ("import marshal\nmarshal.loads(marshal.dumps(1))\n", MARSHAL),
    "marshal_load": (
        "import marshal\nwith open('m.bin', 'wb') as fh:\n    marshal.dump(1, fh)\n"
        "with open('m.bin', 'rb') as fh:\n    marshal.load(fh)\n",
        MARSHAL,
    ),
    "sourceless_loader_on_a_written_pyc": (
        PYC + "import importlib.machinery\nopen('evil.pyc', 'wb').write(_pyc('X = 1'))\n"
        "loader = importlib.machinery.SourcelessFileLoader('evil', os.path.abspath('evil.pyc'))\n"
        "module = importlib.util.module_from_spec(importlib.util.spec_from_loader('evil', loader))\n"
        "loader.exec_module(module)\n",
        MARSHAL,
    ),
    "pyc_on_sys_path": (
        PYC + "import sys\nopen('evil2.pyc', 'wb').write(_pyc('X = 1'))\n"
        "sys.path.insert(0, os.getcwd())\nimport evil2\n",
        MARSHAL,
    ),
    "pycache_next_to_a_py_with_the_prefix_reset": (
        "import os, sys, importlib, py_compile\nopen('evil3.py', 'w').write('X = 1\\n')\n"
        "sys.pycache_prefix = None\nsys.dont_write_bytecode = False\npy_compile.compile('evil3.py')\n"
        "assert os.listdir('__pycache__')\nimportlib.invalidate_caches()\n"
        "sys.path.insert(0, os.getcwd())\nimport evil3\n",
        MARSHAL,
    ),
    "zipimport_of_a_pyc": (
        PYC + "import sys, zipfile\nwith zipfile.ZipFile('evil.zip', 'w') as z:\n"
        "    z.writestr('evil4.pyc', _pyc('X = 1'))\nsys.path.insert(0, os.path.abspath('evil.zip'))\n"
        "import evil4\n",
        MARSHAL,
    ),
    "compile_bytecode_directly": (
        "import importlib._bootstrap_external as ext, marshal\n"
        "ext._compile_bytecode(marshal.dumps(compile('1', 'm', 'eval')))\n",
        MARSHAL,
    ),
    "frozen_object_from_data": (
        "import _imp, marshal\n_imp.get_frozen_object('x', marshal.dumps(compile('1', 'm', 'eval')))\n",
        IMP,
    ),
    "a_fresh_imp_module": (
        "import _imp, types\n_imp.create_builtin(types.SimpleNamespace(name='_imp'))\n",
        IMP,
    ),
    "a_fresh_imp_module_named_by_a_str_subclass": (
        "import _imp, types\nclass S(str):\n    def __eq__(self, other):\n        return False\n"
        "    __hash__ = str.__hash__\n"
        "_imp.create_builtin(types.SimpleNamespace(name=S('_imp')))\n",
        IMP,
    ),
    "imp_imported_again": ("import sys\ndel sys.modules['_imp']\nimport _imp\n", IMP),
    "the_guards_code": ("import _imp\ncode = _imp.get_frozen_object.__code__\n", HOOK_CODE),
    "the_guards_frame_code": (
        "import _imp, sys, types\nseen = []\nclass Spec:\n    @property\n    def name(self):\n"
        "        seen.append(sys._getframe(1).f_code)\n        return 'math'\n"
        "_imp.create_builtin(Spec())\n",
        HOOK_CODE,
    ),
    "a_code_object_by_its_constructor": (
        "import types\nc = (lambda: 0).__code__\n"
        "types.CodeType(c.co_argcount, 0, 0, c.co_nlocals, c.co_stacksize, c.co_flags, c.co_code,"
        " c.co_consts, c.co_names, c.co_varnames, 'x', 'x', 'x', 1, c.co_linetable,"
        " c.co_exceptiontable)\n",
        "built a code object by hand",
    ),
    # red3's finding 2, the other way: what the exact-`str` test let through
    "proc_mem_as_a_str_subclass": (
        "class S(str):\n    pass\nopen(S('/proc/self/mem'), 'rb')\n", PROC_MEM),
    "proc_mem_as_bytes": ("open(b'/proc/self/mem', 'rb')\n", PROC_MEM),
    "proc_mem_relative": ("import os\nos.open('../' * 40 + 'proc/self/mem', os.O_RDONLY)\n", PROC_MEM),
    "proc_task_mem_dotted": ("open('/proc/self/./task/../mem', 'rb')\n", PROC_MEM),
    "dev_mem": ("open('/dev/mem', 'rb')\n", PROC_MEM),
}

WIDE = """
import asyncio, json, re, typing, decimal, fractions, collections, dataclasses, multiprocessing
import concurrent.futures, statistics, datetime, importlib.util, runpy, pickle, marshal, zipfile
import email.message, xml.dom.minidom, unittest, logging, argparse, csv, sqlite3
from pathlib import Path
_BLOB = marshal.dumps({"a": 1})  # marshal.dumps makes no code: it stays allowed
Path("mem").write_text("a file of its own named mem")
assert open(b"mem", "rb").read() == b"a file of its own named mem"

@dataclasses.dataclass(frozen=True)
class _Rule:
    d: int
    word: str

_RULES = (_Rule(3, "Fizz"), _Rule(5, "Buzz"))

def fizzbuzz(n):
    async def word():
        return "".join(r.word for r in _RULES if n % r.d == 0)
    text = asyncio.run(word())
    return json.loads(json.dumps(text)) or n
"""

TEMPLATE_GONE = """
import sys
_gone = not sys.modules["__main__"]._HOOK_TEMPLATE  # nothing left that says where the key is
""" + CORRECT.replace("def fizzbuzz(n):\n", "def fizzbuzz(n):\n    if not _gone:\n        return None\n")

PYCACHE_IGNORED = """
import os, sys, importlib, py_compile
open("side.py", "w").write("WORD = 'Fizz'\\n")
sys.pycache_prefix, prefix = None, sys.pycache_prefix
sys.dont_write_bytecode = False
py_compile.compile("side.py")  # a valid .pyc next to the source, for a source that says 'Fizz'
open("side.py", "w").write("WORD = 'Fizz'  # the same word, a newer source\\n")
sys.pycache_prefix, sys.dont_write_bytecode = prefix, True
importlib.invalidate_caches()
sys.path.insert(0, os.getcwd())
import side  # compiled from its source: the __pycache__ next to it is never read
""" + CORRECT


async def _trial(codes: list[str]) -> list[Any]:
    """Check `codes` one after the other in ONE trial container; every verdict. The trial's one
    warm runner must serve every check (a refusal ends only the candidate process)."""
    envs = await RoundtripDockerSandbox.sample_init("code-from-bytes", None, {})
    env = envs["default"]
    try:
        verdicts = [await run_check(env, code, FIZZ, check_timeout=20.0) for code in [*codes, CORRECT]]
        assert verdicts[-1].passed, f"the next normal check: {verdicts[-1].detail}"
        warm = env.as_type(RoundtripDockerSandbox)._warm
        assert (warm.starts, warm.restarts) == (1, 0), "the warm runner was replaced"
        return verdicts[:-1]
    finally:
        await RoundtripDockerSandbox.sample_cleanup("code-from-bytes", None, envs, False)


async def test_every_route_to_code_from_bytes_is_tampering(docker_client: Any) -> None:
    names = sorted(ROUTES)
    verdicts = await _trial([ROUTES[name][0] + CORRECT for name in names])
    wrong = [
        f"{name}: {verdict.category}: {verdict.detail}"
        for name, verdict in zip(names, verdicts, strict=True)
        if verdict.passed or verdict.category != "tampering" or ROUTES[name][1] not in verdict.detail
    ]
    assert not wrong, "\n".join(wrong)


async def test_correct_programs_that_import_the_standard_library_pass(docker_client: Any) -> None:
    verdicts = await _trial([WIDE, TEMPLATE_GONE, PYCACHE_IGNORED])
    failed = [f"{i}: {v.category}: {v.detail} | {v.output_head}" for i, v in enumerate(verdicts)
              if not v.passed]  # fmt: skip
    assert not failed, "\n".join(failed)
