"""Exercises: questions and the self-check, release of student notebooks, grading.

``question`` and ``check`` are what an exercise notebook uses;
``python -m optimlib.grading release --out DIR`` writes the student notebooks.
"""

from optimlib.grading.questions import Question, check, compare, evaluate, plain, question
from optimlib.grading.release import ReleaseError, release_notebook

__all__ = [
    "Question",
    "ReleaseError",
    "check",
    "compare",
    "evaluate",
    "plain",
    "question",
    "release_notebook",
]
