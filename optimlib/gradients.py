"""Numerical derivatives, and checking an analytic gradient against them.

The lecture's numerical gradient nudges one parameter θₖ by h and watches the cost:

    ∂J/∂θₖ ≈ (J(θ + h eₖ) − J(θ)) / h                       forward, error O(h)
    ∂J/∂θₖ ≈ (J(θ + h eₖ) − J(θ − h eₖ)) / 2h                central, error O(h²)
    ∂J/∂θₖ ≈ Im J(θ + ih eₖ) / h                            complex step, error O(h²)

eₖ is the k-th unit vector. The first two subtract nearly equal costs, so each trades
the truncation error (which shrinks with h) against rounding error ≈ ε|J|/h (which grows
as h shrinks; ε = 2⁻⁵² ≈ 2.2e-16 is the float64 machine epsilon). The complex step
subtracts nothing: for a J that is analytic (built from +, −, ×, /, exp, log, tanh, … but
not abs, ``.real`` or comparisons on the value) it is exact to rounding for any tiny h,
e.g. h = 1e-20. The cost: n evaluations of J (n + 1 forward, 2n central) — far too slow
to train with, just right to test the analytic gradient that backpropagation computes::

    >>> import numpy as np
    >>> from optimlib.functions import rosenbrock
    >>> x = np.array([0.5, -0.3])
    >>> gradient_check(rosenbrock.value, rosenbrock.grad, x, method="complex") < 1e-14
    True

x may be an ndarray of any shape or a list of ndarrays (a network's parameters); f
receives fresh arrays of the same structure and returns a number. A list is a list of
arrays when its items are ndarrays; a plain list of numbers such as [0.3, 0.7] is one
vector.
"""

import numpy as np

from ._validate import as_array, choice, positive, same_shape

METHODS = ("forward", "central", "complex")

_EPS = np.finfo(np.float64).eps
_DEFAULT_H = {
    "forward": np.sqrt(_EPS),  # ≈ 1.5e-8: balances h|f''|/2 against ε|f|/h
    "central": np.cbrt(_EPS),  # ≈ 6.1e-6: balances h²|f'''|/6 against ε|f|/h
    "complex": 1e-20,  # no cancellation, so h only has to make h²|f'''| negligible
}
_HESSIAN_H = _EPS**0.25  # ≈ 1.2e-4: balances h²|f''''|/12 against ε|f|/h²


def _is_array_list(x):
    """True for a list (or tuple) of ndarrays such as ``MLP.params``; [1.0, 2.0] is one array."""
    return isinstance(x, list | tuple) and (not x or any(isinstance(p, np.ndarray) for p in x))


def _flatten(x):
    """Return (flat float64 vector, function that rebuilds x's structure from a vector)."""
    if _is_array_list(x):
        if not x:
            raise ValueError("x is an empty list; expected a list of arrays")
        parts = [as_array(p, f"x[{i}]") for i, p in enumerate(x)]
        shapes = [p.shape for p in parts]
        ends = np.cumsum([p.size for p in parts])[:-1]

        def unflatten(v):
            return [piece.reshape(s) for piece, s in zip(np.split(v, ends), shapes, strict=True)]

        return np.concatenate([p.ravel() for p in parts]), unflatten
    x = as_array(x, "x")
    shape = x.shape
    return x.ravel(), lambda v: v.reshape(shape)


def _step(h, method, x):
    """The step h for each coordinate: ``h`` if given, else the default scaled by max(1, |xₖ|)."""
    if h is not None:
        return np.full(x.shape, positive(h, "h"))
    if method == "complex":
        return np.full(x.shape, _DEFAULT_H["complex"])
    return _DEFAULT_H[method] * np.maximum(1.0, np.abs(x))


def _evaluate(f, v, unflatten, method):
    """f at the rebuilt point ``v`` as an ndarray, with clear errors for a misbehaving f."""
    out = np.asarray(f(unflatten(v.copy())))
    if out.dtype.kind not in "biufc":
        raise TypeError(f"f must return numbers, got dtype {out.dtype}")
    if method == "complex" and out.dtype.kind != "c":
        raise TypeError(
            "f returned a real value for a complex input, so the complex step cannot see "
            "its derivative; make f complex-safe (no float(), abs, .real) or use "
            "method='central'"
        )
    if not np.all(np.isfinite(out)):
        raise ValueError("f returned a non-finite value (NaN or inf) near x; try a smaller h")
    return out


def _partials(f, x, h, method):
    """∂f/∂xₖ for every coordinate k of x, stacked along the first axis: (n, *f(x).shape)."""
    choice(method, METHODS, "method")
    v, unflatten = _flatten(x)
    hs = _step(h, method, v)
    cols = []
    if method == "complex":
        vc = v.astype(np.complex128)
        for k in range(v.size):  # one evaluation per coordinate: f is a black box
            vc[k] = v[k] + 1j * hs[k]
            cols.append(_evaluate(f, vc, unflatten, method).imag / hs[k])
            vc[k] = v[k]
        return np.array(cols), unflatten, v

    f0 = _evaluate(f, v, unflatten, method) if method == "forward" else None
    vp, vm = v.copy(), v.copy()
    for k in range(v.size):
        # Step to x ± h eₖ and divide by the step actually taken, (xₖ + h) − xₖ, which
        # float64 represents exactly: this removes the rounding error of xₖ + h itself.
        vp[k] = v[k] + hs[k]
        fp = _evaluate(f, vp, unflatten, method)
        if method == "forward":
            cols.append((fp - f0) / (vp[k] - v[k]))
        else:
            vm[k] = v[k] - hs[k]
            cols.append((fp - _evaluate(f, vm, unflatten, method)) / (vp[k] - vm[k]))
            vm[k] = v[k]
        vp[k] = v[k]
    return np.array(cols), unflatten, v


def numerical_gradient(f, x, h=None, method="central"):
    """The numerical gradient ∇f(x) of f: ℝⁿ → ℝ, one coordinate at a time.

    With eₖ the k-th unit vector, component k is

    * ``"forward"``: (f(x + h eₖ) − f(x)) / h, truncation error ≈ h|∂²f/∂xₖ²|/2;
      default h = √ε · max(1, |xₖ|) ≈ 1.5e-8 · scale, about 8 correct digits;
    * ``"central"``: (f(x + h eₖ) − f(x − h eₖ)) / 2h, truncation error ≈ h²|∂³f/∂xₖ³|/6;
      default h = ∛ε · max(1, |xₖ|) ≈ 6e-6 · scale, the h that balances this against
      the rounding error ε|f|/h (cs231n's rule of thumb h ≈ 1e-5 is the same choice,
      rounded), about 10 correct digits;
    * ``"complex"``: Im f(x + ih eₖ) / h, default h = 1e-20; exact to rounding for any
      h ≤ 1e-8 when f is analytic in x. f must accept complex input (x + ih eₖ) and
      keep the imaginary part (no ``float()``, ``abs`` or ``.real`` on values).

    An explicit ``h`` is used as is for every coordinate. The forward and central
    quotients divide by the step actually taken (the float64 difference of the two
    points), not by the h that was asked for.

    Args:
        f: a function of x returning a number.
        x: an ndarray of any shape, or a list of ndarrays (such as an MLP's params);
            f is called with new arrays of the same structure.
        h: the step, a number > 0, or None for the default above.
        method: ``"forward"``, ``"central"`` or ``"complex"``.

    Returns:
        ∇f(x), an array of x's shape, or a list of arrays of the shapes in x.

    Raises:
        TypeError: x is not numeric, f returns a non-number, or (complex step) f returns
            a real value for a complex input.
        ValueError: unknown method, h ≤ 0, x or f(x ± h eₖ) non-finite, or f returns more
            than one number.
    """
    cols, unflatten, _ = _partials(f, x, h, method)
    if cols.ndim != 1:
        raise ValueError(
            f"f must return a single number, got an array of shape {cols.shape[1:]}; "
            "use numerical_jacobian for vector-valued functions"
        )
    return unflatten(cols)


def numerical_jacobian(f, x, h=None, method="central"):
    """The numerical Jacobian J_f(x) of f: ℝⁿ → ℝᵐ, entry (i, k) = ∂fᵢ/∂xₖ.

    Column k is the forward, central or complex-step quotient of ``numerical_gradient``
    applied to the whole vector f(x ± h eₖ) (same defaults for h). The Jacobian of a
    gradient ∇f is the Hessian of f, so ``numerical_jacobian(objective.grad, x,
    method="complex")`` gives H(x) to rounding error when ∇f is analytic.

    Args:
        f: a function of x returning an array of any shape (flattened to m entries).
        x: an ndarray of any shape (flattened to n entries) or a list of ndarrays.
        h: the step, a number > 0, or None for the method's default.
        method: ``"forward"``, ``"central"`` or ``"complex"``.

    Returns:
        An array of shape (m, n).

    Raises:
        TypeError, ValueError: as for ``numerical_gradient``.
    """
    cols, _, v = _partials(f, x, h, method)
    return cols.reshape(v.size, -1).T


def numerical_hessian(f, x, h=None):
    """The numerical Hessian H(x), entry (j, k) = ∂²f/∂xⱼ∂xₖ, by central second differences.

        Hⱼⱼ ≈ (f(x + h eⱼ) − 2 f(x) + f(x − h eⱼ)) / h²
        Hⱼₖ ≈ (f(x + h eⱼ + h eₖ) − f(x + h eⱼ − h eₖ) − f(x − h eⱼ + h eₖ)
               + f(x − h eⱼ − h eₖ)) / 4h²                              (j ≠ k)

    Both have truncation error O(h²) and rounding error ≈ ε|f|/h², so the default
    h = ε^(1/4) · max(1, |xₖ|) ≈ 1.2e-4 · scale balances them and gives about 7–8
    correct digits (fewer than a gradient: second differences cancel twice). The
    result is symmetric by construction. It costs 2n² + 1 evaluations of f; when an
    analytic gradient is at hand, ``numerical_jacobian(grad, x)`` is cheaper and more
    accurate.

    Args:
        f: a function of x returning a number.
        x: an ndarray of any shape (flattened to n entries) or a list of ndarrays.
        h: the step, a number > 0, or None for the default above.

    Returns:
        An array of shape (n, n).

    Raises:
        TypeError, ValueError: as for ``numerical_gradient``.
    """
    v, unflatten = _flatten(x)
    n = v.size
    hs = np.full(n, positive(h, "h")) if h is not None else _HESSIAN_H * np.maximum(1, np.abs(v))

    def at(*steps):  # f(x + Σ sⱼ hⱼ eⱼ) for steps (j, sⱼ)
        p = v.copy()
        for j, s in steps:
            p[j] += s * hs[j]
        out = _evaluate(f, p, unflatten, "central")
        if out.ndim != 0:
            raise ValueError(f"f must return a single number, got an array of shape {out.shape}")
        return out

    f0 = at()
    H = np.empty((n, n))
    for j in range(n):
        H[j, j] = (at((j, 1)) - 2 * f0 + at((j, -1))) / hs[j] ** 2
        for k in range(j + 1, n):
            H[j, k] = H[k, j] = (
                at((j, 1), (k, 1))
                - at((j, 1), (k, -1))
                - at((j, -1), (k, 1))
                + at((j, -1), (k, -1))
            ) / (4 * hs[j] * hs[k])
    return H


def _pairs(a, b, names=("a", "b")):
    """Pair up a and b (two arrays, or two lists of arrays) as float arrays of equal shapes."""
    na, nb = names
    if _is_array_list(a) or _is_array_list(b):
        if not (_is_array_list(a) and _is_array_list(b)):
            raise TypeError(f"{na} and {nb} must both be arrays or both be lists of arrays")
        if len(a) != len(b):
            raise ValueError(f"{na} has {len(a)} arrays but {nb} has {len(b)}")
        if not a:
            raise ValueError(f"{na} and {nb} are empty lists")
        pairs = []
        for i, (p, q) in enumerate(zip(a, b, strict=True)):
            p, q = as_array(p, f"{na}[{i}]"), as_array(q, f"{nb}[{i}]")
            same_shape(p, q, (f"{na}[{i}]", f"{nb}[{i}]"))
            pairs.append((p, q))
        return pairs
    a, b = as_array(a, na), as_array(b, nb)
    same_shape(a, b, names)
    return [(a, b)]


def _relative_error(a, b, names):
    worst = 0.0
    for p, q in _pairs(a, b, names):
        scale = max(np.max(np.abs(p), initial=0.0), np.max(np.abs(q), initial=0.0))
        if scale > 0:
            worst = max(worst, float(np.max(np.abs(p - q)) / scale))
    return worst


def relative_error(a, b):
    """The relative error ‖a − b‖_∞ / max(‖a‖_∞, ‖b‖_∞) of two arrays (0 when both are 0).

    Scale-free: 1e-7 means the worst entry of a − b is 1e-7 of the largest entry of
    a or b. For lists of arrays (a network's parameters), the worst (largest) relative
    error over the pairs of arrays, so a wrong bias gradient is not hidden by large
    weight gradients. As a rule of thumb (cs231n) in float64, a correct gradient checks
    to ≤ 1e-7 with central differences and ≈ 1e-15 with the complex step; > 1e-4 means
    a bug.

    Raises:
        TypeError: a or b is not numeric, or one is a list and the other is not.
        ValueError: shapes or list lengths differ, or an entry is non-finite.
    """
    return _relative_error(a, b, ("a", "b"))


def gradient_check(f, grad, x, h=None, method="central"):
    """The worst relative error between the analytic ``grad(x)`` and the numerical ∇f(x).

    Returns ``relative_error(grad(x), numerical_gradient(f, x, h, method))``: for a list
    of arrays, the worst over the arrays. Use ``method="complex"`` when f is complex-safe
    (then a correct gradient gives ≈ 1e-15), ``"central"`` otherwise (≈ 1e-9).

    Args:
        f: a function of x returning a number.
        grad: a function of x returning ∇f(x), with x's structure (array or list).
        x: an ndarray of any shape or a list of ndarrays.
        h, method: as for ``numerical_gradient``.

    Raises:
        TypeError, ValueError: as for ``numerical_gradient`` and ``relative_error``
            (e.g. grad(x) has the wrong shape).
    """
    numeric = numerical_gradient(f, x, h=h, method=method)
    return _relative_error(grad(x), numeric, ("grad(x)", "the numerical gradient"))
