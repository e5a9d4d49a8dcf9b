"""Command line of the exercises: release student notebooks, grade, merge shards.

python -m optimlib.grading release --out DIR [NOTEBOOK ...]
python -m optimlib.grading grade --assignment exercises/NAME.ipynb --out DIR SUB ...
python -m optimlib.grading merge --assignment exercises/NAME.ipynb --out DIR SHARD_DIR ...
"""

import argparse
import os
import sys
from pathlib import Path

from optimlib.grading.release import ReleaseError, release_notebook


def _shard(text):
    try:
        k, n = map(int, text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--shard takes K/N, like 2/4; got {text!r}") from None
    if not 1 <= k <= n:
        raise argparse.ArgumentTypeError(f"--shard K/N needs 1 ≤ K ≤ N; got {text!r}")
    return k, n


def _positive(kind):
    def parse(text):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
        return value

    return parse


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m optimlib.grading",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = parser.add_subparsers(dest="verb", required=True)

    release = verbs.add_parser("release", help="write the student version of exercise notebooks")
    release.add_argument("--out", required=True, type=Path, help="folder for the student notebooks")
    release.add_argument(
        "notebooks", nargs="*", type=Path, help="instructor sources (default: exercises/*.ipynb)"
    )

    grade = verbs.add_parser("grade", help="grade a folder of submissions into a gradebook")
    grade.add_argument("--assignment", required=True, type=Path, help="the instructor source")
    grade.add_argument("--out", required=True, type=Path, help="folder for gradebook and feedback")
    grade.add_argument(
        "--jobs", type=_positive(int), default=os.cpu_count(), help="parallel submissions"
    )
    grade.add_argument(
        "--timeout",
        type=_positive(float),
        default=10.0,
        help="seconds for any one cell or call of a student function (default 10)",
    )
    grade.add_argument(
        "--memory", type=_positive(int), default=1024, help="MB per submission (default 1024)"
    )
    grade.add_argument("--shard", type=_shard, default=(1, 1), help="grade only shard K of N")
    grade.add_argument(
        "--gradescope", action="store_true", help="also write gradescope/<student>.json"
    )
    grade.add_argument("submissions", nargs="+", type=Path, help="notebooks or folders of them")

    merge = verbs.add_parser("merge", help="merge the gradebooks of shards")
    merge.add_argument("--assignment", required=True, type=Path, help="the instructor source")
    merge.add_argument("--out", required=True, type=Path, help="folder for the merged gradebook")
    merge.add_argument("shards", nargs="+", type=Path, help="the shards' --out folders")

    args = parser.parse_args(argv)
    if args.verb == "release":
        return _release(parser, args)
    from optimlib.grading import grader

    try:
        if args.verb == "merge":
            n = grader.merge(args.shards, args.out, args.assignment)
            print(f"merged {n} students into {args.out / 'gradebook.csv'}")
            return 0
        summary = grader.grade(
            args.assignment,
            args.submissions,
            args.out,
            jobs=args.jobs,
            timeout=args.timeout,
            memory_mb=args.memory,
            shard=args.shard,
            gradescope=args.gradescope,
        )
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    s = summary
    print(
        f"graded {s['graded']} submissions in {s['seconds']:.1f} s "
        f"({s['reused']} already graded): {s['ok']} ok, {s['timeout']} timeout, "
        f"{s['error']} error; mean {s['mean']:.2f} / {s['max_total']:g} points"
        f"{'' if s['isolated'] else ' — WARNING: not isolated (see the instructor guide)'}"
        f" → {args.out / 'gradebook.csv'}"
    )
    return 0


def _release(parser, args):
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
