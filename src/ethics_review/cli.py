"""The `ethics-review` command. Exit codes (DESIGN.md): 0 nothing at or above --fail-on, 1 findings at that
level, 2 bad input or config (one message, no traceback), 3 a notebook or internal error."""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__, i18n
from .areas import AREAS
from .errors import ReviewInputError

if TYPE_CHECKING:
    from .findings import Finding

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
FAIL_LEVELS = {"warn": ("warn", "fail", "error"), "fail": ("fail", "error")}
# A run whose report was written but where some check could not be computed exits EXIT_INTERNAL (3).


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ethics-review",
        description=(
            "Review the ethics of AI in marketing on your own exports: consent coverage, bias in targeting, "
            "transparency of AI use. Personal data stays in the engine; reports hold aggregates only."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="generate the demo dataset and run the full review on it")
    demo.add_argument("--out", type=Path, default=Path("demo-review"), help="output folder (default: demo-review)")
    demo.add_argument("--contacts", type=int, default=20_000, help="number of contacts (default: 20000)")
    demo.add_argument("--lang", choices=i18n.LANGUAGES, default="fr", help="report language (default: fr)")
    demo.add_argument("--seed", type=int, default=None, help="random seed of the generator")
    demo.add_argument(
        "--history",
        type=Path,
        default=None,
        help="the review's history folder (default: OUT/data.history, with two earlier runs)",
    )
    _pdf_options(demo)
    _engine_option(demo)

    run = commands.add_parser("run", help="run one review and write its report")
    run.add_argument("path", type=Path, help="a review.yaml or a review folder")
    run.add_argument("--out", type=Path, default=Path("review-output"), help="output folder (default: review-output)")
    run.add_argument(
        "--fail-on",
        choices=("warn", "fail"),
        default="fail",
        help="exit 1 when a finding is at this level or worse (default: fail)",
    )
    run.add_argument("--as-of", default=None, help="judge time-based rules at this date (YYYY-MM-DD)")
    run.add_argument("--lang", choices=i18n.LANGUAGES, default=None, help="report language (default: from config)")
    run.add_argument(
        "--history",
        type=Path,
        default=None,
        help="the review's history folder, read and appended to (default: <review folder>.history, "
        "next to the review; never inside an input folder)",
    )
    run.add_argument("--no-history", action="store_true", help="do not append this run to the review's history")
    _pdf_options(run)
    _engine_option(run)

    batch = commands.add_parser(
        "batch", help="run many reviews, or one review split by campaign or country, and write a summary of them all"
    )
    batch.add_argument("paths", type=Path, nargs="+", metavar="PATH", help="review folders or review.yaml files")
    batch.add_argument(
        "--out",
        type=Path,
        default=Path("batch-output"),
        help="output folder: one report folder per review, index.html and summary.json (default: batch-output)",
    )
    batch.add_argument(
        "--by",
        choices=("campaign", "country"),
        default=None,
        help="split the one review given into one review per campaign or per country of its contacts",
    )
    batch.add_argument(
        "--jobs", type=int, default=1, help="reviews run at the same time, each in its own process (default: 1)"
    )
    batch.add_argument(
        "--fail-on",
        choices=("warn", "fail"),
        default="fail",
        help="exit 1 when a review has a finding at this level or worse (default: fail); exit 3 when "
        "a review could not run or a check could not be computed",
    )
    batch.add_argument("--as-of", default=None, help="judge time-based rules at this date (YYYY-MM-DD)")
    batch.add_argument(
        "--lang",
        choices=i18n.LANGUAGES,
        default=None,
        help="language of the reports and the summary (default: each review's own)",
    )
    _engine_option(batch)

    validate = commands.add_parser("validate", help="check the inputs against the data contract, nothing else")
    validate.add_argument("path", type=Path, help="a review.yaml or a review folder")
    _engine_option(validate)

    init = commands.add_parser("init", help="create a new review folder from the kit's templates")
    init.add_argument("dir", type=Path, help="the folder to create")

    diff = commands.add_parser("diff", help="what changed between two runs' findings")
    diff.add_argument("old", type=Path, nargs="?", help="findings.json (or output folder) of the earlier run")
    diff.add_argument("new", type=Path, nargs="?", help="findings.json (or output folder) of the later run")
    diff.add_argument(
        "--history", type=Path, default=None, help="compare the last two runs of a review's history folder instead"
    )

    docs = commands.add_parser("docs", help="write docs/data-contract.md and docs/checks.md from the kit's code")
    docs.add_argument("--out", type=Path, default=None, help="folder to write into (default: the repository's docs/)")
    docs.add_argument("--check", action="store_true", help="write nothing; exit 1 when a document is stale")

    lab = commands.add_parser(
        "lab",
        help="open JupyterLab on the area notebooks of a review (no REVIEW: the demo)",
        description="Write the area notebooks, in the review's language and with the review filled in, into "
        "REVIEW/notebooks/ (an edited copy is kept unless --force), then start JupyterLab on them. "
        "Options after -- go to Jupyter as they are (ethics-review lab REVIEW -- --ServerApp.ip=0.0.0.0).",
    )
    lab.add_argument(
        "review",
        type=Path,
        nargs="?",
        default=None,
        help="a review folder or its review.yaml (default: the demo, generated in demo-review/data when absent)",
    )
    lab.add_argument(
        "--folder", type=Path, default=None, help="where to write the notebooks (default: REVIEW/notebooks)"
    )
    lab.add_argument("--force", action="store_true", help="replace notebooks you edited with the kit's version")
    lab.add_argument("--port", type=int, default=None, help="the port of JupyterLab (default: Jupyter's, 8888)")
    lab.add_argument("--no-browser", action="store_true", help="do not open a browser")
    lab.add_argument(
        "--no-start",
        action="store_true",
        help="write the notebooks and print the command to start JupyterLab, without starting it",
    )
    return parser


def _engine_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--engine",
        default=None,
        metavar="ENGINE",
        help=(
            "where to compute, overriding engine: in review.yaml: duckdb (default), pyspark, "
            "'spark-connect sc://HOST:15002' (or just sc://HOST:15002), or an Ibis URL such as "
            "postgres://user@host:5432/db"
        ),
    )


def _pdf_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--pdf",
        action="store_true",
        help="also write report.pdf (the scorecard and every area page), printed by Chromium",
    )
    command.add_argument(
        "--chromium",
        type=Path,
        default=None,
        metavar="PATH",
        help="the Chromium to print with (default: chromium or chromium-browser on PATH; Debian package `chromium`)",
    )


def _stop_on_sigterm() -> Any:
    """SIGTERM (a `timeout`, a CI runner cancelling) stops the run like Ctrl+C: the notebook client shuts its
    kernel down and the staging folder is removed, instead of the process vanishing and leaving them behind.
    Returns the previous handler (None when not in the main thread)."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, interrupt)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    passed_on: list[str] = []  # `lab ... -- ARGS`: ARGS go to Jupyter untouched
    if "--" in argv:
        at = argv.index("--")
        argv, passed_on = argv[:at], argv[at + 1 :]
    args = _parser().parse_args(argv)
    if passed_on and args.command != "lab":
        _parser().error(f"only lab passes options on (after --): {' '.join(passed_on)}")
    args.passed_on = passed_on
    if args.command in {"run", "demo", "batch"}:
        _without_iri_grammars()
    previous = _stop_on_sigterm() if args.command in {"run", "demo", "lab", "batch"} else None
    try:
        return _main(args)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _without_iri_grammars() -> None:
    """A report command's process goes without jsonschema's `iri` format checker: papermill and nbformat import
    jsonschema, which imports rfc3987-syntax for that checker, and rfc3987-syntax builds about 35 Earley grammars at
    import, 1.5 s of CPU before the review even opens (python-jsonschema/jsonschema#1428). No schema the kit or
    nbformat validates uses the `iri` format, and neither asks for format checking. Only this process, the
    command's own: a program that imports the kit keeps its jsonschema as it is."""
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # None: its import raises ImportError


def _main(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        commands = {
            "demo": _demo,
            "run": _run,
            "batch": _batch,
            "validate": _validate,
            "init": _init,
            "diff": _diff,
            "lab": _lab,
            "docs": _docs,
        }
        return commands[args.command](args)
    except ReviewInputError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.fix:
            print(f"fix: {exc.fix}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERNAL
    except Exception as exc:  # an internal failure: one line, the traceback only on request
        if args.debug:
            raise
        from .report import ReportError  # noqa: PLC0415 - start-up time: the CLI loads a command's modules only when that command runs

        kind = "report error" if isinstance(exc, ReportError) else "internal error"
        print(f"{kind}: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("rerun with --debug for the traceback", file=sys.stderr)
        return EXIT_INTERNAL


def _demo(args: argparse.Namespace) -> int:
    from .demo import generate  # noqa: PLC0415 - start-up time: the CLI loads a command's modules only when that command runs
    from .report import run_report  # noqa: PLC0415 - start-up time: the CLI loads a command's modules only when that command runs

    if args.contacts < 1000:
        raise ReviewInputError(
            f"--contacts {args.contacts} is too small for a meaningful demo",
            fix="use at least 1000 contacts (the default is 20000)",
        )
    if args.pdf:
        from .pdf import find_chromium  # noqa: PLC0415 - start-up time: the CLI loads a command's modules only when that command runs

        find_chromium(args.chromium)  # before generating anything
    options = {"contacts": args.contacts, "lang": args.lang}
    if args.seed is not None:
        options["seed"] = args.seed
    data_dir = args.out / "data"
    print(f"Generating the demo dataset ({args.contacts:,} contacts) in {data_dir} ...")
    demo = generate(data_dir, history_dir=args.history, **options)
    result = run_report(
        data_dir,
        args.out / "report",
        lang=args.lang,
        history=demo.history_dir,
        pdf=args.pdf,
        chromium=args.chromium,
        engine=args.engine,
    )
    _print_summary(result.findings, args.lang)
    _print_legal(result.paths["findings"])
    _print_outputs(result, args.lang)
    print(_words("demo_next", args.lang, index=(result.out_dir / "index.html").resolve(), data=data_dir.resolve()))
    return EXIT_OK  # the demo is meant to find problems: its findings are not a failure of the command


def _run(args: argparse.Namespace) -> int:
    from .kernels import for_report  # noqa: PLC0415 - start-up time: the CLI loads a command's modules only when that command runs

    # The notebooks' kernels start first: they import the kit in their own processes while this one imports the
    # report's modules (pandas, Ibis, papermill: about a second) and validates the review.
    kernels = for_report(args.path, AREAS, jobs=None)
    try:
        from .report import run_report  # noqa: PLC0415 - start-up time: the CLI loads a command's modules only when that command runs

        result = run_report(
            args.path,
            args.out,
            as_of=args.as_of,
            lang=args.lang,
            history=_history_for(args),
            pdf=args.pdf,
            chromium=args.chromium,
            engine=args.engine,
            kernels=kernels,
        )
    finally:
        kernels.close()
    from .runner import raise_nothing_judged  # noqa: PLC0415 - start-up time: the CLI loads a command's modules only when that command runs

    _print_summary(result.findings, result.lang)
    _print_legal(result.paths["findings"])
    _print_outputs(result, result.lang)
    if result.findings and all(f.status == "not_applicable" for f in result.findings):
        raise_nothing_judged(sorted({m for f in result.findings for m in f.metric.get("missing", [])}))
    if any(f.status == "error" for f in result.findings):
        print("Some checks could not be computed (status error): see their findings.", file=sys.stderr)
        return EXIT_INTERNAL
    failing = [f for f in result.findings if f.status in FAIL_LEVELS[args.fail_on]]
    return EXIT_FINDINGS if failing else EXIT_OK


def _batch(args: argparse.Namespace) -> int:
    from .batch import run_batch  # noqa: PLC0415 - start-up time: the CLI loads a command's modules only when that command runs

    if args.jobs < 1:
        raise ReviewInputError(f"--jobs {args.jobs} is not a number of processes", fix="use --jobs 1 or more")
    result = run_batch(
        args.paths, args.out, by=args.by, jobs=args.jobs, as_of=args.as_of, lang=args.lang, engine=args.engine
    )
    for row in result.rows:
        print(f"{row.status:<15} {row.name}" + (f": {row.error}" if row.error else ""))
    print(f"\n{(result.out_dir / 'index.html').resolve()}")
    if any(row.status == "error" or row.counts.get("error") for row in result.rows):
        return EXIT_INTERNAL
    return EXIT_FINDINGS if result.worst in FAIL_LEVELS[args.fail_on] else EXIT_OK


def _history_for(args: argparse.Namespace) -> Path | None:
    """--history DIR, or the folder next to the review; None with --no-history."""
    from .history import default_dir  # noqa: PLC0415 - start-up time: the CLI loads a command's modules only when that command runs

    if args.no_history:
        return None
    if args.history is not None:
        return Path(args.history)
    path = args.path.expanduser().resolve()
    return default_dir(path if path.is_dir() else path.parent)


def _validate(args: argparse.Namespace) -> int:
    from .engine import close  # noqa: PLC0415 - start-up time: the CLI loads a command's modules only when that command runs
    from .review import open_review  # noqa: PLC0415 - start-up time: the CLI loads a command's modules only when that command runs
    from .runner import require_something_to_judge, validate_check_options  # noqa: PLC0415 - start-up time: the CLI loads a command's modules only when that command runs

    review = open_review(args.path, engine=args.engine)
    close(review.con)  # the tables are validated; only the counts below are printed
    validate_check_options(review)
    require_something_to_judge(review)
    print(f"{review.config.name}: inputs match the data contract.")
    for item in review.inputs:
        print(f"  {item.table:<12} {item.rows:>10,} rows  {item.path}")
    if not review.inputs:
        print(
            "  (no input found: put canonical files such as contacts.csv in the folder, or name them under "
            "sources: in review.yaml)"
        )
    return EXIT_OK


def _init(args: argparse.Namespace) -> int:
    from .paths import templates_dir  # noqa: PLC0415 - start-up time: the CLI loads a command's modules only when that command runs

    target: Path = args.dir
    if target.exists() and any(target.iterdir()):
        raise ReviewInputError(
            f"{target} already exists and is not empty", fix="choose a new folder name; init never overwrites files"
        )
    shutil.copytree(templates_dir() / "review", target, dirs_exist_ok=True)
    print(
        f"Created {target}: replace the example rows with your exports, edit review.yaml, then run\n"
        f"  ethics-review validate {target}\n  ethics-review run {target} --out {target}-report"
    )
    return EXIT_OK


def _diff(args: argparse.Namespace) -> int:
    """Exit 1 when a check got worse, so that a CI gate can use it."""
    from .compare import compare_runs, read_findings  # noqa: PLC0415 - start-up time: the CLI loads a command's modules only when that command runs

    if args.history is not None:
        if args.old is not None or args.new is not None:
            raise ReviewInputError(
                "diff takes either two findings.json files or --history DIR, not both",
                fix="drop the files to compare the history's last two runs",
            )
        from .history import last_two  # noqa: PLC0415 - start-up time: the CLI loads a command's modules only when that command runs

        old, new = last_two(args.history)
        print(f"{old['as_of']} ({old['generated_at']}) -> {new['as_of']} ({new['generated_at']})")
    elif args.old is None or args.new is None:
        raise ReviewInputError(
            "diff needs two findings.json files (or output folders), or --history DIR",
            fix="ethics-review diff OLD NEW, or ethics-review diff --history DIR",
        )
    else:
        old, new = read_findings(args.old), read_findings(args.new)
    changes = compare_runs(old, new)
    if not changes:
        print("No change in statuses or metrics.")
        return EXIT_OK
    from .compare import got_worse  # noqa: PLC0415 - start-up time: the CLI loads a command's modules only when that command runs

    worse = False
    for change in changes:
        print(f"{change.check_id}: {change.before or '(new)'} -> {change.after or '(gone)'}")
        for name, before, after in change.metric_changes:
            print(f"    {name}: {before} -> {after}")
        worse = worse or got_worse(change)
    return EXIT_FINDINGS if worse else EXIT_OK


def _docs(args: argparse.Namespace) -> int:
    from . import docs  # noqa: PLC0415 - start-up time: the CLI loads a command's modules only when that command runs

    return docs.run(args.out, check=args.check)


def _lab(args: argparse.Namespace) -> int:
    from . import lab  # noqa: PLC0415 - start-up time: the CLI loads a command's modules only when that command runs

    return lab.run(
        args.review,
        folder=args.folder,
        force=args.force,
        port=args.port,
        no_browser=args.no_browser,
        start=not args.no_start,
        extra=args.passed_on,
    )


def _print_summary(findings: Sequence[Finding], lang: str) -> None:
    """Counts per verdict, then one line per finding in the order of work, in the review's language."""
    from . import pages  # noqa: PLC0415 - start-up time: the CLI loads a command's modules only when that command runs
    from .work import order_of_work  # noqa: PLC0415 - start-up time: the CLI loads a command's modules only when that command runs

    counts = pages.verdict_counts(findings)
    print(
        "\n" + "  ".join(f"{pages.status_label(v, lang)}{pages.label('sep', lang)}{n}" for v, n in counts.items() if n)
    )
    ordered = order_of_work([{**f.to_json(), "status": f.status} for f in findings])
    words = {id(f): pages.status_label(pages.verdict(f), lang) for f in ordered}
    width = max((len(w) for w in words.values()), default=10)
    id_width = max((len(f["check_id"]) for f in ordered), default=10)
    for finding in ordered:
        print(f"  {words[id(finding)]:<{width}}  {finding['check_id']:<{id_width}}  {finding['summary']}")


def _words(part: str, lang: str, **values: object) -> str:
    return i18n.ui(f"cli.{part}", lang, **values)


def _print_outputs(result: Any, lang: str) -> None:
    out_dir = result.out_dir
    print("\n" + _words("report", lang, path=(out_dir / "index.html").resolve()))
    pdf = out_dir / "report.pdf"
    if pdf.is_file():
        print(_words("pdf", lang, path=pdf.resolve()))


def _print_legal(findings_json: Path) -> None:
    """The legal dates the review used and the dated notice (findings.json `legal`)."""
    from .legal import summary_lines  # noqa: PLC0415 - start-up time: the CLI loads a command's modules only when that command runs

    record = json.loads(findings_json.read_text(encoding="utf-8"))
    print("\n" + "\n".join(summary_lines(record["legal"], record["lang"])))


if __name__ == "__main__":
    sys.exit(main())
