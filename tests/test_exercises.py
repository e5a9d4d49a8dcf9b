"""Every exercise notebook: released safely, full marks as written, zero as released."""

import json

import nbformat
import pytest
from notebooks import EXERCISES, run_in_process

from optimlib.grading import evaluate
from optimlib.grading import questions as registry
from optimlib.grading.release import _CODE, _MARKDOWN, STUB, regions, release_notebook


def secret_lines(path):
    """Every line inside a solution or hidden-test region of ``path`` that says something.

    Lines of bare punctuation (a closing ``],``) carry no information and are skipped.
    """
    lines = []
    for cell in nbformat.read(path, as_version=4).cells:
        source = cell.source.splitlines()

        pattern = _CODE if cell.cell_type == "code" else _MARKDOWN
        for _, _, start, stop in regions(cell.source, pattern):
            inside = (line.strip() for line in source[start + 1 : stop])
            lines += [line for line in inside if any(ch.isalnum() for ch in line)]
    return lines


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    return {path.name: release_notebook(path, out) for path in EXERCISES}


def test_there_are_exercises():
    assert EXERCISES, "exercises/ has no notebooks"


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.name)
def test_no_solution_or_hidden_test_reaches_the_student(path, released):
    secrets = secret_lines(path)
    assert secrets, f"{path.name} marks no solutions or hidden tests"
    student = nbformat.read(released[path.name], as_version=4)
    text = "\n".join(cell.source for cell in student.cells)
    leaked = [line for line in secrets if line in text]
    assert not leaked, f"lines of solutions/hidden tests in the student notebook: {leaked}"
    raw = json.loads(released[path.name].read_text())
    assert all(not c.get("outputs") and not c.get("execution_count") for c in raw["cells"])


def scores(path):
    registry._QUESTIONS.clear()
    namespace = run_in_process(path)
    questions = dict(registry._QUESTIONS)
    assert len(questions) >= 3, f"{path.name} has fewer than 3 graded questions"
    return {
        qid: (evaluate(q, namespace[q.function]).score, q.points, len(q.hidden))
        for qid, q in questions.items()
    }


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.name)
def test_instructor_source_earns_full_marks(path):
    for qid, (score, points, hidden) in scores(path).items():
        assert hidden >= 2, f"{qid} has {hidden} hidden cases"
        assert score == points, f"{qid}: the instructor's solution earns {score}/{points}"


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.name)
def test_student_release_earns_zero(path, released):
    student = released[path.name]
    assert STUB in student.read_text().replace('\\"', '"')
    for qid, (score, _points, hidden) in scores(student).items():
        assert hidden == 0, f"{qid}: hidden cases reached the student"
        assert score == 0, f"{qid}: the untouched release earns {score}"
