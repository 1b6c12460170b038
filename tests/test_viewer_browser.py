"""`inspect view` in a real browser: the header, the samples list and a sample read as they should.

A scripted log (replay model, `local` sandbox: the candidates are our own literals) with two
trials, one surviving 3/3 and one failing at cycle 2 (str(n) for n), is served by `inspect view`
and opened in Debian's headless `chromium`, driven by Playwright (`pip install -e '.[browser]'`;
Playwright's own browser download is not used). Screenshots go to `$ROUNDTRIP_SCREENSHOTS` when
set (.ci/run: logs/ci-screenshots), else to the test's temporary folder. Without chromium or Playwright the
test skips, unless `ROUNDTRIP_REQUIRE_BROWSER=1` (CI) makes that a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import skip_or_fail
from inspect_ai import eval as inspect_eval
from replay_scripts import surviving, trial, write

from roundtrip_eval.eval.tasks import fizzbuzz
from roundtrip_eval.problems.load import load_problem

pytestmark = pytest.mark.browser

REF = load_problem("fizzbuzz").reference
STR_N = REF.replace("return n", "return str(n)")
FAILED = "failed at cycle 2: return_type: fizzbuzz(1) expected 1 (int), got '1' (str)"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        if found := shutil.which(name):
            return found
    skip_or_fail("browser", "no headless Chromium: apt-get install -y chromium")
    raise AssertionError("unreachable")


def playwright() -> Any:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("browser", "no Playwright: pip install -e '.[browser]'")
    return sync_playwright


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def viewer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`inspect view` on a folder holding one scripted log; yields its address."""
    tmp = tmp_path_factory.mktemp("viewer")
    script = write(
        tmp / "replay.jsonl",
        {("fizzbuzz", 1): surviving("fizzbuzz", 3), ("fizzbuzz", 2): trial("fizzbuzz", [REF, STR_N])},
    )
    logs = tmp / "logs"
    task = fizzbuzz(sandbox="local", cycles=3, epochs=2, temperature=0.0)
    [log] = inspect_eval(task, model=f"replay/{script}", log_dir=str(logs), display="none", max_samples=1)
    assert log.status == "success", log.error
    port = free_port()
    inspect = Path(sys.executable).with_name("inspect")
    command = [str(inspect), "view", "--log-dir", str(logs), "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    err = server.stderr.read().decode(errors="replace") if server.stderr else ""
                    pytest.fail(f"inspect view did not start on port {port}: {err[-1000:]}")
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("ROUNDTRIP_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def page(viewer: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A headless Chromium page on the log (the only one in the folder, so the viewer opens it)."""
    executable, sync_playwright = chromium(), playwright()
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=executable,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 900},
        )
        try:
            page = context.new_page()
            page.goto(viewer, wait_until="networkidle")
            page.get_by_test_id("score-grid").first.wait_for(timeout=60_000)
            yield page
        finally:
            context.close()


def test_the_header_shows_short_metric_names_headline_first(page: Any, screenshots: Path) -> None:
    grid = page.get_by_test_id("score-grid").first
    text = grid.inner_text()
    page.screenshot(path=str(screenshots / "viewer_log.png"))
    cells = [cell.strip() for cell in re.split(r"[\t\n]", text) if cell.strip()]
    assert cells[:4] == ["Scorer", "mean", "stderr", "cycles_survived"], cells  # the headline first
    assert cells[4:8] == ["survival", "0.5", "0.5", "2.0"], cells  # one of two trials survived 3/3
    assert "roundtrip" not in text.replace("roundtrip_eval/fizzbuzz", "")


def test_the_answer_column_reads_as_a_results_table(page: Any) -> None:
    page.get_by_text(FAILED).first.wait_for(timeout=30_000)
    body = page.inner_text("body")
    assert "ANSWER" in body.upper()
    assert "survived 3/3" in body and FAILED in body


def test_all_scoring_lists_the_peer_metrics_and_the_curves(page: Any, screenshots: Path) -> None:
    page.get_by_text("All scoring...").click()
    dialog = page.get_by_role("dialog")
    try:
        dialog.get_by_text("Scoring Detail").first.wait_for(timeout=30_000)
        page.screenshot(path=str(screenshots / "viewer_scoring.png"))
        text = dialog.inner_text()
    finally:
        page.keyboard.press("Escape")
        dialog.wait_for(state="hidden", timeout=10_000)
    for name in ("peers", "asl", "sc_3", "ssc_3", "curves", "survival@1", "drift", "consistency"):
        assert name in text, name
    assert "roundtrip_eval/" not in text


def test_c0_in_the_sample_header_keeps_its_indentation(page: Any, screenshots: Path) -> None:
    page.get_by_text(FAILED).first.click()
    code = page.locator("pre").filter(has_text="def fizzbuzz(n):").first
    code.wait_for(timeout=30_000)
    page.screenshot(path=str(screenshots / "viewer_sample.png"))
    lines = code.inner_text().splitlines()
    assert lines[0] == "def fizzbuzz(n):" and lines[1] == "    if n % 15 == 0:"
    assert "```" not in code.inner_text()


def test_the_samples_grid_shows_each_number_once_headline_first(page: Any, viewer: str) -> None:
    """Score columns: survived and cycles_survived first, drift third, no column twice."""
    page.goto(viewer, wait_until="networkidle")
    page.get_by_text(FAILED).first.wait_for(timeout=30_000)
    cells = page.locator("[role=columnheader]").all_inner_texts()
    headers = [h.strip().lower() for h in cells if h.strip()]
    scores = headers[headers.index("survived"):]
    assert scores[:3] == ["survived", "cycles_survived", "drift"], scores
    assert len(scores) == len(set(scores)), scores  # every number once
    assert sum(h.startswith("survival@") for h in scores) == 3 and "loops" not in scores


def test_a_cycle_span_holds_its_verdict(page: Any, viewer: str, screenshots: Path) -> None:
    page.goto(viewer, wait_until="networkidle")
    page.get_by_text(FAILED).first.click()
    page.get_by_role("tab", name="Transcript").first.click()
    verdict = page.get_by_text("cycle 2: failed").first
    verdict.wait_for(timeout=30_000)
    verdict.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "viewer_verdict.png"))
    body = page.inner_text("body")
    assert "ROUNDTRIP: CYCLE 2" in body.upper() and "CYCLE 2: CYCLE 2" not in body.upper()
    span = body[body.upper().index("ROUNDTRIP: CYCLE 2"):]
    assert span.index("cycle 2: failed (return_type)") < len(span)
    table = span[span.index("Smallest failing inputs"):]
    assert re.search(r"\(1,\)\s+1 \(int\)\s+'1' \(str\)", table), table[:300]
