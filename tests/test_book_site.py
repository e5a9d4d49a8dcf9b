"""The built site's files: no solution or hidden test in them, nothing fetched from
elsewhere, and chapter pages of a reasonable weight."""

import functools
import json
import re
from pathlib import Path

import pytest
from built_book import (
    ROOT,
    STUDENT_DIR,
    book_html,
    is_chapter,
    page_file,
    source_of,
    toc_docnames,
    visible_text,
)
from notebooks import EXERCISES
from test_exercises import secret_lines

pytestmark = pytest.mark.book

PAGE_LIMIT = 3_000_000  # bytes per chapter page, its images included


def site_texts():
    """(path, text) of every file of the site with our content (not the theme's assets)."""
    root = book_html()
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if not path.is_file() or rel.parts[0] == "_static" or rel.parts[0].startswith("."):
            continue
        if path.suffix == ".html":
            raw = path.read_text(encoding="utf-8")
            yield rel, raw + "\n" + visible_text(raw)
        elif path.suffix == ".ipynb":
            yield rel, "\n".join(notebook_lines(path))
        elif path.suffix in (".js", ".json", ".md", ".txt", ".py"):
            yield rel, path.read_text(encoding="utf-8", errors="replace")


def notebook_lines(path):
    cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
    return [line.strip() for c in cells for line in "".join(c.get("source", "")).splitlines()]


@functools.cache
def public_lines():
    """Lines that the instructor sources show students outside the marked regions."""
    lines = set()
    for path in EXERCISES:
        secret = set(secret_lines(path))
        lines |= {line for line in notebook_lines(path) if line not in secret}
    return lines


def own_source_lines(rel):
    """The lines of the committed source that a chapter or front-matter file is built from
    (its page, its download): they are there by that page's author's choice. Student
    exercise pages get none: what they show must come from the release."""
    parts = rel.with_suffix("").parts
    docname = "/".join(parts[1:] if parts[0] == "_sources" else parts)
    if docname.startswith(STUDENT_DIR + "/"):
        return set()
    source = source_of(docname)
    if source is None:
        return set()
    if source.suffix == ".ipynb":
        return set(notebook_lines(source))
    return {line.strip() for line in source.read_text().splitlines()}


PROSE_MIN = 40  # a secret line this long is also looked for inside reflowed prose


def leaked(line, text, text_lines):
    """Whether a secret line is in a file: as one of its lines (code, notebooks), or, if
    long enough to say something on its own, anywhere in it (prose that HTML reflows)."""
    return line in text_lines or (len(line) >= PROSE_MIN and line in text)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda p: p.name)
def test_no_solution_or_hidden_test_reaches_the_site(exercise):
    """Every line of a solution or hidden-test region is looked for in every file of the
    site. Lines of bare punctuation are skipped, and so are lines that are public anyway:
    also written outside the regions of an exercise (``import numpy as np``), or in the
    committed source of the chapter whose page (or download) shows them."""
    secrets = [line for line in secret_lines(exercise) if line not in public_lines()]
    assert secrets, f"{exercise.name} marks no solutions or hidden tests"
    leaks = []
    for rel, text in site_texts():
        text_lines = {line.strip() for line in text.splitlines()}
        own = own_source_lines(rel)
        leaks += [
            f"{rel}: {line}"
            for line in secrets
            if line not in own and leaked(line, text, text_lines)
        ]
    assert not leaks, "solution or hidden-test lines in the built site:\n" + "\n".join(leaks)


def test_the_site_includes_the_student_exercises():
    """The leak test above is only meaningful if the exercise pages are there."""
    for exercise in EXERCISES:
        page = book_html() / STUDENT_DIR / (exercise.stem + ".html")
        assert page.is_file(), f"no page for {exercise.name}: is it in _toc.yml?"


EXTERNAL = re.compile(
    r"""<(?:script|img|iframe|source|audio|video)\b[^>]*\bsrc=["']?(?:https?:)?//"""
    r"""|<link\b[^>]*\brel=["']?(?:stylesheet|preload|icon|modulepreload)[^>]*\bhref=["']?(?:https?:)?//"""
    r"""|url\(["']?(?:https?:)?//""",
    re.I,
)


@pytest.mark.parametrize("docname", toc_docnames())
def test_page_refers_to_no_other_site_for_what_it_loads(docname):
    text = page_file(docname).read_text(encoding="utf-8")
    found = [m.group(0)[:120] for m in EXTERNAL.finditer(text)]
    assert not found, f"{docname}.html loads from elsewhere: {found}"


def page_weight(docname):
    """Bytes a reader downloads for a page's own content: its HTML and its images."""
    path = page_file(docname)
    text = path.read_text(encoding="utf-8")
    images = {
        (path.parent / src).resolve()
        for src in re.findall(r'<img [^>]*src="([^"#?]+)"', text)
        if not src.startswith("data:")
    }
    return path.stat().st_size + sum(p.stat().st_size for p in images if p.is_file())


@pytest.mark.parametrize("docname", [d for d in toc_docnames() if is_chapter(d)])
def test_chapter_page_weight(docname):
    weight = page_weight(docname)
    print(f"{docname}: {weight / 1e6:.2f} MB")
    assert weight < PAGE_LIMIT, (
        f"{docname} weighs {weight / 1e6:.1f} MB (limit {PAGE_LIMIT / 1e6:.0f} MB): "
        "give its widgets fewer states or smaller figures"
    )


def test_no_widget_state_or_widget_manager_in_any_page():
    for docname in toc_docnames():
        text = page_file(docname).read_text(encoding="utf-8")
        assert "application/vnd.jupyter.widget-state+json" not in text, docname
        assert "html-manager" not in text and "require.min.js" not in text, docname


def test_mathjax_is_served_by_the_site():
    mathjax = book_html() / "_static" / "mathjax"
    assert (mathjax / "tex-chtml.js").is_file()
    assert list((mathjax / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))
    assert ROOT.joinpath("book", "package-lock.json").is_file()
