# The two commands of the README:
#   make book   set up .venv from requirements.txt, build the book into _build/html
#   make test   ruff, pytest on the package tests, then pytest --nbval on the chapters
# and one for authors:
#   make refresh [NB=chapters/ch01_model.ipynb]   re-execute notebooks in place (small scale)
# and the browser check of the built site (after `make book`; CI runs it too):
#   make site-deps    Debian's chromium + chromium-driver (+ npm, to fetch MathJax once), each if missing (root)
#   make site-check   every page of _build/html in headless Chromium (tools/site_check.py)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

PYTHON3 ?= python3
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
NB      ?= $(wildcard chapters/*.ipynb)

.PHONY: setup book test refresh clean site-deps site-check

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

test: setup
	$(VENV)/bin/ruff check .
	$(PY) -m pytest tests
	$(PY) -m pytest --nbval chapters --nbval-sanitize-with tests/sanitize.cfg \
		--nbval-current-env -p no:cacheprovider

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
	if [ -n "$$pkgs" ]; then \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$pkgs; \
	fi

site-check: setup
	test -f _build/html/index.html || $(MAKE) book
	$(PY) -m pip install -q -r tools/requirements-site.txt
	$(PY) tools/site_check.py

clean:
	rm -rf _build .pytest_cache .hypothesis
