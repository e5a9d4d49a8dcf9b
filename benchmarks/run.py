"""`make bench`: run every benchmark in this folder, one after the other."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ["optimizer_step.py", "widgets.py", "grading.py", "build_and_test.py"]

if __name__ == "__main__":
    failed = []
    for name in SCRIPTS:
        print(f"\n=== {name} ===", flush=True)
        if subprocess.run([sys.executable, HERE / name], check=False).returncode:
            failed.append(name)
    sys.exit(f"failed: {', '.join(failed)}" if failed else 0)
