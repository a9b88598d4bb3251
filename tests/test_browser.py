"""The demo report in a real browser: the system's Chromium (Debian package `chromium`) through Playwright, with
every network request refused. Each page loads without a console error, draws every plotly figure, shows no code
and no traceback. Screenshots of the scorecard and of one page per area go to the test's folder, and to
docs/screenshots/ when ETHICS_REVIEW_UPDATE_SCREENSHOTS=1 (what the README shows). The French run of the demo
also printed report.pdf: its pages hold the scorecard and every area page, charts included.

Without Chromium these tests skip with the reason, except in CI (ETHICS_REVIEW_REQUIRE_BROWSER=1 or
ETHICS_REVIEW_REQUIRE_SHARED_DATA=1), where a missing browser is a failure."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ethics_review.pdf import DRAWN, PDF_FILE, launch_arguments
from tests.conftest import chromium_available

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGES = ("index.html", "consent.html", "bias.html", "transparency.html", "governance.html")
SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def browser():
    if not chromium_available():
        reason = "no Chromium on PATH (install the Debian package `chromium`)"
        if "1" in (
            os.environ.get("ETHICS_REVIEW_REQUIRE_BROWSER"),
            os.environ.get("ETHICS_REVIEW_REQUIRE_SHARED_DATA"),
        ):
            pytest.fail(f"{reason}: CI must run the browser tests")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    from ethics_review.pdf import find_chromium

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(find_chromium()), args=launch_arguments())
        yield chromium
        chromium.close()


def open_offline(browser, url: str):
    """A page whose every request other than file:, data: and about: is refused and recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    refused, errors = [], []

    def route(route):
        if route.request.url.startswith(("file:", "data:", "about:", "blob:")):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url, wait_until="load")
    return page, refused, errors


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_page_renders_offline_with_every_chart_drawn(browser, demo_command_report, lang, tmp_path):
    folder = demo_command_report(lang)
    for name in PAGES:
        page, refused, errors = open_offline(browser, (folder / name).as_uri())
        page.wait_for_function(DRAWN, timeout=60_000)
        figures = page.locator(".plotly-graph-div")
        heights = [figures.nth(i).locator(".main-svg").first.bounding_box()["height"] for i in range(figures.count())]
        assert all(height > 100 for height in heights), f"{name}: a figure drew nothing ({heights})"
        if name != "index.html":
            assert figures.count() > 0, f"{name}: no chart"
        assert page.locator(".jp-CodeCell .jp-InputArea:visible, .jp-CodeCell .jp-Editor:visible").count() == 0, (
            "code shown"
        )
        text = page.inner_text("body")
        assert "Traceback" not in text and "Error" not in text.split("\n")[0]
        assert not refused, f"{name} asked the network for {refused[:3]}"
        assert not errors, f"{name}: console errors {errors[:3]}"
        shot = tmp_path / f"{lang}-{name.removesuffix('.html')}.png"
        page.screenshot(path=str(shot), full_page=False)
        if os.environ.get("ETHICS_REVIEW_UPDATE_SCREENSHOTS") == "1":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / shot.name), full_page=False)
        page.context.close()


def test_the_scorecard_links_lead_to_their_sections(browser, demo_command_report):
    folder = demo_command_report("fr")
    page, _, _ = open_offline(browser, (folder / "index.html").as_uri())
    link = page.locator("tr.er-finding-row a").first
    target = link.get_attribute("href")
    link.click()
    page.wait_for_load_state("load")
    anchor = target.split("#", 1)[1]
    assert page.url.endswith(target) and page.locator(f"#{anchor}").is_visible()
    page.context.close()


def test_demo_pdf_holds_the_scorecard_and_every_area_with_its_charts(demo_command_report):
    if not chromium_available():
        pytest.skip("no Chromium: the demo printed no PDF")
    from pypdf import PdfReader

    reader = PdfReader(demo_command_report("fr") / PDF_FILE)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 8
    for words in (
        "Tableau de bord de la revue éthique",
        "Par quoi commencer",
        "Consentement et vie privée",
        "Biais et équité",
        "Transparence et supervision humaine",
        # chart titles are SVG text, so their presence shows the charts were drawn before printing
        "Envois sans base légale, par campagne et finalité",
        "Taux de sélection par groupe",
    ):
        assert words in text, words
