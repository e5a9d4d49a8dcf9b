"""optimlib.train.newton: Newton's method checked against closed forms and hand iterations."""

import numpy as np
import pytest

from optimlib.functions import himmelblau, quadratic, rosenbrock, saddle
from optimlib.train import newton

QUADRATICS = [
    ("round bowl", [[1.0, 0.0], [0.0, 1.0]], [0.5, -1.0]),
    ("ill conditioned, κ = 1e6", [[1.0, 0.0], [0.0, 1e6]], [2.0, 3.0]),
    ("rotated, coupled", [[3.0, 1.0], [1.0, 2.0]], [1.0, 0.0]),
    ("3-D", [[4.0, 1.0, 0.0], [1.0, 3.0, 0.5], [0.0, 0.5, 2.0]], [1.0, -2.0, 0.5]),
    ("indefinite: a saddle", [[2.0, 0.0], [0.0, -1.0]], [1.0, 1.0]),
    ("negative definite: a maximum", [[-1.0, 0.5], [0.5, -2.0]], [0.0, 1.0]),
]


@pytest.mark.parametrize(("A", "b"), [q[1:] for q in QUADRATICS], ids=[q[0] for q in QUADRATICS])
def test_one_step_lands_on_the_critical_point_of_a_quadratic(A, b):
    A, b = np.array(A), np.array(b)
    x0 = np.linspace(-3.0, 4.0, len(b))
    path = newton(quadratic(A, b), x0, steps=3)
    x_star = np.linalg.solve(A, b)  # ∇f = Ax − b = 0, whatever the signs of A's eigenvalues
    np.testing.assert_allclose(path[1:], np.tile(x_star, (3, 1)), rtol=1e-10, atol=1e-12)


def test_newton_jumps_to_the_saddle_that_gradient_descent_leaves():
    path = newton(saddle, [0.7, -0.4], steps=1)
    np.testing.assert_allclose(path[1], [0.0, 0.0], atol=1e-15)


def test_rosenbrock_matches_a_hand_written_iteration_and_converges():
    def grad(x, y):  # f = (1 − x)² + 100 (y − x²)²
        return np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])

    def hess(x, y):
        return np.array([[2 - 400 * y + 1200 * x**2, -400 * x], [-400 * x, 200.0]])

    p = np.array([-1.2, 1.0])
    want = [p]
    for _ in range(8):
        p = p - np.linalg.inv(hess(*p)) @ grad(*p)
        want.append(p)
    path = newton(rosenbrock, [-1.2, 1.0], steps=8)
    np.testing.assert_allclose(path, np.array(want), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(path[-1], [1.0, 1.0], atol=1e-12)


def test_convergence_near_a_minimum_is_quadratic():
    x_star = himmelblau.minimum  # (3, 2)
    path = newton(himmelblau, x_star + np.array([0.2, -0.15]), steps=4)
    errors = np.linalg.norm(path - x_star, axis=1)
    # e_{k+1} ≤ C e_k²: the number of correct digits roughly doubles per step
    assert errors[3] < 1e-6
    ratios = errors[1:3] / errors[0:2] ** 2
    assert np.all(ratios < 5.0)


class OneDimensional:
    """f(x) = eˣ − 2x on ℝ¹: minimum at x = ln 2; Newton: x ← x − (eˣ − 2)/eˣ."""

    def grad(self, x):
        return np.exp(x) - 2.0

    def hessian(self, x):
        return np.exp(x).reshape(1, 1)


def test_one_dimensional_newton_raphson_on_the_derivative():
    x, want = 3.0, [3.0]
    for _ in range(7):
        x = x - (np.exp(x) - 2.0) / np.exp(x)
        want.append(x)
    path = newton(OneDimensional(), [3.0], steps=7)
    assert path.shape == (8, 1)
    np.testing.assert_allclose(path[:, 0], want, rtol=1e-13)
    assert abs(path[-1, 0] - np.log(2.0)) < 1e-12


@pytest.mark.parametrize("steps", [0, 1, 4])
def test_trajectory_shape_and_x0_untouched(steps):
    x0 = np.array([0.5, -0.25])
    saved = x0.copy()
    path = newton(quadratic(np.eye(2)), x0, steps)
    assert path.shape == (steps + 1, 2)
    assert path.dtype == np.float64
    np.testing.assert_array_equal(path[0], saved)
    np.testing.assert_array_equal(x0, saved)


@pytest.mark.parametrize(
    "A", [[[1.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 1.0]]]
)
def test_singular_hessian_raises(A):
    with pytest.raises(ValueError, match="singular"):
        newton(quadratic(A), [1.0, 2.0], steps=1)


def test_nearly_singular_hessian_raises():
    with pytest.raises(ValueError, match="singular"):
        newton(quadratic([[1.0, 0.0], [0.0, 1e-17]]), [1.0, 2.0], steps=1)


class Broken:
    """An objective whose Hessian is broken in a chosen way."""

    def __init__(self, hessian):
        self._hessian = hessian

    def grad(self, x):
        return np.asarray(x, dtype=float)

    def hessian(self, x):
        return self._hessian


@pytest.mark.parametrize(
    ("hessian", "match"),
    [
        (np.array([[1.0, np.nan], [np.nan, 1.0]]), "not finite"),
        (np.array([[np.inf, 0.0], [0.0, 1.0]]), "not finite"),
        (np.eye(3), "shape"),
    ],
)
def test_bad_hessian_raises(hessian, match):
    with pytest.raises(ValueError, match=match):
        newton(Broken(hessian), [1.0, 1.0], steps=2)


def test_bad_arguments_raise():
    class GradientOnly:
        def grad(self, x):
            return x

    with pytest.raises(TypeError, match="hessian"):
        newton(GradientOnly(), [1.0, 1.0], steps=1)
    with pytest.raises(ValueError, match="1-D"):
        newton(quadratic(np.eye(2)), [[1.0, 1.0]], steps=1)
    with pytest.raises(ValueError, match="non-finite"):
        newton(quadratic(np.eye(2)), [np.nan, 1.0], steps=1)
    with pytest.raises(ValueError, match="≥ 0"):
        newton(quadratic(np.eye(2)), [1.0, 1.0], steps=-1)
    with pytest.raises(TypeError, match="integer"):
        newton(quadratic(np.eye(2)), [1.0, 1.0], steps=2.0)
