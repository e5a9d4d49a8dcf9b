"""Committed notebooks: valid, without outputs, and all in the book's table of contents."""

import json

import nbformat
import pytest
import yaml
from notebooks import CHAPTERS, EXERCISES, ROOT


@pytest.mark.parametrize("path", CHAPTERS + EXERCISES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_committed_without_outputs(path):
    nbformat.validate(nbformat.read(path, as_version=4))
    raw = json.loads(path.read_text())
    dirty = [
        i + 1
        for i, cell in enumerate(raw["cells"])
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    assert not dirty, f"cells {dirty} have outputs or execution counts: clear them"
    assert "widgets" not in raw["metadata"], "stored widget state"


def toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files, stack = [toc["root"]], [toc]
    while stack:
        node = stack.pop()
        for entry in node.get("chapters", []) + node.get("sections", []):
            files.append(entry["file"])
            stack.append(entry)
        for part in node.get("parts", []):
            stack.append(part)
    return files


def test_every_chapter_is_in_the_toc():
    assert {f"chapters/{p.stem}" for p in CHAPTERS} <= set(toc_files())


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_seeds_its_random_generators(path):
    source = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
    assert "np.random.seed" not in source, "pass np.random.default_rng(seed) instead"
    assert "default_rng()" not in source, "seed every generator: default_rng(seed)"
