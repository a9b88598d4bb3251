"""`ethics-review lab` in a real browser: the system's Chromium (Debian package `chromium`) through Playwright
drives JupyterLab on the French demo review. Each area's notebook runs top to bottom; every widget renders (no
"Loading widget", no text repr such as "Dropdown(...)"), no cell has an error output, and the markdown is French.
In the consent coverage panel, choosing a campaign the demo planted no uncovered send in (planted.json) turns the
shown status from "Non conforme" to "Sans anomalie".

The server is started as a user would, `ethics-review lab DEMO --no-browser --port P -- ...`, with an empty token,
JupyterLab's settings in a temporary folder (windowingMode "none", so that every cell renders, and no news
fetched) and the application exposed to the page (`window.jupyterapp`) to run all cells. Every request other than
to the server is refused. At the end the server and its kernels are stopped, and the test checks that none is
left. Screenshots go to the test's folder, and to docs/screenshots/ when ETHICS_REVIEW_UPDATE_SCREENSHOTS=1.

Without Chromium these tests skip with the reason, except in CI (ETHICS_REVIEW_REQUIRE_BROWSER=1 or
ETHICS_REVIEW_REQUIRE_SHARED_DATA=1), where a missing browser is a failure."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from ethics_review import pages
from ethics_review.findings import AREAS
from tests.conftest import DEMO_TEST_CONTACTS, chromium_available

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "docs" / "screenshots"
RUN_TIMEOUT_MS = 240_000  # one notebook, all cells, on the 5,000-contact demo on a small shared machine
TEXT_REPRS = (
    "VBox(",
    "HBox(",
    "Dropdown(",
    "FloatSlider(",
    "Output(",
    "Button(",
    "Loading widget",
    "Finding(",
    "<IPython.core.display",
)
SETTINGS = {  # JupyterLab user settings: render every cell (widgets off screen too), fetch nothing
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def french_demo(tmp_path_factory) -> Path:
    from ethics_review.demo import generate

    folder = tmp_path_factory.mktemp("lab-demo") / "data"
    generate(folder, contacts=DEMO_TEST_CONTACTS, lang="fr")
    return folder


@pytest.fixture(scope="module")
def lab_server(french_demo, tmp_path_factory):
    """`ethics-review lab` on the French demo; yields its URL, then stops it and every process it started."""
    import psutil

    if not chromium_available():
        reason = "no Chromium on PATH (install the Debian package `chromium`)"
        if "1" in (
            os.environ.get("ETHICS_REVIEW_REQUIRE_BROWSER"),
            os.environ.get("ETHICS_REVIEW_REQUIRE_SHARED_DATA"),
        ):
            pytest.fail(f"{reason}: CI must run the browser tests")
        pytest.skip(reason)
    home = tmp_path_factory.mktemp("jupyter")
    for name, values in SETTINGS.items():
        path = home / "settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    port = free_port()
    environment = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "run"),
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH", "")) if p),
    }
    command = [
        sys.executable,
        "-m",
        "ethics_review.cli",
        "lab",
        str(french_demo),
        "--no-browser",
        "--port",
        str(port),
        "--",
        "--allow-root",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        "--ServerApp.ip=127.0.0.1",
        f"--LabApp.user_settings_dir={home / 'settings'}",
        f"--LabApp.workspaces_dir={home / 'workspaces'}",
        "--LabApp.expose_app_in_browser=True",
    ]
    log = (home / "lab.log").open("w", encoding="utf-8")
    started = time.monotonic()
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=environment, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}/api/status", server, home / "lab.log")
        print(f"JupyterLab answered after {time.monotonic() - started:.1f} s")
        yield url, server
    finally:
        spawned = psutil.Process(server.pid).children(recursive=True) if server.poll() is None else []
        server.send_signal(signal.SIGTERM)  # the lab command only: it stops JupyterLab, which stops its kernels
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        _gone, alive = psutil.wait_procs(spawned, timeout=30)
        for process in alive:
            process.kill()
        log.close()
        assert not alive, f"left behind after JupyterLab stopped: {[p.pid for p in alive]}"


def wait_for(url: str, server: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(
                f"ethics-review lab exited with {server.returncode}:\n{log.read_text(encoding='utf-8')[-3000:]}"
            )
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:  # the local test server
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer at {url} within {timeout} s:\n{log.read_text(encoding='utf-8')[-3000:]}")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    from ethics_review.pdf import find_chromium, launch_arguments

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(find_chromium()), args=launch_arguments())
        yield chromium
        chromium.close()


def open_notebook(browser, url: str, area: str):
    """The area's notebook in a page that may reach the server only."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    refused: list[str] = []

    def route(request_route):
        if request_route.request.url.startswith((url, "data:", "blob:", "about:")):
            request_route.continue_()
        else:
            refused.append(request_route.request.url)
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    # A workspace of its own, reset: only this notebook open (JupyterLab restores the tabs of the last page).
    page.goto(f"{url}/lab/workspaces/{area}/tree/{area}.ipynb?reset", wait_until="domcontentloaded")
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
        " && window.jupyterapp.shell.currentWidget.sessionContext"
        " && window.jupyterapp.shell.currentWidget.sessionContext.session"
        " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"
        " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'",
        timeout=120_000,
    )
    return context, page, refused


def notebook_panel(page):
    """The notebook's own panel (a locator on the current widget's node)."""
    return page.locator(f"#{page.evaluate('() => window.jupyterapp.shell.currentWidget.id')}")


RUN_ALL_DONE = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cells = panel.content.widgets.filter(cell => cell.model.type === 'code');
  const kernel = panel.sessionContext.session.kernel;
  return kernel.status === 'idle' && cells.every(cell => cell.model.executionCount !== null
                                                  && !cell.node.querySelector('.jp-InputArea-prompt')
                                                                .textContent.includes('*'));
}"""

ERROR_OUTPUTS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const found = [];
  for (const cell of panel.content.widgets) {
    if (cell.model.type !== 'code') continue;
    for (let i = 0; i < cell.model.outputs.length; i++) {
      const output = cell.model.outputs.get(i).toJSON();
      if (output.output_type === 'error') found.push(`${output.ename}: ${output.evalue}`);
      if (output.output_type === 'stream' && output.name === 'stderr') found.push(`stderr: ${output.text}`);
    }
  }
  return found;
}"""


def run_all(page) -> float:
    started = time.monotonic()
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(RUN_ALL_DONE, timeout=RUN_TIMEOUT_MS, polling=1000)
    page.wait_for_timeout(1500)  # the last outputs and widget views render
    return time.monotonic() - started


def check_cell(page, check_id: str):
    """The code cell of a check's section (its source is `display.show_check(walk, "<id>")`)."""
    return notebook_panel(page).locator(".jp-CodeCell").filter(has_text=f'display.show_check(walk, "{check_id}")')


def screenshot(page, folder: Path, name: str, *, docs: bool = False) -> Path:
    path = folder / name
    page.screenshot(path=str(path))
    if docs and os.environ.get("ETHICS_REVIEW_UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, SCREENSHOTS / name)
    return path


@pytest.mark.parametrize("area", AREAS)
def test_each_notebook_runs_in_jupyterlab_in_french_with_every_widget_drawn(
    lab_server, browser, french_demo, area, tmp_path_factory
):
    """Consent also changes a campaign in its coverage panel (in the same run: JupyterLab and the kernel are the
    slow part on this machine)."""
    url, _server = lab_server
    shots = tmp_path_factory.getbasetemp() / "lab-screenshots"
    shots.mkdir(exist_ok=True)
    context, page, refused = open_notebook(browser, url, area)
    try:
        took = run_all(page)
        print(f"{area}: all cells ran in {took:.1f} s")
        assert page.evaluate(ERROR_OUTPUTS) == []
        panel = notebook_panel(page)
        text = panel.inner_text()
        assert not [r for r in TEXT_REPRS if r in text], [r for r in TEXT_REPRS if r in text]
        assert panel.locator("h1").filter(has_text=pages.area_title(area, "fr")).count() == 1
        assert "Pourquoi c'est important" in text and "Why it matters" not in text
        if area in ("consent", "bias"):  # their checks have panels: the widget views are drawn
            assert panel.locator(".widget-dropdown select").count() >= 1
        screenshot(page, shots, f"lab-{area}.png")
        if area == "consent":
            choosing_a_campaign_changes_the_coverage_status_to_the_planted_one(page, french_demo, shots)
        assert not refused, refused
    finally:
        page.evaluate("async () => { await window.jupyterapp.serviceManager.sessions.shutdownAll(); }")
        context.close()


def choosing_a_campaign_changes_the_coverage_status_to_the_planted_one(page, french_demo: Path, shots: Path) -> None:
    """The coverage panel shows "Non conforme" for all campaigns (planted.json: uncovered sends); choosing a
    campaign planted.json lists no uncovered send for shows "Sans anomalie"."""
    from ethics_review.demo.campaigns import CAMPAIGNS

    planted = json.loads((french_demo / "planted.json").read_text(encoding="utf-8"))["checks"]["consent.coverage"]
    assert planted["status"] == "fail" and planted["uncovered_by_campaign"]
    cell = check_cell(page, "consent.coverage")
    badge = cell.locator("#check-consent-coverage .er-badge")
    assert badge.inner_text() == pages.status_label("fail_rule", "fr")  # a breached rule: Non conforme
    heading = notebook_panel(page).locator(".jp-MarkdownCell").filter(has_text="1. Chaque envoi était permis")
    heading.evaluate("cell => cell.scrollIntoView({block: 'start'})")  # the section: heading, why, panel
    page.wait_for_timeout(500)
    screenshot(page, shots, "lab-section.png", docs=True)
    select = cell.locator(".widget-dropdown select").first
    shown = select.locator("option").all_inner_texts()
    clean = next(c.id for c in CAMPAIGNS if c.id in shown and c.id not in planted["uncovered_by_campaign"])
    started = time.monotonic()
    select.select_option(label=clean)
    expected = pages.status_label("pass", "fr")
    page.wait_for_function(
        """([label]) => { const b = document.querySelector('#check-consent-coverage .er-badge');
                          return b && b.textContent.trim() === label; }""",
        arg=[expected],
        timeout=90_000,
    )
    print(f"consent.coverage re-rendered for campaign {clean} in {time.monotonic() - started:.1f} s")
    page.wait_for_timeout(500)
    screenshot(page, shots, "lab-widget-change.png", docs=True)
