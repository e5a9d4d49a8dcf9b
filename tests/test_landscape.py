"""optimlib.landscape: slices of a cost checked against closed forms, and filter normalization."""

import numpy as np
import pytest

from optimlib.landscape import (
    filter_normalize,
    interpolate,
    random_direction,
    slice_1d,
    slice_2d,
)
from optimlib.nn import MLP

RNG = np.random.default_rng(1234)
A = (lambda M: M @ M.T + np.eye(4))(RNG.standard_normal((4, 4)))  # symmetric positive definite
B = RNG.standard_normal(4)


def J(x):
    """The quadratic J(x) = ½ xᵀAx − bᵀx, written out here, independent of optimlib."""
    return 0.5 * x @ A @ x - B @ x


def grad_J(x):
    return A @ x - B


# The same quadratic seen through two parameter structures: one vector, or a list of a
# (2, 1) "weight" and a length-2 "bias" whose concatenation is that vector.
STRUCTURES = {
    "array": (lambda x: x, lambda p: p),
    "list": (
        lambda x: [x[:2].reshape(2, 1), x[2:]],
        lambda p: np.concatenate([a.ravel() for a in p]),
    ),
}


@pytest.mark.parametrize("structure", STRUCTURES)
def test_slice_1d_matches_the_quadratic_closed_form(structure):
    split, join = STRUCTURES[structure]
    theta, delta = RNG.standard_normal(4), RNG.standard_normal(4)
    alphas = np.linspace(-2, 3, 11)
    got = slice_1d(lambda p: J(join(p)), split(theta), split(delta), alphas)
    # J(θ + αδ) = J(θ) + α ∇J(θ)·δ + ½ α² δᵀAδ
    want = J(theta) + alphas * (grad_J(theta) @ delta) + 0.5 * alphas**2 * (delta @ A @ delta)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    assert got.shape == (11,)


@pytest.mark.parametrize("structure", STRUCTURES)
def test_slice_2d_matches_the_quadratic_closed_form(structure):
    split, join = STRUCTURES[structure]
    theta, d1, d2 = RNG.standard_normal((3, 4))
    alphas, betas = np.linspace(-1, 1, 5), np.linspace(-2, 2, 7)  # different lengths
    got = slice_2d(lambda p: J(join(p)), split(theta), split(d1), split(d2), alphas, betas)
    assert got.shape == (7, 5)  # (len(betas), len(alphas)), as plt.contour(alphas, betas, Z) wants
    a, b = np.meshgrid(alphas, betas)  # a[j, i] = α_i, b[j, i] = β_j
    g = grad_J(theta)
    want = (
        J(theta)
        + a * (g @ d1)
        + b * (g @ d2)
        + 0.5 * (a**2 * (d1 @ A @ d1) + 2 * a * b * (d1 @ A @ d2) + b**2 * (d2 @ A @ d2))
    )
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_slice_2d_at_beta_zero_is_the_1d_slice():
    theta, d1, d2 = RNG.standard_normal((3, 4))
    alphas, betas = np.linspace(-1, 1, 9), np.array([-1.0, 0.0, 1.0])
    Z = slice_2d(J, theta, d1, d2, alphas, betas)
    np.testing.assert_allclose(Z[1], slice_1d(J, theta, d1, alphas), rtol=1e-14)
    np.testing.assert_allclose(Z[:, 4], slice_1d(J, theta, d2, betas), rtol=1e-14)  # α = 0


@pytest.mark.parametrize("structure", STRUCTURES)
def test_interpolate_endpoints_and_closed_form(structure):
    split, join = STRUCTURES[structure]
    theta0, theta1 = RNG.standard_normal((2, 4))
    cost = lambda p: J(join(p))  # noqa: E731
    alphas = np.array([0.0, 0.25, 0.5, 1.0, 1.5])
    got = interpolate(cost, split(theta0), split(theta1), alphas)
    assert got[0] == cost(split(theta0))
    assert got[3] == cost(split(theta1))
    want = [J((1 - a) * theta0 + a * theta1) for a in alphas]
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_inputs_are_not_modified():
    params = [RNG.standard_normal((3, 2)), RNG.standard_normal(3)]
    saved = [p.copy() for p in params]
    delta = random_direction(params, np.random.default_rng(0))
    slice_1d(lambda p: float(np.sum(p[0])), params, delta, [0.0, 1.0])
    for p, s in zip(params, saved, strict=True):
        np.testing.assert_array_equal(p, s)


# --- random directions --------------------------------------------------------------------


def test_filter_normalization_matches_row_norms_and_zeroes_biases():
    params = [
        RNG.standard_normal((5, 3)),  # W1: 5 units, 3 incoming weights each
        RNG.standard_normal(5),  # b1
        3.0 * RNG.standard_normal((2, 5)),
        RNG.standard_normal(2),
        RNG.standard_normal((4, 2, 3)),  # a conv-like array: filters along the first axis
    ]
    delta = random_direction(params, np.random.default_rng(7))
    assert [d.shape for d in delta] == [p.shape for p in params]
    for d, p in zip(delta, params, strict=True):
        if p.ndim == 1:
            np.testing.assert_array_equal(d, 0.0)
        else:
            rows = lambda a: np.linalg.norm(a.reshape(a.shape[0], -1), axis=1)  # noqa: E731
            np.testing.assert_allclose(rows(d), rows(p), rtol=1e-13)
            assert not np.allclose(d, p)  # a random direction, not θ itself


def test_filter_normalization_of_a_single_weight_matrix():
    W = RNG.standard_normal((3, 4))
    delta = random_direction(W, np.random.default_rng(0))
    assert isinstance(delta, np.ndarray)
    np.testing.assert_allclose(np.linalg.norm(delta, axis=1), np.linalg.norm(W, axis=1))


def test_filter_normalization_keeps_a_zero_filter_zero():
    W = np.array([[1.0, 2.0], [0.0, 0.0]])
    delta = random_direction(W, np.random.default_rng(0))
    np.testing.assert_array_equal(delta[1], 0.0)


def test_filter_normalize_by_hand():
    theta = [np.array([[3.0, 4.0], [0.0, 2.0], [1.0, 1.0]]), np.array([1.0, 2.0, 3.0])]
    delta = [np.array([[0.0, 2.0], [5.0, 0.0], [0.0, 0.0]]), np.array([4.0, 5.0, 6.0])]
    got = filter_normalize(theta, delta)
    # rows: (0, 2) scaled to norm 5, (5, 0) to norm 2, a zero row stays zero; bias zeroed
    np.testing.assert_array_equal(got[0], [[0.0, 5.0], [2.0, 0.0], [0.0, 0.0]])
    np.testing.assert_array_equal(got[1], [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(delta[0][0], [0.0, 2.0])  # the input is not modified


def test_filter_normalize_keeps_each_filters_direction():
    theta, delta = RNG.standard_normal((4, 2, 3)), RNG.standard_normal((4, 2, 3))
    got = filter_normalize(theta, delta)
    for g, d, t in zip(got, delta, theta, strict=True):  # filter i is the slice [i]
        np.testing.assert_allclose(g, d * np.linalg.norm(t) / np.linalg.norm(d), rtol=1e-13)


def test_filtered_random_direction_is_the_normalized_raw_draw():
    params = [RNG.standard_normal((3, 2)), RNG.standard_normal(3), RNG.standard_normal((1, 3))]
    raw = random_direction(params, np.random.default_rng(9), normalize=None)
    filtered = random_direction(params, np.random.default_rng(9))
    for f, n in zip(filtered, filter_normalize(params, raw), strict=True):
        np.testing.assert_array_equal(f, n)


def test_raw_direction_is_the_generators_gaussian_draw():
    params = [np.ones((3, 2)), np.ones(3)]
    delta = random_direction(params, np.random.default_rng(5), normalize=None)
    draw = np.random.default_rng(5)
    want = [draw.standard_normal((3, 2)), draw.standard_normal(3)]
    for d, w in zip(delta, want, strict=True):
        np.testing.assert_array_equal(d, w)


def test_directions_are_reproducible_with_the_seed():
    params = [RNG.standard_normal((4, 3)), RNG.standard_normal(4)]
    d1 = random_direction(params, np.random.default_rng(3))
    d2 = random_direction(params, np.random.default_rng(3))
    d3 = random_direction(params, np.random.default_rng(4))
    np.testing.assert_array_equal(d1[0], d2[0])
    assert not np.allclose(d1[0], d3[0])


# --- scale invariance: why filter normalization -------------------------------------------


def relu_net_cost(params, X, Y):
    """½/m ‖W2 relu(W1 x + b1) + b2 − y‖², written out here, independent of optimlib.nn."""
    W1, b1, W2, b2 = params
    H = np.maximum(X @ W1.T + b1, 0.0)
    R = H @ W2.T + b2 - Y
    return 0.5 * np.sum(R * R) / len(X)


def rescaled(params, c):
    """(cW1, cb1, W2/c, b2): the same ReLU network, since relu(cz) = c relu(z) for c > 0."""
    W1, b1, W2, b2 = params
    return [c * W1, c * b1, W2 / c, b2]


@pytest.fixture(scope="module")
def relu_problem():
    rng = np.random.default_rng(11)
    X, Y = rng.standard_normal((20, 3)), rng.standard_normal((20, 2))
    params = [rng.standard_normal((6, 3)), rng.standard_normal(6)]
    params += [rng.standard_normal((2, 6)), rng.standard_normal(2)]
    return X, Y, params


@pytest.mark.parametrize("c", [0.1, 5.0])
def test_filter_normalized_slice_is_scale_invariant(relu_problem, c):
    X, Y, params = relu_problem
    cost = lambda p: relu_net_cost(p, X, Y)  # noqa: E731
    scaled = rescaled(params, c)
    assert cost(scaled) == pytest.approx(cost(params), rel=1e-12)  # the same function
    alphas = np.linspace(-1, 1, 9)
    plain = slice_1d(cost, params, random_direction(params, np.random.default_rng(0)), alphas)
    moved = slice_1d(cost, scaled, random_direction(scaled, np.random.default_rng(0)), alphas)
    np.testing.assert_allclose(moved, plain, rtol=1e-10)
    # Without normalization the same draw gives a different-looking landscape.
    raw = slice_1d(cost, params, random_direction(params, np.random.default_rng(0), None), alphas)
    raw_scaled = slice_1d(
        cost, scaled, random_direction(scaled, np.random.default_rng(0), None), alphas
    )
    assert not np.allclose(raw_scaled, raw, rtol=1e-2)


def test_scale_invariance_with_optimlib_mlp(relu_problem):
    X, Y, _ = relu_problem
    net = MLP([3, 6, 2], activation="relu", loss="mse", seed=2)
    net.params = [p + 0.1 for p in net.params]  # nonzero biases
    cost = lambda p: net.cost(X, Y, params=p)  # noqa: E731
    scaled = rescaled(net.params, 4.0)
    d1, d2 = (random_direction(net.params, np.random.default_rng(s)) for s in (1, 2))
    e1, e2 = (random_direction(scaled, np.random.default_rng(s)) for s in (1, 2))
    alphas, betas = np.linspace(-1, 1, 5), np.linspace(-1, 1, 4)
    np.testing.assert_allclose(
        slice_2d(cost, scaled, e1, e2, alphas, betas),
        slice_2d(cost, net.params, d1, d2, alphas, betas),
        rtol=1e-10,
    )


# --- bad input ------------------------------------------------------------------------------

W, b = np.ones((2, 3)), np.ones(2)
GEN = np.random.default_rng(0)


def total(p):
    return float(sum(np.sum(a) for a in p)) if isinstance(p, list) else float(np.sum(p))


BAD = [
    ("slice_1d shape", lambda: slice_1d(total, [W, b], [W, np.ones(3)], [0.0]), ValueError,
     r"direction\[1\] has shape \(3,\) but params\[1\] has shape \(2,\)"),
    ("slice_1d length", lambda: slice_1d(total, [W, b], [W], [0.0]), ValueError,
     "direction has 1 arrays but params has 2"),
    ("slice_1d kind", lambda: slice_1d(total, W, [W], [0.0]), ValueError,
     "direction is a list of arrays but params is one array"),
    ("slice_1d nan", lambda: slice_1d(total, W, W * np.nan, [0.0]), ValueError,
     "direction has non-finite"),
    ("slice_1d alphas 2-D", lambda: slice_1d(total, W, W, np.zeros((2, 2))), ValueError,
     "alphas must be a 1-D"),
    ("slice_1d cost", lambda: slice_1d("J", W, W, [0.0]), TypeError, "cost must be callable"),
    ("slice_1d cost value", lambda: slice_1d(lambda p: p, W, W, [0.0]), TypeError,
     "cost must return a real number"),
    ("slice_1d empty", lambda: slice_1d(total, [], [], [0.0]), ValueError, "params is an empty"),
    ("slice_2d d2", lambda: slice_2d(total, W, W, W.T, [0.0], [0.0]), ValueError,
     r"d2 has shape \(3, 2\) but params has shape \(2, 3\)"),
    ("slice_2d betas", lambda: slice_2d(total, W, W, W, [0.0], [[0.0]]), ValueError,
     "betas must be a 1-D"),
    ("interpolate", lambda: interpolate(total, [W, b], [W, W], [0.0]), ValueError,
     r"theta1\[1\] has shape \(2, 3\) but theta0\[1\] has shape \(2,\)"),
    ("normalize", lambda: random_direction(W, GEN, normalize="layer"), ValueError,
     "unknown normalize 'layer'"),
    ("rng", lambda: random_direction(W, 0), TypeError, "rng must be a np.random.Generator"),
    ("biases only", lambda: random_direction(b, GEN), ValueError,
     "zero direction .* use normalize=None"),
    ("filter_normalize shape", lambda: filter_normalize([W, b], [W.T, b]), ValueError,
     r"direction\[0\] has shape \(3, 2\) but params\[0\] has shape \(2, 3\)"),
    ("filter_normalize nan", lambda: filter_normalize(W, W * np.inf), ValueError,
     "direction has non-finite"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "error", "match"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_input_raises_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()
