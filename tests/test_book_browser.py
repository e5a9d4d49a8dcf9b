"""The built book in a real browser (headless Debian chromium, driven by Playwright).

Every page of the table of contents (and the index and search pages) is served from
127.0.0.1 and opened once, with every request that would leave the site blocked and
recorded. A page passes when it asks for nothing outside the site, logs no error,
typesets all its math, loads every image (each with alt text), lays out on a phone
without sideways scrolling, and when every ``optimlib-widget`` changes its figure for
each of its labelled controls. The download button of a notebook page gives that page's
notebook — for an exercise, the student version.

Without chromium these tests skip, except in CI (``CI`` set), where they fail.
"""

import json
import os
import re
import shutil
import traceback

import nbformat
import pytest
from built_book import (
    ROOT,
    Server,
    book_html,
    is_chapter,
    is_exercise,
    source_of,
    toc_docnames,
)
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from optimlib.grading.release import STUB

pytestmark = pytest.mark.book

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# flags for this machine's closed network (see the machine notes)
FLAGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DOCNAMES = [*toc_docnames(), "genindex", "search"]
NOTEBOOKS = [d for d in DOCNAMES if source_of(d) is not None and source_of(d).suffix == ".ipynb"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

MATH = """() => {
  const blocks = Array.from(document.querySelectorAll('.math'));
  return {
    total: blocks.length,
    raw: blocks.filter(b => !b.querySelector('mjx-container')).map(b => b.textContent.slice(0, 80)),
    errors: Array.from(document.querySelectorAll('mjx-merror'))
                 .map(e => e.getAttribute('data-mjx-error') || e.textContent),
    delimiters: (() => {  // TeX delimiters left in the prose (code may contain them)
      const prose = document.querySelector('main').cloneNode(true);
      prose.querySelectorAll('pre, code, script, style, mjx-container').forEach(e => e.remove());
      return prose.textContent.match(/\\\\\\(|\\\\\\[|\\$\\$/g) || [];
    })(),
  };
}"""

IMAGES = """() => Array.from(document.querySelectorAll('main img')).map(img => ({
  src: img.currentSrc.slice(0, 80), loaded: img.complete && img.naturalWidth > 0,
  alt: (img.getAttribute('alt') || '').trim()}))"""

# elements wider than the phone's screen, unless inside a box that scrolls or clips them
# (a code cell, a wide table) or in a drawer that is off screen (fixed, hidden)
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth, out = [];
  const excused = el => {
    for (let p = el; p && p !== document.body; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (s.position === 'fixed' || s.visibility === 'hidden' || s.display === 'none') return true;
      if (p !== el && ['auto', 'scroll', 'hidden'].includes(s.overflowX)) return true;
    }
    return false;
  };
  for (const el of document.querySelectorAll('main *')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > width + 1 && !excused(el))
      out.push(`${el.tagName}.${el.className} right=${Math.round(r.right)}`);
  }
  // a display equation wider than its box must scroll, not be cut off
  const cut = Array.from(document.querySelectorAll('mjx-container[display="true"]'))
    .filter(m => m.scrollWidth > m.clientWidth + 1
                 && !['auto', 'scroll'].includes(getComputedStyle(m).overflowX))
    .map(m => m.textContent.slice(0, 60));
  return {scroll: document.documentElement.scrollWidth, width, out: out.slice(0, 5), cut};
}"""

SHOWN = """root => Array.from(root.querySelectorAll('img[data-state]'))
  .filter(img => !img.hidden && img.offsetHeight > 0)
  .map(img => ({state: img.dataset.state, loaded: img.complete && img.naturalWidth > 0,
                src: img.src.length + ':' + img.src.slice(-64), alt: img.alt}))"""


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = f"no chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message + ": the browser tests must run in CI")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def site():
    server = Server(book_html())
    yield server.url
    server.close()


def exercise_widgets(page):
    """Move every control of every widget once; return what each move showed."""
    moves = []
    widgets = page.locator(".optimlib-widget")
    for i in range(widgets.count()):
        widget = widgets.nth(i)
        controls = widget.locator("input[type=range], select")
        if not controls.count():
            moves.append({"where": f"widget {i + 1}", "problem": "no controls"})
        for j in range(controls.count()):
            control = controls.nth(j)
            move = {"where": f"widget {i + 1}, control {j + 1}"}
            move["label"] = control.evaluate(
                "c => Array.from(c.labels).map(l => l.firstChild.textContent).join('').trim()"
            )
            move["before"] = widget.evaluate(SHOWN)
            if control.evaluate("c => c.tagName") == "SELECT":
                n = control.locator("option").count()
                move["choices"] = n
                control.select_option(index=(control.evaluate("c => c.selectedIndex") + 1) % n)
            else:
                move["choices"] = control.evaluate("c => Number(c.max) - Number(c.min) + 1")
                at_end = control.evaluate("c => Number(c.value) >= Number(c.max)")
                control.focus()
                page.keyboard.press("ArrowLeft" if at_end else "ArrowRight")
            move["after"] = widget.evaluate(SHOWN)
            moves.append(move)
    return moves


def download_notebook(page):
    """Click the download button's notebook entry; return the bytes the reader gets."""
    context, got = page.context, []
    # the notebook is shown in the new tab or downloaded, as the server's MIME type says
    context.on("response", lambda r: r.url.endswith(".ipynb") and got.append(r))
    context.on("page", lambda tab: tab.on("download", lambda d: got.append(d)))
    page.locator(".dropdown-download-buttons button.dropdown-toggle").click()
    link = page.locator(".dropdown-download-buttons a.btn-download-source-button")
    if not link.is_visible() or link.inner_text().strip() != ".ipynb":
        return None
    with context.expect_page() as tab:
        link.click()
    tab.value.wait_for_load_state()
    for _ in range(50):
        if got:
            break
        page.wait_for_timeout(100)
    if not got:
        return b""
    return got[0].body() if hasattr(got[0], "body") else open(got[0].path(), "rb").read()


def visit(browser, site, docname):
    """Open a page once and record everything the tests look at (or what went wrong)."""
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    facts = {"outside": [], "errors": [], "failed": {}}

    def route(route):
        if route.request.url.startswith(site):
            route.continue_()
        else:
            facts["outside"].append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and facts["errors"].append(m.text))
    page.on("pageerror", lambda e: facts["errors"].append(f"uncaught: {e}"))

    def step(name, action):
        try:
            facts[name] = action()
        except Exception:
            facts["failed"][name] = traceback.format_exc()

    try:
        response = page.goto(site + docname + ".html", wait_until="load")
        facts["status"] = response.status if response else None
        # MathJax typesets after the load event; then wait for anything it loads lazily
        page.evaluate("async () => { await window.MathJax?.startup?.promise; }")
        try:  # anything loaded lazily (not needed: outside requests are caught at any time)
            page.wait_for_load_state("networkidle", timeout=10_000)
        except PlaywrightTimeout:
            pass
        step("math", lambda: page.evaluate(MATH))
        step("images", lambda: page.evaluate(IMAGES))
        step(
            "dead_widgets",
            lambda: page.locator('script[type^="application/vnd.jupyter.widget"]').count(),
        )
        step("widgets", lambda: exercise_widgets(page))
        page.set_viewport_size(PHONE)
        step("phone", lambda: page.evaluate(OVERFLOW))
        page.set_viewport_size(DESKTOP)
        if docname in NOTEBOOKS:
            step("download", lambda: download_notebook(page))
    finally:
        context.close()
    return facts


@pytest.fixture(scope="session")
def visited(browser, site):
    """docname → the facts of its one visit."""
    visits = {}

    def get(docname):
        if docname not in visits:
            visits[docname] = visit(browser, site, docname)
        return visits[docname]

    return get


def fact(facts, name):
    if name in facts["failed"]:
        pytest.fail(f"while looking at {name}:\n{facts['failed'][name]}")
    return facts[name]


def notebook_cells(data):
    return [(c["cell_type"], "".join(c["source"])) for c in json.loads(data)["cells"]]


class PageChecks:
    """The checks of one page. A subclass per page (below) keeps a page's checks together,
    so that ``pytest -n 2 --dist loadscope`` runs them where the page was visited."""

    docname = ""

    @pytest.fixture
    def facts(self, visited):
        return visited(self.docname)

    def test_loads_without_outside_requests_or_errors(self, facts):
        assert facts["status"] == 200, f"{self.docname}.html: HTTP {facts['status']}"
        assert not facts["outside"], f"requests outside the site: {facts['outside']}"
        assert not facts["errors"], f"console errors: {facts['errors']}"

    def test_every_math_block_is_typeset(self, facts):
        math = fact(facts, "math")
        raw = math["raw"]
        assert not raw, f"{len(raw)} of {math['total']} math blocks not typeset: {raw}"
        assert not math["errors"], f"TeX errors: {math['errors']}"
        assert not math["delimiters"], f"TeX delimiters left in the text: {math['delimiters']}"
        if is_chapter(self.docname):
            assert math["total"] > 0, "a chapter without math? (MathJax did not find it)"

    def test_every_image_loads_and_has_alt_text(self, facts):
        images = fact(facts, "images")
        broken = [i["src"] for i in images if not i["loaded"]]
        assert not broken, f"images that do not load: {broken}"
        without_alt = [i["src"] for i in images if not i["alt"]]
        assert not without_alt, f"images without alt text: {without_alt}"

    def test_no_sideways_scrolling_on_a_phone(self, facts):
        phone = fact(facts, "phone")
        assert phone["scroll"] <= phone["width"], f"the page scrolls sideways on a phone: {phone}"
        assert not phone["out"], f"elements stick out on a phone: {phone['out']}"
        assert not phone["cut"], f"equations cut off on a phone: {phone['cut']}"

    def test_every_widget_changes_its_figure_with_each_control(self, facts):
        assert not fact(facts, "dead_widgets"), "ipywidgets that need a kernel are on the page"
        moves = fact(facts, "widgets")
        if is_chapter(self.docname):
            assert moves, "every chapter has at least one widget"
        for move in moves:
            where = f"{move['where']} ({move.get('label')})"
            assert "problem" not in move, f"{move['where']}: {move.get('problem')}"
            assert move["label"], f"{move['where']} has no label"
            assert move["choices"] >= 2, f"{where} has only {move['choices']} value"
            before, after = move["before"], move["after"]
            assert len(before) == 1 and before[0]["loaded"], f"{where}: before the move {before}"
            assert len(after) == 1, f"{where}: {len(after)} figures shown after the move"
            assert after[0]["loaded"], f"{where}: the new figure does not load"
            assert after[0]["alt"], f"{where}: the new figure has no alt text"
            assert after[0]["state"] != before[0]["state"], f"{where}: the state did not change"
            assert after[0]["src"] != before[0]["src"], f"{where}: the figure did not change"


class NotebookPageChecks(PageChecks):
    """A page made from a notebook: its download button gives that notebook."""

    def test_download_button_gives_the_pages_notebook(self, facts):
        data = fact(facts, "download")
        assert data is not None, "the download menu offers no .ipynb"
        assert data, "clicking the download button gave nothing"
        source = source_of(self.docname)
        assert notebook_cells(data) == notebook_cells(source.read_bytes()), (
            f"the download is not {source.relative_to(ROOT)}"
        )
        notebook = nbformat.reads(data.decode(), as_version=4)
        assert not any(c.get("outputs") for c in notebook.cells if c.cell_type == "code")
        if is_exercise(self.docname):
            text = "\n".join(c.source for c in notebook.cells)
            assert STUB in text, "the exercise download is not the student version"
            assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text


for _docname in DOCNAMES:  # TestPage_chapters_01_anatomy, ...
    _name = "TestPage_" + re.sub(r"\W", "_", _docname)
    _base = NotebookPageChecks if _docname in NOTEBOOKS else PageChecks
    globals()[_name] = type(_name, (_base,), {"docname": _docname})


def test_the_book_has_chapters_and_exercises():
    assert book_html().is_dir()
    assert any(is_chapter(d) for d in DOCNAMES), "no chapter in the table of contents"
    assert any(is_exercise(d) for d in DOCNAMES), "no exercise page in the table of contents"
