"""The book's configuration: what readers find in it, and nothing fetched from elsewhere."""

import re

import yaml
from built_book import ROOT, STUDENT_DIR, toc_docnames
from notebooks import EXERCISES

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
SPHINX = CONFIG["sphinx"]["config"]


def test_toc_has_front_matter_and_references():
    pages = toc_docnames()
    for page in ("front/how_to_use", "front/notation", "references"):
        assert page in pages, f"{page} is not in _toc.yml"


def test_toc_shows_every_exercise_as_its_student_version():
    pages = toc_docnames()
    for exercise in EXERCISES:
        assert f"{STUDENT_DIR}/{exercise.stem}" in pages, (
            f"_toc.yml lacks {STUDENT_DIR}/{exercise.stem} (the student version of "
            f"exercises/{exercise.name}, released by the build)"
        )
    assert not any(p.startswith("exercises/") for p in pages), "instructor sources in the toc"


def test_student_exercises_are_not_executed_and_instructor_sources_not_built():
    assert f"{STUDENT_DIR}/*" in CONFIG["execute"]["exclude_patterns"]
    assert "exercises/*" in CONFIG["exclude_patterns"]
    assert f"/{STUDENT_DIR}/" in (ROOT / ".gitignore").read_text()


def test_no_script_comes_from_a_cdn():
    assert not re.match(r"(https?:)?//", SPHINX["mathjax_path"]), "MathJax from the site"
    assert SPHINX["nb_ipywidgets_js"] == {}, "no require.js / widget manager from a CDN"
    assert "optimlib_book" in CONFIG["sphinx"]["local_extensions"]


def test_bibliography_has_the_papers_of_every_method():
    bib = (ROOT / "references.bib").read_text()
    keys = set(re.findall(r"@\w+\{(\w+),", bib))
    for key in (
        "cauchy1847 robbins1951 polyak1964 nesterov1983 sutskever2013 duchi2011 zeiler2012 "
        "tieleman2012 kingma2015 dozat2016 reddi2018 rumelhart1986 goodfellow2015 li2018 "
        "glorot2010 nocedal2006 boyd2004"
    ).split():
        assert key in keys, f"{key} missing from references.bib"
    assert CONFIG["bibtex_bibfiles"] == ["references.bib"]
