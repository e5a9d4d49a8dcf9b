"""Command line: ``python -m optimlib.grading release --out DIR [NOTEBOOK ...]``."""

import argparse
import sys
from pathlib import Path

from optimlib.grading.release import ReleaseError, release_notebook


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m optimlib.grading", description=__doc__)
    verbs = parser.add_subparsers(dest="verb", required=True)
    release = verbs.add_parser("release", help="write the student version of exercise notebooks")
    release.add_argument("--out", required=True, type=Path, help="folder for the student notebooks")
    release.add_argument(
        "notebooks",
        nargs="*",
        type=Path,
        help="instructor sources (default: every exercises/*.ipynb)",
    )
    args = parser.parse_args(argv)

    notebooks = args.notebooks or sorted(Path("exercises").glob("*.ipynb"))
    if not notebooks:
        parser.error("no notebooks given and no exercises/*.ipynb here")
    for path in notebooks:
        if path.resolve().parent == args.out.resolve():
            parser.error(f"--out {args.out} would overwrite the instructor source {path}")
        try:
            target = release_notebook(path, args.out)
        except (OSError, ReleaseError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"released {path} -> {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
