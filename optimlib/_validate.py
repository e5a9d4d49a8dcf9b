"""Input checks shared by optimlib: bad input raises a clear error, never a silent wrong answer."""

from numbers import Integral, Real

import numpy as np


def as_array(x, name, *, allow_complex=False):
    """Return ``x`` as a float64 (or complex128) ndarray, or raise a clear error.

    Raises ``TypeError`` when ``x`` is not numeric and ``ValueError`` when it has
    NaN or infinite entries.
    """
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be an array of numbers, got {type(x).__name__}") from exc
    if np.iscomplexobj(arr) and allow_complex:
        arr = arr.astype(np.complex128, copy=False)
    elif arr.dtype.kind in "biuf":
        arr = arr.astype(np.float64, copy=False)
    else:
        raise TypeError(f"{name} must be an array of real numbers, got dtype {arr.dtype}")
    # a finite sum means every entry is finite; the full check runs only when it is not
    with np.errstate(over="ignore", invalid="ignore"):
        finite_sum = np.isfinite(arr.sum())
    if not finite_sum and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} has non-finite entries (NaN or inf)")
    return arr


def positive(value, name):
    """Return ``value`` as a float after checking that it is a real number > 0."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    if not value > 0 or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number > 0, got {value}")
    return float(value)


def in_unit_interval(value, name, *, closed_left=True):
    """Return ``value`` as a float after checking 0 ≤ value < 1 (or 0 < value < 1)."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    ok = (0 <= value < 1) if closed_left else (0 < value < 1)
    if not ok:
        interval = "[0, 1)" if closed_left else "(0, 1)"
        raise ValueError(f"{name} must be in {interval}, got {value}")
    return float(value)


def same_shape(a, b, names):
    """Raise ``ValueError`` unless arrays ``a`` and ``b`` have the same shape."""
    if a.shape != b.shape:
        raise ValueError(f"{names[0]} has shape {a.shape} but {names[1]} has shape {b.shape}")


def choice(value, options, name):
    """Return ``value`` after checking it is one of ``options``."""
    if value not in options:
        raise ValueError(f"unknown {name} {value!r}; choose one of {', '.join(map(repr, options))}")
    return value


def generator(rng, name):
    """Return ``rng`` if it is a ``np.random.Generator``, or a new one seeded with an int."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, Integral) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"{name} must be a np.random.Generator or an int seed, got {type(rng).__name__}"
    )
