"""Release: turn an instructor's exercise notebook into the student's.

An instructor source marks what students must not see with comment lines:

* ``# BEGIN SOLUTION`` … ``# END SOLUTION`` in a code cell: the lines between are
  replaced by one ``raise NotImplementedError(...)`` at the marker's indentation;
* ``# BEGIN HIDDEN TESTS`` … ``# END HIDDEN TESTS``: the lines are removed;
* ``<!-- BEGIN SOLUTION -->`` … ``<!-- END SOLUTION -->`` in a markdown cell: replaced
  by a prompt for the student's own answer.

Outputs, execution counts and widget state are dropped. Markers that do not pair up
raise ``ReleaseError`` naming the notebook and cell.
"""

import re
from pathlib import Path

import nbformat

STUB = 'raise NotImplementedError("Replace this line with your solution.")'
ANSWER = "*Write your answer here.*"
_CODE = re.compile(r"^(?P<indent>\s*)# (?P<edge>BEGIN|END) (?P<kind>SOLUTION|HIDDEN TESTS)\s*$")
_MARKDOWN = re.compile(r"^\s*<!-- (?P<edge>BEGIN|END) (?P<kind>SOLUTION) -->\s*$")


class ReleaseError(ValueError):
    """An instructor source whose markers do not pair up."""


def regions(source, pattern=_CODE):
    """Yield ``(kind, indent, start, stop)`` for each marked region of ``source``'s lines.

    ``start`` and ``stop`` are the line numbers of the BEGIN and END markers.
    """
    open_ = None
    for n, line in enumerate(source.splitlines()):
        match = pattern.match(line)
        if match is None:
            continue
        kind, edge = match["kind"], match["edge"]
        indent = match.groupdict().get("indent") or ""
        if edge == "BEGIN":
            if open_ is not None:
                raise ReleaseError(f"line {n + 1}: BEGIN {kind} inside an open {open_[0]}")
            open_ = (kind, indent, n)
        else:
            if open_ is None or open_[0] != kind:
                raise ReleaseError(f"line {n + 1}: END {kind} without a matching BEGIN")
            yield open_[0], open_[1], open_[2], n
            open_ = None
    if open_ is not None:
        raise ReleaseError(f"line {open_[2] + 1}: BEGIN {open_[0]} is never closed")


def strip_cell(source, cell_type):
    """The student's version of one cell's source."""
    pattern = _CODE if cell_type == "code" else _MARKDOWN
    lines = source.splitlines()
    out, last = [], 0
    for kind, indent, start, stop in regions(source, pattern):
        out += lines[last:start]
        if kind == "SOLUTION":
            out.append(indent + STUB if cell_type == "code" else ANSWER)
        last = stop + 1
    out += lines[last:]
    return "\n".join(out)


def release_notebook(source_path, out_dir):
    """Write the student version of ``source_path`` into ``out_dir``; return its path."""
    source_path = Path(source_path)
    nb = nbformat.read(source_path, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type not in ("code", "markdown"):
            continue
        try:
            cell.source = strip_cell(cell.source, cell.cell_type)
        except ReleaseError as exc:
            raise ReleaseError(f"{source_path}, cell {i + 1}, {exc}") from None
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata.pop("widgets", None)
    nbformat.validate(nb)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / source_path.name
    nbformat.write(nb, target)
    return target
