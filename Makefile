# Two commands do all set-up on a new machine: `make demo` and `make test`.
# Both install the exact versions CI tests (requirements.lock, with hashes); `make lock` regenerates the lock
# from pyproject.toml's ranges, `make test-latest` runs the suite on the newest versions those ranges allow.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
LOCK   := requirements.lock
DEMO_OUT ?= demo-review
LATEST := .venv-latest

.PHONY: demo test lint docs notebooks screenshots install lock test-latest clean

$(STAMP): pyproject.toml $(LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/ethics-review demo --out $(DEMO_OUT)

test: $(STAMP) lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The linter, the formatter's check and the type checker, configured in pyproject.toml (ruff, mypy --strict).
lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

# docs/data-contract.md and docs/checks.md are generated from the code; tests/test_docs.py fails when stale.
docs: $(STAMP)
	$(BIN)/python -m ethics_review.docs

# notebooks/*.ipynb are generated from the text catalogue; tests/test_notebooks.py fails when stale.
notebooks: $(STAMP)
	$(BIN)/python -m ethics_review.notebooks

# The README's screenshots, taken by the browser test in headless Chromium with the network blocked.
screenshots: $(STAMP)
	ETHICS_REVIEW_UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest tests/test_browser.py -k renders
	ETHICS_REVIEW_UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest tests/test_lab_browser.py -k consent

# Regenerate the lock after changing a dependency range in pyproject.toml (then run `make test`).
lock:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "pip-tools>=7.4,<8"
	$(BIN)/pip-compile --quiet --generate-hashes --extra test --extra spark --strip-extras --allow-unsafe \
		--output-file $(LOCK) pyproject.toml

# The suite on the newest versions within the ranges: run it before widening a range or cutting a release.
test-latest:
	@test -x $(LATEST)/bin/python || $(PYTHON) -m venv $(LATEST)
	$(LATEST)/bin/python -m pip install --quiet --upgrade --upgrade-strategy eager -e ".[test]"
	$(LATEST)/bin/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) $(LATEST) $(DEMO_OUT) .pytest_cache
