"""Time the book build and `make test` on this machine, and weigh the chapter pages.

The builds run in a copy of the working tree in a temporary folder, so the tree's
`_build` and its execution cache are left alone:

* a clean build (every chapter executed, in parallel: book/optimlib_book.py);
* a rebuild with nothing changed (every output from the cache);
* a rebuild after editing one chapter's code (that chapter re-executed), for each
  chapter in turn.

Then `make test` in the working tree. Targets (DESIGN.md): clean build < 90 s, one-chapter
rebuild < 15 s, `make test` < 5 minutes, on 2 cores; chapter pages < 3 MB.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
SKIP = {".git", ".venv", "_build", "student", "student_exercises", ".pytest_cache", ".ruff_cache"}
sys.path.insert(0, str(ROOT / "tests"))

from built_book import is_chapter, toc_docnames, toc_path  # noqa: E402


def timed(command, cwd=ROOT):
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode:
        print(done.stdout[-3000:], done.stderr[-3000:])
        raise SystemExit(f"{' '.join(map(str, command))} failed")
    return elapsed


def edit_code(path):
    """Change a chapter's code (a comment in its last code cell): it must re-execute."""
    notebook = json.loads(path.read_text())
    cell = [c for c in notebook["cells"] if c["cell_type"] == "code"][-1]
    source = "".join(cell["source"])
    cell["source"] = source + f"\n# edited by the benchmark at {time.time()}"
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    chapters = [d for d in toc_docnames() if is_chapter(d)]
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "book"
        shutil.copytree(ROOT, tree, ignore=lambda d, names: [n for n in names if n in SKIP])
        shutil.copyfile(toc_path(), tree / "_toc.yml")  # BOOK_TOC, if another toc is given
        build = [BIN / "jupyter-book", "build", str(tree), "-W", "-n", "--keep-going"]
        clean = timed(build)
        print(f"clean book build ({len(chapters)} chapters): {clean:6.1f} s   (target < 90 s)")
        html = tree / "_build" / "html"
        print("page weights (HTML + its images):")
        for docname in toc_docnames():
            page = html / f"{docname}.html"
            images = set(re.findall(r'<img [^>]*src="([^"#?]+)"', page.read_text()))
            files = [page] + [page.parent / s for s in images if not s.startswith("data:")]
            weight = sum(f.stat().st_size for f in files if f.is_file())
            print(f"    {docname + '.html':45s} {weight / 1e6:6.2f} MB")
        noop = timed(build)
        print(f"rebuild, nothing changed:     {noop:6.1f} s")
        worst = 0.0
        for chapter in chapters:
            edit_code(tree / f"{chapter}.ipynb")
            one = timed(build)
            worst = max(worst, one)
            print(f"rebuild, one chapter edited:  {one:6.1f} s   ({chapter})")
        print(f"rebuild, slowest chapter:     {worst:6.1f} s   (target < 15 s)")
    if os.environ.get("BENCH_SKIP_MAKE_TEST"):
        sys.exit(0)
    test = timed(["make", "test"])
    print(f"make test:                    {test:6.1f} s   (target < 300 s)")
