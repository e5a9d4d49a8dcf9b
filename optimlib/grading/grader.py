"""Batch grading: a folder of student notebooks → a gradebook, feedback, nothing lost.

The grader's own process is trusted; student code never runs in it. For each submission
it forks a sandboxed child (``sandbox.py``) from a *forkserver* that has numpy, optimlib
and IPython already imported — so a submission costs a fork, not an interpreter and a
Jupyter kernel — and reads back only JSON lines of plain data. Expected answers are
computed here, once per assignment, from the instructor's reference; the comparison
happens here too.

A judged question (``question(..., judge=...)``) has no expected answers: the judge of
the instructor's source, loaded here, decides on each case's plain-data answer in this
process, once per distinct answer (verdicts are cached for the run).

Every submission's result is written atomically to ``OUT/results/<student>.json`` as soon
as it is graded; ``gradebook.csv`` and ``feedback/<student>.md`` are (re)written from
those files. A run that is interrupted and started again grades only what is missing
(a result counts as done when its submission and assignment are unchanged).
"""

import contextlib
import csv
import hashlib
import io
import json
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import types
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import nbformat
import numpy as np

from optimlib.grading import questions as _questions
from optimlib.grading.questions import _show, compare, judged
from optimlib.grading.sandbox import HARNESS_BROKEN, SETUP_FAILED, run_submission

SIGNALS = {signal.SIGSEGV: "crashed (segmentation fault)", signal.SIGKILL: "killed (SIGKILL)"}
MAX_RESULTS_BYTES = 64 * 2**20
_start_lock = threading.Lock()


@dataclass
class Question:
    """A question as the grader needs it: plain-data cases and their expected answers."""

    id: str
    function: str
    points: float
    calls: list  # (label, kwargs) per case
    expected: list
    references: list  # "module:qualname" of optimlib functions the reference calls
    hint: str
    rtol: float
    atol: float
    judge: object = None  # the instructor's judge(answer, **case), run in this process
    verdicts: dict = field(default_factory=dict)  # (case, answer as JSON) → judge's verdict

    def verdict(self, i, value):
        """``None`` when ``value``, the JSON answer to case ``i``, is right; else why not."""
        if self.judge is None:
            return compare(_decode(value), self.expected[i], self.rtol, self.atol)
        key = json.dumps([i, value], sort_keys=True)
        if key not in self.verdicts:
            self.verdicts[key] = judged(self.judge, _decode(value), self.calls[i][1])
        return self.verdicts[key]


@dataclass
class Assignment:
    path: Path
    sha: str
    questions: list

    @property
    def max_total(self):
        return sum(q.points for q in self.questions)


def _digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _reference_calls(reference, kwargs):
    """Run ``reference(**kwargs)`` and name the optimlib functions it calls directly."""
    names, code = set(), getattr(reference, "__code__", None)

    def profile(frame, event, arg):
        if event == "call" and frame.f_back is not None and frame.f_back.f_code is code:
            module = frame.f_globals.get("__name__", "")
            if module.startswith("optimlib.") and not module.startswith(
                ("optimlib.grading", "optimlib._")
            ):
                names.add(f"{module}:{frame.f_code.co_qualname}")

    sys.setprofile(profile)
    try:
        reference(**kwargs)
    finally:
        sys.setprofile(None)
    return names


def load_assignment(path):
    """Read an instructor source: run its cells here (trusted) and collect its questions.

    The cells' own ``check(...)`` calls are skipped. Raises ``ValueError`` when the
    notebook declares no question or a question's function is not defined by it.
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    saved = dict(_questions._QUESTIONS)
    _questions._QUESTIONS.clear()
    _questions._GRADING = True
    matplotlib.use("Agg")
    namespace = {"__name__": "__assignment__"}
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            for cell in nb.cells:
                if cell.cell_type == "code":
                    exec(compile(cell.source, str(path), "exec"), namespace)
        declared = dict(_questions._QUESTIONS)
    finally:
        _questions._GRADING = False
        _questions._QUESTIONS.clear()
        _questions._QUESTIONS.update(saved)
    if not declared:
        raise ValueError(f"{path} declares no question(...)")
    result = []
    for q in declared.values():
        if not callable(namespace.get(q.function)):
            raise ValueError(f"{path}: question {q.id} grades {q.function}, which it never defines")
        cases = q.all_cases()
        references = set()
        if q.reference is not None:
            for _, kwargs, _ in cases:
                references |= _reference_calls(q.reference, kwargs)
        result.append(
            Question(
                q.id,
                q.function,
                q.points,
                [(label, kwargs) for label, kwargs, _ in cases],
                [expected for _, _, expected in cases],
                sorted(references),
                q.hint,
                q.rtol,
                q.atol,
                q.judge,
            )
        )
    return Assignment(path, _digest(path), result)


def _decode(value):
    if isinstance(value, dict) and set(value) == {"__array__", "shape"}:
        return np.asarray(value["__array__"], dtype=float).reshape(value["shape"])
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        return {k: _decode(v) for k, v in value.items()}
    return value


def _records(path):
    """The child's JSON lines, parsed with limits; malformed lines are skipped."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_RESULTS_BYTES)
    except OSError:
        return []
    records = []
    for line in data.splitlines():
        with contextlib.suppress(ValueError, RecursionError):
            record = json.loads(line)
            if isinstance(record, dict):
                records.append(record)
    return records


def _status(records, timed_out):
    ended = next((r["ended"] for r in records if isinstance(r.get("ended"), dict)), None)
    fatal = next((r["fatal"] for r in records if "fatal" in r), None)
    if fatal is not None:
        return f"error: {fatal}"
    if timed_out:
        return "timeout"
    if ended and "signal" in ended:
        sig = ended["signal"]
        if sig == signal.SIGXCPU:
            return "timeout"
        return f"error: {SIGNALS.get(sig, f'killed by signal {sig}')}"
    if ended and ended.get("code") == SETUP_FAILED:
        return "error: the sandbox could not be set up"
    if ended and ended.get("code") == HARNESS_BROKEN:
        return "error: the notebook broke the grader's code in its process (patched Python?)"
    if not any(r.get("done") is True for r in records):
        code = ended.get("code") if ended else None
        return f"error: the notebook ended the process early (exit code {code})"
    return "ok"


def _score(assignment, records):
    """Points per question and the failed cases, from the child's records."""
    by_case = {(r.get("q"), r.get("i")): r for r in records if "i" in r}
    missing = {r.get("q") for r in records if r.get("missing") is True}
    skipped = {r.get("q"): r.get("skipped_after") for r in records if "skipped_after" in r}
    scores, notes = {}, {}
    for q in assignment.questions:
        passed, lines = 0, []
        if q.id in missing:
            lines.append(f"no function named `{q.function}` was found (was it renamed?)")
        for i, (label, kwargs) in enumerate(q.calls):
            call = f"{q.function}({', '.join(f'{k}={_show(v, 30)}' for k, v in kwargs.items())})"
            record = by_case.get((q.id, i))
            if q.id in missing:
                break
            if record is None:
                why = "not run: " + (
                    "an earlier case ran out of time" if q.id in skipped else "the process ended"
                )
            elif record.get("reference"):
                names = ", ".join(record["reference"])
                why = f"calls {names}, the reference implementation: write it yourself"
            elif record.get("not_attempted"):
                lines.append(f"not attempted: `{q.function}` still raises NotImplementedError")
                break
            elif "error" in record:
                why = str(record["error"])
            else:
                why = q.verdict(i, record.get("value"))
            if why is None:
                passed += 1
            else:
                lines.append(f"✗ {label}: `{call}` — {why}")
        scores[q.id] = round(q.points * passed / len(q.calls), 2)
        if lines and q.hint and scores[q.id] < q.points:
            lines.append(f"hint: {q.hint}")
        notes[q.id] = lines
    return scores, notes


def _feedback(student, assignment, result, notes, cell_errors):
    lines = [
        f"# {assignment.path.stem}: feedback for {student}",
        "",
        f"**{result['total']:g} / {result['max_total']:g} points** — status: {result['status']}",
        "",
    ]
    if cell_errors:
        lines += ["Cells of your notebook that raised an error when it was run top to bottom:", ""]
        lines += [f"- cell {n}: `{error}`" for n, error in cell_errors[:10]] + [""]
    for q in assignment.questions:
        lines += [f"## {q.id}: {result['scores'][q.id]:g} / {q.points:g}", ""]
        lines += [f"- {line}" for line in notes[q.id]] or ["- all cases pass"]
        lines.append("")
    return "\n".join(lines)


def _write_atomically(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def _context():
    """The forkserver every submission's process is forked from, with the imports done."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    os.environ["MPLBACKEND"] = "Agg"
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(
        [
            "numpy",
            "numpy.random",
            "matplotlib.pyplot",
            "IPython.core.inputtransformer2",
            "IPython.display",
            "optimlib.datasets",
            "optimlib.functions",
            "optimlib.gradients",
            "optimlib.landscape",
            "optimlib.losses",
            "optimlib.nn",
            "optimlib.optimizers",
            "optimlib.train",
            "optimlib.grading.sandbox",
        ]
    )
    return ctx


@contextlib.contextmanager
def _without_main():
    """Start processes without telling them about ``__main__``.

    multiprocessing makes every forkserver child re-import the parent's main script
    (costly: a test runner, a benchmark); the sandbox needs nothing from it.
    """
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def _hidden_folders(assignment, out, submissions):
    """Folders the student process must not see: sources, their git history, the results."""
    folders = {assignment.path.resolve().parent, out.resolve()}
    folders |= {Path(s).resolve().parent for s in submissions}
    for parent in assignment.path.resolve().parents:
        if (parent / ".git").is_dir():
            folders.add(parent / ".git")
    return sorted(str(f) for f in folders)


def grade_one(ctx, assignment, submission, out, limits, hide):
    """Grade one submission in a sandboxed child; return its result (a dict)."""
    student = Path(submission).stem
    work = out / ".work"
    results = work / f"{student}.jsonl"
    scratch = Path(tempfile.mkdtemp(prefix="grade-", dir=work))
    os.chmod(scratch, 0o777)
    job = {
        "submission": str(Path(submission).resolve()),
        "results": str(results),
        "scratch": str(scratch),
        "hide": hide,
        "limits": limits,
        "references": sorted({name for q in assignment.questions for name in q.references}),
        "questions": [
            {"id": q.id, "function": q.function, "cases": [kw for _, kw in q.calls]}
            for q in assignment.questions
        ],
    }
    process = ctx.Process(target=run_submission, args=(job,), daemon=True)
    with _start_lock, _without_main():
        process.start()
    process.join(limits["wall"])
    timed_out = process.is_alive()
    if timed_out:
        process.kill()
        process.join()
    records = _records(results)
    shutil.rmtree(scratch, ignore_errors=True)
    results.unlink(missing_ok=True)
    status = _status(records, timed_out)
    scores, notes = _score(assignment, records)
    result = {
        "student": student,
        "submission": str(submission),
        "submission_sha": _digest(submission),
        "assignment_sha": assignment.sha,
        "scores": scores,
        "total": round(sum(scores.values()), 2),
        "max_total": assignment.max_total,
        "status": status,
        "isolated": any(r.get("isolated") is True for r in records),
    }
    cell_errors = [(r["cell"], str(r.get("error"))) for r in records if "cell" in r]
    result["feedback"] = _feedback(student, assignment, result, notes, cell_errors)
    return result


def _safe(cell):
    """A CSV cell no spreadsheet will run as a formula (OWASP's CSV-injection advice)."""
    text = f"{cell:g}" if isinstance(cell, float) else str(cell)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_gradebook(out, assignment, results):
    """``gradebook.csv`` (RFC 4180) and one feedback file per student, from ``results``."""
    ids = [q.id for q in assignment.questions]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["student", *ids, "total", "max_total", "status"])
    for r in sorted(results, key=lambda r: r["student"]):
        row = [r["student"], *(r["scores"][i] for i in ids), r["total"], r["max_total"]]
        writer.writerow([_safe(c) for c in [*row, r["status"]]])
        _write_atomically(out / "feedback" / f"{r['student']}.md", r["feedback"])
    _write_atomically(out / "gradebook.csv", buffer.getvalue())


def write_gradescope(out, assignment, result):
    """A Gradescope-style ``results.json`` for one student."""
    tests = [
        {"name": q.id, "score": result["scores"][q.id], "max_score": q.points}
        for q in assignment.questions
    ]
    doc = {"score": result["total"], "tests": tests, "output": result["feedback"]}
    _write_atomically(out / "gradescope" / f"{result['student']}.json", json.dumps(doc, indent=1))


def _progress(done, total, started):
    if not sys.stderr.isatty():
        return
    rate = done / max(time.perf_counter() - started, 1e-9)
    bar = "#" * (30 * done // max(total, 1))
    print(f"\r[{bar:<30}] {done}/{total} graded, {rate:.1f}/s", end="", file=sys.stderr)


def collect(paths):
    """Notebook files named directly or found in folders; student names must be unique."""
    files = []
    for p in map(Path, paths):
        files += sorted(p.glob("*.ipynb")) if p.is_dir() else [p]
    seen = {}
    for f in files:
        if f.stem in seen:
            raise ValueError(f"two submissions for student {f.stem!r}: {seen[f.stem]} and {f}")
        seen[f.stem] = f
    return sorted(files, key=lambda f: f.stem)


def grade(
    assignment_path,
    submissions,
    out,
    *,
    jobs=None,
    timeout=10.0,
    memory_mb=1024,
    shard=(1, 1),
    gradescope=False,
):
    """Grade ``submissions`` against ``assignment_path`` into the folder ``out``.

    Returns a summary dict. Already-graded submissions (same file, same assignment)
    are not graded again.
    """
    out = Path(out)
    assignment = load_assignment(assignment_path)
    k, n = shard
    selected = collect(submissions)[k - 1 :: n]
    (out / ".work").mkdir(parents=True, exist_ok=True)
    (out / "results").mkdir(parents=True, exist_ok=True)
    results, todo = {}, []
    for sub in selected:
        path = out / "results" / f"{sub.stem}.json"
        old = _load_result(path)
        if (
            old
            and old["assignment_sha"] == assignment.sha
            and old["submission_sha"] == _digest(sub)
        ):
            results[sub.stem] = old
        else:
            todo.append(sub)
    limits = {
        "cell": timeout,
        "call": timeout,
        "wall": timeout * (2 + len(assignment.questions)) + 5,
        "memory": memory_mb * 2**20,
        "file_size": 16 * 2**20,
        "processes": 64 + 4 * (jobs or os.cpu_count() or 1),
    }
    hide = _hidden_folders(assignment, out, selected)
    started = time.perf_counter()
    ctx = _context() if todo else None
    with ThreadPoolExecutor(jobs or os.cpu_count() or 1) as pool:
        futures = [pool.submit(grade_one, ctx, assignment, s, out, limits, hide) for s in todo]
        for done, future in enumerate(as_completed(futures), start=1):
            result = future.result()
            _write_atomically(out / "results" / f"{result['student']}.json", json.dumps(result))
            results[result["student"]] = result
            if gradescope:
                write_gradescope(out, assignment, result)
            _progress(done, len(todo), started)
    if todo and sys.stderr.isatty():
        print(file=sys.stderr)
    write_gradebook(out, assignment, results.values())
    statuses = [r["status"] for r in results.values()]
    return {
        "graded": len(todo),
        "reused": len(results) - len(todo),
        "seconds": time.perf_counter() - started,
        "ok": statuses.count("ok"),
        "timeout": statuses.count("timeout"),
        "error": sum(s.startswith("error") for s in statuses),
        "mean": float(np.mean([r["total"] for r in results.values()])) if results else 0.0,
        "max_total": assignment.max_total,
        "isolated": all(r["isolated"] for r in results.values()),
    }


def _load_result(path):
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None


def merge(shard_dirs, out, assignment_path):
    """Combine the results of several shard folders into one gradebook in ``out``."""
    assignment = load_assignment(assignment_path)
    out = Path(out)
    results = {}
    for folder in map(Path, shard_dirs):
        for path in sorted((folder / "results").glob("*.json")):
            r = _load_result(path)
            if r is None:
                raise ValueError(f"{path} is not a readable result")
            if r["assignment_sha"] != assignment.sha:
                raise ValueError(f"{path} was graded against another version of the assignment")
            if r["student"] in results and results[r["student"]] != r:
                raise ValueError(f"student {r['student']} has different results in two shards")
            results[r["student"]] = r
            _write_atomically(out / "results" / path.name, json.dumps(r))
    write_gradebook(out, assignment, results.values())
    return len(results)
