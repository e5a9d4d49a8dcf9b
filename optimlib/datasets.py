"""A real data set that ships with optimlib, and the two steps before training on it.

``load_digits`` returns the UCI handwritten digits (E. Alpaydin and C. Kaynak, 1998;
CC BY 4.0, provenance in ``optimlib/data/README.md``): m = 1797 images of 8 × 8 pixels,
one image x⁽ⁱ⁾ ∈ [0, 1]⁶⁴ per row of X (the pixel counts 0..16 divided by 16, row by
row) and its digit y⁽ⁱ⁾ ∈ {0, …, 9}. Nothing is downloaded: the file is package data.

``train_test_split`` holds out a random test set, with each class in the same proportion
in both parts (stratified), and ``one_hot`` turns labels into the targets of a network with
K = 10 outputs: y⁽ⁱ⁾ = 3 becomes the vector e₃ = (0, 0, 0, 1, 0, …, 0). Example::

    >>> X, y = load_digits()
    >>> X.shape, y.shape, float(X.min()), float(X.max())
    ((1797, 64), (1797,), 0.0, 1.0)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, test_fraction=0.2, rng=0)
    >>> len(y_train), len(y_test)
    (1438, 359)
    >>> one_hot([3, 0], 4)
    array([[0., 0., 0., 1.],
           [1., 0., 0., 0.]])
"""

import functools
import gzip
from importlib import resources
from numbers import Real

import numpy as np

from ._validate import as_array, generator

DIGITS_FILE = "data/digits.csv.gz"


@functools.cache
def _digits_table():
    """The shipped file as a read-only uint8 array of shape (1797, 65): pixels, then label."""
    with resources.files("optimlib").joinpath(DIGITS_FILE).open("rb") as raw:
        with gzip.open(raw, "rt") as text:
            table = np.loadtxt(text, delimiter=",", dtype=np.uint8)
    table.flags.writeable = False
    return table


def load_digits():
    """The handwritten digits: X of shape (1797, 64), float64 in [0, 1], and y of shape (1797,).

    Row i of X is the 8 × 8 image x⁽ⁱ⁾ read row by row (``X[i].reshape(8, 8)`` shows it),
    each pixel the count 0..16 of "on" pixels in a 4 × 4 block of the scanned 32 × 32
    bitmap, divided by 16. y holds the digits 0..9 as int64. Every call returns new
    arrays (the file is read once).
    """
    table = _digits_table()
    return table[:, :64] / 16.0, table[:, 64].astype(np.int64)


def _labels(y, name="y"):
    """``y`` as a 1-D int64 array of class labels, or a clear error."""
    labels = as_array(y, name)
    if labels.ndim != 1 or labels.size == 0:
        raise ValueError(
            f"{name} must be a non-empty 1-D array of labels, got shape {labels.shape}"
        )
    if np.any(labels != np.round(labels)):
        raise ValueError(f"{name} must hold integer class labels, got {labels[labels % 1 != 0][0]}")
    if np.any(labels < 0):
        raise ValueError(f"{name} must hold class labels ≥ 0, got {labels.min():g}")
    return labels.astype(np.int64)


def train_test_split(X, y, test_fraction=0.2, rng=0, stratify=True):
    """Split (X, y) at random into a training set and a test set.

    With ``stratify=True`` each class c with m_c examples puts round(f · m_c) of them
    (f = ``test_fraction``, halves rounded to even) into the test set, so both sets keep
    the class proportions of y; otherwise round(f · m) examples drawn at random form
    the test set. Both sets come in a random order.

    Args:
        X: inputs, one example per row, shape (m, ...).
        y: integer class labels ≥ 0, shape (m,).
        test_fraction: f, a number with 0 < f < 1.
        rng: a ``np.random.Generator`` or an int seed for ``np.random.default_rng``.
        stratify: keep the class proportions (True) or not.

    Returns:
        ``(X_train, X_test, y_train, y_test)``: new float64 arrays for X, int64 for y.

    Raises:
        TypeError: X or y is not numeric, ``test_fraction`` is not a number, or ``rng``
            is neither a Generator nor an int.
        ValueError: y is not 1-D integer labels ≥ 0, X and y have different numbers of
            rows, X or y has NaN or inf, f is outside (0, 1), or a set would be empty.
    """
    X = as_array(X, "X")
    y = _labels(y)
    if X.ndim == 0:
        raise ValueError("X must have one example per row, got a scalar")
    if X.shape[0] != y.size:
        raise ValueError(f"X has {X.shape[0]} rows (examples) but y has {y.size} labels")
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, Real):
        raise TypeError(f"test_fraction must be a number, got {type(test_fraction).__name__}")
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    rng = generator(rng, "rng")

    m = y.size
    order = rng.permutation(m)
    if stratify:
        # group the shuffled examples by class (stable: random order within a class) and
        # send the first round(f · m_c) of each class to the test set
        order = order[np.argsort(y[order], kind="stable")]
        _, counts = np.unique(y, return_counts=True)
        rank = np.arange(m) - np.repeat(np.cumsum(counts) - counts, counts)
        is_test = rank < np.repeat(np.rint(test_fraction * counts), counts)
    else:
        is_test = np.arange(m) < np.rint(test_fraction * m)
    train, test = rng.permutation(order[~is_test]), rng.permutation(order[is_test])
    if train.size == 0 or test.size == 0:
        raise ValueError(
            f"test_fraction {test_fraction} leaves {train.size} training and {test.size} "
            f"test examples of {m}; both sets need at least one"
        )
    return X[train], X[test], y[train], y[test]


def one_hot(y, k=None):
    """The one-hot targets of labels y: Y of shape (m, K) with Y[i, k] = 1 if y⁽ⁱ⁾ = k, else 0.

    Args:
        y: integer class labels in {0, …, K − 1}, shape (m,).
        k: the number of classes K, an int ≥ 1; max(y) + 1 when None.

    Returns:
        Y, a float64 array of shape (m, K) whose row i is e_{y⁽ⁱ⁾}.

    Raises:
        TypeError: y is not numeric or k is not an int.
        ValueError: y is not 1-D integer labels ≥ 0, k < 1, or a label is ≥ k.
    """
    y = _labels(y)
    if k is None:
        k = int(y.max()) + 1
    if isinstance(k, bool) or not isinstance(k, int | np.integer):
        raise TypeError(f"k must be an int, got {type(k).__name__}")
    if k < 1:
        raise ValueError(f"k (the number of classes) must be ≥ 1, got {k}")
    if y.max() >= k:
        raise ValueError(f"labels must be in 0..{k - 1} for k = {k} classes, got {y.max()}")
    Y = np.zeros((y.size, int(k)))
    Y[np.arange(y.size), y] = 1.0
    return Y
