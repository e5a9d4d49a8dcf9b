"""optimlib.train: loops checked against closed forms and hand-written iterations."""

import numpy as np
import pytest

from optimlib.functions import quadratic
from optimlib.nn import MLP
from optimlib.optimizers import GD, Adam, Momentum
from optimlib.train import History, fit, minibatches, minimize

# --- minimize -------------------------------------------------------------------------------

QUADRATICS = [
    ("well conditioned", [[2.0, 0.0], [0.0, 1.0]], 0.3, [1.0, -2.0]),
    ("ill conditioned", [[1.0, 0.0], [0.0, 50.0]], 0.035, [3.0, 1.0]),
    ("coupled 3-D", [[3.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 1.0]], 0.2, [1.0, 1.0, 1.0]),
]


@pytest.mark.parametrize(
    ("A", "lr", "x0"), [q[1:] for q in QUADRATICS], ids=[q[0] for q in QUADRATICS]
)
def test_gd_on_a_quadratic_matches_the_closed_form(A, lr, x0):
    A, x0 = np.array(A), np.array(x0)
    steps = 25
    path = minimize(quadratic(A), x0, GD(lr=lr), steps)
    # ∇f = Ax, so x_k = x_{k−1} − ηAx_{k−1} = (I − ηA)^k x₀
    M = np.eye(len(x0)) - lr * A
    want = np.array([np.linalg.matrix_power(M, k) @ x0 for k in range(steps + 1)])
    np.testing.assert_allclose(path, want, rtol=1e-12, atol=1e-15)


def test_gd_with_a_linear_term_converges_to_the_solution_of_ax_equals_b():
    A, b, x0 = np.array([[2.0, 0.5], [0.5, 1.0]]), np.array([1.0, -1.0]), np.zeros(2)
    lr, steps = 0.4, 30
    path = minimize(quadratic(A, b), x0, GD(lr=lr), steps)
    x_star = np.linalg.solve(A, b)  # x_k − x* = (I − ηA)^k (x₀ − x*)
    M = np.eye(2) - lr * A
    np.testing.assert_allclose(
        path[steps], x_star + np.linalg.matrix_power(M, steps) @ (x0 - x_star)
    )


@pytest.mark.parametrize("steps", [0, 1, 7])
def test_trajectory_shape_and_x0_untouched(steps):
    x0 = np.array([0.5, -0.25, 1.0])
    saved = x0.copy()
    path = minimize(quadratic(np.eye(3)), x0, GD(lr=0.1), steps)
    assert path.shape == (steps + 1, 3)
    assert path.dtype == np.float64
    np.testing.assert_array_equal(path[0], saved)
    np.testing.assert_array_equal(x0, saved)
    path[0, 0] = 99.0  # row 0 is a copy, not x0 itself
    assert x0[0] == 0.5


def test_minimize_accepts_a_list_and_starts_from_fresh_optimizer_state():
    f, opt = quadratic([[1.0, 0.0], [0.0, 10.0]]), Momentum(lr=0.01, momentum=0.9)
    first = minimize(f, [1.0, 1.0], opt, 20)
    again = minimize(f, [1.0, 1.0], opt, 20)  # the velocity of the first run is forgotten
    np.testing.assert_array_equal(again, first)
    np.testing.assert_array_equal(first, minimize(f, [1.0, 1.0], Momentum(lr=0.01), 20))


def test_divergence_raises_instead_of_returning_nan():
    f = quadratic([[1.0, 0.0], [0.0, 100.0]])  # lr 0.1 > 2/λ_max = 0.02: |1 − ηλ| = 9
    with pytest.raises(ValueError, match=r"diverged at step \d+: .*try a smaller lr"):
        minimize(f, [1.0, 1.0], GD(lr=0.1), 2000)


class NoGrad:
    def value(self, x):
        return 0.0


MINIMIZE_BAD = [
    ("no grad", dict(objective=NoGrad()), TypeError, "objective must have a grad"),
    ("x0 2-D", dict(x0=np.ones((2, 1))), ValueError, r"x0 must be a non-empty 1-D .*\(2, 1\)"),
    ("x0 empty", dict(x0=[]), ValueError, "x0 must be a non-empty 1-D"),
    ("x0 nan", dict(x0=[np.nan, 0.0]), ValueError, "x0 has non-finite"),
    ("x0 text", dict(x0=["a", "b"]), TypeError, "x0 must be an array of real numbers"),
    ("steps < 0", dict(steps=-1), ValueError, "steps must be an integer ≥ 0, got -1"),
    ("steps float", dict(steps=2.5), TypeError, "steps must be an integer, got float"),
    ("steps bool", dict(steps=True), TypeError, "steps must be an integer, got bool"),
]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"), [c[1:] for c in MINIMIZE_BAD], ids=[c[0] for c in MINIMIZE_BAD]
)
def test_minimize_bad_input(kwargs, error, match):
    args = dict(objective=quadratic(np.eye(2)), x0=[1.0, 1.0], optimizer=GD(lr=0.1), steps=3)
    with pytest.raises(error, match=match):
        minimize(**{**args, **kwargs})


# --- minibatches ----------------------------------------------------------------------------

SIZES = [(10, 3, [3, 3, 3, 1]), (10, 5, [5, 5]), (7, 1, [1] * 7), (7, 7, [7]), (1, 1, [1])]


@pytest.mark.parametrize(("n", "batch_size", "sizes"), SIZES)
def test_minibatches_cover_one_permutation(n, batch_size, sizes):
    batches = list(minibatches(n, batch_size, np.random.default_rng(0)))
    assert [len(B) for B in batches] == sizes
    assert all(B.dtype.kind == "i" for B in batches)
    np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(n))


def test_minibatches_are_slices_of_the_generators_permutation():
    got = np.concatenate(list(minibatches(50, 8, np.random.default_rng(3))))
    np.testing.assert_array_equal(got, np.random.default_rng(3).permutation(50))


def test_minibatches_reproducible_with_a_seed_and_different_with_another():
    order = lambda seed: np.concatenate(list(minibatches(40, 6, np.random.default_rng(seed))))  # noqa: E731
    np.testing.assert_array_equal(order(1), order(1))
    assert not np.array_equal(order(1), order(2))
    rng = np.random.default_rng(1)  # one generator: a new order every epoch
    first, second = (np.concatenate(list(minibatches(40, 6, rng))) for _ in range(2))
    assert not np.array_equal(first, second)


MINIBATCH_BAD = [
    ("size 0", (5, 0), ValueError, r"batch_size must be an integer ≥ 1, got 0"),
    ("size > n", (5, 6), ValueError, r"batch_size must be in \[1, n\] = \[1, 5\], got 6"),
    ("size float", (5, 2.0), TypeError, "batch_size must be an integer"),
    ("n = 0", (0, 1), ValueError, "n must be an integer ≥ 1"),
]


@pytest.mark.parametrize(
    ("args", "error", "match"), [c[1:] for c in MINIBATCH_BAD], ids=[c[0] for c in MINIBATCH_BAD]
)
def test_minibatches_bad_input(args, error, match):
    with pytest.raises(error, match=match):
        minibatches(*args, np.random.default_rng(0))  # raises at the call, not on iteration


def test_minibatches_needs_a_generator():
    with pytest.raises(TypeError, match=r"rng must be a np\.random\.Generator, got int"):
        minibatches(5, 2, 0)


# --- fit ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def regression():
    rng = np.random.default_rng(42)
    X = rng.standard_normal((12, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3 + 0.1 * rng.standard_normal(12)
    return X, y[:, None]


def linear_model(seed=0):
    """Linear regression as an MLP with no hidden layer: h(x) = Wx + b, J = 1/(2m) Σ r²."""
    return MLP([3, 1], loss="mse", seed=seed)


@pytest.mark.parametrize("lam", [0.0, 0.7])
def test_batch_gd_on_linear_regression_matches_the_normal_equations(regression, lam):
    X, Y = regression
    m, lr, epochs = len(X), 0.1, 6
    model = linear_model()
    W, b = model.params
    history = fit(model, X, Y, GD(lr=lr), epochs, lam=lam)
    # θ = (b, w) and X̃ = [1 X]: ∇J = (X̃ᵀX̃ θ − X̃ᵀy + λ D θ)/m with D = diag(0, 1, …, 1),
    # so θ_k = θ* + (I − η (X̃ᵀX̃ + λD)/m)^k (θ₀ − θ*), (X̃ᵀX̃ + λD) θ* = X̃ᵀy.
    Xt = np.hstack([np.ones((m, 1)), X])
    H = Xt.T @ Xt + lam * np.diag([0.0, 1, 1, 1])
    theta_star = np.linalg.solve(H, Xt.T @ Y[:, 0])
    theta0 = np.concatenate([b, W[0]])
    M = np.eye(4) - lr * H / m
    for k in range(epochs + 1):
        theta_k = theta_star + np.linalg.matrix_power(M, k) @ (theta0 - theta_star)
        r = Xt @ theta_k - Y[:, 0]
        J_k = r @ r / (2 * m) + lam / (2 * m) * theta_k[1:] @ theta_k[1:]
        assert history.epoch_loss[k] == pytest.approx(J_k, rel=1e-12)
    np.testing.assert_allclose(model.params[0][0], theta_k[1:], rtol=1e-12)
    np.testing.assert_allclose(model.params[1], theta_k[:1], rtol=1e-12)
    # batch GD: the cost before update k is the full-data cost after epoch k − 1
    np.testing.assert_allclose(history.step_loss, history.epoch_loss[:-1], rtol=1e-12)
    assert history.steps_per_epoch == 1


@pytest.mark.parametrize("lam", [0.0, 0.7])
def test_sgd_matches_a_hand_written_loop_over_shuffled_examples(regression, lam):
    X, Y = regression
    m, lr, epochs, seed = len(X), 0.05, 3, 9
    model = linear_model()
    w, b = model.params[0][0].copy(), model.params[1][0]
    history = fit(model, X, Y, GD(lr=lr), epochs, batch_size=1, lam=lam, rng=seed)
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(epochs):
        for i in rng.permutation(m):
            r = X[i] @ w + b - Y[i, 0]
            losses.append(0.5 * r * r + lam / (2 * m) * w @ w)  # J(θ; {i}), full-data penalty
            w, b = w - lr * (r * X[i] + lam / m * w), b - lr * r
    np.testing.assert_allclose(history.step_loss, losses, rtol=1e-12)
    np.testing.assert_allclose(model.params[0][0], w, rtol=1e-12)
    np.testing.assert_allclose(model.params[1][0], b, rtol=1e-12)
    assert history.steps_per_epoch == m


class Spy:
    """Wraps a model and records the number of rows of every cost_and_grad call."""

    def __init__(self, model):
        self.model, self.rows = model, []

    params = property(lambda s: s.model.params, lambda s, v: setattr(s.model, "params", v))

    def cost(self, X, Y, lam=0.0):
        return self.model.cost(X, Y, lam)

    def cost_and_grad(self, X, Y, lam=0.0):
        self.rows.append(len(X))
        return self.model.cost_and_grad(X, Y, lam)


VARIANTS = [("batch GD", None, 1, [10]), ("SGD", 1, 10, [1] * 10), ("mini-batch", 4, 3, [4, 4, 2])]


@pytest.mark.parametrize(
    ("batch_size", "steps", "rows"), [v[1:] for v in VARIANTS], ids=[v[0] for v in VARIANTS]
)
def test_one_vectorized_call_per_mini_batch_and_history_lengths(batch_size, steps, rows):
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((10, 3)), rng.standard_normal((10, 1))
    spy, epochs = Spy(linear_model()), 3
    history = fit(spy, X, Y, GD(lr=0.01), epochs, batch_size=batch_size)
    assert isinstance(history, History)
    assert history.steps_per_epoch == steps
    assert spy.rows == rows * epochs
    assert history.step_loss.shape == (epochs * steps,)
    assert history.epoch_loss.shape == history.wall_time.shape == (epochs + 1,)
    assert history.wall_time[0] == 0.0
    assert np.all(np.diff(history.wall_time) >= 0)
    assert history.epoch_loss[-1] == spy.cost(X, Y)


def test_zero_epochs_only_records_the_initial_cost(regression):
    X, Y = regression
    model = linear_model()
    before = [p.copy() for p in model.params]
    history = fit(model, X, Y, GD(lr=0.1), 0, batch_size=2)
    assert history.step_loss.shape == (0,)
    np.testing.assert_array_equal(history.epoch_loss, [model.cost(X, Y)])
    np.testing.assert_array_equal(history.wall_time, [0.0])
    for p, q in zip(model.params, before, strict=True):
        np.testing.assert_array_equal(p, q)


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.default_rng(5)
    X = np.vstack([rng.normal(-1.0, 0.6, (40, 2)), rng.normal(1.0, 0.6, (40, 2))])
    y = np.repeat([0.0, 1.0], 40)
    return X, y


RUNS = [
    ("batch GD", lambda: GD(lr=1.0), None, 60),
    ("SGD", lambda: GD(lr=0.1), 1, 5),
    ("mini-batch Adam", lambda: Adam(lr=0.05), 8, 15),
]


@pytest.mark.parametrize(
    ("make", "batch_size", "epochs"), [r[1:] for r in RUNS], ids=[r[0] for r in RUNS]
)
def test_loss_decreases_on_a_small_classification_problem(blobs, make, batch_size, epochs):
    X, y = blobs
    model = MLP([2, 4, 1], seed=1)
    history = fit(model, X, y, make(), epochs, batch_size=batch_size, rng=3)
    assert history.epoch_loss[-1] < 0.5 * history.epoch_loss[0]
    assert np.mean(model.predict(X) == y) > 0.9


def test_fit_is_reproducible_with_the_seed(blobs):
    X, y = blobs

    def run(rng):
        model = MLP([2, 3, 1], seed=0)
        fit(model, X, y, GD(lr=0.1), 2, batch_size=5, rng=rng)
        return model.params[0]

    np.testing.assert_array_equal(run(7), run(7))
    np.testing.assert_array_equal(run(7), run(np.random.default_rng(7)))
    assert not np.array_equal(run(7), run(8))


def test_fit_continues_training_with_the_optimizers_state(regression):
    X, Y = regression
    once, twice = linear_model(), linear_model()
    fit(once, X, Y, Momentum(lr=0.05), 4)
    opt = Momentum(lr=0.05)
    fit(twice, X, Y, opt, 2)
    fit(twice, X, Y, opt, 2)
    for p, q in zip(once.params, twice.params, strict=True):
        np.testing.assert_allclose(q, p, rtol=1e-14)


DIVERGING = [
    ("batch GD", None, 10.0, r"diverged at epoch \d+: the full-data cost"),
    ("SGD", 1, 1e300, r"diverged at epoch 1, step 2: the cost or the parameters"),
]


@pytest.mark.parametrize(
    ("batch_size", "lr", "match"), [d[1:] for d in DIVERGING], ids=[d[0] for d in DIVERGING]
)
def test_fit_divergence_raises_instead_of_training_on_nan(regression, batch_size, lr, match):
    X, Y = regression
    with pytest.raises(ValueError, match=match + ".*try a smaller lr"):
        fit(linear_model(), 100 * X, Y, GD(lr=lr), 500, batch_size=batch_size)


FIT_BAD = [
    ("rows", dict(Y=np.ones((11, 1))), ValueError, "X has 12 rows .* but Y has 11"),
    ("X nan", dict(X=np.full((12, 3), np.nan)), ValueError, "X has non-finite"),
    ("epochs < 0", dict(epochs=-2), ValueError, "epochs must be an integer ≥ 0, got -2"),
    ("epochs float", dict(epochs=1.0), TypeError, "epochs must be an integer"),
    ("batch 0", dict(batch_size=0), ValueError, "batch_size must be an integer ≥ 1"),
    ("batch > m", dict(batch_size=13), ValueError, r"batch_size must be in \[1, m\] = \[1, 12\]"),
    ("lam < 0", dict(lam=-1.0), ValueError, "lam .* must be a finite number ≥ 0"),
    ("rng", dict(rng="seed"), TypeError, "rng must be a np.random.Generator or an int seed"),
]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"), [c[1:] for c in FIT_BAD], ids=[c[0] for c in FIT_BAD]
)
def test_fit_bad_input(regression, kwargs, error, match):
    X, Y = regression
    args = dict(model=linear_model(), X=X, Y=Y, optimizer=GD(lr=0.1), epochs=1)
    with pytest.raises(error, match=match):
        fit(**{**args, **kwargs})
