"""Test objectives f: ℝⁿ → ℝ for plots, gradient checks and optimizer races.

Each objective knows its value f(x), gradient ∇f(x) and Hessian H(x) = ∇²f(x) in closed
form, its minima, and a box to plot it in::

    >>> import numpy as np
    >>> from optimlib.functions import rosenbrock
    >>> rosenbrock.value([1.0, 1.0]), rosenbrock.grad([0.0, 0.0])
    (0.0, array([-2.,  0.]))
    >>> xs, ys = np.linspace(-2, 2, 5), np.linspace(-1, 3, 5)
    >>> rosenbrock.value(np.stack(np.meshgrid(xs, ys))).shape   # a grid for contour plots
    (5, 5)

Points are arrays of shape (n,). ``value`` and ``grad`` also take a stacked grid of
points, shape (n, ...), whose ``x[k]`` holds the k-th coordinate of every point, and
``hessian`` does too. Complex points are accepted, and the formulas are analytic
(polynomials, no ``abs`` or conjugation), so the complex-step derivative
Im f(x + ih eₖ)/h recovers ∂f/∂xₖ to rounding error.

The Hessian's condition number κ(H) = λ_max/λ_min measures how elongated the valleys
are: κ = 1 gives round contours, Rosenbrock's κ ≈ 2508 at its minimum a narrow curved
valley, and ``quadratic(A)`` has κ(A) everywhere.
"""

import numpy as np

from ._validate import as_array


def _frozen(point):
    """A read-only float64 copy of ``point``: shared objects must not be changed by callers."""
    arr = np.array(point, dtype=np.float64)
    arr.flags.writeable = False
    return arr


class Objective:
    """A test objective f: ℝⁿ → ℝ with its gradient, Hessian, minima and plotting box.

    Attributes:
        name: a short name, e.g. ``"rosenbrock"``.
        dim: n, the dimension of a point.
        minimum: the global minimizer x* (the first of ``minima``), or None when f has
            no minimum (``saddle``, an indefinite ``quadratic``).
        minima: all known minimizers, a tuple of read-only arrays of shape (n,).
        box: ((x_lo, x_hi), (y_lo, y_hi)), a region that shows the interesting part of
            a 2-D objective, or None when n ≠ 2.
        formula: f in the book's notation, for titles and captions.

    Calling the objective, ``f(x)``, is ``f.value(x)``.
    """

    def __init__(self, name, dim, value, grad, hessian, minima=(), box=None, formula=""):
        """Wrap closed-form ``value``, ``grad`` and ``hessian`` of x of shape (dim, ...)."""
        self.name = name
        self.formula = formula
        self.dim = dim
        self._value, self._grad, self._hessian = value, grad, hessian
        self.minima = tuple(_frozen(p) for p in minima)
        self.minimum = self.minima[0] if self.minima else None
        self.box = box

    def __repr__(self):
        return f"<Objective {self.name} on ℝ^{self.dim}>"

    def _point(self, x, *, grid):
        """Check ``x`` is a point of shape (n,) — or, when ``grid``, (n, ...) — and return it."""
        x = as_array(x, "x", allow_complex=True)
        n = self.dim
        ok = x.shape == (n,) or (grid and x.ndim >= 1 and x.shape[0] == n)
        if not ok:
            expected = f"a point of shape ({n},)"
            if grid:
                expected += f" or a stacked grid of shape ({n}, ...)"
            raise ValueError(f"{self.name} takes {expected}; got x of shape {x.shape}")
        return x

    def value(self, x):
        """f(x): a number for a point of shape (n,), an array of shape (...) for (n, ...).

        Raises:
            TypeError: x is not numeric.
            ValueError: x has the wrong shape or non-finite entries.
        """
        out = self._value(self._point(x, grid=True))
        return out.item() if np.ndim(out) == 0 else out

    __call__ = value

    def grad(self, x):
        """∇f(x), shape (n,) for a point, (n, ...) for a stacked grid (n, ...).

        Raises:
            TypeError: x is not numeric.
            ValueError: x has the wrong shape or non-finite entries.
        """
        return self._grad(self._point(x, grid=True))

    def hessian(self, x):
        """H(x) = ∇²f(x), the symmetric (n, n) matrix of ∂²f/∂xⱼ∂xₖ; (n, n, ...) for a grid.

        Raises:
            TypeError: x is not numeric.
            ValueError: x has the wrong shape or non-finite entries.
        """
        return self._hessian(self._point(x, grid=True))


def _matrix(rows, shape):
    """Stack a 2-D list of arrays or constants into one array of shape (n, n, *shape)."""
    return np.stack([np.stack([np.broadcast_to(e, shape) for e in row]) for row in rows])


# Rosenbrock (1960): f(x, y) = (a − x)² + b (y − x²)², a = 1, b = 100. A curved valley
# y = x² whose floor falls slowly to the minimum f(1, 1) = 0: easy to find, slow to follow.
_A, _B = 1.0, 100.0


def _rosenbrock_value(p):
    x, y = p
    return (_A - x) ** 2 + _B * (y - x**2) ** 2


def _rosenbrock_grad(p):
    x, y = p
    return np.stack([-2 * (_A - x) - 4 * _B * x * (y - x**2), 2 * _B * (y - x**2)])


def _rosenbrock_hessian(p):
    x, y = p
    hxx = 2 - 4 * _B * (y - x**2) + 8 * _B * x**2
    return _matrix([[hxx, -4 * _B * x], [-4 * _B * x, 2 * _B]], np.shape(x))


rosenbrock = Objective(
    "rosenbrock",
    2,
    _rosenbrock_value,
    _rosenbrock_grad,
    _rosenbrock_hessian,
    minima=[(1.0, 1.0)],
    box=((-2.0, 2.0), (-1.0, 3.0)),
    formula="f(x, y) = (1 − x)² + 100 (y − x²)²",
)


# Beale: f(x, y) = Σₖ rₖ², rₖ = cₖ − x + x yᵏ for k = 1, 2, 3 and c = (1.5, 2.25, 2.625).
# Flat plateaus and steep ridges; minimum f(3, 0.5) = 0.
_C = (1.5, 2.25, 2.625)


def _beale_residuals(p):
    x, y = p
    return [c - x + x * y**k for k, c in enumerate(_C, start=1)]


def _beale_value(p):
    return sum(r**2 for r in _beale_residuals(p))


def _beale_grad(p):
    x, y = p
    r1, r2, r3 = _beale_residuals(p)
    # ∂f/∂x = Σ 2 rₖ (yᵏ − 1),  ∂f/∂y = Σ 2 rₖ k x yᵏ⁻¹
    gx = 2 * (r1 * (y - 1) + r2 * (y**2 - 1) + r3 * (y**3 - 1))
    gy = 2 * x * (r1 + 2 * r2 * y + 3 * r3 * y**2)
    return np.stack([gx, gy])


def _beale_hessian(p):
    x, y = p
    r1, r2, r3 = _beale_residuals(p)
    # Gauss–Newton part 2 Σ ∇rₖ∇rₖᵀ plus the curvature part 2 Σ rₖ ∇²rₖ
    hxx = 2 * ((y - 1) ** 2 + (y**2 - 1) ** 2 + (y**3 - 1) ** 2)
    hxy = 2 * (x * (y - 1) + 2 * x * y * (y**2 - 1) + 3 * x * y**2 * (y**3 - 1)) + 2 * (
        r1 + 2 * r2 * y + 3 * r3 * y**2
    )
    hyy = 2 * (x**2 + (2 * x * y) ** 2 + (3 * x * y**2) ** 2) + 2 * (2 * r2 * x + 6 * r3 * x * y)
    return _matrix([[hxx, hxy], [hxy, hyy]], np.shape(x))


beale = Objective(
    "beale",
    2,
    _beale_value,
    _beale_grad,
    _beale_hessian,
    minima=[(3.0, 0.5)],
    box=((-4.5, 4.5), (-4.5, 4.5)),
    formula="f(x, y) = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²",
)


# Himmelblau (1972): f(x, y) = (x² + y − 11)² + (x + y² − 7)², four minima with f = 0,
# so where gradient descent ends depends on where it starts.
def _himmelblau_value(p):
    x, y = p
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def _himmelblau_grad(p):
    x, y = p
    u, v = x**2 + y - 11, x + y**2 - 7
    return np.stack([4 * x * u + 2 * v, 2 * u + 4 * y * v])


def _himmelblau_hessian(p):
    x, y = p
    u, v = x**2 + y - 11, x + y**2 - 7
    hxy = 4 * (x + y)
    return _matrix([[4 * u + 8 * x**2 + 2, hxy], [hxy, 4 * v + 8 * y**2 + 2]], np.shape(x))


himmelblau = Objective(
    "himmelblau",
    2,
    _himmelblau_value,
    _himmelblau_grad,
    _himmelblau_hessian,
    # (3, 2) exactly; the other three are roots of a quartic, found by Newton's method.
    minima=[
        (3.0, 2.0),
        (-2.805118086952745, 3.131312518250573),
        (-3.779310253377747, -3.283185991286169),
        (3.5844283403304917, -1.8481265269644034),
    ],
    box=((-5.0, 5.0), (-5.0, 5.0)),
    formula="f(x, y) = (x² + y − 11)² + (x + y² − 7)²",
)


# The saddle f(x, y) = x² − y²: ∇f(0) = 0 but H = diag(2, −2) is indefinite, so the
# critical point 0 is no minimum (f has none) and plain gradient descent stalls near it.
saddle = Objective(
    "saddle",
    2,
    lambda p: p[0] ** 2 - p[1] ** 2,
    lambda p: np.stack([2 * p[0], -2 * p[1]]),
    lambda p: _matrix([[2.0, 0.0], [0.0, -2.0]], np.shape(p[0])),
    minima=(),
    box=((-2.0, 2.0), (-2.0, 2.0)),
    formula="f(x, y) = x² − y²",
)


def quadratic(A, b=None):
    """The quadratic f(x) = ½ xᵀAx − bᵀx on ℝⁿ, with ∇f(x) = Ax − b and H = A.

    When A is symmetric positive definite the unique minimum is x* = A⁻¹b, and gradient
    descent converges at a rate set by κ(A) = λ_max/λ_min: the larger κ, the more the
    iterates zig-zag across the elongated contours. Otherwise f has no minimum (an
    indefinite A gives a saddle, a singular one a valley floor) and ``minimum`` is None.

    Args:
        A: a finite, symmetric (n, n) matrix (symmetric up to rounding; it is replaced
            by ½(A + Aᵀ)).
        b: a finite vector of shape (n,), zero when None.

    Returns:
        An ``Objective`` of dimension n; for n = 2 its ``box`` is centred on x* (or 0).

    Raises:
        TypeError: A or b is not numeric.
        ValueError: A is not a square symmetric matrix, b does not have shape (n,), or
            either has non-finite entries.
    """
    A = as_array(A, "A")
    if A.ndim != 2 or A.shape[0] != A.shape[1] or A.shape[0] == 0:
        raise ValueError(f"A must be a square (n, n) matrix with n ≥ 1, got shape {A.shape}")
    scale = np.max(np.abs(A))
    if not np.allclose(A, A.T, rtol=0.0, atol=1e-12 * scale):
        raise ValueError("A must be symmetric (A = Aᵀ): f = ½ xᵀAx only sees ½(A + Aᵀ)")
    n = A.shape[0]
    A = (A + A.T) / 2
    A.flags.writeable = False
    b = np.zeros(n) if b is None else as_array(b, "b")
    if b.shape != (n,):
        raise ValueError(f"b must have shape ({n},) to match A of shape {A.shape}, got {b.shape}")
    b = _frozen(b)

    try:  # A is positive definite exactly when its Cholesky factorization exists
        np.linalg.cholesky(A)
        minima = [np.linalg.solve(A, b)]
    except np.linalg.LinAlgError:
        minima = []

    def value(x):
        # ½ Σⱼₖ xⱼ Aⱼₖ xₖ − Σⱼ bⱼ xⱼ, for a point or every point of a grid at once
        return 0.5 * np.einsum("j...,jk,k...->...", x, A, x) - np.einsum("j,j...->...", b, x)

    def grad(x):
        return np.einsum("jk,k...->j...", A, x) - b.reshape((n,) + (1,) * (x.ndim - 1))

    def hessian(x):
        return np.array(
            np.broadcast_to(A.reshape(A.shape + (1,) * (x.ndim - 1)), A.shape + x.shape[1:])
        )

    box = None
    if n == 2:
        centre = minima[0] if minima else np.zeros(2)
        r = 2.0 * max(1.0, float(np.max(np.abs(centre))))
        box = tuple((float(c - r), float(c + r)) for c in centre)
    return Objective(
        "quadratic", n, value, grad, hessian, minima=minima, box=box, formula="f(x) = ½ xᵀAx − bᵀx"
    )
