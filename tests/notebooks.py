"""Helpers for tests that read the book's notebooks."""

import contextlib
import io
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import nbformat

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))


def run_in_process(path):
    """Execute a notebook's code cells in one fresh namespace; return the namespace.

    Much faster than a kernel, for tests that need what a notebook defines. Pyplot
    figures are closed after each cell, as in Jupyter.
    """
    matplotlib.use("Agg")
    nb = nbformat.read(path, as_version=4)
    namespace = {"__name__": "__notebook__"}
    with contextlib.redirect_stdout(io.StringIO()):
        for cell in nb.cells:
            if cell.cell_type == "code":
                exec(compile(cell.source, f"{path.name}", "exec"), namespace)
                plt.close("all")  # as Jupyter's inline backend does after each cell
    return namespace
