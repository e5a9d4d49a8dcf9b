"""optimlib.losses: the lecture's worked example, signs, gradients and bad input."""

import numpy as np
import pytest

from optimlib.gradients import numerical_gradient, relative_error
from optimlib.losses import (
    cross_entropy,
    cross_entropy_grad,
    l2_penalty,
    mse,
    mse_grad,
    regularized_cost,
)

RNG = np.random.default_rng(0)
X_LECTURE = Y_LECTURE = np.array([1.0, 2.0, 3.0])


@pytest.mark.parametrize(("theta1", "J"), [(0.0, 2.33), (0.5, 0.58), (1.0, 0.0)])
def test_lecture_worked_example(theta1, J):
    # h_θ(x) = θ₁x on (1, 1), (2, 2), (3, 3): J(0) = 14/6, J(0.5) = 3.5/6, J(1) = 0
    assert round(mse(theta1 * X_LECTURE, Y_LECTURE), 2) == J


def test_lecture_worked_example_exactly():
    assert mse(0 * X_LECTURE, Y_LECTURE) == pytest.approx(14 / 6, rel=1e-15)
    assert mse(0.5 * X_LECTURE, Y_LECTURE) == pytest.approx(3.5 / 6, rel=1e-15)


def test_mse_is_half_of_numpys_mean_of_squares():
    pred, y = RNG.standard_normal(10), RNG.standard_normal(10)
    assert mse(pred, y) == pytest.approx(0.5 * np.mean((pred - y) ** 2), rel=1e-14)


def test_mse_sums_over_outputs_and_averages_over_examples():
    pred, y = RNG.standard_normal((6, 3)), RNG.standard_normal((6, 3))
    expected = sum(np.sum((pred[i] - y[i]) ** 2) for i in range(6)) / (2 * 6)
    assert mse(pred, y) == pytest.approx(expected, rel=1e-14)


def test_mse_accepts_lists_and_returns_a_float():
    value = mse([0.0, 0.0], [1, 2])
    assert isinstance(value, float) and value == pytest.approx(5 / 4)


SHAPES = [(7,), (5, 3)]


@pytest.mark.parametrize("shape", SHAPES)
def test_mse_grad_matches_complex_step(shape):
    pred, y = RNG.standard_normal(shape), RNG.standard_normal(shape)
    numeric = numerical_gradient(lambda p: mse(p, y), pred, method="complex")
    assert relative_error(mse_grad(pred, y), numeric) <= 1e-7
    assert np.allclose(mse_grad(pred, y), (pred - y) / shape[0])


@pytest.mark.parametrize("shape", SHAPES)
def test_cross_entropy_grad_matches_complex_step(shape):
    p = RNG.uniform(0.05, 0.95, shape)
    y = (RNG.random(shape) < 0.5).astype(float)
    numeric = numerical_gradient(lambda q: cross_entropy(q, y), p, method="complex")
    assert relative_error(cross_entropy_grad(p, y), numeric) <= 1e-7


def test_cross_entropy_against_its_formula():
    p, y = np.array([[0.9, 0.2], [0.4, 0.7]]), np.array([[1.0, 0.0], [0.0, 1.0]])
    expected = -(np.log(0.9) + np.log(0.8) + np.log(0.6) + np.log(0.7)) / 2
    assert cross_entropy(p, y) == pytest.approx(expected, rel=1e-14)
    assert cross_entropy([0.5], [1.0]) == pytest.approx(np.log(2))


def test_cross_entropy_has_the_right_sign():
    # J > 0, and it falls towards 0 as the predicted probability p approaches the label y
    y = np.array([1.0, 0.0, 1.0])
    ps = [np.array([t, 1 - t, t]) for t in (0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 0.9999)]
    costs = [cross_entropy(p, y) for p in ps]
    assert all(J > 0 for J in costs)
    assert np.all(np.diff(costs) < 0)
    assert costs[-1] < 1e-3


def test_cross_entropy_soft_labels_are_minimized_at_p_equal_y():
    y = np.array([0.3])
    ps = np.linspace(0.01, 0.99, 99)
    costs = [cross_entropy([p], y) for p in ps]
    assert ps[int(np.argmin(costs))] == pytest.approx(0.3)


def test_cross_entropy_grad_through_sigmoid_is_p_minus_y_over_m():
    # ∂J/∂z = ∂J/∂p · p(1 − p) = (p − y)/m: backpropagation's δ⁽ᴸ⁾ = a⁽ᴸ⁾ − y
    z = RNG.standard_normal((4, 2))
    p = 1 / (1 + np.exp(-z))
    y = (RNG.random((4, 2)) < 0.5).astype(float)
    assert np.allclose(cross_entropy_grad(p, y) * p * (1 - p), (p - y) / 4, rtol=1e-12)


@pytest.mark.parametrize("lam", [0.0, 0.1, 3.0])
def test_regularized_cost_adds_the_weight_penalty(lam):
    p = RNG.uniform(0.1, 0.9, (5, 2))
    y = (RNG.random((5, 2)) < 0.5).astype(float)
    weights = [RNG.standard_normal((4, 3)), RNG.standard_normal((2, 4))]
    penalty = lam / (2 * 5) * (np.sum(weights[0] ** 2) + np.sum(weights[1] ** 2))
    assert regularized_cost(p, y, weights, lam) == pytest.approx(cross_entropy(p, y) + penalty)
    assert l2_penalty(weights, lam, 5) == pytest.approx(penalty)


def test_penalty_gradient_is_lambda_over_m_times_w():
    # the lecture's slide writes λΘ; the gradient of λ/(2m) ΣW² is (λ/m) W
    W = RNG.standard_normal((3, 2))
    numeric = numerical_gradient(lambda w: l2_penalty([w], 0.7, 4), W, method="complex")
    assert relative_error(numeric, 0.7 / 4 * W) <= 1e-7


P, Y = np.array([0.2, 0.7]), np.array([0.0, 1.0])
BAD_CALLS = [
    (
        lambda: mse([1.0, 2.0], [1.0, 2.0, 3.0]),
        ValueError,
        r"pred has shape \(2,\) but y has shape \(3,\)",
    ),
    (lambda: mse_grad(np.ones((2, 3)), np.ones((3, 2))), ValueError, "pred has shape"),
    (lambda: mse(1.0, 2.0), ValueError, r"one example per row"),
    (lambda: mse([], []), ValueError, r"one example per row"),
    (lambda: mse([np.nan, 1.0], [1.0, 1.0]), ValueError, "pred has non-finite"),
    (lambda: mse([1.0, 1.0], [np.inf, 1.0]), ValueError, "y has non-finite"),
    (lambda: mse(["a"], ["b"]), TypeError, "pred must be an array of real numbers"),
    (lambda: cross_entropy([0.0, 0.5], Y), ValueError, r"strictly between 0 and 1"),
    (lambda: cross_entropy([1.0, 0.5], Y), ValueError, r"strictly between 0 and 1"),
    (lambda: cross_entropy_grad([1.5, 0.5], Y), ValueError, r"strictly between 0 and 1"),
    (lambda: cross_entropy(P, [2.0, 0.0]), ValueError, r"y must hold labels in \[0, 1\]"),
    (lambda: cross_entropy(P, [[0.0, 1.0]]), ValueError, "p has shape"),
    (
        lambda: regularized_cost(P, Y, [np.ones((2, 2))], -0.1),
        ValueError,
        r"lam \(λ\) must be .* ≥ 0",
    ),
    (lambda: regularized_cost(P, Y, [np.ones((2, 2))], np.inf), ValueError, "finite"),
    (
        lambda: regularized_cost(P, Y, [np.ones((2, 2))], "0.1"),
        TypeError,
        "lam must be a real number",
    ),
    (lambda: regularized_cost(P, Y, np.ones((2, 2)), 0.1), TypeError, "list of weight matrices"),
    (
        lambda: regularized_cost(P, Y, [np.full((2, 2), np.nan)], 0.1),
        ValueError,
        r"weights\[0\] has non-finite",
    ),
    (lambda: l2_penalty([np.ones(2)], 0.1, 0), ValueError, "m must be an integer ≥ 1"),
]


@pytest.mark.parametrize(("call", "error", "message"), BAD_CALLS)
def test_bad_input_raises_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()
