"""optimlib.grading: plain data, comparison, questions, the self-check and release."""

import json
import re
import subprocess
import sys

import nbformat
import numpy as np
import pytest

from optimlib.grading import (
    ReleaseError,
    check,
    compare,
    evaluate,
    plain,
    question,
    release_notebook,
)
from optimlib.grading.release import STUB, strip_cell


class AlwaysEqual:
    def __eq__(self, other):
        return True


class SneakyFloat(float):
    def __eq__(self, other):
        return True


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, 3),
        (2.5, 2.5),
        (np.float64(1.5), 1.5),
        ("saddle", "saddle"),
        (None, None),
        ((1, [2.0, True]), [1, [2.0, True]]),
        ({"lr": np.int64(3)}, {"lr": 3}),
    ],
)
def test_plain_keeps_plain_data(value, expected):
    assert plain(value) == expected


def test_plain_copies_arrays():
    a = np.arange(3.0)
    b = plain(a)
    b[0] = 99
    assert a[0] == 0


@pytest.mark.parametrize(
    ("value", "match"),
    [
        (AlwaysEqual(), "AlwaysEqual is not plain data"),
        (SneakyFloat(1.0), "SneakyFloat is not plain data"),
        (np.array([AlwaysEqual()]), "dtype object is not a numeric answer"),
        ((x for x in range(3)), "generator is not plain data"),
        ({1: 2}, "dict is not plain data"),
    ],
)
def test_plain_rejects_anything_else(value, match):
    with pytest.raises(TypeError, match=match):
        plain(value)


@pytest.mark.parametrize(
    ("got", "expected", "match"),
    [
        (1.0, 1.0 + 1e-9, None),
        ([1.0, 2.0], np.array([1.0, 2.0]), None),
        (1.1, 1.0, "expected 1, got 1.1"),
        ([1.0, 2.0], [1.0, 2.0, 3.0], r"expected shape \(3,\), got shape \(2,\)"),
        ("4", 4.0, "expected a number or an array"),
        (np.nan, 1.0, "non-finite"),
        ("minimum", "minimum", None),
        ("maximum", "minimum", "expected 'minimum', got 'maximum'"),
        (True, True, None),
        (1, True, "expected True, got 1"),
        ({"a": 1.0, "b": "x"}, {"a": 1.0, "b": "x"}, None),
        ({"a": 2.0, "b": "x"}, {"a": 1.0, "b": "x"}, r"\['a'\]: expected 1, got 2"),
        (["saddle", 1.0], ["saddle", 2.0], "item 1: expected 2"),
    ],
)
def test_compare(got, expected, match):
    why = compare(got, expected)
    if match is None:
        assert why is None
    else:
        assert why is not None
        assert re.search(match, why), why


@pytest.fixture
def square_question():
    return question(
        "test-square",
        function="square",
        points=3,
        cases=[(dict(x=2.0), 4.0), (dict(x=[1.0, -3.0]), [1.0, 9.0])],
        reference=lambda x: np.square(x),
        hidden=[dict(x=0.5)],
        hint="multiply x by itself",
    )


def test_public_cases_need_no_reference():
    q = question("test-public", function="f", points=1, cases=[(dict(x=1.0), 2.0)])
    assert evaluate(q, lambda x: 2 * x).score == 1
    assert evaluate(q, lambda x: x).score == 0


def test_check_gives_full_marks_to_a_right_answer(square_question):
    report = check("test-square", lambda x: np.asarray(x) ** 2)
    assert report.score == 3
    assert "3 of 3 cases pass" in repr(report)
    assert "hidden case 1" in repr(report)


def test_check_explains_a_wrong_answer(square_question):
    report = check("test-square", lambda x: np.asarray(x) * 2)
    assert report.score == 1  # only x = 2 passes: 2·2 = 2²
    text = repr(report)
    assert "1 of 3 cases pass" in text
    assert "✗ case 2: square(x=[1, -3])" in text
    assert "expected [1, 9], got [2, -6]" in text
    assert "Hint: multiply x by itself" in text
    assert "<strong>test-square: 1 / 3 points" in report._repr_html_()


def test_check_reports_a_stub_as_not_attempted(square_question):
    def square(x):
        raise NotImplementedError("Replace this line with your solution.")

    report = check("test-square", square)
    assert report.score == 0 and report.not_attempted
    assert "Not attempted yet: `square` still raises NotImplementedError" in repr(report)


def test_check_survives_exceptions_and_non_answers(square_question):
    report = check("test-square", lambda x: 1 / 0)
    assert report.score == 0
    assert "raised ZeroDivisionError: division by zero" in repr(report)
    report = check("test-square", lambda x: AlwaysEqual())
    assert report.score == 0
    assert "not an answer: AlwaysEqual is not plain data" in repr(report)


def test_student_cannot_change_the_reference_inputs(square_question):
    def square(x):
        result = np.square(x)
        if isinstance(x, list):
            x[0] = 100.0  # mutates its input: must not change the expected answer
        return result

    assert evaluate(square_question, square).score == 3


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(function="f", points=1, cases=[]), ValueError, "at least one case"),
        (dict(function="f", points=0, cases=[({}, 1)]), ValueError, "points must be"),
        (dict(function="2f", points=1, cases=[({}, 1)]), ValueError, "must be the name"),
        (dict(function="f", points=1, cases=[{}]), TypeError, "must be a pair"),
        (dict(function="f", points=1, cases=[([1], 1)]), TypeError, "dict of keywords"),
        (dict(function="f", points=1, cases=[({"x": abs}, 1)]), TypeError, "not plain"),
        (dict(function="f", points=1, cases=[({}, abs)]), TypeError, "not plain"),
        (dict(function="f", points=1, cases=[], hidden=[{}]), TypeError, "need a callable"),
        (dict(function="f", points=1, cases=[], reference=3, hidden=[{}]), TypeError, "callable"),
        (
            dict(function="f", points=1, cases=[({"x": 2}, 5)], reference=lambda x: x * x),
            ValueError,
            "case 1 disagrees with the reference: expected 4, got 5",
        ),
    ],
)
def test_question_rejects_bad_declarations(kwargs, error, match):
    with pytest.raises(error, match=match):
        question("bad", **kwargs)


# --- judged questions: a judge(answer, **case) decides instead of expected answers ---------


def at_most(answer, limit):
    """Accept a number ≤ limit: the kind of rule a judge states."""
    if type(answer) not in (int, float):
        return f"answer a number, not {answer!r}"
    return None if answer <= limit else f"{answer:g} is above {limit:g}"


@pytest.fixture
def judged_question():
    return question(
        "test-judged",
        function="pick",
        points=3,
        judge=at_most,
        cases=[dict(limit=5.0)],
        hidden=[dict(limit=1.0), dict(limit=-2.0)],
        hint="pick a small number",
    )


def test_a_judge_decides_each_case(judged_question):
    assert [exp for *_, exp in judged_question.all_cases()] == [None, None, None]
    assert check("test-judged", lambda limit: limit - 1).score == 3
    report = check("test-judged", lambda limit: 2.0)
    assert report.score == 1  # only limit = 5 accepts 2
    text = repr(report)
    assert "✓ case 1: pick(limit=5)" in text
    assert "✗ hidden case 1: pick(limit=1)" in text and "2 is above 1" in text
    assert "Hint: pick a small number" in text


def test_a_judge_sees_plain_data_only_and_copies(judged_question):
    seen = []

    def judge(answer, limit):
        seen.append(answer)
        answer.append("changed")  # must not reach the student's value or the next case
        return None

    q = question("test-judged-copies", function="f", points=1, judge=judge, cases=[{"limit": 1}])
    value = [np.float64(1.5), (2, 3)]
    assert evaluate(q, lambda limit: value).score == 1
    assert seen == [[1.5, [2, 3], "changed"]] and type(seen[0][0]) is float
    assert value == [1.5, (2, 3)]
    assert "not plain data" in repr(evaluate(judged_question, lambda limit: AlwaysEqual()))


@pytest.mark.parametrize(
    ("judge", "words"),
    [
        (lambda answer, limit: 1 / 0, "could not be judged: ZeroDivisionError: division by zero"),
        (lambda answer, limit: False, "not accepted (the judge returned False, not None"),
        (lambda answer, limit: "", "not accepted (the judge returned ''"),
    ],
)
def test_a_broken_judge_fails_the_case_with_a_reason(judge, words):
    q = question("test-broken-judge", function="f", points=1, judge=judge, cases=[{"limit": 1}])
    report = evaluate(q, lambda limit: 0.0)
    assert report.score == 0 and words in repr(report)


def test_a_judged_stub_is_not_attempted(judged_question):
    def pick(limit):
        raise NotImplementedError

    assert check("test-judged", pick).not_attempted


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(judge=3, cases=[{}]), TypeError, "judge must be a function"),
        (dict(judge=at_most, reference=abs, cases=[{}]), ValueError, "reference or a judge"),
        (dict(judge=at_most, cases=[({}, 1)]), TypeError, "dicts of keyword arguments"),
        (dict(judge=at_most, cases=[[1]]), TypeError, "dict of keywords"),
        (dict(judge=at_most, cases=[], hidden=[{"x": abs}]), TypeError, "not plain"),
        (dict(judge=at_most, cases=[]), ValueError, "at least one case"),
    ],
)
def test_judged_declarations_are_checked(kwargs, error, match):
    with pytest.raises(error, match=match):
        question("bad-judged", function="f", points=1, **kwargs)


def test_check_unknown_question():
    with pytest.raises(KeyError, match="run the cell that declares it first"):
        check("no-such-question", abs)


SOURCE = """def f(x):
    \"\"\"Doc.\"\"\"
    # BEGIN SOLUTION
    secret = x + 1
    return secret
    # END SOLUTION

question(
    "q",
    cases=[1],
    # BEGIN HIDDEN TESTS
    hidden=[2],
    # END HIDDEN TESTS
)"""


def test_strip_cell_replaces_solutions_and_removes_hidden_tests():
    out = strip_cell(SOURCE, "code")
    assert "secret" not in out and "hidden" not in out and "BEGIN" not in out
    assert f"    {STUB}" in out.splitlines()
    assert out.splitlines()[:2] == SOURCE.splitlines()[:2]
    assert "cases=[1]," in out


def test_strip_markdown_solution():
    text = "Why?\n\n<!-- BEGIN SOLUTION -->\nBecause.\n<!-- END SOLUTION -->\n"
    assert strip_cell(text, "markdown") == "Why?\n\n*Write your answer here.*"


@pytest.mark.parametrize(
    ("source", "match"),
    [
        ("# BEGIN SOLUTION\nx = 1\n", "never closed"),
        ("x = 1\n# END SOLUTION\n", "without a matching BEGIN"),
        ("# BEGIN SOLUTION\n# BEGIN HIDDEN TESTS\n", "inside an open SOLUTION"),
        ("# BEGIN SOLUTION\n# END HIDDEN TESTS\n", "without a matching BEGIN"),
    ],
)
def test_unbalanced_markers_are_errors(source, match):
    with pytest.raises(ReleaseError, match=match):
        strip_cell(source, "code")


def make_notebook(path, sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", text="leaked output")]
    nb.cells[0].execution_count = 3
    nbformat.write(nb, path)


def test_release_notebook_strips_outputs(tmp_path):
    make_notebook(tmp_path / "ex.ipynb", [SOURCE, "print(1)"])
    target = release_notebook(tmp_path / "ex.ipynb", tmp_path / "out")
    text = target.read_text()
    assert "leaked output" not in text and "secret" not in text
    cell = json.loads(text)["cells"][0]
    assert cell["outputs"] == [] and cell["execution_count"] is None


def test_release_error_names_notebook_and_cell(tmp_path):
    make_notebook(tmp_path / "ex.ipynb", ["x = 1", "# BEGIN SOLUTION\n"])
    with pytest.raises(ReleaseError, match=r"ex.ipynb, cell 2, line 1: BEGIN SOLUTION is never"):
        release_notebook(tmp_path / "ex.ipynb", tmp_path / "out")


def run_cli(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "optimlib.grading", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_cli_release(tmp_path):
    (tmp_path / "exercises").mkdir()
    make_notebook(tmp_path / "exercises" / "ex.ipynb", [SOURCE])
    done = run_cli("release", "--out", "student", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "released exercises/ex.ipynb -> student/ex.ipynb" in done.stdout
    assert "secret" not in (tmp_path / "student" / "ex.ipynb").read_text()


def test_cli_refuses_to_overwrite_sources(tmp_path):
    make_notebook(tmp_path / "ex.ipynb", [SOURCE])
    done = run_cli("release", "--out", ".", "ex.ipynb", cwd=tmp_path)
    assert done.returncode == 2 and "would overwrite the instructor source" in done.stderr


def test_cli_reports_bad_markers(tmp_path):
    make_notebook(tmp_path / "ex.ipynb", ["# END SOLUTION"])
    done = run_cli("release", "--out", "out", "ex.ipynb", cwd=tmp_path)
    assert done.returncode == 1 and "END SOLUTION without a matching BEGIN" in done.stderr
