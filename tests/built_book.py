"""Helpers for the tests of the built book (``tests/test_book_*.py``, marker ``book``).

The book is the one ``make book`` builds into ``_build/html`` (``make booktest`` and
``make test`` build it first and pass ``BOOK_HTML``); without ``BOOK_HTML`` the tests run
``make book`` themselves. ``BOOK_TOC`` names another table of contents (the one the book
was built with, if not ``_toc.yml``).
"""

import functools
import html
import http.server
import os
import re
import subprocess
import threading
from pathlib import Path
from typing import ClassVar

import yaml

ROOT = Path(__file__).resolve().parent.parent
STUDENT_DIR = "student_exercises"  # where the build releases the exercises (book/)


def toc_path():
    return Path(os.environ.get("BOOK_TOC", ROOT / "_toc.yml"))


def toc_docnames():
    """The book's pages, as docnames (``chapters/01_anatomy``), in the order of the toc."""
    toc = yaml.safe_load(toc_path().read_text())
    names = [toc["root"]]

    def walk(node):
        for part in node.get("parts", []):
            walk(part)
        for entry in node.get("chapters", []) + node.get("sections", []):
            if "file" in entry:
                names.append(entry["file"])
            walk(entry)

    walk(toc)
    return [str(Path(n).with_suffix("")) if n.endswith((".md", ".ipynb")) else n for n in names]


def source_of(docname):
    """The source file of a page (``.ipynb`` or ``.md``) in the working tree."""
    for suffix in (".ipynb", ".md"):
        path = ROOT / (docname + suffix)
        if path.exists():
            return path
    return None


def is_exercise(docname):
    return docname.startswith(STUDENT_DIR + "/")


def is_chapter(docname):
    return docname.startswith("chapters/")


@functools.cache
def book_html():
    """The built site's folder, building the book first unless ``BOOK_HTML`` is given."""
    given = os.environ.get("BOOK_HTML")
    if given:
        path = Path(given)
        if not path.is_absolute():
            path = ROOT / path
    else:
        subprocess.run(["make", "book"], cwd=ROOT, check=True, capture_output=True)
        path = ROOT / "_build" / "html"
    if not (path / "index.html").is_file():
        raise FileNotFoundError(f"no built book in {path}: run `make book`")
    return path


def page_file(docname):
    return book_html() / (docname + ".html")


def visible_text(page):
    """The text of an HTML page as a reader (or a copy-paste) gets it: tags removed."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", "", page))


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    # as common web servers (and the mime-db they use) serve notebooks
    extensions_map: ClassVar = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".ipynb": "application/x-ipynb+json",
    }

    def log_message(self, *args):
        pass


class Server:
    """The site served over HTTP on 127.0.0.1 at a free port, in a background thread."""

    def __init__(self, folder):
        handler = functools.partial(QuietHandler, directory=str(folder))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
