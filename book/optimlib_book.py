"""Sphinx extension for the course book: self-contained, fresh, and safe to publish.

Registered in ``_config.yml`` (``sphinx.local_extensions``). It does four things:

1. **Student exercises.** Before Sphinx looks for sources, it releases every
   ``exercises/*.ipynb`` with ``python -m optimlib.grading release`` into the git-ignored
   ``student_exercises/`` folder, which the table of contents lists: the book shows (and
   offers for download) the student versions only. Files are rewritten only when their
   content changes, so an unchanged exercise is not re-read.
2. **Fresh outputs.** The execution cache keys on a notebook's code cells only, so a
   changed ``optimlib`` would leave stale outputs in the book. Each notebook gets a
   *dependency stamp*: a hash of the ``optimlib`` modules it imports (followed through
   their own imports) and of ``requirements.txt``. The stamp is written into the metadata
   of the notebook's first code cell as Sphinx reads it, so it becomes part of the
   cache key, and a notebook whose stamp changed is re-read (``env-get-outdated``) and
   re-executed. Chapters that do not import a changed module keep their cache. The
   notebooks to execute run in parallel, one per core, before Sphinx reads them.
3. **Kernel-free widgets.** ``optimlib`` widgets render as their HTML fallback
   (``nb_mime_priority_overrides``); the ipywidgets state that the execution stores in
   the notebook is dropped, so no page embeds it or loads a widget manager.
4. **No third-party requests.** MathJax 3 comes from the npm package that ``make book``
   installs (``book/package.json``) and is copied into ``_static/mathjax``;
   ``mathjax_path`` points there.

It also registers the bibliography style ``optimlib_author_year`` (labels that read like
the author-year citations) and removes sphinx-thebe's scripts (thebe would run code on
Binder; the book has ``launch_buttons.thebe: false``).
"""

import ast
import filecmp
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath

import nbformat
from docutils import nodes
from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
STAMP_KEY = "optimlib_book"  # cell metadata key of the dependency stamp
# the parts of the MathJax npm package the book serves (TeX in, CommonHTML out, the menu
# and its accessibility extensions); the other combined components are not needed
MATHJAX_PARTS = ["tex-chtml.js", "input/tex", "output/chtml", "ui", "a11y", "sre"]


# ---------------------------------------------------------------- student exercises


def release_exercises(app, config):
    """Write the student version of each instructor notebook into the book's sources.

    Skipped when neither the instructor sources nor ``optimlib.grading`` changed since
    the last release (a stamp file in the student folder records them).
    """
    if not config.optimlib_book_exercises:
        return
    srcdir = Path(app.srcdir)
    source_dir, student_dir = (srcdir / d for d in config.optimlib_book_exercises)
    notebooks = sorted(source_dir.glob("*.ipynb"))
    student_dir.mkdir(exist_ok=True)
    inputs = hashlib.sha256()
    for path in notebooks + sorted((srcdir / "optimlib" / "grading").glob("**/*.py")):
        inputs.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    stamp_file = student_dir / ".released"
    current = {p.name for p in student_dir.glob("*.ipynb")}
    if stamp_file.is_file() and stamp_file.read_text() == inputs.hexdigest():
        if current == {p.name for p in notebooks}:
            return
    with tempfile.TemporaryDirectory() as tmp:
        if notebooks:
            command = [sys.executable, "-m", "optimlib.grading", "release", "--out", tmp]
            done = subprocess.run(
                command + [str(p) for p in notebooks],
                cwd=srcdir,
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode:
                raise ExtensionError(
                    f"releasing the exercises failed:\n{done.stdout}{done.stderr}".rstrip()
                )
        released = {p.name: p for p in Path(tmp).glob("*.ipynb")}
        for name, path in released.items():
            target = student_dir / name
            if not target.exists() or not filecmp.cmp(path, target, shallow=False):
                shutil.copyfile(path, target)
                logger.info(f"[optimlib_book] released {target.relative_to(srcdir)}")
    for stale in student_dir.glob("*.ipynb"):
        if stale.name not in released:
            stale.unlink()
    stamp_file.write_text(inputs.hexdigest())


# ---------------------------------------------------------------- dependency stamps

_MAGIC = re.compile(r"^\s*[%!]|\?\s*$")  # IPython magics, shell escapes, help


def imported_modules(code, package=None):
    """Absolute names of the modules ``code`` imports (``from a import b`` gives a, a.b).

    ``package`` resolves relative imports. Raises ``SyntaxError`` for invalid code.
    """
    names = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = (package or "").split(".")
                parts = parts[: len(parts) - node.level + 1] if node.level > 1 else parts
                base = ".".join(p for p in [*parts, base] if p)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return names


class Dependencies:
    """Which files of the tracked packages a notebook's outputs depend on.

    ``packages`` are top-level package folders under ``root`` (``["optimlib"]``);
    ``extra`` files (``requirements.txt``) are a dependency of every notebook.
    """

    def __init__(self, root, packages, extra=()):
        self.root = Path(root)
        self.packages = list(packages)
        self.extra = [self.root / e for e in extra if (self.root / e).is_file()]
        self._imports = {}

    def module_file(self, name):
        """The file that defines module ``name`` in a tracked package, or None."""
        parts = name.split(".")
        if parts[0] not in self.packages:
            return None
        base = self.root.joinpath(*parts)
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
        return None

    def _files_of(self, name):
        """The files that importing ``name`` runs: its parents' ``__init__`` and itself."""
        parts = name.split(".")
        files = (self.module_file(".".join(parts[:i])) for i in range(1, len(parts) + 1))
        return [f for f in files if f is not None]

    def _imports_of(self, path):
        if path not in self._imports:
            # the package that relative imports start from: a/b/c.py and a/b/__init__.py
            # are both in package a.b
            package = ".".join(path.relative_to(self.root).parts[:-1])
            try:
                self._imports[path] = imported_modules(path.read_text(), package)
            except SyntaxError:  # a broken module: depend on the whole package
                self._imports[path] = set(self.packages)
        return self._imports[path]

    def of_code(self, sources):
        """Sorted files that code cells ``sources`` depend on."""
        names = set()
        for source in sources:
            code = "\n".join(line for line in source.splitlines() if not _MAGIC.match(line))
            try:
                names |= imported_modules(code)
            except SyntaxError:  # unparsable cell: assume it may import anything
                names |= set(self.packages)
        todo = [f for name in names for f in self._files_of(name)]
        seen = set()
        while todo:
            path = todo.pop()
            if path in seen:
                continue
            seen.add(path)
            todo += [f for name in self._imports_of(path) for f in self._files_of(name)]
        used = {path.relative_to(self.root).parts[0] for path in seen}
        data = [  # non-Python files of an imported package (data it may read)
            p
            for top in sorted(used)
            for p in (self.root / top).rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
        ]
        return sorted(seen | set(data) | set(self.extra))

    def stamp(self, sources):
        """A hash of every file that code cells ``sources`` depend on."""
        digest = hashlib.sha256()
        for path in self.of_code(sources):
            digest.update(path.relative_to(self.root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
        return digest.hexdigest()[:16]


def _code_sources(notebook):
    return [
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in notebook.get("cells", [])
        if c.get("cell_type") == "code"
    ]


def _dependencies(app):
    if not hasattr(app, "_optimlib_book_deps"):
        app._optimlib_book_deps = Dependencies(
            app.srcdir, app.config.optimlib_book_packages, app.config.optimlib_book_extra_deps
        )
    return app._optimlib_book_deps


def stamped(app, text):
    """``(stamp, text)``: a notebook's text with the dependency stamp in its first code
    cell, or ``(None, text)`` unchanged if it is not a notebook's JSON."""
    try:
        notebook = json.loads(text)
    except ValueError:
        return None, text  # not JSON: leave it to the notebook reader to complain
    stamp = _dependencies(app).stamp(_code_sources(notebook))
    code = [c for c in notebook.get("cells", []) if c.get("cell_type") == "code"]
    if code:
        code[0].setdefault("metadata", {})[STAMP_KEY] = {"dependencies": stamp}
        text = json.dumps(notebook, ensure_ascii=False)
    return stamp, text


def stamp_notebook(app, docname, source):
    """``source-read``: put the dependency stamp into the notebook's first code cell."""
    if Path(app.env.doc2path(docname)).suffix != ".ipynb":
        return
    stamp, source[0] = stamped(app, source[0])
    if stamp is not None:
        _stamps(app.env)[docname] = stamp


def outdated_notebooks(app, env, added, changed, removed):
    """``env-get-outdated``: notebooks whose dependencies changed since they were read."""
    outdated = []
    for docname, old in list(_stamps(env).items()):
        if docname in added or docname in changed or docname not in env.found_docs:
            continue
        try:
            notebook = json.loads(Path(env.doc2path(docname)).read_text())
        except (OSError, ValueError):
            continue
        if _dependencies(app).stamp(_code_sources(notebook)) != old:
            outdated.append(docname)
    if outdated:
        logger.info(f"[optimlib_book] dependencies changed: re-reading {', '.join(outdated)}")
    return outdated


def _stamps(env):
    """docname → the dependency stamp its notebook was read with (kept in the env)."""
    if not hasattr(env, "optimlib_book_stamps"):
        env.optimlib_book_stamps = {}
    return env.optimlib_book_stamps


def purge_doc(app, env, docname):
    _stamps(env).pop(docname, None)


def merge_info(app, env, docnames, other):
    for docname in docnames:
        if docname in _stamps(other):
            _stamps(env)[docname] = _stamps(other)[docname]


# ---------------------------------------------------------------- parallel execution


def execute_in_parallel(app, env, docnames):
    """``env-before-read-docs``: execute the notebooks that are about to be read and are
    not in the execution cache, several at a time, and put them in the cache.

    myst-nb executes notebooks one after the other as Sphinx reads them; on a clean build
    of many chapters that leaves all but one core idle. A notebook that fails here is
    left alone: myst-nb executes it again and reports the error as usual.
    """
    config = getattr(env, "mystnb_config", None)
    if config is None or config.execution_mode != "cache" or app.config.optimlib_book_jobs == 1:
        return
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from jupyter_cache.executors.utils import single_nb_execution

    cache = get_cache(config.execution_cache_path)
    todo = []
    for docname in docnames:
        path = Path(env.doc2path(docname))
        posix = PurePosixPath(path.as_posix())
        if path.suffix != ".ipynb" or any(posix.match(p) for p in config.execution_excludepatterns):
            continue
        notebook = nbformat.reads(stamped(app, path.read_text(encoding="utf-8"))[1], 4)
        try:
            cache.match_cache_notebook(notebook)
        except KeyError:
            todo.append((path, notebook))
    if len(todo) < 2:
        return  # nothing to gain: let myst-nb execute it
    jobs = app.config.optimlib_book_jobs or os.cpu_count() or 1
    logger.info(f"[optimlib_book] executing {len(todo)} notebooks, {jobs} at a time")

    def run(item):
        path, notebook = item
        return single_nb_execution(
            notebook,
            cwd=str(path.parent),
            timeout=config.execution_timeout,
            allow_errors=config.execution_allow_errors,
            meta_override=True,
        )

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for (path, _), result in zip(todo, pool.map(run, todo), strict=True):
            if result.err is not None:
                continue  # myst-nb runs it again and reports the error
            cache.cache_notebook_bundle(
                CacheBundleIn(result.nb, str(path), data={"execution_seconds": result.time}),
                check_validity=False,
                overwrite=True,
            )
            logger.info(f"{path}: Executed notebook in {result.time:.2f} seconds [optimlib_book]")


# ---------------------------------------------------------------- widgets and MathJax


def drop_widget_state(app, doctree):
    """``doctree-read``: forget the ipywidgets state and widget-manager scripts."""
    js_files = getattr(app.env, "nb_metadata", {}).get(app.env.docname, {}).get("js_files", {})
    for key in [k for k in js_files if k.startswith("ipywidgets")]:
        del js_files[key]


def _mathjax_source(app):
    folder = app.config.optimlib_book_mathjax
    return (Path(app.srcdir) / folder) if folder else None


def check_mathjax(app):
    """``builder-inited``: fail early, before executing anything, if MathJax is missing."""
    source = _mathjax_source(app)
    if source is not None and app.builder.format == "html":
        if not (source / "tex-chtml.js").is_file():
            raise ExtensionError(
                f"MathJax is not installed in {source}: run `npm ci --prefix book` "
                "(`make book` does)"
            )


def install_mathjax(app, exception):
    """``build-finished``: copy MathJax into ``_static/mathjax`` (only what changed)."""
    source = _mathjax_source(app)
    if exception is not None or source is None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / "mathjax"
    for part in MATHJAX_PARTS:
        src = source / part
        files = [src] if src.is_file() else sorted(p for p in src.rglob("*") if p.is_file())
        for path in files:
            dest = target / path.relative_to(source)
            if not dest.exists() or not filecmp.cmp(path, dest, shallow=False):
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, dest)
    license_file = source.parent / "LICENSE"
    if license_file.is_file():
        shutil.copyfile(license_file, target / "LICENSE")


def configure_html(app, config):
    """``config-inited``: our stylesheet, and a valid initial colour mode for the theme."""
    # new objects: default values are shared by every Sphinx application in the process
    config.html_static_path = [*config.html_static_path, str(HERE / "static")]
    # without it, pydata-sphinx-theme logs "Got invalid theme mode" as a console error
    config.html_context = {"default_mode": "auto", **config.html_context}


def drop_thebe(app, pagename, templatename, context, doctree):
    """``html-page-context``: no thebe scripts (they would fetch thebe from a CDN to run
    code on Binder; the book has ``launch_buttons.thebe: false`` and works offline)."""

    def thebe(asset):
        text = f"{getattr(asset, 'filename', '')} {getattr(asset, 'attributes', {})}"
        return "thebe" in text.lower()

    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [asset for asset in context[key] if not thebe(asset)]


def drop_thebe_config(app, doctree, docname):
    """``doctree-resolved``, after sphinx-thebe: remove its per-page Binder configuration."""
    for node in list(doctree.findall(nodes.raw)):
        if "x-thebe-config" in node.astext() or "kernelName = " in node.astext():
            node.parent.remove(node)


# ---------------------------------------------------------------- bibliography labels


class AuthorYearLabels(BaseLabelStyle):
    """Bibliography labels as the author-year citations read: "Robbins and Monro 1951",
    "Sutskever et al. 2013" (with a, b, … when two would be the same)."""

    def format_labels(self, sorted_entries):
        seen = {}
        for entry in sorted_entries:
            people = entry.persons.get("author") or entry.persons.get("editor") or []
            names = ["".join(t.render_as("text") for t in p.rich_last_names) for p in people]
            if len(names) > 2:
                who = f"{names[0]} et al."
            else:
                who = " and ".join(names) or entry.fields.get("title", entry.key)[:20]
            label = f"{who} {entry.fields.get('year', '')}".strip()
            seen[label] = seen.get(label, 0) + 1
            yield label if seen[label] == 1 else f"{label}{chr(ord('a') + seen[label] - 1)}"


class AuthorYearStyle(PlainStyle):
    """pybtex's plain style (sorted by author, year, title) with author-year labels."""

    default_label_style = "optimlib_author_year"


register_plugin("pybtex.style.labels", "optimlib_author_year", AuthorYearLabels)
register_plugin("pybtex.style.formatting", "optimlib_author_year", AuthorYearStyle)


def setup(app):
    app.add_config_value("optimlib_book_packages", ["optimlib"], "env")
    app.add_config_value("optimlib_book_extra_deps", ["requirements.txt"], "env")
    app.add_config_value("optimlib_book_exercises", ["exercises", "student_exercises"], "env")
    app.add_config_value("optimlib_book_mathjax", "book/node_modules/mathjax/es5", "html")
    app.add_config_value("optimlib_book_jobs", 0, "", types=[int])  # 0: one per core
    app.connect("config-inited", release_exercises, priority=100)
    app.connect("config-inited", configure_html)
    app.connect("builder-inited", check_mathjax)
    app.connect("env-get-outdated", outdated_notebooks)
    app.connect("env-before-read-docs", execute_in_parallel, priority=900)
    app.connect("env-purge-doc", purge_doc)
    app.connect("env-merge-info", merge_info)
    app.connect("source-read", stamp_notebook)
    app.connect("doctree-read", drop_widget_state)
    app.connect("html-page-context", drop_thebe)
    app.connect("doctree-resolved", drop_thebe_config, priority=900)
    app.connect("build-finished", install_mathjax)
    app.add_css_file("optimlib-book.css")
    return {"version": "1", "env_version": 1, "parallel_read_safe": True}
