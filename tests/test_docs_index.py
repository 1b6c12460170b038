"""The front door and the docs index stay true to the repository.

- docs/README.md lists every page of docs/ once, as a guide or as a study report;
- the README's code map names every room of the package (and `studies/`), and every module it
  names in a room exists there;
- the README keeps its two quick-start commands exactly.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "roundtrip_eval"
QUICK_START = (
    "bash scripts/quickstart.sh      # set up everything, then a real fizzbuzz eval on a local model",
    ".venv/bin/pytest                # run the tests",
)


def sections(index: str) -> dict[str, list[str]]:
    """Heading -> the pages its bullets link to."""
    found: dict[str, list[str]] = {}
    heading = ""
    for line in index.splitlines():
        if line.startswith("## "):
            heading = line[3:]
            found[heading] = []
        elif line.startswith("- ") and heading:
            found[heading] += re.findall(r"^- \[[^\]]+\]\(([\w.-]+\.md)\)", line)
    return found


def test_the_docs_index_lists_every_page_once_as_guide_or_report() -> None:
    parts = sections((ROOT / "docs" / "README.md").read_text(encoding="utf-8"))
    assert list(parts) == ["Guides: how to use it", "Study reports: what we found"]
    listed = [page for pages in parts.values() for page in pages]
    pages = sorted(p.name for p in (ROOT / "docs").glob("*.md") if p.name != "README.md")
    assert sorted(listed) == pages, "docs/README.md must list every page of docs/ exactly once"


def codemap() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- codemap:start -->\n", 1)[1].split("<!-- codemap:end -->", 1)[0]
    rows = [line.strip().strip("|").split("|") for line in block.splitlines() if line.startswith("| `")]
    return [[cell.strip() for cell in row] for row in rows]


def test_the_code_map_names_every_room_and_only_modules_that_exist() -> None:
    rows = codemap()
    rooms = {row[0].strip("`") for row in rows}
    packages = {f"src/roundtrip_eval/{p.parent.name}/" for p in PACKAGE.glob("*/__init__.py")}
    assert packages | {"src/roundtrip_eval/", "studies/"} == rooms
    for room, _when, modules in rows:
        folder = ROOT / room.strip("`")
        names = re.findall(r"`([\w.]+(?:\.py|/))`", modules)
        assert names, room
        missing = [n for n in names if not (folder / n).exists()]
        assert missing == [], f"{room} names modules it does not hold"


def test_the_quick_start_commands_are_unchanged() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Quick start", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    assert tuple(block.splitlines()) == QUICK_START
