"""The report page `index.html`: self-contained, holds the report's numbers, renders offline.

The page is written from the scripted run (scripted_logs.py: N = 3, fizzbuzz survival
1, 0.8, 0.4, 0.4 by cycle). The browser test opens it in Debian's headless `chromium` with
every network request routed to a dead proxy, and reads Chromium's own network log to prove
the page asked for nothing; a control page that does load a remote image shows that the
check can fail. The screenshot goes to `$ROUNDTRIP_SCREENSHOTS/report_page.png` when that is
set (CI keeps it), else to the test's temporary folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import skip_or_fail

from roundtrip_eval.analysis import html as page_html
from roundtrip_eval.analysis.aggregate import build_report
from roundtrip_eval.analysis.figures import curve_points
from roundtrip_eval.analysis.read import load_rows
from roundtrip_eval.analysis.report import write_report

from .scripted_logs import FB, SV

BLUE = (0x1F, 0x77, 0xB4)  # the first palette colour: the only model's curves


class Elements(HTMLParser):
    """Every start tag with its attributes, and the page's text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(text: str) -> Elements:
    parser = Elements()
    parser.feed(text)
    return parser


@pytest.fixture(scope="module")
def page(logdir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    trials, cycles, _ = load_rows(logdir, progress=False)
    out = tmp_path_factory.mktemp("page")
    report = build_report(trials, cycles, n_boot=500)
    write_report(report, out, "scripted", figures=False, trials=trials, cycles=cycles)
    return out / "index.html"


def circles(text: str) -> dict[str, list[tuple[int, float, float]]]:
    """(cycle, survival, cy) of every point, per panel."""
    out: dict[str, list[tuple[int, float, float]]] = {}
    panel = ""
    for tag, attrs in parse(text).tags:
        if tag == "figure":
            panel = str(attrs["data-panel"])
        if tag == "circle":
            point = (
                int(str(attrs["data-cycle"])),
                float(str(attrs["data-survival"])),
                float(str(attrs["cy"])),
            )
            out.setdefault(panel, []).append(point)
    return out


def test_page_fetches_nothing_and_runs_no_script(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    tags = parse(text).tags
    assert not [t for t, _ in tags if t in ("script", "iframe", "object", "embed", "img", "link")]
    [csp] = [a for t, a in tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert "default-src 'none'" in str(csp["content"])
    assert "script-src" not in str(csp["content"])
    assert not [a for _, a in tags if "src" in a]
    assert "url(" not in text and "@import" not in text
    # links go to sections of the page or to files of the report folder, never elsewhere
    hrefs = [str(a["href"]) for t, a in tags if t == "a"]
    assert hrefs and all(h.startswith("#") or (page.parent / h).is_file() for h in hrefs)
    assert "index.html" not in hrefs


def test_page_holds_the_tables_gap_and_configurations(page: Path) -> None:
    text = " ".join(parse(page.read_text(encoding="utf-8")).text)
    assert "2/5 = 40.0% [11.8%, 76.9%]" in text  # fizzbuzz survival@N, as in summary.md
    assert "4/5 = 80.0%" in text and "2/4 = 50.0%" in text
    assert "0.200 0.333 0.000" in text  # fizzbuzz hazard
    assert "-0.40 [" in text and "-0.10 [" in text  # known minus novel: mean cycles, survival@3
    assert "infrastructure errors (never counted in survival): 1" in " ".join(text.split())
    assert "return_type" in text and "semantic" in text  # drift columns
    assert '"spec_format": "pseudocode"' in text and '"cycles": 3' in text  # the settings
    assert "10 trial(s)" in text and "1 model(s)" in text
    # peer metrics (hand-computed in test_report.py): fizzbuzz ASL 20/15, SC_3 = SSC_3 = 2/5
    peers = page.read_text(encoding="utf-8").split('<section id="peers">', 1)[1].split("</section>", 1)[0]
    rows = [re.findall(r"<td>([^<]*)</td>", row)[3:] for row in peers.split("<tr>")[2:]]
    assert rows == [["5", "1.333", "3", "0.400", "0.400", "3"], ["4", "1.833", "3", "0.500", "0.500", "3"]]


def test_curve_points_are_the_survival_of_each_cycle(page: Path) -> None:
    by_panel = circles(page.read_text(encoding="utf-8"))
    [fb] = [points for panel, points in by_panel.items() if panel.startswith(FB)]
    [sv] = [points for panel, points in by_panel.items() if panel.startswith(SV)]
    assert [(c, s) for c, s, _ in fb] == [(0, 1.0), (1, 0.8), (2, 0.4), (3, 0.4)]
    assert [(c, s) for c, s, _ in sv] == [(0, 1.0), (1, 0.75), (2, 0.75), (3, 0.5)]
    for _, survival, cy in fb + sv:  # drawn where the axis says: 100% at the top, 0% at the bottom
        assert cy == pytest.approx(page_html._y(survival), abs=0.06)
    assert page_html._y(1.0) < page_html._y(0.4) < page_html._y(0.0)


def test_step_path_and_band() -> None:
    path = page_html._step([(0, 1.0), (1, 0.5), (2, 0.5)], 2)
    x0, x1, x2 = (page_html._x(c, 2) for c in (0, 1, 2))
    top, half = page_html._y(1.0), page_html._y(0.5)
    assert path == f"M{x0:.1f},{top:.1f}H{x1:.1f}V{half:.1f}H{x2:.1f}V{half:.1f}"
    series: list[dict[str, Any]] = [
        {"cycle": 0, "low": 1.0, "high": 1.0},
        {"cycle": 1, "low": 0.2, "high": 0.8},
    ]
    corners = page_html._band(series, 1).split()
    assert len(corners) == 6  # up: (0,1) (1,1) (1,.8); back: (1,.2) (1,1) (0,1)
    assert corners[0] == corners[-1] == f"{x0:.1f},{page_html._y(1.0):.1f}"


def test_values_are_escaped(logdir: Path) -> None:
    trials, cycles, _ = load_rows(logdir, progress=False)
    hostile = [{**t, "model": "<script>alert(1)</script>", "g_model": "x", "f_model": "x"} for t in trials]
    report = build_report(hostile, cycles, n_boot=50)
    text = page_html.report_page(report, curve_points(report), "<b>src</b>", ["<i>warn</i>"])
    assert "<script>" not in text and "<b>src</b>" not in text and "<i>warn</i>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_page_without_trials_says_what_is_missing(logdir: Path, tmp_path: Path) -> None:
    trials, cycles, _ = load_rows(logdir, progress=False)
    files = write_report(build_report(trials, cycles, n_boot=50), tmp_path, "src", figures=False)
    text = files["index.html"].read_text(encoding="utf-8")
    assert "not recorded: the page was written from report tables only" in text
    assert "Not computed: no trial and cycle rows given." in text


# --- in a real browser --------------------------------------------------------------------

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",  # we run as root in CI
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--proxy-server=http://127.0.0.1:9",  # a dead proxy: nothing can leave the machine
    "--proxy-bypass-list=<-loopback>",  # ... not even a request to localhost
]


def chromium_binary() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    skip_or_fail("browser", "no headless Chromium: apt-get install -y chromium")
    raise AssertionError("unreachable")


def open_in_chromium(url: str, work: Path, *action: str) -> tuple[str, list[str]]:
    """Open `url` headless; returns (stdout, URLs the page itself requested).

    The URLs come from Chromium's NetLog: a request made for a document carries the document
    as its initiator, Chromium's own background requests (time, updates) carry none.
    """
    profile = Path(tempfile.mkdtemp(prefix="chromium-", dir=work))
    netlog = profile.with_suffix(".netlog.json")
    command = [chromium_binary(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--log-net-log={netlog}"]
    try:
        done = subprocess.run([*command, *action, url], capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail(f"chromium did not finish on {url} within 120 s")
    assert done.returncode == 0, done.stderr[-2000:]
    log = json.loads(netlog.read_text(encoding="utf-8"))
    names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    requested = [
        str(e["params"]["url"])
        for e in log["events"]
        if names.get(e["type"]) == "URL_REQUEST_START_JOB"
        and "url" in e.get("params", {})
        and e["params"].get("initiator") not in (None, "not an origin")
    ]
    shutil.rmtree(profile, ignore_errors=True)
    return done.stdout, requested


def blue_pixels(png: Path) -> int:
    from PIL import Image

    with Image.open(png) as image:
        rgb = image.convert("RGB")
        return sum(
            1 for pixel in rgb.getdata() if all(abs(a - b) <= 8 for a, b in zip(pixel, BLUE, strict=True))
        )


@pytest.mark.browser
def test_report_page_renders_offline_in_chromium(page: Path, tmp_path: Path) -> None:
    # The check can fail: a page that loads a remote image and style is caught.
    control = tmp_path / "control.html"
    control.write_text(
        '<html><body><img src="http://example.invalid/x.png">'
        '<link rel="stylesheet" href="https://cdn.example.invalid/a.css"></body></html>'
    )
    _, requested = open_in_chromium(control.as_uri(), tmp_path, "--dump-dom")
    assert sorted(requested) == ["http://example.invalid/x.png", "https://cdn.example.invalid/a.css"]

    for offline in (page, page.parent / "survival_curves.html"):  # every page report writes
        dom, requested = open_in_chromium(offline.as_uri(), tmp_path, "--dump-dom")
        assert requested == [], offline.name
        assert dom.count("<svg") == 2 and dom.count("<circle") == 8  # two panels, cycles 0..3 each
    dom, _ = open_in_chromium(page.as_uri(), tmp_path, "--dump-dom")
    assert re.search(r"<td>2/5 = 40\.0% \[11\.8%, 76\.9%\]</td>", dom)

    keep = os.environ.get("ROUNDTRIP_SCREENSHOTS")  # CI keeps the screenshots
    shot = Path(keep) / "report_page.png" if keep else tmp_path / "page.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    _, requested = open_in_chromium(
        page.as_uri(), tmp_path, "--window-size=1280,1400", f"--screenshot={shot}"
    )
    assert requested == []
    pytest.importorskip("PIL", reason="reading the screenshot needs Pillow (a matplotlib dependency)")
    assert blue_pixels(shot) > 500  # the curves were drawn, in the model's colour
