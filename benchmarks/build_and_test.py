"""Time a clean book build (execution included) and `make test`, on this machine.

The clean build goes to a temporary folder, so the working tree's `_build` and its
execution cache are left alone. Targets (DESIGN.md): clean build < 90 s, `make test`
< 5 minutes on 2 cores.
"""

import os
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"


def timed(command, **kwargs):
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False, **kwargs)
    elapsed = time.perf_counter() - start
    if done.returncode:
        print(done.stdout[-3000:], done.stderr[-3000:])
        raise SystemExit(f"{' '.join(map(str, command))} failed")
    return elapsed


if __name__ == "__main__":
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as out:
        build = [
            BIN / "jupyter-book",
            "build",
            ".",
            "-W",
            "-n",
            "--keep-going",
            "--path-output",
            out,
        ]
        clean = timed(build, env=env)
        print(f"clean book build: {clean:6.1f} s   (target < 90 s)")
    test = timed(["make", "test"], env=env)
    print(f"make test:        {test:6.1f} s   (target < 300 s)")
