# Two commands: `make book` builds the HTML book, `make test` runs every check.
# Both create .venv from requirements.txt when it is missing or out of date.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
JB_CACHE := _build/.jupyter_cache
OPTIMLIB_HASH := _build/.optimlib.sha256

.PHONY: help book test lint pytest lab bench student clean

help:
	@echo "make book   build the HTML book into _build/html"
	@echo "make test   ruff + pytest (units, notebooks, release) + the -W book build"
	@echo "make lab    open JupyterLab on the chapters and exercises"
	@echo "make bench  run the benchmarks in benchmarks/"

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

# The execution cache keys on a notebook's code cells only, and Sphinx re-reads only pages
# whose source changed, so a changed optimlib would leave stale outputs in the book: drop
# both the execution cache and Sphinx's environment whenever optimlib's source changes.
book: $(STAMP)
	@mkdir -p _build
	@new=$$(cat $$(find optimlib -name '*.py' | sort) requirements.txt | sha256sum | cut -d' ' -f1); \
	if [ "$$new" != "$$(cat $(OPTIMLIB_HASH) 2>/dev/null)" ]; then \
	  echo "optimlib changed: re-executing every chapter"; rm -rf $(JB_CACHE) _build/.doctrees; fi; \
	echo "$$new" > $(OPTIMLIB_HASH).new
	$(BIN)/jupyter-book build . -W -n --keep-going
	@mv $(OPTIMLIB_HASH).new $(OPTIMLIB_HASH)
	@echo; echo "The book is ready: open file://$(CURDIR)/_build/html/index.html"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

pytest: $(STAMP)
	$(BIN)/pytest -n 2 --dist loadfile --nbval-lax --doctest-modules optimlib tests chapters exercises

test: lint pytest book

lab: $(STAMP)
	$(BIN)/jupyter lab

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# Student notebooks, as `python -m optimlib.grading release` writes them (not committed).
student: $(STAMP)
	$(BIN)/python -m optimlib.grading release --out student

clean:
	rm -rf _build student
