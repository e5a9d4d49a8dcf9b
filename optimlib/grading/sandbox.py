"""The child side of the grader: run one student notebook in a sandbox, report plain data.

Everything here runs in a process forked for one submission (see ``grader.py``), in two
stages:

1. ``run_submission`` (the *harness*, still the grader's user) reads the submission's
   bytes, opens the file that receives the results, and — where the machine allows —
   enters new mount, network and PID namespaces. It then forks the student process and
   waits for it, and finally appends how that process ended.
2. ``_student`` (PID 1 of the new PID namespace, so every process it starts dies with it)
   hides the instructor's sources, the output folder and the other submissions behind
   empty tmpfs mounts, works in a private tmpfs, closes stdin, sets resource limits, drops
   to an unprivileged user, and only then runs the student's cells and calls the
   student's functions with the cases' inputs.

The only thing that leaves is a file of JSON lines — numbers, strings, lists and arrays
(``{"__array__": [...], "shape": [...]}``), never pickles — which the grader parses with
limits and compares with its own expected answers. So whatever the student's code prints,
patches (numpy, builtins, assert, IPython transformers) or forges, it can change only the
values it returns for its own cases.
"""

import builtins
import copy
import ctypes
import json
import math
import os
import resource
import signal
import sys

import numpy as np

from optimlib.grading import questions as _questions
from optimlib.grading.questions import plain

CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET = 0x00020000, 0x20000000, 0x40000000
MS_RDONLY, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 0x1, 0x20, 0x1000, 0x4000, 0x40000
PR_SET_PDEATHSIG = 1
NOBODY = 65534
MAX_NOTEBOOK_BYTES = 20 * 2**20
MAX_RECORD = 2 * 2**20  # bytes of one answer, as JSON
SETUP_FAILED, HARNESS_BROKEN = 70, 71  # exit codes of the student process
_libc = ctypes.CDLL(None, use_errno=True)
_dumps = json.dumps  # taken before any student code can patch json


class Timeout(BaseException):
    """Raised in the student process when a cell or a call runs out of time."""


class _Quiet:
    """A write-only text stream that keeps at most ``limit`` characters (and drops the rest)."""

    def __init__(self, limit=10_000):
        self.kept, self.limit = [], limit

    def write(self, text):
        if self.limit > 0 and isinstance(text, str):
            self.kept.append(text[: self.limit])
            self.limit -= len(self.kept[-1])
        return len(text) if isinstance(text, str) else 0

    def flush(self):
        pass

    def isatty(self):
        return False


class _Shell:
    """What ``get_ipython()`` returns in the sandbox: magics and shell escapes do nothing."""

    def __init__(self):
        self.ast_transformers, self.input_transformers_post = [], []
        self.user_ns = {}

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def encode(value):
    """Plain data → JSON-ready data; arrays become ``{"__array__": [...], "shape": [...]}``."""
    if isinstance(value, np.ndarray):
        return {"__array__": value.astype(float).ravel().tolist(), "shape": list(value.shape)}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    return value


def _mount(target, *, source="none", fstype=b"tmpfs", flags=0, options=b"size=64m,mode=0755"):
    """mount(2): ``fstype`` (or, with ``MS_BIND``, the folder ``source``) on ``target``."""
    if _libc.mount(str(source).encode(), str(target).encode(), fstype, flags, options) != 0:
        raise OSError(ctypes.get_errno(), f"mount {target}")


def _python_folders():
    """The folders Python imports from (installation, venv, sys.path, optimlib), outermost."""
    package = os.path.dirname(os.path.dirname(_questions.__file__))  # optimlib, if editable
    folders = (sys.prefix, sys.base_prefix, package, *sys.path)
    found = sorted({os.path.realpath(p) for p in folders if os.path.isdir(p)})
    return [p for i, p in enumerate(found) if not any(p.startswith(q + os.sep) for q in found[:i])]


def _blocked_ancestor(path):
    """The first folder on the way to ``path`` that others may not enter, or None."""
    parts = path.split(os.sep)
    for i in range(2, len(parts) + 1):
        folder = os.sep.join(parts[:i])
        if not os.stat(folder).st_mode & 0o001:
            return folder
    return None


def _hide_but_keep_python(hide):
    """Hide ``hide`` and /tmp behind empty mounts; keep Python's folders readable by nobody.

    Python's folders may lie under /tmp (a project cloned there) or under a private home
    (pyenv in /root, mode 0700). They are opened first and bound back afterwards —
    recursively, so the hidden folders inside them stay hidden — and a private home is
    shadowed by an empty tmpfs, which also hides the rest of it.
    """
    for folder in hide:
        if os.path.isdir(folder):
            _mount(folder, options=b"size=1m,mode=0555")
    keep = [(p, os.open(p, os.O_RDONLY | os.O_DIRECTORY)) for p in _python_folders()]
    blocked = {_blocked_ancestor(p) for p, _ in keep} - {None}
    _mount("/tmp", options=b"size=64m,mode=1777")
    for folder in blocked:
        if not folder.startswith("/tmp/"):  # under /tmp it is gone already
            _mount(folder, options=b"size=1m,mode=0755")
    for path, fd in keep:
        if os.path.isdir(path) and os.path.samestat(os.stat(path), os.fstat(fd)):
            os.close(fd)
            continue  # still there and reachable
        os.makedirs(path, exist_ok=True)
        _mount(
            path, source=f"/proc/self/fd/{fd}", fstype=None, flags=MS_BIND | MS_REC, options=None
        )
        _mount(path, fstype=None, flags=MS_REMOUNT | MS_BIND | MS_RDONLY, options=None)
        os.close(fd)


def _isolate(job):
    """New mount, network and PID namespaces, when the machine allows it (root here)."""
    if os.geteuid() != 0:
        return False
    if _libc.unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID) != 0:
        return False
    if _libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        return False
    return True


def _confine(job, isolated):
    """In the student process: hide what it must not see, limit it, drop privileges."""
    os.setsid()
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if isolated:
        _hide_but_keep_python(job["hide"])
        _mount("/proc", fstype=b"proc", options=None)  # this PID namespace's processes only
        os.chdir("/tmp")
    else:
        os.chdir(job["scratch"])
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # stdin closed (reads give EOF), output discarded at the fd level
        os.dup2(devnull, fd)
    sys.stdin = open(os.devnull)  # input() gets EOF
    sys.stdout = sys.stderr = _Quiet()
    os.environ["HOME"] = os.getcwd()
    limits = job["limits"]
    vm = int(open("/proc/self/statm").read().split()[0]) * resource.getpagesize()
    cpu = math.ceil(limits["wall"]) + 1
    for name, value in [
        ("RLIMIT_CPU", cpu),
        ("RLIMIT_AS", vm + limits["memory"]),
        ("RLIMIT_FSIZE", limits["file_size"]),
        ("RLIMIT_NOFILE", 64),
        ("RLIMIT_CORE", 0),
        ("RLIMIT_NPROC", limits["processes"]),
    ]:
        resource.setrlimit(getattr(resource, name), (value, value))
    if os.geteuid() == 0:
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)


def _notebook_cells(data):
    """The code cells' sources of a notebook (nbformat 4, or 3 with worksheets)."""
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise ValueError(f"the file is larger than {MAX_NOTEBOOK_BYTES // 2**20} MB")
    if not data.strip():
        raise ValueError("the file is empty")
    try:
        nb = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"not a notebook: the file is not valid JSON ({exc})") from None
    if not isinstance(nb, dict):
        raise ValueError("not a notebook: the JSON is not an object")
    if isinstance(nb.get("cells"), list):
        cells, key = nb["cells"], "source"
    elif isinstance(nb.get("worksheets"), list) and nb["worksheets"]:
        cells, key = nb["worksheets"][0].get("cells", []), "input"  # nbformat 3
    else:
        raise ValueError("not a notebook: no cells")
    sources = []
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get(key, "")
            if isinstance(source, list):
                source = "".join(s for s in source if isinstance(s, str))
            if isinstance(source, str):
                sources.append(source)
    return sources


def _on_alarm(signum, frame):
    raise Timeout


def _timed(seconds, fn, *args, **kwargs):
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn(*args, **kwargs)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _tripwires(names, tripped):
    """Wrap the reference functions ``names`` so that calling them records the name."""
    for dotted in names:
        module_name, _, path = dotted.partition(":")
        owner = sys.modules.get(module_name)
        parts = path.split(".")
        for part in parts[:-1]:
            owner = getattr(owner, part, None)
        original = getattr(owner, parts[-1], None)
        if owner is None or not callable(original):
            continue

        setattr(owner, parts[-1], _wire(dotted.replace(":", "."), original, tripped))


def _wire(name, original, tripped):
    def wire(*args, **kwargs):
        tripped.add(name)
        return original(*args, **kwargs)

    return wire


def _student(job, data, out):
    """Run the student's notebook and call its functions; write JSON lines to ``out``."""

    main = os.getpid()

    pristine = dict(builtins.__dict__)

    def emit(record):
        if os.getpid() != main:  # a copy made by os.fork() in the student's code
            os._exit(0)
        builtins.__dict__.update(pristine)  # undo patched builtins before the harness runs
        line = _dumps(record, allow_nan=True)
        if len(line) > MAX_RECORD:
            line = _dumps(
                {k: v for k, v in record.items() if k != "value"}
                | {
                    "error": f"returned an answer of {len(line) // 1000} kB; the limit is "
                    f"{MAX_RECORD // 1000} kB"
                }
            )
        out.write(line + "\n")
        out.flush()

    signal.signal(signal.SIGALRM, _on_alarm)
    try:
        sources = _notebook_cells(data)
    except ValueError as exc:
        emit({"fatal": str(exc)})
        return
    from IPython.core.inputtransformer2 import TransformerManager

    _questions._GRADING = True  # the student's own check(...) calls do nothing here
    tripped = set()
    _tripwires(job["references"], tripped)
    namespace = {"__name__": "__main__", "get_ipython": _Shell}
    transform = TransformerManager().transform_cell
    for n, source in enumerate(sources, start=1):
        builtins.__dict__.update(pristine)
        try:
            code = compile(transform(source), f"<cell {n}>", "exec")
            _timed(job["limits"]["cell"], exec, code, namespace)
        except Timeout:
            emit({"cell": n, "error": f"ran longer than {job['limits']['cell']:g} s"})
        except BaseException as exc:  # SystemExit, KeyboardInterrupt, MemoryError, …
            emit({"cell": n, "error": f"{type(exc).__name__}: {exc}"[:300]})
        if os.getpid() != main:  # forked copies end with the cell that made them
            os._exit(0)
    for q in job["questions"]:
        builtins.__dict__.update(pristine)  # undo patched builtins before grading calls
        fn = namespace.get(q["function"])
        if not callable(fn):
            emit({"q": q["id"], "missing": True})
            continue
        for i, kwargs in enumerate(q["cases"]):
            tripped.clear()
            record = {"q": q["id"], "i": i}
            try:
                value = _timed(job["limits"]["call"], fn, **copy.deepcopy(kwargs))
            except NotImplementedError:
                record["not_attempted"] = True
            except Timeout:
                record["error"] = f"ran longer than {job['limits']['call']:g} s"
            except BaseException as exc:  # anything the student's code raises
                record["error"] = f"raised {type(exc).__name__}: {exc}"[:300]
            else:
                builtins.__dict__.update(pristine)
                try:
                    record["value"] = encode(plain(value))
                except (TypeError, ValueError, RecursionError) as exc:
                    record["error"] = f"returned something that is not an answer: {exc}"[:300]
            if tripped:
                record["reference"] = sorted(tripped)
            emit(record)
            if "error" in record and "longer than" in record["error"]:
                emit({"q": q["id"], "skipped_after": i})
                break
    emit({"done": True})


def run_submission(job):
    """Harness entry point (the target of the grader's forkserver process)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.setsid()
    with open(job["results"], "w", encoding="utf-8") as out:
        try:
            size = os.path.getsize(job["submission"])
            if size > MAX_NOTEBOOK_BYTES:
                data = b"x" * (MAX_NOTEBOOK_BYTES + 1)
            else:
                with open(job["submission"], "rb") as f:
                    data = f.read()
        except OSError as exc:
            out.write(json.dumps({"fatal": f"cannot read the submission: {exc}"}) + "\n")
            return
        isolated = _isolate(job)
        out.write(json.dumps({"isolated": isolated}) + "\n")
        out.flush()
        pid = os.fork()
        if pid == 0:  # PID 1 of the new namespace: start the student process, reap, report
            os._exit(_init(job, data, out, isolated))
        os.waitpid(pid, 0)


def _init(job, data, out, isolated):
    """Run the student process and append how it ended; every process left dies with us."""
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            _confine(job, isolated)
        except BaseException:
            os._exit(SETUP_FAILED)
        try:
            _student(job, data, out)
        except BaseException:
            code = HARNESS_BROKEN
        finally:
            os._exit(code)
    while True:  # reap orphans (forked by the student) until the student process ends
        reaped, status = os.wait()
        if reaped == pid:
            break
    if os.WIFSIGNALED(status):
        ending = {"signal": os.WTERMSIG(status)}
    else:
        ending = {"code": os.WEXITSTATUS(status)}
    out.write(_dumps({"ended": ending}) + "\n")
    out.flush()
    return 0
