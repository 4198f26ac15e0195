# reviewqa: `make run` starts the app (building the index on first run); `make test` runs every check.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 7860

.PHONY: install run build test test-fast lint bench eval clean

install: $(STAMP)

# Re-installs only when the project's requirements change.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# The CPU build of torch first, so nothing pulls the multi-GB CUDA build.
	$(PY) -m pip install --quiet "torch==2.13.0"
	$(PY) -m pip install --quiet -e ".[dev]"
	@if { [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/strace ]; } && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's chromium (browser tests, test PDFs) and strace (kill-at-rename tests)"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium strace >/dev/null) \
		|| echo "warning: could not install chromium/strace; the tests that need them will be skipped"; \
	fi
	touch $(STAMP)

build: install
	HF_HUB_OFFLINE=1 $(VENV)/bin/reviewqa build

run: install
	HF_HUB_OFFLINE=1 $(VENV)/bin/reviewqa serve --host $(HOST) --port $(PORT)

lint: install
	$(VENV)/bin/ruff check qa tests testkit bench
	$(VENV)/bin/mypy

test: lint
	HF_HUB_OFFLINE=1 $(PY) -m pytest

test-fast: install
	HF_HUB_OFFLINE=1 $(PY) -m pytest -m "not slow"

bench: install
	HF_HUB_OFFLINE=1 $(PY) -m bench.latency

eval: install
	HF_HUB_OFFLINE=1 $(VENV)/bin/reviewqa eval

# The virtual environment and what tests and benchmarks leave in the checkout. Your data folder
# (collection, added files, index: `reviewqa stats` shows where) is never touched.
clean:
	rm -rf $(VENV) eval/runs test-artifacts .pytest_cache .mypy_cache .ruff_cache
