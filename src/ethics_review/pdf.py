"""report.pdf: the scorecard and every area page, charts included, printed by the system's Chromium.

Chromium is the Debian package `chromium` (or any Chromium given with `--chromium PATH`), driven through
Playwright's `page.pdf()`. The kit never downloads a browser, and the pages are printed with every network
request refused: the report is offline HTML, so nothing outside the output folder may load. Each page is printed
once every plotly figure has drawn its SVG, then the pages are joined in order with pypdf.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .errors import ReviewInputError

PDF_FILE = "report.pdf"
CHROMIUM_NAMES = ("chromium", "chromium-browser")
PRINT_WIDTH_PX = 960  # within the layout width of a printed A4 page at PRINT_SCALE with the margins below
PRINT_SCALE = 0.72
FIGURE_TIMEOUT_MS = 60_000
DRAWN = """() => [...document.querySelectorAll('.plotly-graph-div')]
               .every(div => div.querySelector('.main-svg') !== null)"""


def find_chromium(given: str | Path | None = None) -> Path:
    """The Chromium to print with: `given`, else `chromium` or `chromium-browser` on PATH."""
    if given is not None:
        path = Path(given).expanduser()
        if path.is_file() and os.access(path, os.X_OK):
            return path
        raise ReviewInputError(
            f"--chromium {given}: no executable file there",
            fix="give the path of a Chromium executable, e.g. /usr/bin/chromium",
        )
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise ReviewInputError(
        "no Chromium was found to print report.pdf (looked for `chromium` and `chromium-browser` on PATH)",
        fix="install the Debian package `chromium` (sudo apt-get install chromium), or give one with "
        "--chromium PATH; the HTML report is written either way",
    )


def launch_arguments() -> list[str]:
    """Chromium refuses to start its sandbox as root (containers, CI): only then is it turned off."""
    quiet = ["--disable-background-networking", "--disable-component-update", "--disable-sync"]
    return ["--no-sandbox", *quiet] if hasattr(os, "geteuid") and os.geteuid() == 0 else quiet


def write_pdf(out_dir: Path, pages: Sequence[Path], *, chromium: str | Path | None = None) -> Path:
    """Print `pages` (the scorecard first, then the area pages) into `out_dir/report.pdf`. Playwright's sync API
    refuses a thread with a running asyncio loop (the notebook client leaves one): it runs in its own thread."""
    executable = find_chromium(chromium)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_print, out_dir, pages, executable).result()


def _print(out_dir: Path, pages: Sequence[Path], executable: Path) -> Path:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only --pdf needs a browser driver
    from pypdf import PdfWriter  # noqa: PLC0415 - only --pdf joins pages

    target = out_dir / PDF_FILE
    with tempfile.TemporaryDirectory(prefix="er-pdf-") as scratch, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable), args=launch_arguments())
        try:
            context = browser.new_context(viewport={"width": PRINT_WIDTH_PX, "height": 1200})
            context.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith(("file:", "data:", "about:", "blob:"))
                    else route.abort()
                ),
            )
            parts = []
            for index, page_path in enumerate(pages):
                page = context.new_page()
                page.goto(page_path.resolve().as_uri(), wait_until="load")
                page.wait_for_function(DRAWN, timeout=FIGURE_TIMEOUT_MS)
                part = Path(scratch) / f"{index:02d}.pdf"
                page.pdf(
                    path=str(part),
                    format="A4",
                    print_background=True,
                    scale=PRINT_SCALE,
                    margin={"top": "12mm", "bottom": "12mm", "left": "10mm", "right": "10mm"},
                )
                page.close()
                parts.append(part)
        finally:
            browser.close()
        writer = PdfWriter()
        for part in parts:
            writer.append(str(part))
        partial = target.with_suffix(".pdf.partial")
        with partial.open("wb") as handle:
            writer.write(handle)
        partial.replace(target)  # never a half-written report.pdf
    return target
