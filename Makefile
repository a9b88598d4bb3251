# Two commands do all set-up on a new machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO_OUT ?= demo-review

.PHONY: demo test docs screenshots install clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/ethics-review demo --out $(DEMO_OUT)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# docs/data-contract.md and docs/checks.md are generated from the code; tests/test_docs.py fails when stale.
docs: $(STAMP)
	$(BIN)/python -m ethics_review.docs

# The README's screenshots, taken by the browser test in headless Chromium with the network blocked.
screenshots: $(STAMP)
	ETHICS_REVIEW_UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest tests/test_browser.py -k renders

clean:
	rm -rf $(VENV) $(DEMO_OUT) .pytest_cache
