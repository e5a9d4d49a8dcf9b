"""optimlib.nn: backpropagation against numerical gradients and the lecture's loop."""

import itertools

import numpy as np
import pytest

from optimlib.gradients import gradient_check, numerical_gradient, relative_error
from optimlib.losses import cross_entropy, l2_penalty, mse, regularized_cost
from optimlib.nn import MLP, sigmoid

SIZES = [3, 5, 4, 2]  # two hidden layers
ACTIVATIONS = ["sigmoid", "tanh", "relu"]
LOSSES = ["cross_entropy", "mse"]
LAMS = [0.0, 0.7]


def data(sizes=SIZES, m=7, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, sizes[0]))
    Y = (rng.random((m, sizes[-1])) < 0.5).astype(float)
    return X, Y


def with_random_biases(net, seed=3):
    """The initial biases are 0; make them nonzero so their gradients are tested too."""
    rng = np.random.default_rng(seed)
    net.params = [p if p.ndim == 2 else 0.3 * rng.standard_normal(p.shape) for p in net.params]
    return net


@pytest.mark.parametrize(
    ("activation", "loss", "lam"), list(itertools.product(ACTIVATIONS, LOSSES, LAMS))
)
def test_backprop_matches_the_complex_step(activation, loss, lam):
    net = with_random_biases(MLP(SIZES, activation=activation, loss=loss, seed=2))
    X, Y = data()
    error = gradient_check(
        lambda p: net.cost(X, Y, lam, params=p),
        lambda p: net.cost_and_grad(X, Y, lam, params=p)[1],
        net.params,
        method="complex",
    )
    assert error <= 1e-7


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_backprop_matches_central_differences(activation):
    # no complex arithmetic involved: the real code path, checked the cs231n way
    net = with_random_biases(MLP([4, 6, 3, 3], activation=activation, seed=5))
    X, Y = data([4, 6, 3, 3], m=10, seed=6)
    error = gradient_check(
        lambda p: net.cost(X, Y, 0.3, params=p),
        lambda p: net.cost_and_grad(X, Y, 0.3, params=p)[1],
        net.params,
    )
    assert error <= 1e-7


def lecture_backprop(net, X, Y, lam):
    """The lecture's algorithm, literally: a loop over examples, Δ accumulated one by one.

    Only for sigmoid hidden layers and cross-entropy, with Θ⁽ˡ⁾ = [b⁽ˡ⁾ W⁽ˡ⁾] and a bias
    unit a₀ = 1 prepended to every activation vector.
    """
    thetas = [
        np.column_stack([b, W]) for W, b in zip(net.params[0::2], net.params[1::2], strict=True)
    ]
    deltas_acc = [np.zeros_like(t) for t in thetas]  # Δ⁽ˡ⁾ = 0 for all l, i, j
    m = X.shape[0]
    for i in range(m):
        a = [X[i]]
        for theta in thetas:  # forward propagation
            a.append(1 / (1 + np.exp(-(theta @ np.r_[1.0, a[-1]]))))
        delta = a[-1] - Y[i]  # δ⁽ᴸ⁾ = a⁽ᴸ⁾ − y⁽ⁱ⁾
        for layer in range(len(thetas) - 1, -1, -1):
            deltas_acc[layer] += np.outer(delta, np.r_[1.0, a[layer]])  # Δ += δ⁽ˡ⁺¹⁾ (a⁽ˡ⁾)ᵀ
            if layer > 0:  # δ⁽ˡ⁾ = (Θ⁽ˡ⁾)ᵀ δ⁽ˡ⁺¹⁾ ⊙ a⁽ˡ⁾(1 − a⁽ˡ⁾), without the bias unit
                delta = (thetas[layer].T @ delta)[1:] * a[layer] * (1 - a[layer])
    D = []
    for acc, theta in zip(deltas_acc, thetas, strict=True):
        d = acc / m
        d[:, 1:] += lam / m * theta[:, 1:]  # j ≠ 0: + (λ/m) Θ; j = 0 (bias): no penalty
        D += [d[:, 1:], d[:, 0]]
    return D


@pytest.mark.parametrize("lam", LAMS)
def test_vectorized_backprop_equals_the_lectures_loop(lam):
    net = with_random_biases(MLP(SIZES, seed=4))
    X, Y = data(m=9)
    _, grads = net.cost_and_grad(X, Y, lam)
    assert relative_error(grads, lecture_backprop(net, X, Y, lam)) <= 1e-13


@pytest.mark.parametrize("lam", LAMS)
def test_cost_is_the_losses_modules_cost(lam):
    X, Y = data()
    ce = with_random_biases(MLP(SIZES, activation="tanh", seed=8))
    weights = ce.params[0::2]
    assert ce.cost(X, Y, lam) == pytest.approx(
        regularized_cost(ce.forward(X), Y, weights, lam), rel=1e-12
    )
    sq = with_random_biases(MLP(SIZES, activation="relu", loss="mse", seed=8))
    expected = mse(sq.forward(X), Y) + l2_penalty(sq.params[0::2], lam, X.shape[0])
    assert sq.cost(X, Y, lam) == pytest.approx(expected, rel=1e-12)


def test_cost_and_grad_returns_the_cost():
    net, (X, Y) = MLP(SIZES, seed=0), data()
    J, grads = net.cost_and_grad(X, Y, 0.5)
    assert isinstance(J, float) and J == net.cost(X, Y, 0.5)
    assert [g.shape for g in grads] == [p.shape for p in net.params]


def test_saturated_outputs_give_a_finite_cost_and_gradient():
    # logits of ±1000: sigmoid(z) is 0 or 1 in float64, yet log(1 − a) must not be −inf
    net = MLP([2, 1], seed=0)
    net.params = [np.array([[1000.0, 0.0]]), np.array([0.0])]
    X, Y = np.array([[1.0, 0.0], [-1.0, 0.0]]), np.array([[0.0], [1.0]])
    J, grads = net.cost_and_grad(X, Y)
    assert J == pytest.approx(1000.0)  # each example costs |z| = 1000 nats
    assert np.allclose(grads[0], [[1.0, 0.0]]) and np.allclose(grads[1], [0.0])
    assert net.cost(X, 1 - Y) == pytest.approx(0.0, abs=1e-300)


def test_zero_weights_leave_hidden_units_identical_the_symmetry_problem():
    net = MLP([3, 4, 4, 2], activation="sigmoid", weight_scale=0.0)
    assert all(np.all(p == 0) for p in net.params)
    X, Y = data([3, 4, 4, 2], m=8)
    for _ in range(5):  # plain gradient descent
        _, grads = net.cost_and_grad(X, Y)
        for k in (0, 2):  # W⁽¹⁾, W⁽²⁾, b⁽¹⁾, b⁽²⁾: every hidden unit (row) gets the same gradient
            assert np.allclose(grads[k], grads[k][:1], rtol=0, atol=1e-15)
            assert np.allclose(grads[k + 1], grads[k + 1][0], rtol=0, atol=1e-15)
        # W⁽³⁾: every hidden unit's outgoing weights (column) get the same gradient
        assert np.allclose(grads[4], grads[4][:, :1], rtol=0, atol=1e-15)
        net.params = [p - 1.0 * g for p, g in zip(net.params, grads, strict=True)]
    W1 = net.params[0]
    assert np.ptp(W1, axis=0).max() < 1e-15  # the 4 hidden units are still copies
    assert np.abs(W1).max() > 0  # ... although they did learn something
    # with random weights the units differ
    net = MLP([3, 4, 4, 2], seed=0)
    assert np.ptp(net.cost_and_grad(X, Y)[1][0], axis=0).max() > 1e-3


def test_initialization():
    net = MLP([400, 300, 10], seed=0)
    W1, b1, _, b2 = net.params
    assert [p.shape for p in net.params] == [(300, 400), (300,), (10, 300), (10,)]
    assert np.all(b1 == 0) and np.all(b2 == 0)
    assert W1.std() == pytest.approx(1 / np.sqrt(400), rel=0.02)  # σ = 1/√s_l
    assert MLP([400, 300], weight_scale=0.1).params[0].std() == pytest.approx(0.1, rel=0.02)
    assert W1.dtype == np.float64


def test_seed_and_generator_reproduce_the_initial_weights():
    a, b = MLP(SIZES, seed=7), MLP(SIZES, seed=np.random.default_rng(7))
    assert all(np.array_equal(p, q) for p, q in zip(a.params, b.params, strict=True))
    c = MLP(SIZES, seed=8)
    assert not np.array_equal(a.params[0], c.params[0])


def test_forward_and_predict():
    net = MLP([2, 3], loss="mse", seed=0)
    W = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
    net.params = [W, np.zeros(3)]
    X = np.array([[2.0, 1.0], [0.0, 3.0], [-2.0, -2.0]])
    assert np.allclose(net.forward(X), X @ W.T)  # identity outputs for mse
    assert np.array_equal(net.predict(X), [0, 1, 2])
    binary = MLP([1, 1], seed=0)
    binary.params = [np.array([[1.0]]), np.array([0.0])]
    assert np.array_equal(binary.predict(np.array([[-2.0], [3.0]])), [0, 1])
    assert np.allclose(binary.forward(np.array([[0.0]])), 0.5)


def test_one_dimensional_targets_for_a_single_output():
    net, (X, Y) = MLP([3, 4, 1], seed=0), data([3, 4, 1])
    assert net.cost(X, Y[:, 0]) == net.cost(X, Y)


def test_gradient_descent_learns_xor():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    Y = np.array([[0.0], [1.0], [1.0], [0.0]])
    net = MLP([2, 4, 1], activation="tanh", seed=0, weight_scale=1.0)
    J0 = net.cost(X, Y)
    for _ in range(2000):
        _, grads = net.cost_and_grad(X, Y)
        net.params = [p - 0.5 * g for p, g in zip(net.params, grads, strict=True)]
    assert net.cost(X, Y) < 0.05 < J0
    assert np.array_equal(net.predict(X), [0, 1, 1, 0])


def test_sigmoid_is_stable_and_complex_safe():
    z = np.array([-800.0, -30.0, 0.0, 30.0, 800.0])
    s = sigmoid(z)
    assert np.all(np.isfinite(s)) and s[2] == 0.5 and s[-1] == 1.0 and s[0] == 0.0
    assert sigmoid(-30.0) == pytest.approx(np.exp(-30.0), rel=1e-12)  # no cancellation
    d = numerical_gradient(lambda v: np.sum(sigmoid(v)), np.array([-2.0, 0.5]), method="complex")
    s = sigmoid(np.array([-2.0, 0.5]))
    assert np.allclose(d, s * (1 - s), rtol=1e-14)


BAD_CONSTRUCTORS = [
    (dict(layer_sizes=[3]), ValueError, "at least 2 layers"),
    (dict(layer_sizes=[3, 0, 2]), ValueError, "at least 1 unit"),
    (dict(layer_sizes=[3, 2.5]), TypeError, "layer sizes must be ints"),
    (dict(layer_sizes=5), TypeError, "layer_sizes must be a list"),
    (
        dict(layer_sizes=[3, 2], activation="softplus"),
        ValueError,
        "unknown activation 'softplus'; choose one of 'sigmoid', 'tanh', 'relu'",
    ),
    (
        dict(layer_sizes=[3, 2], loss="hinge"),
        ValueError,
        "unknown loss 'hinge'; choose one of 'cross_entropy', 'mse'",
    ),
    (dict(layer_sizes=[3, 2], weight_scale=-1.0), ValueError, "weight_scale must be None or"),
    (
        dict(layer_sizes=[3, 2], seed="abc"),
        TypeError,
        "seed must be a np.random.Generator or an int",
    ),
]


@pytest.mark.parametrize(("kwargs", "error", "message"), BAD_CONSTRUCTORS)
def test_constructor_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        MLP(**kwargs)


NET = MLP([4, 3, 2], seed=0)
X4, Y2 = np.ones((5, 4)), np.zeros((5, 2))
BAD_CALLS = [
    (
        lambda: NET.forward(np.ones((5, 3))),
        ValueError,
        "X has 3 columns but the network's input layer has 4 units",
    ),
    (lambda: NET.forward(np.ones(4)), ValueError, r"X must be a 2-D array .* got shape \(4,\)"),
    (lambda: NET.forward(np.ones((0, 4))), ValueError, "X has no rows"),
    (lambda: NET.cost(np.full((5, 4), np.nan), Y2), ValueError, "X has non-finite"),
    (lambda: NET.cost(X4, np.zeros((4, 2))), ValueError, r"Y must have shape \(m, K\) = \(5, 2\)"),
    (lambda: NET.cost(X4, np.zeros(5)), ValueError, r"got shape \(5,\)"),
    (lambda: NET.cost(X4, np.full((5, 2), 2.0)), ValueError, r"labels in \[0, 1\]"),
    (lambda: NET.cost(X4, Y2, lam=-1.0), ValueError, r"lam \(λ\) must be a finite number ≥ 0"),
    (lambda: NET.cost_and_grad(X4, Y2, lam=-0.5), ValueError, "≥ 0"),
    (lambda: NET.cost(X4, Y2, params=NET.params[:3]), ValueError, r"params must hold 4 arrays"),
    (
        lambda: NET.cost(X4, Y2, params=[np.ones((3, 4)), np.ones(3), np.ones((3, 2)), np.ones(2)]),
        ValueError,
        r"params\[2\] \(W2\) must have shape \(2, 3\), got \(3, 2\)",
    ),
    (lambda: NET.forward(X4, params=np.ones(3)), TypeError, "params must be a list of arrays"),
    (lambda: setattr(NET, "params", [np.ones((3, 4))]), ValueError, "params must hold 4 arrays"),
    (
        lambda: setattr(
            NET, "params", [np.ones((3, 4)), np.ones(3), np.ones((2, 3)), np.ones(2) * 1j]
        ),
        TypeError,
        "real numbers",
    ),
]


@pytest.mark.parametrize(("call", "error", "message"), BAD_CALLS)
def test_bad_input_raises_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_unregularized_cost_is_the_cross_entropy_of_the_outputs():
    net, (X, Y) = MLP(SIZES, seed=3), data()
    assert net.cost(X, Y) == pytest.approx(cross_entropy(net.forward(X), Y), rel=1e-12)
