"""optimlib.gradients: error orders, the lecture's table, Jacobians, Hessians, bad input."""

import numpy as np
import pytest

from optimlib.functions import rosenbrock
from optimlib.gradients import (
    gradient_check,
    numerical_gradient,
    numerical_hessian,
    numerical_jacobian,
    relative_error,
)

EPS = np.finfo(np.float64).eps


def smooth(x):
    """f(x, y) = eˣ sin 2y + x y³: every derivative nonzero at the test point."""
    return np.exp(x[0]) * np.sin(2 * x[1]) + x[0] * x[1] ** 3


def smooth_grad(x):
    return np.array(
        [
            np.exp(x[0]) * np.sin(2 * x[1]) + x[1] ** 3,
            2 * np.exp(x[0]) * np.cos(2 * x[1]) + 3 * x[0] * x[1] ** 2,
        ]
    )


def smooth_hessian(x):
    e, s, c = np.exp(x[0]), np.sin(2 * x[1]), np.cos(2 * x[1])
    hxy = 2 * e * c + 3 * x[1] ** 2
    return np.array([[e * s, hxy], [hxy, -4 * e * s + 6 * x[0] * x[1]]])


X0 = np.array([0.3, 0.7])


@pytest.mark.parametrize(
    ("method", "hs", "order"),
    [
        ("forward", np.logspace(-1, -4, 7), 1),  # error ≈ h |f''| / 2
        ("central", np.logspace(-1, -3, 7), 2),  # error ≈ h² |f'''| / 6
    ],
)
def test_error_order_is_the_slope_of_log_error_against_log_h(method, hs, order):
    exact = smooth_grad(X0)
    errors = [relative_error(numerical_gradient(smooth, X0, h=h, method=method), exact) for h in hs]
    slope = np.polyfit(np.log(hs), np.log(errors), 1)[0]
    assert slope == pytest.approx(order, abs=0.1)


def test_complex_step_is_exact_to_rounding_for_any_tiny_h():
    exact = smooth_grad(X0)
    for h in np.logspace(-8, -100, 24):
        assert (
            relative_error(numerical_gradient(smooth, X0, h=h, method="complex"), exact) <= 10 * EPS
        )


def test_differences_break_down_for_tiny_h_where_the_complex_step_does_not():
    exact = smooth_grad(X0)
    assert relative_error(numerical_gradient(smooth, X0, h=1e-13, method="central"), exact) > 1e-5
    assert relative_error(numerical_gradient(smooth, X0, h=1e-13, method="complex"), exact) < 1e-15


@pytest.mark.parametrize(
    ("method", "tolerance"), [("forward", 1e-6), ("central", 1e-9), ("complex", 1e-15)]
)
@pytest.mark.parametrize("point", [(0.3, 0.7), (-1.2, 1.0), (25.0, -40.0), (1e3, 2e4)])
def test_default_steps_give_the_expected_accuracy(method, tolerance, point):
    x = np.array(point)
    assert (
        relative_error(numerical_gradient(rosenbrock, x, method=method), rosenbrock.grad(x))
        <= tolerance
    )


# The lecture's table: a parameter vector θ with cost 1.25347; nudging θ₁ by h = 0.0001 gives
# cost 1.25322, nudging θ₂ gives 1.25353. The forward differences are −2.5 and +0.6 (the
# lecture prints −0.6 for the second, a sign slip: the cost went *up*, so the slope is > 0).
THETA = np.array([0.34, -1.11, 0.78, 0.12, 0.55, 2.81, -3.10, -1.50, 0.33])
TABLE = {None: 1.25347, 0: 1.25322, 1: 1.25353}  # which coordinate moved → tabulated cost


def tabulated_cost(theta12):
    """J as a function of (θ₁, θ₂), the rest of θ fixed, known only at the table's points."""
    moved = np.flatnonzero(theta12 != THETA[:2])
    assert moved.size <= 1, "the table only has one-coordinate nudges"
    return TABLE[int(moved[0]) if moved.size else None]


def test_lecture_numerical_gradient_table():
    assert (1.25322 - 1.25347) / 0.0001 == pytest.approx(-2.5)
    assert (1.25353 - 1.25347) / 0.0001 == pytest.approx(+0.6)
    d = numerical_gradient(tabulated_cost, THETA[:2], h=1e-4, method="forward")
    assert d == pytest.approx([-2.5, +0.6], rel=1e-6)


METHODS = ["forward", "central", "complex"]


@pytest.mark.parametrize("method", METHODS)
def test_gradient_keeps_the_shape_of_x(method):
    W = np.arange(6.0).reshape(2, 3) / 10
    grad = numerical_gradient(lambda w: np.sum(np.sin(w) * w), W, method=method)
    assert grad.shape == (2, 3)
    assert relative_error(grad, np.cos(W) * W + np.sin(W)) <= 1e-6


@pytest.mark.parametrize("method", METHODS)
def test_gradient_of_a_list_of_arrays_is_a_list(method):
    W, b = np.array([[0.5, -1.0], [2.0, 0.3]]), np.array([0.1, -0.2])
    x = np.array([1.0, 2.0])

    def f(params):
        W, b = params
        r = W @ x + b
        return r @ r  # ‖Wx + b‖²

    grads = numerical_gradient(f, [W, b], method=method)
    r = W @ x + b
    assert isinstance(grads, list) and [g.shape for g in grads] == [(2, 2), (2,)]
    assert relative_error(grads, [2 * np.outer(r, x), 2 * r]) <= 1e-7


def test_f_gets_fresh_arrays_and_x_is_not_modified():
    x = np.array([1.0, 2.0])
    seen = []
    numerical_gradient(lambda v: seen.append(v) or float(v @ v), x)
    assert np.array_equal(x, [1.0, 2.0])
    assert len({id(v) for v in seen}) == len(seen)


@pytest.mark.parametrize("method", METHODS)
def test_jacobian_of_a_map_from_r3_to_r2(method):
    A = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0]])
    x = np.array([0.2, -0.4, 0.9])
    J = numerical_jacobian(lambda v: A @ v + np.sin(v[:2]) * v[2], x, method=method)
    expected = A + np.array(
        [[np.cos(0.2) * 0.9, 0, np.sin(0.2)], [0, np.cos(-0.4) * 0.9, np.sin(-0.4)]]
    )
    assert J.shape == (2, 3)
    assert relative_error(J, expected) <= (1e-6 if method == "forward" else 1e-9)


def test_jacobian_of_the_gradient_is_the_hessian():
    H = numerical_jacobian(smooth_grad, X0, method="complex")
    assert relative_error(H, smooth_hessian(X0)) <= 1e-14


def test_numerical_hessian_is_symmetric_and_accurate():
    H = numerical_hessian(smooth, X0)
    assert np.array_equal(H, H.T)
    assert relative_error(H, smooth_hessian(X0)) <= 1e-6
    # an explicit h: still second order, so h = 1e-3 gives ≈ 1e-6
    assert relative_error(numerical_hessian(smooth, X0, h=1e-3), smooth_hessian(X0)) <= 1e-5


def test_numerical_hessian_of_a_quadratic_form():
    A = np.array([[2.0, -1.0, 0.0], [-1.0, 2.0, -1.0], [0.0, -1.0, 2.0]])
    H = numerical_hessian(lambda x: 0.5 * x @ A @ x, np.array([0.1, 0.2, 0.3]))
    assert np.allclose(H, A, atol=1e-6)


RELATIVE_ERRORS = [
    ("equal", [1.0, 2.0], [1.0, 2.0], 0.0),
    ("both zero", [0.0, 0.0], [0.0, 0.0], 0.0),
    ("scale-free", [1.0, 2.0], [1.0, 2.002], 0.002 / 2.002),
    ("scale-free ×1e6", [1e6, 2e6], [1e6, 2.002e6], 0.002 / 2.002),
    ("one zero", [0.0, 0.0], [0.0, 3.0], 1.0),
    ("worst array in a list", [np.ones(2), np.ones(3)], [np.ones(2), [1.0, 1.0, 1.5]], 0.5 / 1.5),
]


@pytest.mark.parametrize(("label", "a", "b", "expected"), RELATIVE_ERRORS)
def test_relative_error(label, a, b, expected):
    assert relative_error(a, b) == pytest.approx(expected, rel=1e-12, abs=1e-300)
    assert relative_error(b, a) == pytest.approx(expected, rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("method", METHODS)
def test_gradient_check_accepts_the_right_gradient_and_catches_a_wrong_one(method):
    assert gradient_check(smooth, smooth_grad, X0, method=method) <= 1e-6
    g = smooth_grad(X0)
    wrong = lambda x: smooth_grad(x) * [1.0, 1.01]  # noqa: E731 -- 1 % off in ∂f/∂y
    expected = 0.01 * abs(g[1]) / max(abs(g[0]), 1.01 * abs(g[1]))
    assert gradient_check(smooth, wrong, X0, method=method) == pytest.approx(expected, rel=1e-3)


def test_gradient_check_on_a_list_reports_the_worst_array():
    def f(params):
        W, b = params
        return np.sum(W**2) + 1e-3 * np.sum(b**3)

    params = [np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([0.5, -0.5])]
    good = lambda p: [2 * p[0], 3e-3 * p[1] ** 2]  # noqa: E731
    bad_bias = lambda p: [2 * p[0], -3e-3 * p[1] ** 2]  # noqa: E731 -- wrong sign, tiny size
    assert gradient_check(f, good, params, method="complex") <= 1e-14
    assert gradient_check(f, bad_bias, params, method="complex") == pytest.approx(2.0)


BAD_CALLS = [
    (
        lambda: numerical_gradient(smooth, X0, method="backward"),
        ValueError,
        "unknown method 'backward'; choose one of 'forward', 'central', 'complex'",
    ),
    (lambda: numerical_jacobian(np.sin, X0, method="five-point"), ValueError, "unknown method"),
    (
        lambda: gradient_check(smooth, smooth_grad, X0, method="secant"),
        ValueError,
        "unknown method",
    ),
    (lambda: numerical_gradient(smooth, X0, h=0.0), ValueError, "h must be a finite number > 0"),
    (lambda: numerical_gradient(smooth, X0, h=-1e-5), ValueError, "h must be a finite number > 0"),
    (lambda: numerical_hessian(smooth, X0, h=-1.0), ValueError, "h must be a finite number > 0"),
    (lambda: numerical_gradient(smooth, X0, h="small"), TypeError, "h must be a real number"),
    (lambda: numerical_gradient(smooth, [np.nan, 1.0]), ValueError, "x has non-finite"),
    (lambda: numerical_gradient(smooth, "ab"), TypeError, "x must be an array of real numbers"),
    (lambda: numerical_gradient(smooth, []), ValueError, "x is an empty list"),
    (lambda: numerical_gradient(np.sin, X0), ValueError, "use numerical_jacobian"),
    (lambda: numerical_hessian(np.sin, X0), ValueError, "f must return a single number"),
    (
        lambda: numerical_gradient(lambda x: np.inf if x[0] > 0.5 else 0.0, X0, h=0.5),
        ValueError,
        "f returned a non-finite value",
    ),
    (
        lambda: numerical_gradient(lambda x: float(np.real(x @ x)), X0, method="complex"),
        TypeError,
        "complex-safe",
    ),
    (lambda: numerical_gradient(lambda x: "cost", X0), TypeError, "f must return numbers"),
    (
        lambda: relative_error([1.0, 2.0], [1.0, 2.0, 3.0]),
        ValueError,
        r"a has shape \(2,\) but b has shape \(3,\)",
    ),
    (
        lambda: relative_error([np.ones(2)], [np.ones(2), np.ones(2)]),
        ValueError,
        "a has 1 arrays but b has 2",
    ),
    (lambda: relative_error([np.ones(2)], np.ones(2)), TypeError, "both be lists"),
    (lambda: relative_error([1.0, np.inf], [1.0, 2.0]), ValueError, "a has non-finite"),
    (
        lambda: gradient_check(smooth, lambda x: np.zeros(3), X0),
        ValueError,
        r"grad\(x\) has shape \(3,\) but the numerical gradient has shape \(2,\)",
    ),
]


@pytest.mark.parametrize(("call", "error", "message"), BAD_CALLS)
def test_bad_input_raises_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()
