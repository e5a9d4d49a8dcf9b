"""optimlib.functions: closed-form gradients and Hessians against numerical ones, minima."""

import numpy as np
import pytest

from optimlib.functions import Objective, beale, himmelblau, quadratic, rosenbrock, saddle
from optimlib.gradients import (
    numerical_gradient,
    numerical_hessian,
    numerical_jacobian,
    relative_error,
)

A_ILL = np.array([[1.0, 0.0], [0.0, 100.0]])  # κ = 100
A_SPD3 = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])
A_INDEF = np.array([[1.0, 2.0], [2.0, -3.0]])

OBJECTIVES = {
    "rosenbrock": rosenbrock,
    "beale": beale,
    "himmelblau": himmelblau,
    "saddle": saddle,
    "quadratic-ill": quadratic(A_ILL, [1.0, -2.0]),
    "quadratic-3d": quadratic(A_SPD3, [1.0, 0.0, -1.0]),
    "quadratic-indefinite": quadratic(A_INDEF),
}
POINTS_2D = [(0.3, -0.7), (-1.2, 1.0), (2.5, 0.4), (1.0, 1.0), (-3.0, -2.0), (0.0, 0.0)]
CASES = [
    (name, point)
    for name, f in OBJECTIVES.items()
    for point in (POINTS_2D if f.dim == 2 else [(0.3, -0.7, 1.1), (2.0, 0.0, -4.0)])
]


@pytest.mark.parametrize(("name", "point"), CASES)
def test_grad_matches_complex_step(name, point):
    f = OBJECTIVES[name]
    x = np.array(point)
    numeric = numerical_gradient(f.value, x, method="complex")
    assert relative_error(f.grad(x), numeric) <= 1e-7
    assert np.allclose(f.grad(x), numeric, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("name", "point"), CASES)
def test_hessian_matches_jacobian_of_grad(name, point):
    f = OBJECTIVES[name]
    x = np.array(point)
    H = f.hessian(x)
    assert H.shape == (f.dim, f.dim)
    assert np.array_equal(H, H.T)
    assert relative_error(H, numerical_jacobian(f.grad, x, method="complex")) <= 1e-7


@pytest.mark.parametrize(("name", "point"), CASES)
def test_hessian_matches_second_differences(name, point):
    f = OBJECTIVES[name]
    x = np.array(point)
    # second differences cancel twice: about 7 digits, not 15
    assert relative_error(f.hessian(x), numerical_hessian(f.value, x)) <= 1e-6


@pytest.mark.parametrize("f", [rosenbrock, beale, himmelblau], ids=lambda f: f.name)
def test_minima_are_strict_zeros_of_the_gradient(f):
    assert f.minimum is f.minima[0]
    for x_star in f.minima:
        assert f.value(x_star) == pytest.approx(0.0, abs=1e-20)
        assert np.allclose(f.grad(x_star), 0.0, atol=1e-13)
        assert np.all(np.linalg.eigvalsh(f.hessian(x_star)) > 0)  # a strict local minimum


def test_named_minima():
    assert np.array_equal(rosenbrock.minimum, [1.0, 1.0])
    assert np.array_equal(beale.minimum, [3.0, 0.5])
    assert np.array_equal(himmelblau.minimum, [3.0, 2.0])
    assert len(himmelblau.minima) == 4
    # Rosenbrock's valley: κ(H(x*)) ≈ 2508
    assert np.linalg.cond(rosenbrock.hessian(rosenbrock.minimum)) == pytest.approx(2508, rel=1e-3)


def test_saddle_has_a_critical_point_but_no_minimum():
    assert saddle.minimum is None and saddle.minima == ()
    assert np.array_equal(saddle.grad([0.0, 0.0]), [0.0, 0.0])
    eigenvalues = np.linalg.eigvalsh(saddle.hessian([0.0, 0.0]))
    assert eigenvalues.min() < 0 < eigenvalues.max()


def test_minima_are_read_only():
    with pytest.raises(ValueError, match="read-only"):
        rosenbrock.minimum[0] = 5.0


@pytest.mark.parametrize("name", OBJECTIVES)
def test_value_and_grad_on_a_stacked_grid_match_pointwise(name):
    f = OBJECTIVES[name]
    rng = np.random.default_rng(0)
    grid = rng.uniform(-2, 2, size=(f.dim, 3, 4))
    values, grads, hessians = f.value(grid), f.grad(grid), f.hessian(grid)
    assert values.shape == (3, 4)
    assert grads.shape == (f.dim, 3, 4)
    assert hessians.shape == (f.dim, f.dim, 3, 4)
    for i, j in np.ndindex(3, 4):
        point = grid[:, i, j]
        assert values[i, j] == pytest.approx(f.value(point), rel=1e-14, abs=1e-14)
        assert np.allclose(grads[:, i, j], f.grad(point), rtol=1e-14, atol=1e-14)
        assert np.allclose(hessians[:, :, i, j], f.hessian(point), rtol=1e-14, atol=1e-14)


def test_meshgrid_for_contours():
    xs, ys = np.linspace(-2, 2, 7), np.linspace(-1, 3, 5)
    X, Y = np.meshgrid(xs, ys)
    Z = rosenbrock.value(np.stack([X, Y]))
    assert Z.shape == (5, 7)
    assert np.allclose(Z, (1 - X) ** 2 + 100 * (Y - X**2) ** 2)


@pytest.mark.parametrize("name", OBJECTIVES)
def test_values_are_numbers_and_accept_complex_points(name):
    f = OBJECTIVES[name]
    x = np.linspace(0.2, 0.9, f.dim)
    assert isinstance(f.value(x), float)
    assert f(x) == f.value(x)
    z = f.value(x + 1e-30j)
    assert isinstance(z, complex)
    assert z.real == pytest.approx(f.value(x), rel=1e-14)


@pytest.mark.parametrize("name", ["rosenbrock", "beale", "himmelblau", "saddle", "quadratic-ill"])
def test_box_is_a_sensible_plotting_region(name):
    f = OBJECTIVES[name]
    (xlo, xhi), (ylo, yhi) = f.box
    assert xlo < xhi and ylo < yhi
    for x_star in f.minima:
        assert xlo <= x_star[0] <= xhi and ylo <= x_star[1] <= yhi


QUADRATIC_CASES = [
    ("1-D", [[2.0]], [3.0]),
    ("ill-conditioned", A_ILL, [1.0, -2.0]),
    ("3-D", A_SPD3, [1.0, 0.0, -1.0]),
    ("5-D identity, b=0", np.eye(5), None),
]


@pytest.mark.parametrize(("label", "A", "b"), QUADRATIC_CASES)
def test_quadratic_against_its_formula(label, A, b):
    A = np.asarray(A)
    n = A.shape[0]
    f = quadratic(A, b)
    b = np.zeros(n) if b is None else np.asarray(b)
    x = np.linspace(-1, 2, n)
    assert f.dim == n
    assert f.value(x) == pytest.approx(0.5 * x @ A @ x - b @ x, rel=1e-14)
    assert np.allclose(f.grad(x), A @ x - b, rtol=1e-14)
    assert np.array_equal(f.hessian(x), A)
    assert np.allclose(f.minimum, np.linalg.solve(A, b))
    assert np.allclose(f.grad(f.minimum), 0.0, atol=1e-14)
    assert (f.box is None) == (n != 2)


def test_quadratic_condition_number_is_that_of_A():
    f = quadratic(A_ILL)
    assert np.linalg.cond(f.hessian([0.3, 0.4])) == pytest.approx(100.0)


def test_quadratic_without_positive_definite_A_has_no_minimum():
    assert quadratic(A_INDEF).minimum is None
    assert quadratic(np.diag([1.0, 0.0])).minimum is None  # singular: a valley floor
    assert quadratic(A_INDEF).minima == ()


def test_quadratic_symmetrizes_rounding_asymmetry():
    A = np.array([[2.0, 1.0], [1.0 + 1e-15, 3.0]])
    H = quadratic(A).hessian([0.0, 0.0])
    assert np.array_equal(H, H.T)


BAD_QUADRATICS = [
    ([[1.0, 2.0, 3.0]], None, ValueError, r"square \(n, n\) matrix"),
    ([1.0, 2.0], None, ValueError, r"square \(n, n\) matrix"),
    ([[1.0, 2.0], [0.0, 1.0]], None, ValueError, "symmetric"),
    ([[1.0, np.nan], [np.nan, 1.0]], None, ValueError, "non-finite"),
    ([[1.0, 0.0], [0.0, 1.0]], [1.0, 2.0, 3.0], ValueError, r"b must have shape \(2,\)"),
    ([[1.0, 0.0], [0.0, 1.0]], [np.inf, 0.0], ValueError, "b has non-finite"),
    ([["a", "b"], ["c", "d"]], None, TypeError, "A must be an array of real numbers"),
]


@pytest.mark.parametrize(("A", "b", "error", "message"), BAD_QUADRATICS)
def test_quadratic_rejects_bad_input(A, b, error, message):
    with pytest.raises(error, match=message):
        quadratic(A, b)


BAD_POINTS = [
    (
        [1.0, 2.0, 3.0],
        ValueError,
        r"rosenbrock takes a point of shape \(2,\).*got x of shape \(3,\)",
    ),
    (1.0, ValueError, r"got x of shape \(\)"),
    (np.zeros((3, 4)), ValueError, r"stacked grid of shape \(2, \.\.\.\)"),
    ([np.nan, 1.0], ValueError, "non-finite"),
    (["a", "b"], TypeError, "real numbers"),
]


@pytest.mark.parametrize(("x", "error", "message"), BAD_POINTS)
@pytest.mark.parametrize("method", ["value", "grad", "hessian"])
def test_objectives_reject_bad_points(method, x, error, message):
    with pytest.raises(error, match=message):
        getattr(rosenbrock, method)(x)


def test_objective_is_a_reusable_class():
    f = Objective("line", 1, lambda p: 2 * p[0], lambda p: np.full_like(p, 2.0), None, box=None)
    assert f.value([3.0]) == 6.0 and f.minimum is None
    assert "line" in repr(f)
