"""The JupyterLab panels, built and driven in-process: every check that takes options gets controls for them,
and each control re-runs the check with the chosen option."""

import html

import ipywidgets
import pandas as pd
import pytest

from ethics_review import aggregates, charts, display, pages, reruns, widgets
from ethics_review.errors import ReviewInputError
from ethics_review.findings import AREAS
from ethics_review.review import open_review
from ethics_review.runner import run_checks

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_review(demo_dir):
    return open_review(demo_dir)


@pytest.fixture(scope="module")
def findings(demo_review):
    return run_checks(demo_review)


def test_options_from_control_values():
    controls = {
        "campaign": ipywidgets.Dropdown(options=[("All", widgets.ALL), ("A", "A")], value=widgets.ALL),
        "attribute": ipywidgets.Dropdown(options=[("All", widgets.ALL), ("gender", "gender")], value="gender"),
        "reference": ipywidgets.Dropdown(
            options=[("highest", "highest"), ("gender = F", (("gender", "F"),))], value=(("gender", "F"),)
        ),
    }
    assert widgets.check_options(controls) == {"campaign": None, "attributes": ["gender"], "reference": {"gender": "F"}}


def test_a_french_panel_names_attributes_and_groups_as_the_report_does():
    """The choices read as the page's tables ("tranche d'âge", "genre = femmes"); the user's own column as written;
    the values given to the re-run stay canonical."""
    attribute = widgets._choices_dropdown("attribute", ["age_band", "marital"], "fr")["attribute"]
    assert attribute.options[1:] == (("tranche d'âge", "age_band"), ("marital", "marital"))
    assert widgets._reference_label((("gender", "F"),), "fr") == "genre = femmes"
    assert widgets._reference_label((("marital", "(missing)"),), "fr") == "marital = (non renseigné)"
    # the user's `marital` coded M and F: its groups as written, never the gender words
    assert widgets._reference_label((("marital", "M"),), "fr") == "marital = M"
    assert widgets._reference_label((("marital", "F"), ("gender", "F")), "fr") == "marital = F, genre = femmes"
    assert widgets._reference_label((("gender × marital", "F × 1-5"),), "fr") == "genre × marital = femmes × 1-5"


def test_every_check_with_a_campaign_option_gets_a_panel(demo_review, findings):
    for finding in findings:
        panel = widgets.panel(demo_review, finding)
        if reruns.accepts_option(finding.check_id, "campaign"):
            assert panel is not None, finding.check_id
            assert "campaign" in widgets.controls_for(demo_review, finding, None)


def test_controls_offer_what_the_review_holds(demo_review, findings, demo_dir):
    by_id = {f.check_id: f for f in findings}
    sends = pd.read_csv(demo_dir / "sends.csv", usecols=["campaign_id"])
    coverage = widgets.controls_for(demo_review, by_id["consent.coverage"], None)
    assert [label for label, _ in coverage["campaign"].options] == [
        "All campaigns",
        *sorted(sends.campaign_id.unique()),
    ]
    assert coverage["campaign"].value == widgets.ALL
    assert {"purpose"} <= set(coverage)  # consent: filter by campaign and purpose
    parity = widgets.controls_for(demo_review, by_id["bias.selection_parity"], None)
    assert set(parity) == {"campaign", "attribute", "reference", "fail_below", "warn_below"}
    assert {label for label, _ in parity["attribute"].options} == {"All attributes", "gender", "age band", "region"}
    assert (parity["fail_below"].value, parity["warn_below"].value) == (0.8, 0.9)
    disclosure = widgets.controls_for(demo_review, by_id["transparency.ai_disclosure"], None)
    assert {"campaign", "channel"} <= set(disclosure)  # transparency: filter by campaign and channel


@pytest.mark.parametrize("area", AREAS)
def test_every_control_reruns_its_check_with_the_chosen_value(demo_review, findings, area):
    """Drive each control to a real choice: the re-run must accept the options and honour a campaign filter."""
    for finding in (f for f in findings if f.area == area):
        controls = widgets.controls_for(demo_review, finding, None)
        for name, control in controls.items():
            original = control.value
            if isinstance(control, ipywidgets.Dropdown):
                choice = next(value for _, value in control.options if value not in (widgets.ALL, "highest"))
            else:
                choice = round(control.value - 0.05, 2) if name == "fail_below" else control.value
            control.value = choice
            options = widgets.check_options(controls)
            rerun = reruns.rerun(demo_review, finding.check_id, **options)
            assert rerun.check_id == finding.check_id and rerun.status != "error", (
                finding.check_id,
                name,
                rerun.summary,
            )
            if name == "campaign":
                campaigns = {r["campaign_id"] for r in rerun.evidence if "campaign_id" in r}
                assert campaigns <= {choice}, (finding.check_id, campaigns)
            control.value = original  # one option at a time


def test_a_panel_refreshes_when_a_control_changes(demo_review, findings):
    finding = next(f for f in findings if f.check_id == "bias.selection_parity")
    slider = widgets.check_panel(demo_review, finding).controls["fail_below"]
    assert slider.value == 0.8
    slider.value = 0.7  # observers run synchronously: an exception in the re-run would surface here
    assert slider.value == 0.7


def test_rejected_options_are_a_clear_error(demo_review):
    with pytest.raises(ReviewInputError, match="fail_below"):
        reruns.rerun(demo_review, "bias.selection_parity", fail_below=0.95, warn_below=0.9)


def test_campaign_choices_are_the_distinct_campaigns_of_the_table(demo_review, demo_dir):
    targeting = pd.read_csv(demo_dir / "targeting.csv", usecols=["campaign_id"])
    assert widgets.campaign_choices(demo_review, "targeting") == sorted(targeting.campaign_id.unique())
    assert widgets.campaign_choices(demo_review, "requests") == []  # no campaign_id column: no dropdown


def test_widgets_do_not_change_the_findings(demo_review):
    """An area shown with panels gives the same findings as the static view the report uses."""
    for area in AREAS:
        static = display.show_area(demo_review, area, interactive=False)
        live = display.show_area(demo_review, area, interactive=True)
        assert [f.to_json() for f in live] == [f.to_json() for f in static]


# --- the panel: locale, status words, reset, the kit-default note, reuse of the review's aggregates ----------------


def shown_html(panel) -> str:
    """The HTML the panel's Output holds now."""
    return "".join(output["data"].get("text/html", "") for output in panel.output.outputs)


def finding_of(review, check_id):
    (finding,) = run_checks(review, ids=[check_id])
    return finding


@pytest.fixture(scope="module")
def french_review(demo_dir):
    return open_review(demo_dir, lang="fr")


@pytest.fixture(scope="module")
def notebook_review(demo_dir):
    """As a JupyterLab notebook opens the review: it keeps its aggregates from the first run on."""
    return display.open_for_notebook(data_dir=str(demo_dir))


@pytest.fixture(scope="module")
def fresh_review(demo_dir):
    """A review that never keeps anything (no panel is built on it): every check queries the engine."""
    return open_review(demo_dir)


def test_a_french_threshold_reads_with_a_decimal_comma_and_the_report_status_words(french_review):
    panel = widgets.check_panel(french_review, finding_of(french_review, "bias.selection_parity"))
    fail, warn = panel.controls["fail_below"], panel.controls["warn_below"]
    assert isinstance(fail, ipywidgets.SelectionSlider)  # its readout is the chosen value's label
    assert (fail.description, fail.label) == ("À corriger sous", "0,80")
    assert (warn.description, warn.label) == ("À examiner sous", "0,90")
    assert fail.description.startswith(pages.status_label("fail", "fr"))
    assert all("." not in label and "," in label for label, _ in fail.options), fail.options
    fail.value = 0.75
    assert fail.label == "0,75"


def test_a_share_threshold_reads_as_the_report_writes_it(french_review):
    """transparency.human_review judges a share: its slider writes 80,0 %, as the report's threshold line does."""
    finding = finding_of(french_review, "transparency.human_review")
    slider = widgets.check_panel(french_review, finding).controls["fail_below"]
    line = next(t for t in finding.thresholds if t.level == "fail")
    assert slider.label == charts.format_value(0.8, line.metric, "fr") == "80,0\u00a0%"
    assert slider.label in pages.threshold_text(line, "fr", finding.check_id)


def test_an_english_threshold_reads_with_a_point(demo_review, findings):
    finding = next(f for f in findings if f.check_id == "bias.selection_parity")
    fail = widgets.check_panel(demo_review, finding).controls["fail_below"]
    assert (fail.description, fail.label) == ("To fix below", "0.80")


def test_the_kit_default_note_appears_when_a_threshold_moves_and_goes_when_it_returns(french_review):
    panel = widgets.check_panel(french_review, finding_of(french_review, "bias.selection_parity"))
    note = panel.notes["fail_below"]
    assert note.value == ""  # 0.80 is the kit default
    panel.controls["fail_below"].value = 0.7
    assert "modifié par rapport à la valeur par défaut du kit (0,80)" in note.value
    assert panel.notes["warn_below"].value == ""
    panel.controls["fail_below"].value = 0.8
    assert note.value == ""


def test_a_threshold_the_config_changed_is_noted_from_the_start(demo_review):
    configured = reruns.with_check_options(demo_review, "bias.selection_parity", {"warn_below": 0.95})
    panel = widgets.check_panel(configured, finding_of(configured, "bias.selection_parity"))
    assert panel.controls["warn_below"].value == 0.95
    assert "changed from the kit default (0.90)" in panel.notes["warn_below"].value
    assert panel.notes["fail_below"].value == ""


def test_reset_restores_the_review_config_not_the_kit_defaults(demo_review):
    check_id = "bias.selection_parity"
    configured = reruns.with_check_options(
        demo_review, check_id, {"fail_below": 0.7, "warn_below": 0.85, "attributes": ["gender"], "reference": "largest"}
    )
    finding = finding_of(configured, check_id)
    panel = widgets.check_panel(configured, finding)
    controls = panel.controls
    start = {name: control.value for name, control in controls.items()}
    assert start == {
        "campaign": widgets.ALL,
        "attribute": "gender",
        "reference": "largest",
        "fail_below": 0.7,
        "warn_below": 0.85,
    }
    first_outputs = panel.output.outputs
    controls["fail_below"].value = 0.6
    controls["attribute"].value = widgets.ALL
    controls["campaign"].value = next(v for _, v in controls["campaign"].options if v != widgets.ALL)
    assert panel.shown().to_json() != finding.to_json()
    panel.reset.click()
    assert {name: control.value for name, control in controls.items()} == start
    assert panel.shown().to_json() == finding.to_json()
    assert panel.output.outputs == first_outputs
    assert "changed from the kit default (0.80)" in panel.notes["fail_below"].value  # the config's 0.7


@pytest.mark.parametrize(
    ("check_id", "moves"),
    [
        ("bias.selection_parity", {"fail_below": 0.7, "warn_below": 0.95}),
        ("bias.offer_parity", {"warn_below": 0.95}),
        ("bias.outcome_parity", {"warn_above": 0.05}),
        ("consent.proof", {"fail_below": 0.9}),
        ("transparency.human_review", {"warn_below": 0.9}),
        ("governance.human_contact", {"fail_below": 0.6}),
    ],
)
def test_a_threshold_change_judges_the_kept_aggregates_as_a_fresh_run_would(
    notebook_review, fresh_review, check_id, moves
):
    """No query runs again for a threshold, and the finding is the one a fresh review with that option gives."""
    review = notebook_review
    panel = widgets.check_panel(review, finding_of(review, check_id))
    store = aggregates.store_of(review)
    assert store is not None
    for option, value in moves.items():
        misses, hits = store.misses, store.hits
        panel.controls[option].value = value
        assert store.misses == misses and store.hits > hits, (option, "queried the engine again")
    assert aggregates.store_of(fresh_review) is None
    expected = finding_of(reruns.with_check_options(fresh_review, check_id, moves), check_id)
    assert panel.shown().to_json() == expected.to_json()
    assert html.escape(expected.summary) in shown_html(panel)


@pytest.mark.parametrize("check_id", ["consent.coverage", "bias.selection_parity", "transparency.ai_disclosure"])
def test_a_campaign_change_shows_what_display_rerun_gives_for_that_campaign(notebook_review, fresh_review, check_id):
    panel = widgets.check_panel(notebook_review, finding_of(notebook_review, check_id))
    fresh = fresh_review
    for campaign in [v for _, v in panel.controls["campaign"].options if v != widgets.ALL][:2]:
        panel.controls["campaign"].value = campaign
        expected = reruns.rerun(fresh, check_id, campaign=campaign)
        assert panel.shown().to_json() == expected.to_json(), campaign
        assert html.escape(expected.summary) in shown_html(panel)
    panel.controls["campaign"].value = widgets.ALL  # back to a set of options drawn before
    assert panel.shown().to_json() == reruns.rerun(fresh, check_id).to_json()


def test_rejected_thresholds_are_said_in_the_panel(demo_review, findings):
    finding = next(f for f in findings if f.check_id == "bias.selection_parity")
    panel = widgets.check_panel(demo_review, finding)
    panel.controls["fail_below"].value = 0.95  # above warn_below 0.9
    assert panel.shown() is None
    assert "fail_below" in shown_html(panel)


def test_kept_aggregates_belong_to_one_connection(demo_dir):
    """Two in-memory DuckDB connections compare equal in Ibis: a review that remembers must not answer the other's
    queries, and a kept result changed by its reader stays as computed."""
    first, second = open_review(demo_dir), open_review(demo_dir)
    store = aggregates.remember(first)
    assert aggregates.store_of(second) is None
    run_checks(second, ids=["consent.coverage"])
    assert store.misses == 0 and not store.results
    run_checks(first, ids=["consent.coverage"])
    kept = dict(store.results)
    assert kept and store.hits == 0
    op = next(op for op, result in kept.items() if isinstance(result, pd.DataFrame) and len(result))
    with aggregates.reusing(first):
        frame = aggregates.recall(op.to_expr(), lambda: pytest.fail("computed again"))
    assert store.hits == 1 and frame.equals(kept[op])
    frame.iloc[:, 0] = None
    assert not kept[op].equals(frame)
