"""Training loops: follow the gradient of a test function, or fit a model on data.

Every loop here is the same update, θ ← θ − η ∇J(θ; B), read through an optimizer
(``optimizer.step(θ, g)``, which for ``GD`` is exactly that line). What changes is the
mini-batch B the gradient is computed on:

* batch gradient descent: B = all m training examples, one update per epoch;
* stochastic gradient descent (SGD): |B| = 1, m updates per epoch;
* mini-batch gradient descent: |B| = b, ⌈m / b⌉ updates per epoch.

An epoch is one pass over a fresh random permutation of the m examples. ``newton`` is the
second-order counterpart of ``minimize`` for test functions: x ← x − H(x)⁻¹ ∇f(x).
Example::

    >>> from optimlib.functions import quadratic
    >>> from optimlib.optimizers import GD
    >>> path = minimize(quadratic([[1.0, 0.0], [0.0, 10.0]]), [1.0, 1.0], GD(lr=0.1), steps=3)
    >>> path.round(4)
    array([[1.   , 1.   ],
           [0.9  , 0.   ],
           [0.81 , 0.   ],
           [0.729, 0.   ]])
"""

import time
from dataclasses import dataclass
from numbers import Integral

import numpy as np

from ._validate import as_array, generator
from .losses import check_lam


def _count(value, name, *, low):
    """Return ``value`` as an int after checking it is an integer ≥ ``low``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < low:
        raise ValueError(f"{name} must be an integer ≥ {low}, got {value}")
    return int(value)


def _finite(params):
    """True when every entry of ``params`` (an ndarray or a list of ndarrays) is finite."""
    if isinstance(params, np.ndarray):
        return bool(np.all(np.isfinite(params)))
    return all(np.all(np.isfinite(p)) for p in params)


def minimize(objective, x0, optimizer, steps):
    """Run ``steps`` optimizer updates on ``objective`` from ``x0``; return the trajectory.

    Iterates x_{k+1} = optimizer.step(x_k, ∇f(x_k)), which for ``GD(lr=η)`` is
    x_{k+1} = x_k − η ∇f(x_k). The optimizer is ``reset()`` first, so a run starts
    from fresh state (zero momentum, empty accumulators) whatever it did before.

    Args:
        objective: an object with ``grad(x)`` → ∇f(x), e.g. ``optimlib.functions.rosenbrock``.
        x0: the starting point, a 1-D array of length dim (copied, never modified).
        optimizer: an ``optimlib.optimizers`` instance.
        steps: the number of updates, an int ≥ 0.

    Returns:
        An array of shape (steps + 1, dim) whose row k is x_k (row 0 is x0).

    Raises:
        TypeError: ``objective`` has no ``grad`` method, or ``steps`` is not an int.
        ValueError: ``x0`` is not a finite 1-D array, ``steps`` < 0, or the iterates
            become non-finite (the run diverged: the learning rate is too large).
    """
    if not callable(getattr(objective, "grad", None)):
        raise TypeError(f"objective must have a grad(x) method, got {type(objective).__name__}")
    x = as_array(x0, "x0")
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"x0 must be a non-empty 1-D array, got shape {x.shape}")
    steps = _count(steps, "steps", low=0)
    optimizer.reset()
    path = np.empty((steps + 1, x.size))
    path[0] = x
    for k in range(1, steps + 1):
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported below
            g = objective.grad(x)
            if _finite(g):
                x = np.asarray(optimizer.step(x, g), dtype=np.float64)
        if not (_finite(g) and _finite(x)):
            raise ValueError(
                f"diverged at step {k}: the gradient or the iterate is no longer finite "
                f"(last finite iterate {path[k - 1]}); try a smaller lr"
            )
        path[k] = x
    return path


def minibatches(n, batch_size, rng):
    """Split range(n) into mini-batches of a random permutation: one epoch's index arrays.

    The index arrays B_1, B_2, … are consecutive slices of ``rng.permutation(n)``, so
    together they hold each of 0, …, n − 1 exactly once. Each has ``batch_size``
    entries except the last, which has the remaining n mod batch_size when that is not
    zero. The permutation is drawn when ``minibatches`` is called.

    Args:
        n: the number of examples, an int ≥ 1.
        batch_size: the mini-batch size b, an int with 1 ≤ b ≤ n.
        rng: a ``np.random.Generator``.

    Returns:
        An iterator over ⌈n / b⌉ integer index arrays.

    Raises:
        TypeError: ``n`` or ``batch_size`` is not an int, or ``rng`` is not a Generator.
        ValueError: n < 1, or ``batch_size`` is outside [1, n].
    """
    n = _count(n, "n", low=1)
    batch_size = _count(batch_size, "batch_size", low=1)
    if batch_size > n:
        raise ValueError(f"batch_size must be in [1, n] = [1, {n}], got {batch_size}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a np.random.Generator, got {type(rng).__name__}")
    order = rng.permutation(n)
    return (order[start : start + batch_size] for start in range(0, n, batch_size))


@dataclass
class History:
    """What ``fit`` records.

    Attributes:
        step_loss: the mini-batch cost J(θ; B) before each update,
            shape (epochs · steps_per_epoch,).
        epoch_loss: the full-data cost J(θ) before training and after each epoch,
            shape (epochs + 1,).
        wall_time: training seconds elapsed at the points of ``epoch_loss`` (starts at 0.0;
            the time spent computing ``epoch_loss`` itself is not counted), shape (epochs + 1,).
        steps_per_epoch: the number of updates per epoch, ⌈m / b⌉ (1 for batch GD).
    """

    step_loss: np.ndarray
    epoch_loss: np.ndarray
    wall_time: np.ndarray
    steps_per_epoch: int


def fit(model, X, Y, optimizer, epochs, batch_size=None, lam=0.0, rng=0):
    """Train ``model`` on (X, Y) with mini-batch updates θ ← optimizer.step(θ, ∇J(θ; B)).

    For ``GD(lr=η)`` each update is θ ← θ − η ∇J(θ; B), with J(θ; B) the model's
    (regularized) cost on the examples of the mini-batch B:

    * ``batch_size=None``: batch gradient descent, B = all m examples (in order, no
      shuffling), one update per epoch;
    * ``batch_size=1``: stochastic gradient descent, |B| = 1, m updates per epoch;
    * ``batch_size=b``: mini-batch gradient descent, the batches of ``minibatches(m, b, rng)``
      (a new random permutation each epoch), ⌈m / b⌉ updates per epoch.

    The L2 penalty keeps its full-data weight whatever the batch size: the model's cost
    on b examples has the penalty λ/(2b) Σ_l ‖W⁽ˡ⁾‖², so ``fit`` passes it λb/m, making

        J(θ; B) = 1/|B| Σ_{i∈B} L(h_θ(x⁽ⁱ⁾), y⁽ⁱ⁾) + λ/(2m) Σ_l ‖W⁽ˡ⁾‖²,

    an unbiased estimate of the full-data cost J(θ) (and ∇J(θ; B) of ∇J(θ)) when B is a
    random mini-batch. For batch GD, λb/m = λ.

    Each mini-batch is one vectorized ``model.cost_and_grad`` call. ``model.params`` is
    replaced after every update (``model.params = optimizer.step(...)``). The optimizer
    is not reset, so calling ``fit`` again continues training where it stopped.

    Args:
        model: an object with ``params``, ``cost(X, Y, lam)`` and
            ``cost_and_grad(X, Y, lam)`` → (J, grads), e.g. ``optimlib.nn.MLP``.
        X: inputs, one example per row, shape (m, ...).
        Y: targets, one example per row, shape (m, ...).
        optimizer: an ``optimlib.optimizers`` instance.
        epochs: the number of passes over the data, an int ≥ 0.
        batch_size: None (batch GD) or an int b with 1 ≤ b ≤ m.
        lam: the L2 regularization strength λ ≥ 0 of the full-data cost.
        rng: a ``np.random.Generator`` or an int seed for ``np.random.default_rng``.

    Returns:
        A ``History``.

    Raises:
        TypeError: a count or ``rng`` has the wrong type.
        ValueError: X and Y have different numbers of rows, non-finite entries, a bad
            ``epochs``/``batch_size``/``lam``, or training diverged (non-finite cost or
            parameters).
    """
    X, Y = as_array(X, "X"), as_array(Y, "Y")
    if X.ndim == 0 or Y.ndim == 0:
        raise ValueError("X and Y must have one example per row, got a scalar")
    m = X.shape[0]
    if Y.shape[0] != m:
        raise ValueError(f"X has {m} rows (examples) but Y has {Y.shape[0]}")
    if m == 0:
        raise ValueError("X and Y have no rows (examples)")
    epochs = _count(epochs, "epochs", low=0)
    if batch_size is not None:
        batch_size = _count(batch_size, "batch_size", low=1)
        if batch_size > m:
            raise ValueError(f"batch_size must be in [1, m] = [1, {m}], got {batch_size}")
    lam = check_lam(lam)
    rng = generator(rng, "rng")

    steps_per_epoch = 1 if batch_size is None else -(-m // batch_size)
    step_loss = np.empty(epochs * steps_per_epoch)
    epoch_loss = np.empty(epochs + 1)
    wall_time = np.zeros(epochs + 1)
    epoch_loss[0] = model.cost(X, Y, lam=lam)
    step, elapsed = 0, 0.0
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        batches = [None] if batch_size is None else minibatches(m, batch_size, rng)
        for batch in batches:
            XB, YB = (X, Y) if batch is None else (X[batch], Y[batch])
            with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported below
                J, grads = model.cost_and_grad(XB, YB, lam=lam * len(YB) / m)
                ok = np.isfinite(J) and _finite(grads)
                if ok:
                    params = optimizer.step(model.params, grads)
                    ok = _finite(params)
            if not ok:
                raise ValueError(
                    f"diverged at epoch {epoch}, step {step + 1}: the cost or the parameters "
                    "are no longer finite; try a smaller lr"
                )
            model.params = params
            step_loss[step] = J
            step += 1
        elapsed += time.perf_counter() - start
        wall_time[epoch] = elapsed
        with np.errstate(over="ignore", invalid="ignore"):
            epoch_loss[epoch] = model.cost(X, Y, lam=lam)
        if not np.isfinite(epoch_loss[epoch]):
            raise ValueError(
                f"diverged at epoch {epoch}: the full-data cost is no longer finite; "
                "try a smaller lr"
            )
    return History(step_loss, epoch_loss, wall_time, steps_per_epoch)


def newton(objective, x0, steps):
    """Run ``steps`` steps of Newton's method on ``objective`` from ``x0``; return the trajectory.

    Each step jumps to the critical point of the quadratic model of f at x_k,
    f(x_k + d) ≈ f(x_k) + ∇f(x_k)ᵀd + ½ dᵀH(x_k)d:

        x_{k+1} = x_k − H(x_k)⁻¹ ∇f(x_k),

    computed by solving H(x_k) d = ∇f(x_k), never by inverting H. This is the
    Newton–Raphson method for the equation ∇f(x) = 0, so it finds *critical points*: on
    a quadratic f(x) = ½ xᵀAx − bᵀx it lands on A⁻¹b in one step whatever A's condition
    number — a minimum when A is positive definite, but a saddle or a maximum when A is
    indefinite or negative definite. There is no learning rate. Example::

        >>> from optimlib.functions import quadratic
        >>> newton(quadratic([[1.0, 0.0], [0.0, 100.0]], b=[1.0, 1.0]), [5.0, -3.0], steps=1)
        array([[ 5.  , -3.  ],
               [ 1.  ,  0.01]])

    Args:
        objective: an object with ``grad(x)`` → ∇f(x) and ``hessian(x)`` → H(x), e.g.
            ``optimlib.functions.rosenbrock``.
        x0: the starting point, a 1-D array of length n (copied, never modified).
        steps: the number of Newton steps, an int ≥ 0.

    Returns:
        An array of shape (steps + 1, n) whose row k is x_k (row 0 is x0).

    Raises:
        TypeError: ``objective`` lacks ``grad`` or ``hessian``, or ``steps`` is not an int.
        ValueError: ``x0`` is not a finite 1-D array, ``steps`` < 0, the gradient or
            Hessian has the wrong shape or non-finite entries, or the Hessian is singular
            (to working precision) at an iterate, so the Newton step is undefined.
    """
    for method in ("grad", "hessian"):
        if not callable(getattr(objective, method, None)):
            raise TypeError(
                f"objective must have a {method}(x) method, got {type(objective).__name__}"
            )
    x = as_array(x0, "x0")
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"x0 must be a non-empty 1-D array, got shape {x.shape}")
    steps = _count(steps, "steps", low=0)
    n = x.size
    path = np.empty((steps + 1, n))
    path[0] = x
    for k in range(1, steps + 1):
        with np.errstate(over="ignore", invalid="ignore"):
            g = np.asarray(objective.grad(x), dtype=np.float64)
            H = np.asarray(objective.hessian(x), dtype=np.float64)
        if g.shape != (n,) or H.shape != (n, n):
            raise ValueError(
                f"step {k}: expected a gradient of shape ({n},) and a Hessian of shape "
                f"({n}, {n}), got {g.shape} and {H.shape}"
            )
        if not (np.all(np.isfinite(g)) and np.all(np.isfinite(H))):
            raise ValueError(
                f"step {k}: the gradient or the Hessian at x = {x} is not finite; "
                "Newton's method diverged"
            )
        # singular to working precision (numpy's matrix_rank rule): σ_min ≤ n ε σ_max
        sigma = np.linalg.svd(H, compute_uv=False)
        if sigma[-1] <= n * np.finfo(np.float64).eps * sigma[0]:
            raise ValueError(
                f"step {k}: the Hessian at x = {x} is singular (eigenvalues "
                f"{np.linalg.eigvalsh((H + H.T) / 2)}), so the Newton step "
                "−H⁻¹∇f is undefined"
            )
        x = x - np.linalg.solve(H, g)
        if not np.all(np.isfinite(x)):
            raise ValueError(f"step {k}: the iterate is no longer finite; Newton's method diverged")
        path[k] = x
    return path
