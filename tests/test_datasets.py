"""optimlib.datasets: the shipped digits file, the split and one-hot targets."""

import gzip
import hashlib
import tomllib
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from notebooks import ROOT

from optimlib.datasets import DIGITS_FILE, load_digits, one_hot, train_test_split

# the file scikit-learn 1.9.1 distributes (sklearn/datasets/data/digits.csv.gz)
DIGITS_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"
CLASS_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def digits_path():
    return Path(str(resources.files("optimlib").joinpath(DIGITS_FILE)))


def test_the_shipped_file_is_the_published_one():
    assert hashlib.sha256(digits_path().read_bytes()).hexdigest() == DIGITS_SHA256


def test_the_file_is_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["optimlib"]
    shipped = {p.relative_to(ROOT / "optimlib") for p in (ROOT / "optimlib").glob("data/*")}
    packaged = {
        p.relative_to(ROOT / "optimlib") for pat in patterns for p in (ROOT / "optimlib").glob(pat)
    }
    assert Path(DIGITS_FILE) in packaged
    assert shipped <= packaged, (
        f"files in optimlib/data/ that an install would leave out: {shipped - packaged}"
    )


def test_load_digits_shapes_types_and_values():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    counts = X * 16
    np.testing.assert_array_equal(counts, np.round(counts))  # pixel counts 0..16, over 16
    np.testing.assert_array_equal(np.bincount(y), CLASS_COUNTS)


def test_load_digits_matches_the_csv_read_independently():
    with gzip.open(digits_path(), "rt") as f:
        rows = [[int(v) for v in line.split(",")] for line in f]
    X, y = load_digits()
    assert len(rows) == 1797 and all(len(r) == 65 for r in rows)
    np.testing.assert_array_equal(X[5] * 16, rows[5][:64])
    np.testing.assert_array_equal(y, [r[64] for r in rows])
    # the first image is a 0: a ring of ink around an empty centre
    image = X[0].reshape(8, 8)
    assert y[0] == 0 and image[3:5, 3:5].max() < image[1:7, 1:7].max()


def test_load_digits_returns_new_arrays():
    X, y = load_digits()
    X[0, 0], y[0] = 99.0, 99
    X2, y2 = load_digits()
    assert X2[0, 0] == 0.0 and y2[0] == 0


def split_ids(y, **kwargs):
    """The split of (row numbers, y): which original rows landed where."""
    ids = np.arange(len(y), dtype=float)[:, None] * np.ones((1, 3))  # row i is (i, i, i)
    ids_train, ids_test, y_train, y_test = train_test_split(ids, y, **kwargs)
    return ids_train[:, 0].astype(int), ids_test[:, 0].astype(int), y_train, y_test


@pytest.mark.parametrize("fraction", [0.1, 0.2, 0.5, 0.75])
def test_stratified_split_keeps_class_proportions(fraction):
    _, y = load_digits()
    train, test, y_train, y_test = split_ids(y, test_fraction=fraction, rng=3)
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(len(y)))
    np.testing.assert_array_equal(y_train, y[train])  # rows and labels stay together
    np.testing.assert_array_equal(y_test, y[test])
    for c, count in enumerate(CLASS_COUNTS):
        assert np.sum(y_test == c) == round(fraction * count)  # no .5 cases for these counts
        assert np.sum(y_train == c) == count - round(fraction * count)


def test_plain_split_and_its_randomness():
    y = np.repeat([0, 1], [90, 10])
    train, test, _, _ = split_ids(y, test_fraction=0.3, rng=0, stratify=False)
    assert len(test) == 30 and len(train) == 70
    assert len(set(train) | set(test)) == 100
    again = split_ids(y, test_fraction=0.3, rng=np.random.default_rng(0), stratify=False)
    np.testing.assert_array_equal(again[1], test)  # a seed and its generator agree
    other = split_ids(y, test_fraction=0.3, rng=1, stratify=False)
    assert set(other[1]) != set(test)
    assert not np.array_equal(np.sort(test), test)  # shuffled, not in file order


def test_split_keeps_row_contents():
    X, y = load_digits()
    X_train, X_test, y_train, _ = train_test_split(X, y, rng=0)
    rows = {tuple(r) for r in X}
    assert all(tuple(r) in rows for r in X_test[:20])
    assert X_train.shape == (1438, 64) and X_test.shape == (359, 64)
    assert y_train.dtype == np.int64


@pytest.mark.parametrize(
    ("y", "k", "expected"),
    [
        ([2, 0, 1], None, [[0, 0, 1], [1, 0, 0], [0, 1, 0]]),
        ([1, 1], 4, [[0, 1, 0, 0], [0, 1, 0, 0]]),
        (np.array([0.0, 3.0]), None, [[1, 0, 0, 0], [0, 0, 0, 1]]),
        ([0], 1, [[1]]),
    ],
)
def test_one_hot(y, k, expected):
    Y = one_hot(y, k)
    assert Y.dtype == np.float64
    np.testing.assert_array_equal(Y, expected)


def test_one_hot_inverts_argmax():
    _, y = load_digits()
    Y = one_hot(y, 10)
    np.testing.assert_array_equal(Y.sum(axis=1), 1.0)
    np.testing.assert_array_equal(Y.argmax(axis=1), y)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: one_hot([0, 1.5]), ValueError, "integer class labels, got 1.5"),
        (lambda: one_hot([0, -1]), ValueError, "labels ≥ 0, got -1"),
        (lambda: one_hot([0, 3], 3), ValueError, r"labels must be in 0..2 for k = 3"),
        (lambda: one_hot([0, 1], 0), ValueError, "must be ≥ 1"),
        (lambda: one_hot([0, 1], 2.0), TypeError, "k must be an int"),
        (lambda: one_hot([[0, 1]]), ValueError, "1-D array of labels"),
        (lambda: one_hot([]), ValueError, "non-empty 1-D"),
        (lambda: one_hot(["a"]), TypeError, "real numbers"),
        (lambda: one_hot([0, np.nan]), ValueError, "NaN or inf"),
        (lambda: train_test_split(np.ones((3, 2)), [0, 1]), ValueError, "3 rows .* 2 labels"),
        (lambda: train_test_split(1.0, [0]), ValueError, "one example per row"),
        (lambda: train_test_split(np.ones((4, 2)), [0, 1, 0, 1], 1.0), ValueError, r"\(0, 1\)"),
        (lambda: train_test_split(np.ones((4, 2)), [0, 1, 0, 1], 0), ValueError, r"\(0, 1\)"),
        (lambda: train_test_split(np.ones((4, 2)), [0, 1, 0, 1], "a"), TypeError, "a number"),
        (lambda: train_test_split(np.ones((4, 2)), [0, 1, 0, 1], 0.1), ValueError, "0 test"),
        (lambda: train_test_split(np.ones((4, 2)), [0, 1, 0, 1], rng=1.5), TypeError, "rng"),
        (lambda: train_test_split([[np.inf]], [0]), ValueError, "X has non-finite"),
    ],
)
def test_bad_input_is_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()
