"""Grading speed: optimlib's grader against one Jupyter kernel per submission (nbclient).

Builds at least 200 submissions of the course's exercise notebooks — correct, wrong,
untouched, partly right and broken ones — and grades them all with
``optimlib.grading.grader`` on every core. The baseline is what existing notebook graders
do: execute each submission in its own fresh kernel with nbclient, one at a time; it runs
on a sample (executing all of them would take minutes) and its rate is compared with ours
in the same run. Targets (DESIGN.md): ≥ 5 submissions/s, ≥ 5× the baseline.
"""

import re
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from optimlib.grading import grader  # noqa: E402
from optimlib.grading.release import STUB, release_notebook  # noqa: E402

PER_EXERCISE = 200
BASELINE_SAMPLE = 12


def variants(source, student_copy):
    """Submissions of one exercise: (name, notebook or raw text)."""
    right = nbformat.read(source, 4)
    stub = nbformat.read(student_copy, 4)
    wrong, partial = nbformat.read(student_copy, 4), nbformat.read(source, 4)
    for cell in wrong.cells:
        cell.source = cell.source.replace(STUB, "return 0.0")
    defs = [c for c in partial.cells if c.cell_type == "code" and c.source.startswith("def ")]
    defs[0].source = re.sub(
        r"(?s)(    # BEGIN SOLUTION\n).*?(    # END SOLUTION)",
        r"\1    return -1.0\n\2",
        defs[0].source,
    )
    crashing = nbformat.read(source, 4)
    crashing.cells.insert(0, nbformat.v4.new_code_cell("raise RuntimeError('oops')"))
    return [
        ("correct", right),
        ("untouched", stub),
        ("wrong", wrong),
        ("partial", partial),
        ("crashing_cell", crashing),
        ("malformed", '{"cells": ['),
    ]


def write(folder, name, content):
    path = folder / f"{name}.ipynb"
    if isinstance(content, str):
        path.write_text(content)
    else:
        nbformat.write(content, path)
    return path


def baseline(paths):
    """Execute each submission in its own kernel, one at a time (errors allowed)."""
    start = time.perf_counter()
    for path in paths:
        try:
            nb = nbformat.read(path, 4)
        except Exception:  # a malformed notebook fails before any kernel starts
            continue
        client = NotebookClient(nb, timeout=30, kernel_name="python3", allow_errors=True)
        try:
            client.execute()
        except CellExecutionError:
            pass
    return len(paths) / (time.perf_counter() - start)


if __name__ == "__main__":
    exercises = sorted((ROOT / "exercises").glob("*.ipynb"))
    n_each = max(PER_EXERCISE // len(exercises), 1)
    total, seconds, sample = 0, 0.0, []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for source in exercises:
            folder = tmp / source.stem
            folder.mkdir()
            kinds = variants(source, release_notebook(source, tmp / "student"))
            paths = [
                write(folder, f"{kind}_{i:03d}", content)
                for i in range(n_each)
                for kind, content in [kinds[i % len(kinds)]]
            ]
            sample += paths[: BASELINE_SAMPLE // len(exercises) + 1]
            start = time.perf_counter()
            summary = grader.grade(source, [folder], tmp / "out" / source.stem, timeout=10)
            seconds += time.perf_counter() - start
            total += summary["graded"]
            print(
                f"{source.stem}: {summary['graded']} submissions in "
                f"{time.perf_counter() - start:.1f} s ({summary['ok']} ok, "
                f"{summary['error']} error; mean {summary['mean']:.2f}/{summary['max_total']:g})"
            )
        ours = total / seconds
        theirs = baseline(sample)
    print(f"optimlib grader: {total} submissions in {seconds:.1f} s = {ours:.1f}/s (target ≥ 5/s)")
    print(f"one kernel per submission (nbclient, {len(sample)} sampled): {theirs:.2f}/s")
    print(f"speed-up: {ours / theirs:.1f}× (target ≥ 5×)")
    sys.exit(0 if ours >= 5 and ours / theirs >= 5 else 1)
