"""Screenshots of the built book at desktop and phone widths, to look at after a change.

    .venv/bin/python tools/screenshots.py [--html _build/html] [--out _build/screenshots]
                                          [--full] [PAGE ...]

PAGE is a docname (``chapters/01_anatomy``); default: every page of ``_toc.yml``. Writes
``OUT/<page>-desktop.png`` (1280 px wide) and ``OUT/<page>-phone.png`` (390 px), each the
first screen of the page, or the whole page with ``--full``. Uses Debian's chromium
through Playwright, offline, like the browser tests.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from built_book import Server, toc_docnames  # noqa: E402
from test_book_browser import CHROMIUM, DESKTOP, FLAGS, PHONE  # noqa: E402

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("pages", nargs="*", help="docnames (default: the whole toc)")
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "screenshots")
    parser.add_argument("--full", action="store_true", help="the whole page, not one screen")
    parser.add_argument("--scroll-to", help="CSS selector to scroll into view first")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    server = Server(args.html)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for docname in args.pages or toc_docnames():
            for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
                context = browser.new_context(viewport=viewport)
                context.route(
                    "**/*",
                    lambda r: r.continue_() if r.request.url.startswith(server.url) else r.abort(),
                )
                page = context.new_page()
                page.goto(server.url + docname + ".html", wait_until="load")
                page.evaluate("async () => { await window.MathJax?.startup?.promise; }")
                if args.scroll_to and page.locator(args.scroll_to).count():
                    page.locator(args.scroll_to).first.scroll_into_view_if_needed()
                target = args.out / f"{docname.replace('/', '-')}-{name}.png"
                target.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=target, full_page=args.full)
                print(target)
                context.close()
        browser.close()
    server.close()
