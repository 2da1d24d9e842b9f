# The two commands of the README:
#   make book   set up .venv from requirements.txt, build the book into _build/html
#   make test   the fast checks (minutes): ruff, actionlint on the workflows, the unit tests not
#               marked heavy or slow, then every chapter under nbval, two at a time
# and the heavier checks that CI (.ci/run) runs after them:
#   make test-heavy   the tests marked heavy or slow (Colab emulation, every chapter re-run at the default
#                     thread count, the benchmark scripts' quick modes, slow reference checks),
#                     then the browser check of the built site (site-deps + site-check)
# and one for authors:
#   make refresh [NB=chapters/ch01_model.ipynb]   re-execute notebooks in place (small scale)
# and the browser check of the built site (after `make book`; CI runs it too):
#   make site-deps    Debian's chromium + chromium-driver (+ npm, to fetch MathJax once; shellcheck, which
#                     actionlint uses on workflow scripts), each if missing (root, or sudo)
#   make site-check   every page of _build/html in headless Chromium as a reader sees it
#                     (tools/site_check.py; screenshots and a report in _build)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

PYTHON3 ?= python3
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
NB      ?= $(wildcard chapters/*.ipynb)

.PHONY: setup book test test-heavy refresh clean site-deps site-check

setup: $(STAMP)

# Reinstall whenever the pinned environment or the package metadata changes.
# `make refresh` starts the kernel named "python3" (and nbval falls back to it without
# --nbval-current-env): register it so that it is this venv's python.
$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON3) -m venv $(VENV)
	$(PY) -m pip install -r requirements.txt
	$(PY) -m ipykernel install --sys-prefix --name python3
	touch $(STAMP)

book: setup
	rm -rf _build
	$(VENV)/bin/jupyter-book build . -W -n --keep-going

# The chapters run two at a time (pytest-xdist, one notebook per worker: --dist loadfile keeps a
# notebook's cells in order on one kernel), each with one thread per library so that the two
# workers do not fight over the two cores; test-heavy re-runs them at the default thread count, so
# the stored outputs are checked under both.
ONE_THREAD := OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 NUMEXPR_NUM_THREADS=1
WORKERS    ?= 2

test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/actionlint .github/workflows/*.yml
	$(ONE_THREAD) $(PY) -m pytest tests -m "not heavy and not slow" -n $(WORKERS) -p no:cacheprovider
	env -u ACTGRAM_FULL $(ONE_THREAD) $(PY) -m pytest --nbval chapters -n $(WORKERS) --dist loadfile \
		--nbval-sanitize-with tests/sanitize.cfg --nbval-current-env -p no:cacheprovider

test-heavy: setup
	$(PY) -m pytest tests -m "heavy or slow" -p no:cacheprovider
	$(MAKE) site-deps
	$(MAKE) site-check

# Stored outputs are what nbval compares against, so they are always regenerated at the
# default (small) scale: ACTGRAM_FULL is removed from the environment. `jupyter execute`
# is nbclient's runner (what `jupyter nbconvert --execute` uses inside), already installed
# with myst-nb and nbval, so nbconvert itself is not needed.
refresh: setup
	env -u ACTGRAM_FULL $(VENV)/bin/jupyter execute --inplace --kernel_name=python3 \
		--timeout=3600 $(NB)

# Only what is missing: a machine with NodeSource's nodejs (which bundles npm) refuses Debian's npm
# package ("nodejs : Conflicts: npm"), so npm is asked for only when there is none.
site-deps:
	pkgs=""; \
	command -v chromium >/dev/null || pkgs="$$pkgs chromium"; \
	command -v chromedriver >/dev/null || pkgs="$$pkgs chromium-driver"; \
	command -v npm >/dev/null || pkgs="$$pkgs npm"; \
	command -v shellcheck >/dev/null || pkgs="$$pkgs shellcheck"; \
	sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo"; \
	if [ -n "$$pkgs" ]; then \
		$$sudo apt-get update -q && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q $$pkgs; \
	fi

# First the check's own tests (a hand-made site whose flaws it must catch, a clean page it
# must pass), then every page of the book: at 1400 px no block wider than its column, every
# figure captioned and shown at >= 90 px per figure-inch (SVG text >= 10 px), no workshop
# words, plus links, math, Colab; screenshots at 1400 and 390 px in _build/screenshots.
site-check: setup
	test -f _build/html/index.html || $(MAKE) book
	$(PY) -m pip install -q -r tools/requirements-site.txt
	$(PY) -m pytest tests/test_site_check.py -q -p no:cacheprovider
	$(PY) tools/site_check.py

clean:
	rm -rf _build .pytest_cache .hypothesis
