"""The book build re-executes exactly the notebooks whose code or imported package changed.

``book/optimlib_book.py`` stamps each notebook with a hash of the package modules it
imports, so the execution cache (which keys on code cells only) cannot serve stale
outputs. These tests build a small book with the real extension and a toy package:

* an unchanged tree reuses the cache (nothing executes, the pages stay the same);
* a changed module re-executes the notebooks that import it, with fresh outputs, and
  only those;
* a changed code cell re-executes its notebook;
* a notebook that raises fails the build.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from built_book import ROOT

sys.path.insert(0, str(ROOT / "book"))
from optimlib_book import Dependencies, imported_modules

JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"

CONFIG = f"""
title: toy
only_build_toc_files: true
exclude_patterns: [_build/*, toypkg/*]
execute:
  execute_notebooks: cache
  raise_on_error: true
sphinx:
  local_extensions:
    optimlib_book: {ROOT / "book"}
  config:
    optimlib_book_packages: [toypkg]
    optimlib_book_extra_deps: []
    optimlib_book_exercises: []
    optimlib_book_mathjax: ""
"""

NOTEBOOKS = {
    "a": "from toypkg import values\nprint(f'a says {values.VALUE}')",
    "b": "import toypkg.other\nprint(f'b says {toypkg.other.NAME}')",
    "c": "print('c says hello')",
}


def write_notebook(path, code):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {path.stem}"), nbformat.v4.new_code_cell(code)]
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    root = tmp_path_factory.mktemp("toybook")
    (root / "_config.yml").write_text(CONFIG)
    (root / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n")
    with (root / "_toc.yml").open("a") as toc:
        toc.writelines(f"  - file: {name}\n" for name in NOTEBOOKS)
    (root / "intro.md").write_text("# Toy\n")
    for name, code in NOTEBOOKS.items():
        write_notebook(root / f"{name}.ipynb", code)
    package = root / "toypkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "values.py").write_text("VALUE = 1\n")
    (package / "other.py").write_text("from . import helpers\n\nNAME = helpers.NAME\n")
    (package / "helpers.py").write_text("NAME = 'bee'\n")
    return root


def build(root, ok=True):
    """Build the toy book; return the names of the notebooks that were executed."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(
        [JUPYTER_BOOK, "build", str(root), "-W", "-n", "--keep-going"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    log = done.stdout + done.stderr
    assert (done.returncode == 0) == ok, log[-6000:]
    return log if not ok else set(re.findall(r"(\w+)\.ipynb: Executed notebook", log))


def page(root, name):
    return (root / "_build" / "html" / f"{name}.html").read_text()


def test_the_build_executes_what_changed_and_reuses_the_rest(toy):
    # step by step in one test: each build starts from the state the last one left
    assert build(toy) == {"a", "b", "c"}
    assert "a says 1" in page(toy, "a") and "b says bee" in page(toy, "b")
    html = {name: page(toy, name) for name in NOTEBOOKS}

    assert build(toy) == set(), "an unchanged tree must reuse the cache"
    assert {name: page(toy, name) for name in NOTEBOOKS} == html

    (toy / "toypkg" / "values.py").write_text("VALUE = 2\n")
    assert build(toy) == {"a"}, "only the notebook that imports values"
    assert "a says 2" in page(toy, "a"), "stale output after the package changed"

    (toy / "toypkg" / "helpers.py").write_text("NAME = 'wasp'\n")  # imported by other.py
    write_notebook(toy / "c.ipynb", "print('c says goodbye')")
    assert build(toy) == {"b", "c"}, "b imports other, which imports helpers; c's code changed"
    assert "b says wasp" in page(toy, "b") and "c says goodbye" in page(toy, "c")

    # every notebook that imports the package; and a failing notebook fails the build,
    # also when it is executed in parallel with others
    (toy / "toypkg" / "__init__.py").write_text('"""The toy package."""\n')
    write_notebook(toy / "c.ipynb", "raise ValueError('c is broken')")
    log = build(toy, ok=False)
    assert set(re.findall(r"(\w+)\.ipynb: Executed notebook", log)) == {"a", "b"}
    assert "c.ipynb" in log and "ValueError" in log


@pytest.mark.parametrize(
    ("code", "package", "expected"),
    [
        ("import a.b.c", None, {"a.b.c"}),
        ("from a import b, c", None, {"a", "a.b", "a.c"}),
        ("from . import x", "p.q", {"p.q", "p.q.x"}),
        ("from ..r import y", "p.q", {"p.r", "p.r.y"}),
        ("def f():\n    import inner\n", None, {"inner"}),
    ],
)
def test_imported_modules(code, package, expected):
    assert imported_modules(code, package) == expected


def test_chapter_dependencies_follow_optimlib_imports():
    deps = Dependencies(ROOT, ["optimlib"], ["requirements.txt"])
    files = {p.relative_to(ROOT).as_posix() for p in deps.of_code(["from optimlib import losses"])}
    assert {"optimlib/__init__.py", "optimlib/losses.py", "requirements.txt"} <= files
    assert not any(f.startswith("optimlib/grading") for f in files), "precision: not all of it"
    unrelated = {p.relative_to(ROOT).as_posix() for p in deps.of_code(["print(1)"])}
    assert unrelated == {"requirements.txt"}
    assert deps.stamp(["import optimlib"]) != deps.stamp(["print(1)"])
