"""Looking at a cost landscape J(θ) through 1-D and 2-D slices.

A network has far too many parameters to plot J(θ) directly, so we look at it along
lines and planes through a point θ:

* a 1-D slice along a direction δ: α ↦ J(θ + αδ);
* a 2-D slice spanned by δ₁, δ₂: (α, β) ↦ J(θ + αδ₁ + βδ₂);
* the linear interpolation between two parameter vectors (Goodfellow et al., 2015):
  α ↦ J((1 − α)θ₀ + αθ₁).

Random directions are filter-normalized (Li et al., 2018): a ReLU network computes the
same function when one layer's weights are scaled by c and the next layer's by 1/c, so
the raw landscape's sharpness means little. Rescaling each filter of the direction to
the norm of the matching filter of θ (``filter_normalize``) removes that scale.

Parameters ("params") are one ndarray or a list of ndarrays, and every direction has
the same structure. ``cost`` is any callable taking params of that structure, e.g.
``lambda p: mlp.cost(X, Y, params=p)`` (a tuple of arrays reaches it as a list). Example::

    >>> import numpy as np
    >>> theta = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> cost = lambda p: float(np.sum(p**2))
    >>> interpolate(cost, theta, np.zeros_like(theta), [0.0, 0.5, 1.0])
    array([30. ,  7.5,  0. ])
    >>> delta = random_direction(theta, np.random.default_rng(0))  # ‖δ_i‖ = ‖θ_i‖
    >>> Z = slice_2d(cost, theta, delta, -delta, np.linspace(-1, 1, 5), [0.0, 1.0])
    >>> Z.shape, float(Z[0, 2])
    ((2, 5), 30.0)

References:
    I. Goodfellow, O. Vinyals, A. Saxe, "Qualitatively characterizing neural network
    optimization problems", ICLR 2015.
    H. Li, Z. Xu, G. Taylor, C. Studer, T. Goldstein, "Visualizing the Loss Landscape of
    Neural Nets", NeurIPS 2018.
"""

import numpy as np

from ._validate import as_array, choice


def _parts(params, name):
    """Return (list of float64 arrays, True when ``params`` is a single ndarray)."""
    if isinstance(params, list | tuple):
        if not params:
            raise ValueError(f"{name} is an empty list; expected a list of arrays")
        return [as_array(p, f"{name}[{i}]") for i, p in enumerate(params)], False
    return [as_array(params, name)], True


def _matching(reference, single, other, names):
    """Return ``other`` as a list of arrays after checking it has the structure of ``reference``.

    ``reference`` and ``single`` are what ``_parts`` returned for the array named ``names[0]``.
    """
    parts, other_single = _parts(other, names[1])
    if other_single != single:
        kinds = ("a list of arrays", "one array")
        raise ValueError(f"{names[1]} is {kinds[other_single]} but {names[0]} is {kinds[single]}")
    if len(parts) != len(reference):
        raise ValueError(f"{names[1]} has {len(parts)} arrays but {names[0]} has {len(reference)}")
    for i, (a, b) in enumerate(zip(reference, parts, strict=True)):
        if a.shape != b.shape:
            where = "" if single else f"[{i}]"
            raise ValueError(
                f"{names[1]}{where} has shape {b.shape} but {names[0]}{where} has shape {a.shape}"
            )
    return parts


def _pack(parts, single):
    """Return ``parts`` in the caller's structure: one ndarray or a list."""
    return parts[0] if single else parts


def _line(theta, alpha, delta):
    """Return θ + αδ, array by array."""
    return [t + alpha * d for t, d in zip(theta, delta, strict=True)]


def _grid(values, name):
    """Return ``values`` as a finite 1-D float64 array."""
    values = as_array(values, name)
    if values.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of numbers, got shape {values.shape}")
    return values


def _evaluate(cost, params):
    """Return cost(params) as a float, with a clear error when it is not a number."""
    value = np.asarray(cost(params))
    if value.size != 1 or value.dtype.kind not in "biuf":
        raise TypeError(f"cost must return a real number, got {value!r}")
    return float(value.reshape(()))


def _check_cost(cost):
    if not callable(cost):
        raise TypeError(f"cost must be callable (params → J), got {type(cost).__name__}")


def filter_normalize(params, direction):
    """Rescale each filter of a direction δ to the norm of θ's matching filter (Li et al., 2018).

    For a weight array of 2 or more dimensions the filters are the slices along its first
    axis: the rows δ_i of a fully connected W⁽ˡ⁾ of shape (s_{l+1}, s_l), one unit's
    incoming weights (a convolution's output channels in Li et al.). Each becomes

        δ_i ← δ_i / ‖δ_i‖ · ‖θ_i‖,

    so δ_i and θ_i have the same norm; a filter with ‖δ_i‖ = 0 stays zero. 1-D arrays
    (biases) get a zero direction, as in the authors' code for the paper's figures.
    Example::

        >>> W = np.array([[3.0, 4.0], [0.0, 1.0]])
        >>> filter_normalize(W, np.array([[1.0, 0.0], [2.0, 2.0]])) ** 2
        array([[25. ,  0. ],
               [ 0.5,  0.5]])

    Args:
        params: θ, one ndarray or a list of ndarrays.
        direction: δ, with the structure and shapes of ``params``.

    Returns:
        The normalized δ, a new array or list of arrays (the inputs are not modified).

    Raises:
        ValueError: ``direction`` does not match ``params``, or non-finite input.
    """
    parts, single = _parts(params, "params")
    delta = _matching(parts, single, direction, ("params", "direction"))
    normalized = []
    for theta, d in zip(parts, delta, strict=True):
        if theta.ndim < 2:
            normalized.append(np.zeros_like(theta))
            continue
        axes = tuple(range(1, theta.ndim))  # a filter is everything but the first axis
        norm_theta = np.sqrt(np.sum(theta**2, axis=axes, keepdims=True))
        norm_delta = np.sqrt(np.sum(d**2, axis=axes, keepdims=True))
        scale = np.divide(
            norm_theta, norm_delta, out=np.zeros_like(norm_delta), where=norm_delta > 0
        )
        normalized.append(d * scale)
    return _pack(normalized, single)


def random_direction(params, rng, normalize="filter"):
    """Draw a random direction δ with the structure of ``params``, δ ~ N(0, I).

    With ``normalize="filter"`` the draw is passed through ``filter_normalize`` (Li et
    al., 2018): each filter δ_i of a weight array (a row of W⁽ˡ⁾, one unit's incoming
    weights) is rescaled to the norm of the matching filter of θ,

        δ_i ← δ_i / ‖δ_i‖ · ‖θ_i‖,

    and 1-D arrays (biases) get a zero direction. With ``normalize=None`` δ is the raw
    Gaussian draw. Both use the same draw from ``rng``.

    Args:
        params: θ, one ndarray or a list of ndarrays.
        rng: a ``np.random.Generator``.
        normalize: ``"filter"`` or None.

    Returns:
        δ, with the same structure and shapes as ``params``.

    Raises:
        TypeError: ``rng`` is not a Generator.
        ValueError: unknown ``normalize``, non-finite ``params``, or ``normalize="filter"``
            when every array is 1-D (the direction would be zero; use ``normalize=None``).
    """
    choice(normalize, ("filter", None), "normalize")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a np.random.Generator, got {type(rng).__name__}")
    parts, single = _parts(params, "params")
    if normalize == "filter" and all(p.ndim < 2 for p in parts):
        raise ValueError(
            "filter normalization gives a zero direction when params are only 1-D arrays "
            "(biases); use normalize=None"
        )
    direction = _pack([rng.standard_normal(theta.shape) for theta in parts], single)
    return filter_normalize(params, direction) if normalize == "filter" else direction


def slice_1d(cost, params, direction, alphas):
    """Return J(θ + αδ) for each α in ``alphas``, an array of shape (len(alphas),).

    Raises:
        TypeError: ``cost`` is not callable or does not return a number.
        ValueError: ``direction`` does not match the structure and shapes of ``params``,
            non-finite input, or ``alphas`` is not 1-D.
    """
    _check_cost(cost)
    theta, single = _parts(params, "params")
    delta = _matching(theta, single, direction, ("params", "direction"))
    alphas = _grid(alphas, "alphas")
    return np.array([_evaluate(cost, _pack(_line(theta, a, delta), single)) for a in alphas])


def slice_2d(cost, params, d1, d2, alphas, betas):
    """Return Z with Z[j, i] = J(θ + α_i δ₁ + β_j δ₂), shape (len(betas), len(alphas)).

    The layout is the one ``plt.contour(alphas, betas, Z)`` expects.

    Raises:
        TypeError: ``cost`` is not callable or does not return a number.
        ValueError: ``d1`` or ``d2`` does not match the structure and shapes of
            ``params``, non-finite input, or ``alphas``/``betas`` is not 1-D.
    """
    _check_cost(cost)
    theta, single = _parts(params, "params")
    delta1 = _matching(theta, single, d1, ("params", "d1"))
    delta2 = _matching(theta, single, d2, ("params", "d2"))
    alphas, betas = _grid(alphas, "alphas"), _grid(betas, "betas")
    Z = np.empty((betas.size, alphas.size))
    for j, b in enumerate(betas):
        row = _line(theta, b, delta2)  # θ + β_j δ₂
        for i, a in enumerate(alphas):
            Z[j, i] = _evaluate(cost, _pack(_line(row, a, delta1), single))
    return Z


def interpolate(cost, theta0, theta1, alphas):
    """Return J((1 − α)θ₀ + αθ₁) for each α in ``alphas``, an array of shape (len(alphas),).

    α = 0 gives J(θ₀), α = 1 gives J(θ₁); α outside [0, 1] extrapolates along the line.

    Raises:
        TypeError: ``cost`` is not callable or does not return a number.
        ValueError: ``theta1`` does not match the structure and shapes of ``theta0``,
            non-finite input, or ``alphas`` is not 1-D.
    """
    _check_cost(cost)
    start, single = _parts(theta0, "theta0")
    end = _matching(start, single, theta1, ("theta0", "theta1"))
    alphas = _grid(alphas, "alphas")

    def point(a):  # (1 − α)θ₀ + αθ₁, exactly θ₀ at α = 0 and θ₁ at α = 1
        return _pack([(1 - a) * t0 + a * t1 for t0, t1 in zip(start, end, strict=True)], single)

    return np.array([_evaluate(cost, point(a)) for a in alphas])
