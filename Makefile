# Two commands: `make book` builds the HTML book, `make test` runs every check.
# Both create .venv from requirements.txt when it is missing or out of date.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# MathJax, served by the book itself (no CDN): npm package pinned in book/package-lock.json
NPM_STAMP := book/node_modules/.installed
# another table of contents or output folder: make book TOC=other_toc.yml OUT=/tmp/book
TOC ?= _toc.yml
OUT ?= .
export BOOK_TOC := $(TOC)
# The book's matrices are small: BLAS threads only contend with the parallel chapter
# kernels and test workers for the 2 cores (one chapter ran 4.1 s with one thread, 6.9 s
# with the default, on a loaded machine).
export OPENBLAS_NUM_THREADS ?= 1

.PHONY: help book test lint pytest booktest lab bench student clean

help:
	@echo "make book   build the HTML book into _build/html"
	@echo "make test   ruff + pytest (units, notebooks, release) + the -W book build"
	@echo "            + make booktest: the built book in headless chromium, offline"
	@echo "            (TOC=file.yml OUT=dir: build and test another toc / elsewhere)"
	@echo "make lab    open JupyterLab on the chapters and exercises"
	@echo "make bench  run the benchmarks in benchmarks/"

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

$(NPM_STAMP): book/package.json book/package-lock.json
	npm ci --prefix book --no-audit --no-fund --loglevel=error
	touch $@

# book/optimlib_book.py (a Sphinx extension) releases the student exercises into
# student_exercises/, re-executes exactly the chapters whose code or imported optimlib
# modules changed, and copies MathJax into the site.
book: $(STAMP) $(NPM_STAMP)
	$(BIN)/jupyter-book build . -W -n --keep-going --toc $(TOC) --path-output $(OUT)
	@echo; echo "The book is ready: open file://$(abspath $(OUT))/_build/html/index.html"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

pytest: $(STAMP)
	$(BIN)/pytest -n 2 --dist loadfile --nbval-lax --doctest-modules -m "not book" \
	  optimlib tests chapters exercises

# Tests of the built site: every page in headless chromium, offline (tests/test_book_*.py).
booktest: $(STAMP) book
	BOOK_HTML=$(OUT)/_build/html $(BIN)/pytest -n 2 --dist loadscope -m book tests/test_book_*.py

test: lint pytest book booktest

lab: $(STAMP)
	$(BIN)/jupyter lab

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# Student notebooks, as `python -m optimlib.grading release` writes them (not committed).
student: $(STAMP)
	$(BIN)/python -m optimlib.grading release --out student

clean:
	rm -rf _build student student_exercises
