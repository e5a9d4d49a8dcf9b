"""Graded questions and the student self-check.

An exercise notebook declares each question once, next to the function the student
writes::

    question(
        "cost-1d",
        function="cost",
        points=2,
        cases=[(dict(theta1=0.0, x=[1, 2, 3], y=[1, 2, 3]), 14 / 6)],
        # BEGIN HIDDEN TESTS
        reference=lambda theta1, x, y: losses.mse(theta1 * np.asarray(x), y),
        hidden=[dict(theta1=0.3, x=[0.5, -1.0], y=[2.0, 1.0])],
        # END HIDDEN TESTS
        hint="J(θ₁) = 1/(2m) Σᵢ (θ₁xᵢ − yᵢ)²",
    )
    check("cost-1d", cost)

A case is a dict of keyword arguments made of plain data (numbers, strings, lists,
arrays). Public cases carry their expected answer; hidden cases get theirs from
``reference(**case)``, which also must agree with every public answer. So a grader can
call the student's ``function`` with the same plain data in another process and compare
what comes back in its own. ``release`` removes the reference and the hidden cases (and
the solutions) from the student's copy; the self-check then runs the public cases only.

**Judged questions.** Some answers have no single expected value: hyperparameters that
reach a target accuracy, a step size that converges. Such a question has a ``judge``
instead of expected answers — a function ``judge(answer, **case)`` that returns ``None``
when the student's answer (plain data) is acceptable for the case and otherwise a
sentence saying why not::

    def reaches(answer, target):
        if type(answer) not in (int, float) or not 0 < answer < 1:
            return f"answer a learning rate in (0, 1), got {answer!r}"
        loss = train_and_measure(lr=answer)  # bounded work: the range is checked first
        return None if loss < target else f"loss {loss:.3g} is above the target {target}"

    question(
        "tuned-lr",
        function="tuned_lr",
        points=2,
        judge=reaches,
        cases=[dict(target=0.1)],  # keyword dicts only: the judge decides
        # BEGIN HIDDEN TESTS
        hidden=[dict(target=0.05), dict(target=0.2)],
        # END HIDDEN TESTS
    )

The trust boundary is the same as for compared answers: the grader calls the student's
function in the sandbox, only its plain-data result comes back, and the grader runs the
judge *of the instructor's source* in its own process (never the student's copy of it,
and never in the student's process). So a judge is not a secret: it states the rule an
answer must meet, it stays public, and the student's self-check runs its own copy on
the public cases (where tampering with it fools only the student). Only the hidden cases
go between the markers. A judge gets untrusted data, so it must check the answer's types
and ranges before doing any work, and keep that work small and bounded (a fixed budget):
it runs once per case and distinct answer in the grader's process, outside the sandbox's
time limits (the grader caches verdicts, so equal answers are judged once). A judge that
raises, or returns anything but ``None`` or a string, fails the case with that reason.
"""

import copy
import html
import traceback
from dataclasses import dataclass, field
from numbers import Number

import numpy as np

_QUESTIONS = {}
_GRADING = False  # set while the grader runs a notebook: check() then does nothing


@dataclass
class Question:
    """One graded question: ``points`` shared equally among its cases."""

    id: str
    function: str
    points: float
    cases: list  # [(kwargs, expected), ...]
    reference: object = None
    hidden: list = field(default_factory=list)
    hint: str = ""
    rtol: float = 1e-6
    atol: float = 1e-9
    judge: object = None  # judge(answer, **case) → None or why not, instead of expected answers

    def all_cases(self):
        """Every case as ``(label, kwargs, expected)``, the public ones first.

        A judged question has no expected answers: ``expected`` is ``None``.
        """
        public = [(f"case {i + 1}", kw, exp) for i, (kw, exp) in enumerate(self.cases)]
        hidden = [
            (
                f"hidden case {i + 1}",
                kw,
                None if self.judge else plain(self.reference(**copy.deepcopy(kw))),
            )
            for i, kw in enumerate(self.hidden)
        ]
        return public + hidden

    def verdict(self, got, kwargs, expected):
        """``None`` when ``got`` is right for the case ``kwargs``, else a sentence why not."""
        if self.judge is None:
            return compare(got, expected, self.rtol, self.atol)
        return judged(self.judge, got, kwargs)


def question(
    qid,
    *,
    function,
    points,
    cases,
    reference=None,
    hidden=(),
    hint="",
    rtol=1e-6,
    atol=1e-9,
    judge=None,
):
    """Declare (or redeclare) the graded question ``qid``; see the module docstring.

    Without ``judge``, ``cases`` are ``(kwargs, expected)`` pairs and ``hidden`` cases get
    their answers from ``reference``. With ``judge``, every case (public or hidden) is a
    dict of keyword arguments and ``judge(answer, **case)`` decides.

    Raises ``TypeError``/``ValueError`` for an empty id or function name, points ≤ 0,
    cases that are not ``(kwargs, expected)`` pairs of plain data (or, for a judged
    question, dicts of plain data), hidden cases without a callable reference or judge,
    a judge that is not callable or comes with a reference, or a public expected answer
    that the reference contradicts.
    """
    if not isinstance(qid, str) or not qid:
        raise ValueError("a question needs a non-empty string id")
    if not isinstance(function, str) or not function.isidentifier():
        raise ValueError(
            f"question {qid}: function must be the name of a function, got {function!r}"
        )
    if not isinstance(points, Number) or not points > 0:
        raise ValueError(f"question {qid}: points must be a number > 0, got {points!r}")
    cases, hidden = list(cases), list(hidden)
    if not cases and not hidden:
        raise ValueError(f"question {qid}: give at least one case")
    if judge is not None:
        if not callable(judge):
            raise TypeError(f"question {qid}: judge must be a function judge(answer, **case)")
        if reference is not None:
            raise ValueError(f"question {qid}: give a reference or a judge, not both")
        if any(isinstance(case, tuple) for case in cases):
            raise TypeError(
                f"question {qid}: a judged question's cases are dicts of keyword arguments, "
                "without expected answers (the judge decides)"
            )
        cases = [(case, None) for case in cases]
    for i, case in enumerate(cases):
        if not (isinstance(case, tuple) and len(case) == 2):
            raise TypeError(f"question {qid}: case {i + 1} must be a pair (kwargs, expected)")
    for kwargs in [kw for kw, _ in cases] + hidden:
        if not isinstance(kwargs, dict) or not all(isinstance(k, str) for k in kwargs):
            raise TypeError(f"question {qid}: each case's arguments must be a dict of keywords")
        plain(kwargs)
    cases = [(kwargs, plain(expected)) for kwargs, expected in cases]
    if (hidden or reference is not None) and judge is None and not callable(reference):
        raise TypeError(f"question {qid}: hidden cases need a callable reference or a judge")
    if reference is not None:
        for i, (kwargs, expected) in enumerate(cases):
            truth = plain(reference(**copy.deepcopy(kwargs)))
            if (why := compare(expected, truth, rtol, atol)) is not None:
                raise ValueError(
                    f"question {qid}: case {i + 1} disagrees with the reference: {why}"
                )
    q = Question(qid, function, float(points), cases, reference, hidden, hint, rtol, atol, judge)
    _QUESTIONS[qid] = q
    return q


def judged(judge, answer, kwargs):
    """Run ``judge(answer, **kwargs)`` on copies; return ``None`` (accepted) or why not.

    The judge's reason is returned as it is. A judge that raises, or returns anything but
    ``None`` or a non-empty string, does not accept the answer, and the sentence says so.
    """
    try:
        verdict = judge(copy.deepcopy(answer), **copy.deepcopy(kwargs))
    except Exception as exc:  # the answer is untrusted data; the judge may choke on it
        return f"your answer could not be judged: {type(exc).__name__}: {exc}"[:300]
    if verdict is None:
        return None
    if type(verdict) is str and verdict:
        return verdict
    return f"not accepted (the judge returned {_show(verdict)}, not None or a reason)"


def plain(value):
    """Return ``value`` as plain data — what may cross the grader's process boundary.

    Plain data is ``None``, ``bool``, ``int``, ``float``, ``str``, numeric numpy arrays
    and scalars, and lists, tuples (returned as lists) and str-keyed dicts of those —
    exactly those types, not subclasses. Anything else (an object whose ``__eq__``
    always says yes, a generator, a function) raises ``TypeError``: it is no answer.
    """
    if value is None or type(value) in (bool, int, float, str):
        return value
    if type(value) is np.ndarray or isinstance(value, np.generic):
        if value.dtype.kind not in "biuf":
            raise TypeError(f"an array of dtype {value.dtype} is not a numeric answer")
        return value.item() if value.ndim == 0 else np.array(value)
    if type(value) in (list, tuple):
        return [plain(v) for v in value]
    if type(value) is dict and all(isinstance(k, str) for k in value):
        return {k: plain(v) for k, v in value.items()}
    raise TypeError(f"{type(value).__name__} is not plain data (numbers, arrays, strings, lists)")


def compare(got, expected, rtol=1e-6, atol=1e-9):
    """``None`` when ``got`` matches ``expected``, else a sentence saying how it differs.

    Numbers and arrays match within ``rtol``/``atol`` and must have the same shape;
    strings and booleans must be equal; lists, tuples and dicts match item by item.
    """
    if isinstance(expected, bool | str) or expected is None:
        if type(got) is not type(expected) or got != expected:
            return f"expected {_show(expected)}, got {_show(got)}"
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            return f"expected a dict with keys {sorted(expected)}, got {_show(got)}"
        for key in expected:
            if (why := compare(got[key], expected[key], rtol, atol)) is not None:
                return f"[{key!r}]: {why}"
        return None
    if isinstance(expected, list | tuple) and not _numeric(expected):
        if not isinstance(got, list | tuple) or len(got) != len(expected):
            return f"expected {len(expected)} items, got {_show(got)}"
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            if (why := compare(g, e, rtol, atol)) is not None:
                return f"item {i}: {why}"
        return None
    want = np.asarray(expected, dtype=float)
    if isinstance(got, bool | str) or got is None or not _numeric(got):
        return f"expected a number or an array like {_show(expected)}, got {_show(got)}"
    have = np.asarray(got, dtype=float)
    if have.shape != want.shape:
        return f"expected shape {want.shape}, got shape {have.shape}: {_show(got)}"
    if not np.all(np.isfinite(have)):
        return f"expected {_show(expected)}, got non-finite values {_show(got)}"
    if not np.allclose(have, want, rtol=rtol, atol=atol):
        return f"expected {_show(expected)}, got {_show(got)}"
    return None


def _numeric(value):
    try:
        return np.asarray(value).dtype.kind in "biuf"
    except (ValueError, TypeError):
        return False


def _show(value, width=60):
    """A short, readable form of a value: numbers to 6 significant digits."""
    if isinstance(value, np.ndarray | list | tuple) and _numeric(value) and np.size(value):
        text = np.array2string(
            np.asarray(value, dtype=float),
            separator=", ",
            threshold=12,
            formatter={"float_kind": lambda v: f"{v:.6g}"},
        )
    elif isinstance(value, float | np.floating):
        text = f"{value:.6g}"
    else:
        text = repr(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


@dataclass
class CaseResult:
    label: str
    call: str
    passed: bool
    message: str = ""


@dataclass
class Report:
    """What a check found: per-case results and the points they earn."""

    question: Question
    results: list
    not_attempted: bool = False

    @property
    def score(self):
        if not self.results:
            return 0.0
        passed = sum(r.passed for r in self.results)
        return round(self.question.points * passed / len(self.results), 2)

    def _lines(self):
        q = self.question
        head = f"{q.id}: {self.score:g} / {q.points:g} point{'' if q.points == 1 else 's'}"
        if self.not_attempted:
            return [
                head,
                f"  Not attempted yet: `{q.function}` still raises NotImplementedError. "
                "Replace the `raise` line with your solution and run the cell again.",
            ]
        passed = sum(r.passed for r in self.results)
        lines = [f"{head} — {passed} of {len(self.results)} cases pass"]
        for r in self.results:
            lines.append(f"  {'✓' if r.passed else '✗'} {r.label}: {r.call}")
            if not r.passed:
                lines.append(f"      {r.message}")
        if passed < len(self.results) and q.hint:
            lines.append(f"  Hint: {q.hint}")
        elif passed == len(self.results):
            lines.append("  Well done!")
        return lines

    def __repr__(self):
        return "\n".join(self._lines())

    def _repr_html_(self):
        ok = self.score == self.question.points
        colour = "#1a7f37" if ok else "#b35900"
        lines = self._lines()
        body = "<br>".join(html.escape(line).replace("  ", "&nbsp;&nbsp;") for line in lines[1:])
        return (
            f'<div class="optimlib-check" style="border-left:4px solid {colour};'
            f'padding:.3em .8em;font-family:var(--pst-font-family-monospace,monospace)">'
            f"<strong>{html.escape(lines[0])}</strong><br>{body}</div>"
        )


def run_case(function, case):
    """Call ``function(**case)`` on a deep copy of the case; return ``(value, error)``.

    ``value`` is the result as plain data; ``error`` is ``None`` or a one-line
    description of what went wrong (the exception, or a result that is not plain data).
    """
    try:
        value = function(**copy.deepcopy(case))
    except NotImplementedError:
        raise
    except Exception as exc:  # the student's code may raise anything
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return None, f"raised {type(exc).__name__}: {exc} (line {where.lineno})"
    try:
        return plain(value), None
    except TypeError as exc:
        return None, f"returned something that is not an answer: {exc}"


def evaluate(q, function):
    """Run every case of question ``q`` (public and hidden) on ``function``."""
    results = []
    for label, case, expected in q.all_cases():
        call = f"{q.function}({', '.join(f'{k}={_show(v, 30)}' for k, v in case.items())})"
        try:
            got, error = run_case(function, case)
        except NotImplementedError:
            return Report(q, [CaseResult(label, call, False)], not_attempted=True)
        if error is None:
            error = q.verdict(got, case, expected)
        results.append(CaseResult(label, call, error is None, error or ""))
    return Report(q, results)


def check(qid, function):
    """The self-check: run question ``qid``'s cases on ``function`` and show the report.

    Raises ``KeyError`` with advice when the question's cell has not been run, and
    ``TypeError`` when ``function`` is not a function.
    """
    if _GRADING:
        return None
    if qid not in _QUESTIONS:
        raise KeyError(f"no question {qid!r}: run the cell that declares it first")
    if not callable(function):
        raise TypeError(f"check({qid!r}, ...) needs your function, got {type(function).__name__}")
    return evaluate(_QUESTIONS[qid], function)
