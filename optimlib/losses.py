"""Cost functions J over m training examples, and their gradients.

Predictions and targets hold one example per row: shape (m,) for m scalars or (m, K)
for m vectors of K outputs. Row i is h_θ(x⁽ⁱ⁾) (``pred``, or ``p`` for probabilities)
and y⁽ⁱ⁾ (``y``). Every cost is an average over the m examples, so its gradient
carries a factor 1/m.

The lecture's worked example, h_θ(x) = θ₁x on the data (1, 1), (2, 2), (3, 3)::

    >>> import numpy as np
    >>> x = y = np.array([1.0, 2.0, 3.0])
    >>> [round(mse(theta1 * x, y), 2) for theta1 in (0.0, 0.5, 1.0)]
    [2.33, 0.58, 0.0]

Complex inputs are accepted and every formula is analytic, so the complex-step
derivative (``optimlib.gradients``, method ``"complex"``) checks the gradients here.
"""

from numbers import Real

import numpy as np

from ._validate import as_array, same_shape


def _examples(pred, y, names):
    """``pred`` and ``y`` as arrays of equal shape (m, ...) with m ≥ 1 rows."""
    pred = as_array(pred, names[0], allow_complex=True)
    y = as_array(y, names[1], allow_complex=True)
    same_shape(pred, y, names)
    if pred.ndim == 0 or pred.shape[0] == 0:
        raise ValueError(
            f"{names[0]} and {names[1]} need one example per row (shape (m,) or (m, K) "
            f"with m ≥ 1), got shape {pred.shape}"
        )
    return pred, y, pred.shape[0]


def _number(x):
    """A 0-d result as a Python float (or complex, for complex-step inputs)."""
    return np.asarray(x).item()


def check_lam(lam):
    """Return the regularization strength λ as a float after checking it is finite and ≥ 0.

    Raises:
        TypeError: lam is not a real number.
        ValueError: lam < 0 or not finite.
    """
    if isinstance(lam, bool) or not isinstance(lam, Real):
        raise TypeError(f"lam must be a real number, got {type(lam).__name__}")
    if not 0 <= lam < np.inf:
        raise ValueError(f"lam (λ) must be a finite number ≥ 0, got {lam}")
    return float(lam)


def mse(pred, y):
    """The mean squared error J = 1/(2m) Σᵢ ‖h_θ(x⁽ⁱ⁾) − y⁽ⁱ⁾‖², the lecture's cost.

    The ½ makes the gradient clean, (pred − y)/m. So J is *half* of numpy's
    ``np.mean((pred - y) ** 2)`` for scalar outputs (and K/2 times it for K outputs,
    since the squares are summed over the K outputs of each example).

    Args:
        pred: predictions h_θ(x⁽ⁱ⁾), shape (m,) or (m, K).
        y: targets y⁽ⁱ⁾, the same shape.

    Returns:
        J, a float (complex for complex inputs).

    Raises:
        TypeError: an input is not numeric.
        ValueError: shapes differ, m = 0, or an entry is non-finite.
    """
    pred, y, m = _examples(pred, y, ("pred", "y"))
    r = pred - y
    return _number(np.sum(r * r) / (2 * m))  # r * r, not |r|²: analytic for the complex step


def mse_grad(pred, y):
    """∂J/∂pred = (pred − y)/m for J = ``mse(pred, y)``; same shape as pred.

    Raises:
        TypeError, ValueError: as for ``mse``.
    """
    pred, y, m = _examples(pred, y, ("pred", "y"))
    return (pred - y) / m


def _probabilities(p, y):
    p, y, m = _examples(p, y, ("p", "y"))
    if not np.all((p.real > 0) & (p.real < 1)):
        raise ValueError(
            "p must hold probabilities strictly between 0 and 1 (log 0 is -inf); "
            f"got values in [{p.real.min():g}, {p.real.max():g}]"
        )
    if not np.all((y.real >= 0) & (y.real <= 1)):
        raise ValueError(
            f"y must hold labels in [0, 1], got values in [{y.real.min():g}, {y.real.max():g}]"
        )
    return p, y, m


def cross_entropy(p, y):
    """The cross-entropy J = −1/m Σᵢ Σₖ [yₖ⁽ⁱ⁾ log pₖ⁽ⁱ⁾ + (1 − yₖ⁽ⁱ⁾) log(1 − pₖ⁽ⁱ⁾)].

    pₖ⁽ⁱ⁾ = (h_θ(x⁽ⁱ⁾))ₖ is the predicted probability that output k of example i is 1.
    Note the leading minus sign, which the lecture slide drops: log p < 0, so without
    it J would be negative and *maximized* by the right answer. With it, J ≥ 0 and J
    falls to 0 as p → y.

    Args:
        p: probabilities in (0, 1), shape (m,) or (m, K).
        y: labels in [0, 1] (usually 0 or 1), the same shape.

    Returns:
        J, a float (complex for complex inputs).

    Raises:
        TypeError: an input is not numeric.
        ValueError: shapes differ, m = 0, non-finite entries, p outside (0, 1) or y
            outside [0, 1].
    """
    p, y, m = _probabilities(p, y)
    return _number(-np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)) / m)


def cross_entropy_grad(p, y):
    """∂J/∂p = (p − y) / (m p (1 − p)) for J = ``cross_entropy(p, y)``; same shape as p.

    Composed with sigmoid outputs p = g(z), whose derivative is g′(z) = p(1 − p), the
    factor p(1 − p) cancels: ∂J/∂z = (p − y)/m. That is backpropagation's
    δ⁽ᴸ⁾ = a⁽ᴸ⁾ − y (the 1/m applied in D = Δ/m).

    Raises:
        TypeError, ValueError: as for ``cross_entropy``.
    """
    p, y, m = _probabilities(p, y)
    return (p - y) / (m * p * (1 - p))


def l2_penalty(weights, lam, m):
    """The weight-decay term λ/(2m) Σ_l ‖W⁽ˡ⁾‖²_F = λ/(2m) Σ_l Σᵢⱼ (W⁽ˡ⁾ᵢⱼ)².

    Its gradient with respect to W⁽ˡ⁾ is (λ/m) W⁽ˡ⁾. Biases are excluded (the lecture's
    j = 0 column of Θ⁽ˡ⁾ = [b⁽ˡ⁾ W⁽ˡ⁾]): pass the weight matrices only.

    Args:
        weights: a list of weight matrices W⁽ˡ⁾ (any shapes; complex allowed).
        lam: λ ≥ 0.
        m: the number of examples, an int ≥ 1.

    Raises:
        TypeError: lam is not a real number, or a weight is not numeric.
        ValueError: lam < 0, m < 1, or a weight has non-finite entries.
    """
    lam = check_lam(lam)
    if isinstance(weights, np.ndarray) or not isinstance(weights, list | tuple):
        raise TypeError(f"weights must be a list of weight matrices, got {type(weights).__name__}")
    if isinstance(m, bool) or not isinstance(m, int | np.integer) or m < 1:
        raise ValueError(f"m must be an integer ≥ 1, got {m!r}")
    ws = [as_array(w, f"weights[{i}]", allow_complex=True) for i, w in enumerate(weights)]
    return _number(lam / (2 * m) * sum(np.sum(w * w) for w in ws))


def regularized_cost(p, y, weights, lam):
    """The lecture's regularized cost J(θ) = cross-entropy + λ/(2m) Σ_l ‖W⁽ˡ⁾‖²_F.

    J(θ) = −1/m Σᵢ Σₖ [yₖ⁽ⁱ⁾ log pₖ⁽ⁱ⁾ + (1 − yₖ⁽ⁱ⁾) log(1 − pₖ⁽ⁱ⁾)]
           + λ/(2m) Σ_l Σᵢⱼ (W⁽ˡ⁾ᵢⱼ)²,

    with the biases (the j = 0 column of the lecture's Θ⁽ˡ⁾) left out of the penalty.
    The penalty's gradient is (λ/m) W⁽ˡ⁾ — not the λΘ the backprop slide writes.

    Args:
        p: probabilities h_θ(x⁽ⁱ⁾) in (0, 1), shape (m,) or (m, K).
        y: labels in [0, 1], the same shape.
        weights: the list of weight matrices W⁽¹⁾, …, W⁽ᴸ⁻¹⁾, biases excluded.
        lam: the regularization strength λ ≥ 0.

    Returns:
        J, a float (complex for complex inputs).

    Raises:
        TypeError: an input is not numeric, or weights is not a list.
        ValueError: as for ``cross_entropy``, or lam < 0.
    """
    lam = check_lam(lam)
    p, y, m = _probabilities(p, y)
    return cross_entropy(p, y) + l2_penalty(weights, lam, m)
