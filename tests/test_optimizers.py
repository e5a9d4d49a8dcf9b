"""Tests for optimlib.optimizers, table-driven over ``ALL``.

(i) trajectories agree with torch.optim's (golden data from ``tools/torch_golden.py``);
(ii) closed forms worked out by hand; (iii) convergence on an ill-conditioned quadratic and
on Rosenbrock; (iv) lists of arrays; (v) the caller's arrays are never changed; (vi) reset;
(vii) bad input raises a clear error.
"""

import doctest
import inspect
import json
from pathlib import Path

import numpy as np
import pytest

from optimlib import optimizers
from optimlib.optimizers import (
    ALL,
    GD,
    Adadelta,
    Adagrad,
    Adam,
    Adamax,
    AMSGrad,
    Momentum,
    Nadam,
    Nesterov,
    RMSProp,
)

NAMES = [cls.__name__ for cls in ALL]
GOLDEN = json.loads((Path(__file__).parent / "data" / "optimizer_golden.json").read_text())


def by_name(cls):
    return cls.__name__


def arrays_of(x):
    return x if isinstance(x, list) else [x]


def run(opt, grad, x0, steps):
    """θ_0, θ_1, …, θ_steps from ``opt`` with gradient function ``grad``."""
    xs = [x0]
    for _ in range(steps):
        xs.append(opt.step(xs[-1], grad(xs[-1])))
    return xs


# --- (i) golden trajectories from torch.optim -----------------------------------------------


def golden_gradient(problem, x):
    """∇J of the golden problems, written again from their definitions in the JSON file."""
    p = GOLDEN["problems"][problem]
    if problem == "quadratic":
        return np.array(p["A"]) @ x - np.array(p["b"])
    if problem == "rosenbrock":
        r = x[1] - x[0] ** 2
        return np.array([-2 * (1 - x[0]) - 400 * x[0] * r, 200 * r])
    assert problem == "two_arrays"
    w, c = x
    return [np.array(p["D"]) * (w - np.array(p["W_star"])), (c - np.array(p["c_star"])) ** 3]


def as_params(problem, value):
    return [np.array(a) for a in value] if problem == "two_arrays" else np.array(value)


def test_golden_data_covers_every_optimizer():
    counts = {name: 0 for name in NAMES}
    for case in GOLDEN["cases"]:
        counts[case["optimizer"]] += 1
    assert counts == {name: 6 for name in NAMES}  # 2 settings × 3 problems
    assert GOLDEN["dtype"] == "float64" and GOLDEN["steps"] == 15


@pytest.mark.parametrize(
    "case",
    GOLDEN["cases"],
    ids=[f"{c['optimizer']}-{c['setting']}-{c['problem']}" for c in GOLDEN["cases"]],
)
def test_trajectory_matches_torch(case):
    opt = getattr(optimizers, case["optimizer"])(**case["kwargs"])
    for key, value in case["hyperparameters"].items():  # torch's defaults are ours
        assert getattr(opt, key) == (tuple(value) if isinstance(value, list) else value)
    problem = case["problem"]
    expected = [as_params(problem, x) for x in case["trajectory"]]
    actual = run(opt, lambda x: golden_gradient(problem, x), expected[0], GOLDEN["steps"])
    for t, (got, want) in enumerate(zip(actual, expected, strict=True)):
        for a, b in zip(arrays_of(got), arrays_of(want), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14, err_msg=f"step {t}")


# --- (ii) closed forms ------------------------------------------------------------------------

LAM, ETA, MU = 3.0, 0.1, 0.8  # J(x) = ½ λ x², so g = λ x
X0 = np.array([2.0, -0.5, 1e-3])


def test_gd_on_a_parabola_is_a_geometric_sequence():
    xs = run(GD(lr=ETA), lambda x: LAM * x, X0, 30)
    for k, x in enumerate(xs):
        np.testing.assert_allclose(x, (1 - ETA * LAM) ** k * X0, rtol=1e-13)


@pytest.mark.parametrize(
    ("cls", "matrix"),
    [
        # b_{k+1} = μ b_k + λ x_k,  x_{k+1} = x_k − η b_{k+1}
        (Momentum, [[1 - ETA * LAM, -ETA * MU], [LAM, MU]]),
        # … and x_{k+1} = x_k − η (λ x_k + μ b_{k+1})
        (Nesterov, [[1 - ETA * LAM * (1 + MU), -ETA * MU**2], [LAM, MU]]),
    ],
    ids=["Momentum", "Nesterov"],
)
def test_momentum_on_a_parabola_is_a_linear_recurrence(cls, matrix):
    """[x_k, b_k] = M^k [x_0, 0] for the 2×2 matrix M of the method."""
    opt = cls(lr=ETA, momentum=MU)
    x = X0
    for k in range(1, 41):
        x = opt.step(x, LAM * x)
        x_k, b_k = np.linalg.matrix_power(np.array(matrix), k) @ np.stack([X0, 0 * X0])
        np.testing.assert_allclose(x, x_k, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(opt.state[0].b, b_k, rtol=1e-12, atol=1e-15)


def nadam_first_factor(b1, psi):
    """m̂_1 / g_1 for Nadam: μ_2 (1 − β₁)/(1 − μ_1 μ_2) + 1."""
    mu1, mu2 = (b1 * (1 - 0.5 * 0.96 ** (t * psi)) for t in (1, 2))
    return mu2 * (1 - b1) / (1 - mu1 * mu2) + 1


# θ_1 − θ_0 for gradient g, worked out by hand from each algorithm (state starts at zero)
FIRST_STEP = {
    GD: ({"lr": 0.1}, lambda g: -0.1 * g),
    Momentum: ({"lr": 0.1, "momentum": 0.5}, lambda g: -0.1 * g),
    Nesterov: ({"lr": 0.1, "momentum": 0.5}, lambda g: -0.1 * 1.5 * g),
    Adagrad: ({"lr": 0.1, "eps": 0.5}, lambda g: -0.1 * g / (abs(g) + 0.5)),
    Adadelta: (
        {"lr": 0.5, "rho": 0.75, "eps": 1e-2},
        lambda g: -0.5 * np.sqrt(1e-2) / np.sqrt(0.25 * g**2 + 1e-2) * g,
    ),
    RMSProp: ({"lr": 0.1, "alpha": 0.75, "eps": 0.5}, lambda g: -0.1 * g / (0.5 * abs(g) + 0.5)),
    Adam: ({"lr": 0.1, "betas": (0.5, 0.75), "eps": 0.5}, lambda g: -0.1 * g / (abs(g) + 0.5)),
    Adamax: ({"lr": 0.1, "betas": (0.5, 0.75), "eps": 0.5}, lambda g: -0.1 * g / (abs(g) + 0.5)),
    Nadam: (
        {"lr": 0.1, "betas": (0.5, 0.75), "eps": 0.5, "momentum_decay": 0.5},
        lambda g: -0.1 * nadam_first_factor(0.5, 0.5) * g / (abs(g) + 0.5),
    ),
    AMSGrad: ({"lr": 0.1, "betas": (0.5, 0.75), "eps": 0.5}, lambda g: -0.1 * g / (abs(g) + 0.5)),
}


@pytest.mark.parametrize("cls", ALL, ids=by_name)
def test_first_step_closed_form(cls):
    kwargs, delta = FIRST_STEP[cls]
    theta, g = np.array([1.0, -2.0, 0.5, 3.0]), np.array([1e-3, -5.0, 0.0, 2e4])
    np.testing.assert_allclose(cls(**kwargs).step(theta, g), theta + delta(g), rtol=1e-14)


@pytest.mark.parametrize("cls", [Adam, AMSGrad, Adamax], ids=by_name)
def test_bias_correction_gives_steps_of_lr_sign_g(cls):
    """For a constant g, m̂_t = g and √v̂_t = |g| (u_t = |g| + ε) on *every* step t.

    So each coordinate moves by lr·g/(|g| + ε) ≈ lr·sign(g), whatever the size of g: this
    fails if the step count t used by the bias corrections is not incremented.
    """
    opt = cls(lr=0.01)
    g = np.array([1e-3, -5.0, 2e4])
    theta = np.zeros(3)
    for t in range(1, 51):
        new = opt.step(theta, g)
        np.testing.assert_allclose(new - theta, -0.01 * g / (np.abs(g) + 1e-8), rtol=1e-9)
        np.testing.assert_allclose(new - theta, -0.01 * np.sign(g), rtol=1e-4)
        assert opt.state[0].t == t
        theta = new


def test_adagrad_first_step_with_default_eps_is_lr_sign_g():
    g = np.array([1e-3, -5.0, 2e4])
    np.testing.assert_allclose(
        Adagrad(lr=0.01).step(np.zeros(3), g), -0.01 * g / (np.abs(g) + 1e-10), rtol=1e-14
    )


def test_amsgrad_keeps_the_largest_second_moment():
    opt = AMSGrad(lr=0.1, betas=(0.9, 0.5))
    opt.step(np.zeros(2), np.array([4.0, 0.0]))
    opt.step(np.zeros(2), np.array([0.0, 1.0]))
    s = opt.state[0]
    np.testing.assert_allclose(s.v, [4.0, 0.5])  # v_2 = ½ v_1 + ½ g_2², v_1 = ½ g_1²
    np.testing.assert_allclose(s.v_max, [8.0, 0.5])  # max(v_1, v_2)


# --- (iii) convergence ------------------------------------------------------------------------

_c, _s = np.cos(0.5), np.sin(0.5)
_R = np.array([[_c, -_s], [_s, _c]])
A = _R @ np.diag([1.0, 100.0]) @ _R.T  # condition number κ = 100, not diagonal
B = np.array([1.0, -1.0])


def quadratic_grad(x):
    return A @ x - B


def rosenbrock_grad(x):
    r = x[1] - x[0] ** 2
    return np.array([-2 * (1 - x[0]) - 400 * x[0] * r, 200 * r])


# name: (hyperparameters, steps, tolerance on ‖θ − θ⋆‖) — tuned by hand for each problem.
# Adaptive rules with a constant lr hover at a distance ∝ lr from the minimum (RMSProp,
# Adadelta), so their tolerances are looser.
QUADRATIC = {
    GD: ({"lr": 0.019}, 1000, 1e-7),
    Momentum: ({"lr": 0.033, "momentum": 0.67}, 200, 1e-10),  # the optimal (η, μ) for κ = 100
    Nesterov: ({"lr": 0.01, "momentum": 0.818}, 300, 1e-10),  # η = 1/L, μ = (√κ − 1)/(√κ + 1)
    Adagrad: ({"lr": 0.5}, 1200, 1e-7),
    Adadelta: ({"lr": 0.1}, 5000, 2e-2),
    RMSProp: ({"lr": 1e-3, "alpha": 0.9}, 2000, 5e-3),
    Adam: ({"lr": 0.05}, 700, 1e-7),
    Adamax: ({"lr": 0.05}, 2500, 1e-7),
    Nadam: ({"lr": 0.05}, 800, 1e-7),
    AMSGrad: ({"lr": 0.05}, 900, 1e-7),
}
ROSENBROCK = {
    GD: ({"lr": 1.9e-3}, 10000, 5e-3),
    Momentum: ({"lr": 1e-3, "momentum": 0.95}, 2000, 1e-6),
    Nesterov: ({"lr": 1e-3, "momentum": 0.95}, 2000, 1e-6),
    Adagrad: ({"lr": 0.5}, 10000, 5e-3),
    Adadelta: ({"lr": 0.05}, 10000, 5e-2),
    RMSProp: ({"lr": 2e-3}, 10000, 1e-2),
    Adam: ({"lr": 0.05}, 3000, 1e-5),
    Adamax: ({"lr": 0.1}, 5000, 1e-3),
    Nadam: ({"lr": 5e-3}, 10000, 5e-3),
    AMSGrad: ({"lr": 0.1}, 3000, 1e-5),
}


@pytest.mark.parametrize("cls", ALL, ids=by_name)
def test_converges_on_ill_conditioned_quadratic(cls):
    kwargs, steps, tol = QUADRATIC[cls]
    opt, x = cls(**kwargs), np.array([1.0, 1.0])
    for _ in range(steps):
        x = opt.step(x, quadratic_grad(x))
    assert np.linalg.norm(x - np.linalg.solve(A, B)) < tol


@pytest.mark.parametrize("cls", ALL, ids=by_name)
def test_converges_on_rosenbrock(cls):
    kwargs, steps, tol = ROSENBROCK[cls]
    opt, x = cls(**kwargs), np.array([-1.2, 1.0])
    for _ in range(steps):
        x = opt.step(x, rosenbrock_grad(x))
    assert np.linalg.norm(x - 1.0) < tol


# --- (iv) lists of arrays, shapes, dtypes, large arrays -----------------------------------

SHAPES = [(2, 2), (3,), (), (4, 1, 2)]


def some_arrays(seed):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape) for shape in SHAPES]


@pytest.mark.parametrize("cls", ALL, ids=by_name)
def test_list_of_arrays_is_each_array_on_its_own(cls):
    """The rules are element-wise: a list gives the same as one optimizer per array."""
    params, together, alone = some_arrays(0), cls(), [cls() for _ in SHAPES]
    for step in range(5):
        grads = some_arrays(step + 1)
        new = together.step(params, grads)
        assert isinstance(new, list) and [a.shape for a in new] == SHAPES
        assert all(a.dtype == np.float64 for a in new)
        expected = [o.step(p, g) for o, p, g in zip(alone, params, grads, strict=True)]
        for a, b in zip(new, expected, strict=True):
            np.testing.assert_array_equal(a, b)
        params = new
    assert len(together.state) == len(SHAPES)
    assert all(s.t == 5 for s in together.state)


@pytest.mark.parametrize("cls", ALL, ids=by_name)
def test_tuple_in_tuple_out_and_plain_lists_as_one_array(cls):
    params, grads = tuple(some_arrays(0)), tuple(some_arrays(1))
    assert isinstance(cls().step(params, grads), tuple)
    # a list of numbers (not of arrays) is one array; integers become float64
    out = cls().step([1, 2, 3], [1, 0, -1])
    np.testing.assert_array_equal(out, cls().step(np.array([1.0, 2, 3]), np.array([1.0, 0, -1])))


@pytest.mark.parametrize("cls", ALL, ids=by_name)
def test_non_contiguous_input(cls):
    theta, g = np.arange(6.0).reshape(2, 3), np.linspace(-1, 1, 6).reshape(2, 3)
    a = cls().step(theta.T, g.T)  # Fortran-ordered views
    b = cls().step(np.ascontiguousarray(theta.T), np.ascontiguousarray(g.T))
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("cls", ALL, ids=by_name)
def test_blocks_and_threads_give_the_same_result(cls, monkeypatch):
    """Large arrays are updated block by block on several threads: same numbers."""
    rng = np.random.default_rng(0)
    theta, grads = rng.standard_normal((10, 11)), [rng.standard_normal((10, 11)) for _ in range(3)]
    plain, opt = [theta], cls()
    for g in grads:
        plain.append(opt.step(plain[-1], g))
    monkeypatch.setattr(optimizers, "_BLOCK", 7)
    monkeypatch.setattr(optimizers, "_PARALLEL_MIN", 20)
    monkeypatch.setattr(optimizers, "_WORKERS", 3)
    blocked, opt = [theta], cls()
    for g in grads:
        blocked.append(opt.step(blocked[-1], g))
    for a, b in zip(plain, blocked, strict=True):
        np.testing.assert_array_equal(a, b)


# --- (v) the caller's arrays are never changed ------------------------------------------------


@pytest.mark.parametrize("cls", ALL, ids=by_name)
def test_callers_arrays_are_not_changed(cls):
    params, grads = some_arrays(0), some_arrays(1)
    params_before, grads_before = [a.copy() for a in params], [a.copy() for a in grads]
    opt = cls()
    new = opt.step(params, grads)
    new = opt.step(params, grads)
    for a, b in zip(params + grads, params_before + grads_before, strict=True):
        np.testing.assert_array_equal(a, b)
    state_arrays = [a for s in opt.state for a in vars(s).values() if isinstance(a, np.ndarray)]
    for a in new:  # the result is a fresh array, shared with nobody
        assert not any(np.shares_memory(a, b) for b in params + grads + state_arrays)
    one, g = np.array([1.0, 2.0]), np.array([0.5, -0.5])
    assert cls().step(one, g) is not one
    np.testing.assert_array_equal(one, [1.0, 2.0])


# --- (vi) reset -----------------------------------------------------------------------------


@pytest.mark.parametrize("cls", ALL, ids=by_name)
def test_reset_starts_a_fresh_run(cls):
    fresh = run(cls(), rosenbrock_grad, np.array([-1.2, 1.0]), 10)
    opt = cls()
    run(opt, quadratic_grad, np.array([3.0, -1.0]), 7)  # some other run first
    opt.reset()
    assert opt.state == []
    again = run(opt, rosenbrock_grad, np.array([-1.2, 1.0]), 10)
    for a, b in zip(fresh, again, strict=True):
        np.testing.assert_array_equal(a, b)
    opt.reset()  # and new shapes are fine after reset
    assert opt.step(some_arrays(0), some_arrays(1))[0].shape == SHAPES[0]


# --- (vii) bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize("cls", ALL, ids=by_name)
@pytest.mark.parametrize("lr", [0, -0.1, float("nan"), float("inf")])
def test_lr_must_be_positive(cls, lr):
    with pytest.raises(ValueError, match=r"lr must be a finite number > 0"):
        cls(lr=lr)


@pytest.mark.parametrize("cls", ALL, ids=by_name)
@pytest.mark.parametrize("lr", ["0.1", None, [0.1], True])
def test_lr_must_be_a_number(cls, lr):
    with pytest.raises(TypeError, match=r"lr must be a real number"):
        cls(lr=lr)


@pytest.mark.parametrize("cls", ALL, ids=by_name)
def test_unknown_keyword_and_positional_arguments(cls):
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'learning_rate'"):
        cls(learning_rate=0.1)
    with pytest.raises(TypeError, match=r"positional argument"):
        cls(0.1)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: Adam(betas=(0.9, 1.0)), ValueError, r"betas\[1\] must be in \[0, 1\), got 1.0"),
        (lambda: Adam(betas=(-0.1, 0.9)), ValueError, r"betas\[0\] must be in \[0, 1\)"),
        (lambda: Nadam(betas=(0.9,)), ValueError, r"betas must be a pair"),
        (lambda: Adamax(betas=0.9), TypeError, r"betas must be a pair"),
        (lambda: AMSGrad(betas=("a", 0.9)), TypeError, r"betas\[0\] must be a real number"),
        (lambda: Adam(eps=0), ValueError, r"eps must be a finite number > 0"),
        (lambda: Adagrad(eps=-1e-8), ValueError, r"eps must be a finite number > 0"),
        (lambda: Momentum(momentum=0), ValueError, r"momentum must be in \(0, 1\).*use GD"),
        (lambda: Nesterov(momentum=1.0), ValueError, r"momentum must be in \(0, 1\), got 1.0"),
        (lambda: Momentum(momentum="0.9"), TypeError, r"momentum must be a real number"),
        (lambda: Adadelta(rho=1), ValueError, r"rho must be in \[0, 1\)"),
        (lambda: RMSProp(alpha=-0.5), ValueError, r"alpha must be in \[0, 1\)"),
        (lambda: Nadam(momentum_decay=-1), ValueError, r"momentum_decay must be .* ≥ 0"),
        (lambda: Nadam(momentum_decay="x"), TypeError, r"momentum_decay must be a real number"),
    ],
)
def test_bad_hyperparameters(make, error, message):
    with pytest.raises(error, match=message):
        make()


BAD_STEPS = [
    # (params, grads, error, message)
    (np.zeros(2), np.zeros(3), ValueError, r"grads has shape \(3,\) but params has shape \(2,\)"),
    (
        [np.zeros(2), np.zeros(2)],
        [np.zeros(2), np.zeros(3)],
        ValueError,
        r"grads\[1\] has shape \(3,\) but params\[1\] has shape \(2,\)",
    ),
    (
        [np.zeros(2), np.zeros(3)],
        [np.zeros(2)],
        ValueError,
        r"params is a list of 2 arrays but grads is a list of 1 array$",
    ),
    (
        [np.zeros(2), np.zeros(3)],
        np.zeros(2),
        ValueError,
        r"params is a list of 2 arrays but grads is one array",
    ),
    (
        np.zeros(2),
        [np.zeros(2), np.zeros(2)],
        ValueError,
        r"params is one array but grads is a list of 2 arrays",
    ),
    (
        np.zeros(2),
        np.array([1.0, np.nan]),
        ValueError,
        r"grads has non-finite entries \(NaN or inf\) — did the run diverge\?",
    ),
    (
        [np.zeros(2), np.zeros(1)],
        [np.zeros(2), np.array([np.inf])],
        ValueError,
        r"grads\[1\] has non-finite entries \(NaN or inf\)",
    ),
    (np.array([np.inf, 0]), np.zeros(2), ValueError, r"params has non-finite entries"),
    ("abc", np.zeros(2), TypeError, r"params must be an array of real numbers"),
    (np.zeros(2), None, TypeError, r"grads must be an array of real numbers"),
    (np.zeros(2), np.zeros(2) + 1j, TypeError, r"grads must be an array of real numbers"),
    (np.zeros(2), [[1.0], [2.0, 3.0]], TypeError, r"grads must be an array of numbers"),
]

BAD_STEP_IDS = [
    "shapes", "list-shapes", "list-lengths", "list-vs-one", "one-vs-list", "nan-grad",
    "inf-grad-in-list", "inf-param", "string", "none", "complex", "ragged",
]  # fmt: skip


@pytest.mark.parametrize("cls", ALL, ids=by_name)
@pytest.mark.parametrize(("params", "grads", "error", "message"), BAD_STEPS, ids=BAD_STEP_IDS)
def test_bad_step_input(cls, params, grads, error, message):
    with pytest.raises(error, match=message):
        cls().step(params, grads)


@pytest.mark.parametrize("cls", ALL, ids=by_name)
def test_a_rejected_step_leaves_the_state_alone(cls):
    theta = np.array([1.0, -2.0])
    clean = run(cls(), lambda x: 2 * x, theta, 3)
    opt, x = cls(), theta
    for k in range(3):
        if k == 1:
            with pytest.raises(ValueError, match="non-finite"):
                opt.step(x, np.array([np.nan, 1.0]))
        x = opt.step(x, 2 * x)
    np.testing.assert_array_equal(x, clean[-1])


@pytest.mark.parametrize("cls", ALL, ids=by_name)
def test_changed_shapes_need_reset(cls):
    opt = cls()
    opt.step(np.zeros(2), np.ones(2))
    with pytest.raises(
        ValueError,
        match=r"params has shape \(3,\) but the optimizer's state was "
        r"made for shape \(2,\); call reset\(\)",
    ):
        opt.step(np.zeros(3), np.ones(3))
    with pytest.raises(
        ValueError,
        match=r"params is a list of 2 arrays but the optimizer's "
        r"state was made for one array; call reset\(\)",
    ):
        opt.step([np.zeros(2), np.zeros(2)], [np.ones(2), np.ones(2)])
    opt = cls()
    opt.step(some_arrays(0), some_arrays(1))
    with pytest.raises(ValueError, match=r"params\[2\] has shape \(1,\) but .* shape \(\)"):
        opt.step(*[[a.reshape(1) if a.ndim == 0 else a for a in some_arrays(k)] for k in (0, 1)])
    opt.reset()
    opt.step(np.zeros(3), np.ones(3))  # fine after reset


# --- API: names, defaults, documentation ------------------------------------------------------

# torch.optim's defaults, except momentum 0.9 for Momentum and Nesterov (torch: 0)
DEFAULTS = {
    GD: {"lr": 1e-3},
    Momentum: {"lr": 1e-3, "momentum": 0.9},
    Nesterov: {"lr": 1e-3, "momentum": 0.9},
    Adagrad: {"lr": 1e-2, "eps": 1e-10},
    Adadelta: {"lr": 1.0, "rho": 0.9, "eps": 1e-6},
    RMSProp: {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8},
    Adam: {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8},
    Adamax: {"lr": 2e-3, "betas": (0.9, 0.999), "eps": 1e-8},
    Nadam: {"lr": 2e-3, "betas": (0.9, 0.999), "eps": 1e-8, "momentum_decay": 4e-3},
    AMSGrad: {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8},
}


@pytest.mark.parametrize("cls", ALL, ids=by_name)
def test_keyword_only_hyperparameters_with_torch_defaults(cls):
    signature = inspect.signature(cls)
    assert all(p.kind is p.KEYWORD_ONLY for p in signature.parameters.values())
    assert {k: p.default for k, p in signature.parameters.items()} == DEFAULTS[cls]
    opt = cls()
    assert {k: getattr(opt, k) for k in DEFAULTS[cls]} == DEFAULTS[cls]
    assert (
        repr(opt)
        == f"{cls.__name__}(" + ", ".join(f"{k}={v!r}" for k, v in DEFAULTS[cls].items()) + ")"
    )


def test_all_lists_the_ten_optimizers():
    assert NAMES == [
        "GD", "Momentum", "Nesterov", "Adagrad", "Adadelta",
        "RMSProp", "Adam", "Adamax", "Nadam", "AMSGrad",
    ]  # fmt: skip
    assert all(issubclass(cls, optimizers.Optimizer) for cls in ALL)


STATE_FIELDS = {
    GD: ["t"],
    Momentum: ["t", "b"],
    Nesterov: ["t", "b"],
    Adagrad: ["t", "G"],
    Adadelta: ["t", "v", "u"],
    RMSProp: ["t", "v"],
    Adam: ["t", "m", "v"],
    Adamax: ["t", "m", "u"],
    Nadam: ["t", "m", "v", "mu_product"],
    AMSGrad: ["t", "m", "v", "v_max"],
}


@pytest.mark.parametrize("cls", ALL, ids=by_name)
def test_state_is_named_after_the_math(cls):
    opt = cls()
    opt.step(np.zeros((2, 3)), np.ones((2, 3)))
    opt.step(np.zeros((2, 3)), np.ones((2, 3)))
    (s,) = opt.state
    assert list(vars(s)) == STATE_FIELDS[cls]
    assert s.t == 2
    for value in vars(s).values():
        if isinstance(value, np.ndarray):
            assert value.shape == (2, 3) and value.dtype == np.float64


REFERENCES = {
    GD: ["Cauchy", "1847"],
    Momentum: ["Polyak", "1964"],
    Nesterov: ["Nesterov", "1983", "Sutskever", "2013"],
    Adagrad: ["Duchi", "2011"],
    Adadelta: ["Zeiler", "2012"],
    RMSProp: ["Tieleman", "Hinton", "2012"],
    Adam: ["Kingma", "Ba", "2015"],
    Adamax: ["Kingma", "Ba", "2015"],
    Nadam: ["Dozat", "2016"],
    AMSGrad: ["Reddi", "2018"],
}


@pytest.mark.parametrize("cls", ALL, ids=by_name)
def test_docstring_has_algorithm_reference_and_example(cls):
    doc = cls.__doc__
    assert "Algorithm" in doc and "θ_t = θ_{t−1} − η" in doc
    assert all(word in doc for word in REFERENCES[cls])
    assert ">>> opt = " + cls.__name__ + "(" in doc


def test_docstring_examples_run():
    result = doctest.testmod(optimizers, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 30 and result.failed == 0
