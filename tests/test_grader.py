"""The batch grader against hostile and broken submissions (each one a notebook built here).

All cases are graded in one run, as an instructor would grade a folder; each test then
checks one row: the right points, the right status, and that nothing it did reached the
grader or another student's row.
"""

import copy
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import nbformat
import pytest
from notebooks import EXERCISES, ROOT

from optimlib.grading import grader
from optimlib.grading.release import release_notebook

SOURCE = ROOT / "exercises" / "01_anatomy.ipynb"
FULL = {"cost-1d": 2, "cost-slope": 2, "directional-derivative": 1, "random-search": 1}
ZERO = dict.fromkeys(FULL, 0)
WRONG = """
def cost(theta1, x, y):
    return 123.0

def cost_slope(theta1, x, y):
    return 123.0

def directional_derivative(gradient, direction):
    return 123.0

def best_random_guess(candidates, x, y):
    return 123.0
"""


def notebook(cells=None, *, before=(), after=(), replace=None):
    """The instructor source with cells added, or a function's cell replaced."""
    nb = nbformat.read(SOURCE, as_version=4)
    if cells is not None:
        nb.cells = cells(nb.cells)
    for name, code in (replace or {}).items():
        for cell in nb.cells:
            if cell.cell_type == "code" and cell.source.startswith(f"def {name}("):
                cell.source = code
    nb.cells = [nbformat.v4.new_code_cell(c) for c in before] + nb.cells
    nb.cells += [nbformat.v4.new_code_cell(c) for c in after]
    return nb


def copied(cell):
    """A copy of a cell with a new id, as Jupyter's copy and paste makes it."""
    return nbformat.from_dict({**copy.deepcopy(cell), "id": uuid.uuid4().hex[:8]})


def released():
    return nbformat.read(release_notebook(SOURCE, tempfile.mkdtemp()), 4)


def renamed(cells):
    for cell in cells:
        if cell.cell_type == "code" and cell.source.startswith("def cost("):
            cell.source = cell.source.replace("def cost(", "def my_cost(")
    return cells


def v3(path):
    nb = nbformat.read(SOURCE, as_version=4)
    nbformat.write(nbformat.convert(nb, 3), path, version=3)


def with_outputs(cells):
    for cell in cells:
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("stream", text="cost-1d: 2 / 2 points\n")]
            cell.execution_count = 1
    return cells


SEGFAULT = "def best_random_guess(candidates, x, y):\n    import ctypes\n    ctypes.string_at(0)"
PATCHES = {
    "patch_numpy": [
        "import numpy as np\nnp.allclose = lambda *a, **k: True\n"
        "np.isclose = lambda *a, **k: True\nnp.testing.assert_allclose = lambda *a, **k: None",
    ],
    "patch_builtins": [
        "import builtins\nbuiltins.isinstance = lambda *a: True\nbuiltins.abs = lambda x: 0\n"
        "builtins.round = lambda *a, **k: 0",
    ],
    "patch_assert": [
        "import ast\nclass NoAsserts(ast.NodeTransformer):\n"
        "    def visit_Assert(self, node):\n        return ast.Pass()\n"
        "get_ipython().ast_transformers.append(NoAsserts())\n"
        "get_ipython().input_transformers_post.append(lambda lines: lines)",
    ],
}


def cases(tmp, secrets):
    """name → (how to write the submission, expected points, expected status prefix)."""
    out, port = secrets["out"], secrets["port"]
    got_through = (  # full marks only if the secret (LEAK) was reached
        "def cost(theta1, x, y):\n    r = theta1 * np.asarray(x) - np.asarray(y)\n"
        "    return r @ r / (2 * len(r)) if LEAK else -1.0\n"
    )
    return {
        "correct": (notebook(), FULL, "ok"),
        "release": (released(), ZERO, "ok"),
        "loop_in_function": (
            notebook(replace={"cost": "def cost(theta1, x, y):\n    while True:\n        pass"}),
            FULL | {"cost-1d": 0, "random-search": 0},
            "ok",
        ),
        "loop_at_top_level": (notebook(after=["while True:\n    pass"]), FULL, "ok"),
        "input": (notebook(before=["name = input('your name? ')"]), FULL, "ok"),
        "imports": (  # modules nobody imported before the sandbox must still load
            notebook(
                before=[
                    "import fractions, secrets, statistics, email.parser\n"
                    "import numpy as np\nrng = np.random.default_rng(0)\n"
                    "assert statistics.mean([1, 2]) == 1.5"
                ]
            ),
            FULL,
            "ok",
        ),
        "sys_exit": (notebook(before=["import sys\nsys.exit(1)"]), FULL, "ok"),
        "os_exit": (notebook(before=["import os\nos._exit(3)"]), ZERO, "error: the notebook ended"),
        "sigkill": (
            notebook(before=["import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"]),
            ZERO,
            "error: killed (SIGKILL)",
        ),
        "segfault": (
            notebook(replace={"best_random_guess": SEGFAULT}),
            FULL | {"random-search": 0},
            "error: crashed (segmentation fault)",
        ),
        "memory_bomb": (
            notebook(after=["hog = []\nwhile True:\n    hog.append(bytearray(10**8))"]),
            FULL,
            "ok",
        ),
        "fork_bomb": (notebook(after=["import os\nwhile True:\n    os.fork()"]), FULL, "ok"),
        "print_flood": (notebook(after=["for i in range(10**7):\n    print(i)"]), FULL, "ok"),
        "long_line": (notebook(after=["print('x' * 10**8)"]), FULL, "ok"),
        **{
            name: (notebook(before=patch, after=[WRONG]), ZERO, "ok")
            for name, patch in PATCHES.items()
        },
        "eq_always_true": (
            notebook(
                after=[
                    "class Yes:\n    def __eq__(self, other):\n        return True\n"
                    + WRONG.replace("return 123.0", "return Yes()")
                ]
            ),
            ZERO,
            "ok",
        ),
        "fake_scores": (
            notebook(
                after=[
                    WRONG + "\nprint('cost-1d: 2 / 2 points')\n"
                    "print('student,cost-1d,total,status\\nfake_scores,2,6,ok')"
                ]
            ),
            ZERO,
            "ok",
        ),
        "writes_output": (
            notebook(
                after=[
                    "import shutil, pathlib\nfor target in ["
                    f"'{out}/gradebook.csv', '{out}/results/correct.json', "
                    f"'{out}/feedback/correct.md']:\n"
                    "    try:\n        pathlib.Path(target).write_text('0')\n"
                    "    except Exception:\n        pass\n"
                    f"shutil.rmtree('{out}', ignore_errors=True)"
                ]
            ),
            FULL,
            "ok",
        ),
        "reads_sources": (
            notebook(
                before=[
                    f"try:\n    LEAK = open('{SOURCE}').read()\nexcept Exception:\n    LEAK = ''"
                ],
                replace={"cost": got_through},
            ),
            FULL | {"cost-1d": 0, "random-search": 0},
            "ok",
        ),
        "network": (
            notebook(
                before=[
                    "import socket\ntry:\n"
                    f"    socket.create_connection(('127.0.0.1', {port}), timeout=1).close()\n"
                    "    LEAK = True\nexcept OSError:\n    LEAK = False"
                ],
                replace={"cost": got_through},
            ),
            FULL | {"cost-1d": 0, "random-search": 0},
            "ok",
        ),
        "calls_reference": (
            notebook(
                replace={
                    "cost": "def cost(theta1, x, y):\n    from optimlib import losses\n"
                    "    return losses.mse(theta1 * np.asarray(x, dtype=float), y)"
                }
            ),
            FULL | {"cost-1d": 0, "random-search": 0},
            "ok",
        ),
        "renamed": (notebook(renamed), FULL | {"cost-1d": 0, "random-search": 0}, "ok"),
        "missing": (
            notebook(lambda cells: [c for c in cells if not c.source.startswith("def cost(")]),
            FULL | {"cost-1d": 0, "random-search": 0},
            "ok",
        ),
        "deleted_cells": (
            notebook(lambda cells: [c for c in cells if c.source.startswith(("import", "def"))]),
            FULL,
            "ok",
        ),
        "reordered": (notebook(lambda cells: cells[::-1]), FULL, "ok"),
        "duplicated": (
            notebook(lambda cells: [d for c in cells for d in (c, copied(c))]),
            FULL,
            "ok",
        ),
        "malformed_json": ('{"cells": [', ZERO, "error: not a notebook: the file is not valid"),
        "empty": ("", ZERO, "error: the file is empty"),
        "nbformat3": (v3, FULL, "ok"),
        "not_a_notebook": (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", ZERO, "error: not a notebook"),
        "stored_outputs": (notebook(with_outputs), FULL, "ok"),
    }


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("grading")
    subs, out = tmp / "submissions", tmp / "out"
    subs.mkdir()
    listener = socket.create_server(("127.0.0.1", 0))
    table = cases(tmp, {"out": out, "port": listener.getsockname()[1]})
    for name, (content, _, _) in table.items():
        path = subs / f"{name}.ipynb"
        if callable(content):
            content(path)
        elif isinstance(content, nbformat.NotebookNode):
            nbformat.write(content, path)
        else:
            path.write_bytes(content if isinstance(content, bytes) else content.encode())
    summary = grader.grade(SOURCE, [subs], out, jobs=2, timeout=2.0, gradescope=True)
    listener.close()
    with open(out / "gradebook.csv", newline="") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    return table, rows, summary, out


def test_every_submission_has_its_row(graded):
    table, rows, summary, _ = graded
    assert set(rows) == set(table)
    assert summary["graded"] == len(table) and summary["isolated"]


CASES = [
    "correct", "release", "loop_in_function", "loop_at_top_level", "input", "imports", "sys_exit",
    "os_exit", "sigkill", "segfault", "memory_bomb", "fork_bomb", "print_flood", "long_line",
    "patch_numpy", "patch_builtins", "patch_assert", "eq_always_true", "fake_scores",
    "writes_output", "reads_sources", "network", "calls_reference", "renamed", "missing",
    "deleted_cells", "reordered", "duplicated", "malformed_json", "empty", "nbformat3",
    "not_a_notebook", "stored_outputs",
]  # fmt: skip


@pytest.mark.parametrize("name", CASES)
def test_score_and_status(graded, name):
    table, rows, _, _ = graded
    _, points, status = table[name]
    row = rows[name]
    assert {q: float(row[q]) for q in FULL} == pytest.approx(points), row
    assert float(row["total"]) == pytest.approx(sum(points.values()))
    assert row["max_total"] == "6"
    assert row["status"].startswith(status), row["status"]


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("release", "not attempted: `cost` still raises NotImplementedError"),
        ("loop_in_function", "ran longer than 2 s"),
        ("loop_in_function", "not run: an earlier case ran out of time"),
        ("eq_always_true", "not an answer: Yes is not plain data"),
        ("calls_reference", "calls optimlib.losses.mse, the reference implementation"),
        ("renamed", "no function named `cost` was found"),
        ("input", "EOFError"),
        ("correct", "status: ok"),
        ("segfault", "not run: the process ended"),
        ("correct", "all cases pass"),
    ],
)
def test_feedback_explains(graded, name, words):
    *_, out = graded
    assert words in (out / "feedback" / f"{name}.md").read_text()


def test_feedback_never_shows_a_hidden_tests_source(graded):
    *_, out = graded
    text = (out / "feedback" / "release.md").read_text()
    assert "losses.mse" not in text and "reference=" not in text and "lambda" not in text


def test_gradescope_results(graded):
    *_, out = graded
    doc = json.loads((out / "gradescope" / "correct.json").read_text())
    assert doc["score"] == 6 and {t["name"] for t in doc["tests"]} == set(FULL)


def grade_cli(*args, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "optimlib.grading", *map(str, args)],
        capture_output=True, text=True, check=False, cwd=ROOT, **kwargs,
    )  # fmt: skip


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Twelve submissions: correct, released, and slow ones (so a run can be interrupted)."""
    subs = tmp_path_factory.mktemp("class")
    for i in range(12):
        nb = notebook() if i % 3 else released()
        nb.cells.append(nbformat.v4.new_code_cell("import time\ntime.sleep(0.3)"))
        nbformat.write(nb, subs / f"s{i:02d}.ipynb")
    return subs


def test_interrupted_run_resumes_and_completes(folder, tmp_path):
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    run = subprocess.Popen(
        [sys.executable, "-m", "optimlib.grading", "grade", "--jobs", "1",
         "--assignment", SOURCE, "--out", out, folder],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    deadline = time.time() + 60
    while len(list((out / "results").glob("*.json"))) < 3 and time.time() < deadline:
        time.sleep(0.05)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    done = len(list((out / "results").glob("*.json")))
    assert 3 <= done < 12, "the run was not interrupted mid-way"
    again = grade_cli("grade", "--assignment", SOURCE, "--out", out, folder)
    assert again.returncode == 0, again.stderr
    assert f"graded {12 - done} submissions" in again.stdout
    assert f"({done} already graded)" in again.stdout
    grader.grade(SOURCE, [folder], fresh)
    assert (out / "gradebook.csv").read_text() == (fresh / "gradebook.csv").read_text()


def test_shards_merge_into_the_full_gradebook(folder, tmp_path):
    shards = [tmp_path / f"s{k}" for k in (1, 2, 3)]
    for k, shard in enumerate(shards, start=1):
        assert grader.grade(SOURCE, [folder], shard, shard=(k, 3))["graded"] == 4
    merged = grade_cli("merge", "--assignment", SOURCE, "--out", tmp_path / "all", *shards)
    assert merged.returncode == 0 and "merged 12 students" in merged.stdout
    grader.grade(SOURCE, [folder], tmp_path / "full")
    assert (tmp_path / "all" / "gradebook.csv").read_text() == (
        tmp_path / "full" / "gradebook.csv"
    ).read_text()


def test_gradebook_is_rfc4180_and_formula_free(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("=HYPERLINK(1)", "+1", "-2", "@SUM(A1)", 'quote"and,comma'):
        (subs / f"{name}.ipynb").write_text("not json")
    assert (
        grade_cli("grade", "--assignment", SOURCE, "--out", tmp_path / "out", subs).returncode == 0
    )
    raw = (tmp_path / "out" / "gradebook.csv").read_bytes()
    assert raw.count(b"\r\n") == 6, "RFC 4180 lines end with CRLF"
    with open(tmp_path / "out" / "gradebook.csv", newline="") as f:
        rows = list(csv.reader(f))[1:]
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")], cells
    assert {r[0] for r in rows} == {"'=HYPERLINK(1)", "'+1", "'-2", "'@SUM(A1)", 'quote"and,comma'}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--shard", "3/2"], "1 ≤ K ≤ N"),
        (["--shard", "x"], "--shard takes K/N"),
        (["--jobs", "0"], "must be > 0"),
        (["--timeout", "-1"], "must be > 0"),
    ],
)
def test_cli_rejects_bad_options(args, message, folder, tmp_path):
    done = grade_cli("grade", *args, "--assignment", SOURCE, "--out", tmp_path, folder)
    assert done.returncode == 2 and message in done.stderr


def test_two_submissions_for_one_student_are_an_error(tmp_path):
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        nbformat.write(notebook(), tmp_path / d / "sam.ipynb")
    with pytest.raises(ValueError, match="two submissions for student 'sam'"):
        grader.grade(SOURCE, [tmp_path / "a", tmp_path / "b"], tmp_path / "o")


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.name)
def test_each_exercise_grades_its_source_full_and_its_release_zero(path, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    nbformat.write(nbformat.read(path, 4), subs / "source.ipynb")
    release_notebook(path, tmp_path / "student").rename(subs / "release.ipynb")
    grader.grade(path, [subs], tmp_path / "out", jobs=2)
    with open(tmp_path / "out" / "gradebook.csv", newline="") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert rows["source"]["total"] == rows["source"]["max_total"], rows["source"]
    assert float(rows["release"]["total"]) == 0, rows["release"]
    assert rows["source"]["status"] == rows["release"]["status"] == "ok"


# --- judged questions: the instructor's judge decides, in the grader's process only --------

JUDGED = """
def pick(limit):
    # BEGIN SOLUTION
    return limit - 1
    # END SOLUTION
"""
JUDGE = """
def judge(answer, limit):
    with open(LOG, "a") as log:
        log.write(f"{os.getpid()} {answer!r}\\n")
    if os.getpid() != GRADER:
        return "judged outside the grader's process"
    if type(answer) not in (int, float) or answer != answer:
        return f"answer a number, not {answer!r}"
    return None if answer <= limit else f"{answer:g} is above the limit {limit:g}"


question("pick", function="pick", points=2, judge=judge, cases=[dict(limit=5.0)],
         hidden=[dict(limit=1.0)])
check("pick", pick)
"""


def judged_notebook(log, *, pick=JUDGED, after=()):
    head = (
        "import os\nfrom optimlib.grading import check, question\n"
        f"GRADER, LOG = {os.getpid()}, {str(log)!r}"
    )
    sources = [head, pick, JUDGE, *after]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


def test_a_judge_runs_in_the_grader_once_per_distinct_answer(tmp_path):
    source, subs, log = tmp_path / "judged.ipynb", tmp_path / "subs", tmp_path / "judge.log"
    subs.mkdir()
    nbformat.write(judged_notebook(log), source)
    nbformat.write(judged_notebook(log), subs / "right.ipynb")
    nbformat.write(judged_notebook(log), subs / "right_too.ipynb")  # same answers: judged once
    nbformat.write(nbformat.read(release_notebook(source, tmp_path / "r"), 4), subs / "stub.ipynb")
    wrong = {
        "nan": "def pick(limit):\n    return float('nan')",
        "text": "def pick(limit):\n    return 'small'",
        "not_plain": "def pick(limit):\n    return {1, 2}",
        "too_big": "def pick(limit):\n    return 100",
    }
    for name, code in wrong.items():
        nbformat.write(judged_notebook(log, pick=code), subs / f"{name}.ipynb")
    forged = (  # a student's own judge and question accept anything: they must not count
        "def judge(answer, limit):\n    return None\n\n"
        "question('pick', function='pick', points=2, judge=judge, cases=[dict(limit=5.0)])"
    )
    nbformat.write(
        judged_notebook(log, pick=wrong["too_big"], after=[forged]), subs / "forged.ipynb"
    )
    grader.grade(source, [subs], tmp_path / "out", jobs=2, timeout=5.0)
    with open(tmp_path / "out" / "gradebook.csv", newline="") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    points = {name: float(row["pick"]) for name, row in rows.items()}
    assert points == {"right": 2, "right_too": 2, "stub": 0} | dict.fromkeys([*wrong, "forged"], 0)
    assert {row["status"] for row in rows.values()} == {"ok"}
    feedback = {name: (tmp_path / "out" / "feedback" / f"{name}.md").read_text() for name in rows}
    assert "100 is above the limit 5" in feedback["forged"]
    assert "answer a number, not nan" in feedback["nan"]
    assert "answer a number, not 'small'" in feedback["text"]
    assert "not an answer: set is not plain data" in feedback["not_plain"]
    assert "not attempted" in feedback["stub"]
    calls = log.read_text().splitlines()
    assert {line.split()[0] for line in calls} == {str(os.getpid())}  # never the student's
    # two cases for each distinct answer: right (4.0, 0.0), nan, 'small', 100 (forged too)
    assert len(calls) == 2 + 2 + 2 + 2


EXERCISE_8 = ROOT / "exercises" / "08_real_data.ipynb"
ABSURD = {  # tuned_settings returns … → the judge's reason
    "nan_lr": ('{"optimizer": "Adam", "lr": float("nan"), "batch_size": 32}', "'lr' must be"),
    "huge_lr": ('{"optimizer": "Adam", "lr": 1e6, "batch_size": 32}', "'lr' must be"),
    "lr_text": ('{"optimizer": "Adam", "lr": "fast", "batch_size": 32}', "not 'fast'"),
    "negative_batch": ('{"optimizer": "GD", "lr": 0.1, "batch_size": -4}', "'batch_size' must"),
    "float_batch": ('{"optimizer": "GD", "lr": 0.1, "batch_size": 32.0}', "'batch_size' must"),
    "huge_epochs": (
        '{"optimizer": "GD", "lr": 0.1, "batch_size": 32, "epochs": 10**6}',
        "with the keys 'optimizer', 'lr' and 'batch_size'",
    ),
    "unknown_optimizer": ('{"optimizer": "LBFGS", "lr": 0.1, "batch_size": 32}', "one of GD"),
    "not_a_dict": ("[0.1, 32]", "return a dict"),
    "defaults": ('{"optimizer": "Adam", "lr": 0.001, "batch_size": 32}', "below the target"),
}


def test_exercise_8_judges_absurd_hyperparameters_with_a_reason(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    for name, (settings, _) in [*ABSURD.items(), ("numpy_types", ("SETTINGS", None))]:
        nb = nbformat.read(EXERCISE_8, 4)
        cell = next(c for c in nb.cells if c.source.startswith("def tuned_settings("))
        if settings == "SETTINGS":  # numpy scalars arrive as plain numbers: accepted
            settings = (
                '{"optimizer": "Nesterov", "lr": np.float64(0.1), "batch_size": np.int64(32)}'
            )
        cell.source = f"def tuned_settings(epochs, target):\n    return {settings}"
        nbformat.write(nb, subs / f"{name}.ipynb")
    nb = nbformat.read(EXERCISE_8, 4)  # optimlib.datasets is loaded before the tripwires
    cell = next(c for c in nb.cells if c.source.startswith("def one_hot("))
    cell.source = (
        "def one_hot(labels, k):\n"
        "    from optimlib import datasets\n"
        "    return datasets.one_hot(labels, k)"
    )
    nbformat.write(nb, subs / "calls_one_hot.ipynb")
    grader.grade(EXERCISE_8, [subs], tmp_path / "out", jobs=2)
    with open(tmp_path / "out" / "gradebook.csv", newline="") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert float(rows["numpy_types"]["total"]) == float(rows["numpy_types"]["max_total"])
    assert float(rows["calls_one_hot"]["one-hot"]) == 0
    assert (
        "calls optimlib.datasets.one_hot, the reference"
        in (tmp_path / "out" / "feedback" / "calls_one_hot.md").read_text()
    )
    for name, (_, reason) in ABSURD.items():
        row = rows[name]
        assert row["status"] == "ok" and float(row["tuned-settings"]) == 0, row
        assert float(row["total"]) == float(row["max_total"]) - 3, row
        assert reason in (tmp_path / "out" / "feedback" / f"{name}.md").read_text(), name
