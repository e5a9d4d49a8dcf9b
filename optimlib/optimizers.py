"""Ten gradient-based optimizers with exactly the update rules of torch.optim, in numpy.

Every optimizer is used the same way: build it with keyword hyperparameters (torch.optim's
names and defaults), then feed it the parameters θ and the gradient g = ∇J(θ) once per step.
``step`` returns the updated parameters and leaves the caller's arrays untouched; the
optimizer keeps its state (moments, step count t) per parameter array::

    >>> import numpy as np
    >>> from optimlib.optimizers import Adam
    >>> opt = Adam(lr=0.1)
    >>> theta = np.array([1.0, -2.0])
    >>> for _ in range(200):
    ...     theta = opt.step(theta, 2 * theta)  # J(θ) = ‖θ‖², ∇J(θ) = 2θ
    >>> print(np.linalg.norm(theta) < 1e-3)
    True
    >>> opt.state[0].t
    200

Parameters can also be a list of arrays (the layers of a network); the gradients must then
be a list of arrays of the same shapes, and ``step`` returns a list::

    >>> opt = Adam(lr=0.1)
    >>> W, b = np.ones((2, 2)), np.zeros(3)
    >>> W, b = opt.step([W, b], [np.ones((2, 2)), -np.ones(3)])
    >>> print(np.round(b, 6))
    [0.1 0.1 0.1]

``reset()`` forgets the state, so the next ``step`` starts a fresh run (possibly with other
shapes). ``ALL`` lists the ten optimizer classes for table-driven use.

The rules are torch.optim's (weight decay 0), checked against torch in float64 by
``tools/torch_golden.py``. Symbols: θ the parameters, g_t = ∇J(θ_{t−1}) the gradient at
step t = 1, 2, …, η = ``lr``, ε = ``eps``; products, squares, square roots, divisions and
max are taken element-wise.

Implementation note: an update is a handful of element-wise numpy operations written with
``out=`` into the state arrays, so no temporary array is created; only the returned θ_t is
new. They run block by block (``_BLOCK`` elements), so each block's data stays in the CPU
cache between operations and main memory is read and written about once per step; arrays
of ``_PARALLEL_MIN`` elements or more are shared between threads (numpy releases the GIL
inside each operation). ``benchmarks/optimizer_step.py`` measures a step on 10⁷ parameters
against the memory-bandwidth bound.
"""

import os
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from dataclasses import dataclass, replace
from itertools import pairwise
from numbers import Real

import numpy as np

from ._validate import as_array, in_unit_interval, positive, same_shape

__all__ = [
    "ALL",
    "GD",
    "AMSGrad",
    "Adadelta",
    "Adagrad",
    "Adam",
    "Adamax",
    "Momentum",
    "Nadam",
    "Nesterov",
    "Optimizer",
    "RMSProp",
]

_BLOCK = 1 << 14  # elements per block: 16384 float64 = 128 kB per array, in the L2 cache
_PARALLEL_MIN = 1 << 18  # arrays this large are updated by several threads
_WORKERS = min(4, os.cpu_count() or 1)


# --- State: one small record per parameter array, named after the math ---------------------


@dataclass
class GDState:
    """Gradient descent keeps nothing but the step count t."""

    t: int


@dataclass
class MomentumState:
    """Step count t and the momentum buffer b (a running sum of gradients)."""

    t: int
    b: np.ndarray


@dataclass
class AdagradState:
    """Step count t and G, the sum of all squared gradients so far."""

    t: int
    G: np.ndarray


@dataclass
class RMSPropState:
    """Step count t and v, the moving average of squared gradients."""

    t: int
    v: np.ndarray


@dataclass
class AdadeltaState:
    """Step count t, v (average of squared gradients), u (average of squared updates)."""

    t: int
    v: np.ndarray
    u: np.ndarray


@dataclass
class AdamState:
    """Step count t, first moment m and second moment v (moving averages of g and g²)."""

    t: int
    m: np.ndarray
    v: np.ndarray


@dataclass
class AMSGradState(AdamState):
    """Adam's state plus v_max, the element-wise maximum of all v so far."""

    v_max: np.ndarray


@dataclass
class AdamaxState:
    """Step count t, first moment m and u, the exponentially weighted infinity norm."""

    t: int
    m: np.ndarray
    u: np.ndarray


@dataclass
class NadamState:
    """Adam's t, m, v plus mu_product = μ_1 μ_2 ⋯ μ_t, the product of momentum factors."""

    t: int
    m: np.ndarray
    v: np.ndarray
    mu_product: float


# --- Input checks ---------------------------------------------------------------------------


def _checked(x, name):
    """``as_array`` with a hint: non-finite values in a training run usually mean divergence."""
    try:
        return as_array(x, name)
    except ValueError as exc:
        raise ValueError(f"{exc} — did the run diverge?") from None


def _is_list_of_arrays(x):
    return isinstance(x, (list, tuple)) and all(isinstance(a, np.ndarray) for a in x)


def _list_of(n):
    return f"a list of {n} array{'' if n == 1 else 's'}"


def _describe(x):
    """'one array' or 'a list of n arrays', for error messages."""
    return _list_of(len(x)) if _is_list_of_arrays(x) else "one array"


def _arrays(params, grads):
    """Check params and grads; return them as lists of float64 arrays and the container type.

    The container type is ``None`` when params is one array, else ``list`` or ``tuple``.
    """
    if _is_list_of_arrays(params):
        if not isinstance(grads, (list, tuple)) or len(grads) != len(params):
            raise ValueError(f"params is {_describe(params)} but grads is {_describe(grads)}")
        thetas = [_checked(p, f"params[{i}]") for i, p in enumerate(params)]
        gs = [_checked(g, f"grads[{i}]") for i, g in enumerate(grads)]
        for i, (theta, g) in enumerate(zip(thetas, gs, strict=True)):
            same_shape(g, theta, (f"grads[{i}]", f"params[{i}]"))
        return thetas, gs, type(params)
    if _is_list_of_arrays(grads):
        raise ValueError(f"params is one array but grads is {_describe(grads)}")
    theta, g = _checked(params, "params"), _checked(grads, "grads")
    same_shape(g, theta, ("grads", "params"))
    return [theta], [g], None


def _betas(betas):
    if not isinstance(betas, (tuple, list)):
        raise TypeError(f"betas must be a pair (β₁, β₂) of numbers, got {betas!r}")
    if len(betas) != 2:
        raise ValueError(f"betas must be a pair (β₁, β₂), got {len(betas)} values: {betas!r}")
    return tuple(in_unit_interval(b, f"betas[{i}]") for i, b in enumerate(betas))


def _heavy_ball_momentum(momentum):
    if isinstance(momentum, Real) and momentum == 0:
        raise ValueError("momentum must be in (0, 1), got 0 (momentum 0 is plain GD: use GD)")
    return in_unit_interval(momentum, "momentum", closed_left=False)


def _lerp(m, g, w, tmp):
    """m ← m + w (g − m) in place, i.e. the moving average m ← (1 − w) m + w g.

    Written as torch's ``lerp_`` computes it (the form depends on whether w < ½).
    """
    np.subtract(g, m, out=tmp)
    if w < 0.5:
        tmp *= w
        m += tmp
    else:
        tmp *= 1.0 - w
        np.subtract(g, tmp, out=m)


# --- The base class -------------------------------------------------------------------------


class Optimizer:
    """Base class: input checks, one state record per parameter array, ``step`` and ``reset``.

    A subclass names its hyperparameters in ``_hyper`` and defines three methods:

    ``_init_state(shape)``
        the state of a fresh run for one parameter array (the algorithm's "initialize");
    ``_begin_step(s)``
        increments the step count ``s.t``, updates scalar state and returns the scalars the
        element-wise update needs this step (bias corrections, step sizes);
    ``_update(theta, g, s, c, out, tmp)``
        the element-wise rule: reads θ and g, updates the arrays of ``s`` in place and
        writes θ_t into ``out``; ``c`` is what ``_begin_step`` returned and ``tmp`` two
        scratch arrays. The arrays are 1-D blocks of equal length.
    """

    _hyper = ("lr",)

    def __init__(self, *, lr):
        self.lr = positive(lr, "lr")
        self.reset()

    def reset(self):
        """Forget all state: the next ``step`` starts a fresh run, with any shapes."""
        self.state = []  # one state record per parameter array
        self._layout = None  # (one array?, shapes) the state was made for

    def step(self, params, grads):
        """One update θ_t = θ_{t−1} − (the rule's step); returns θ_t, not changing the input.

        Parameters
        ----------
        params : ndarray or list of ndarrays
            The current parameters θ_{t−1}.
        grads : ndarray or list of ndarrays
            The gradients g_t = ∇J(θ_{t−1}), same structure and shapes as ``params``.

        Returns
        -------
        ndarray or list of ndarrays
            θ_t as new float64 arrays, in the structure of ``params``.

        Raises
        ------
        TypeError
            If params or grads are not arrays of real numbers.
        ValueError
            If their structure or shapes differ, or they hold NaN or inf, or the structure or
            shapes differ from those of earlier steps (call ``reset()`` first).
        """
        thetas, gs, container = _arrays(params, grads)
        layout = (container is None, [theta.shape for theta in thetas])
        if self._layout is None:
            self.state = [self._init_state(theta.shape) for theta in thetas]
            self._layout = layout
        elif layout != self._layout:
            self._layout_error(layout)
        new = [self._step_array(*args) for args in zip(thetas, gs, self.state, strict=True)]
        return new[0] if container is None else container(new)

    def _step_array(self, theta, g, s):
        """θ_t for one parameter array: the rule applied block by block, on threads if large."""
        c = self._begin_step(s)
        out = np.empty(theta.shape)
        n = theta.size
        flat = (theta.reshape(-1), g.reshape(-1), out.reshape(-1))
        states = {k: a.reshape(-1) for k, a in vars(s).items() if isinstance(a, np.ndarray)}
        workers = _WORKERS if n >= _PARALLEL_MIN else 1
        blocks = -(-n // _BLOCK)
        edges = [i * blocks // workers * _BLOCK for i in range(workers)] + [n]
        if workers == 1:
            self._run_blocks(flat, states, s, c, 0, n)
            return out
        # numpy releases the GIL inside each operation, so threads share the blocks
        (lo, hi), *rest = pairwise(edges)
        with ThreadPoolExecutor(workers - 1) as pool:
            others = [
                pool.submit(copy_context().run, self._run_blocks, flat, states, s, c, *part)
                for part in rest
            ]
            self._run_blocks(flat, states, s, c, lo, hi)
        for future in others:
            future.result()
        return out

    def _run_blocks(self, flat, states, s, c, lo, hi):
        """Apply ``_update`` to the elements lo:hi, one block at a time."""
        theta, g, out = flat
        tmp = np.empty((2, min(_BLOCK, hi - lo)))
        for start in range(lo, hi, _BLOCK):
            block = slice(start, min(start + _BLOCK, hi))
            k = block.stop - block.start
            s_block = replace(s, **{name: a[block] for name, a in states.items()})
            self._update(theta[block], g[block], s_block, c, out[block], (tmp[0, :k], tmp[1, :k]))

    def _layout_error(self, layout):
        (single, shapes), (old_single, old_shapes) = layout, self._layout
        if single != old_single or len(shapes) != len(old_shapes):
            got = "one array" if single else _list_of(len(shapes))
            had = "one array" if old_single else _list_of(len(old_shapes))
            raise ValueError(
                f"params is {got} but the optimizer's state was made for {had}; "
                "call reset() before optimizing different parameters"
            )
        for i, (shape, old) in enumerate(zip(shapes, old_shapes, strict=True)):
            if shape != old:
                name = "params" if single else f"params[{i}]"
                raise ValueError(
                    f"{name} has shape {shape} but the optimizer's state was made for shape "
                    f"{old}; call reset() before optimizing different parameters"
                )

    def __repr__(self):
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._hyper)
        return f"{type(self).__name__}({args})"


# --- The optimizers -------------------------------------------------------------------------


class GD(Optimizer):
    r"""Gradient descent: θ_t = θ_{t−1} − η g_t (torch.optim.SGD).

    Algorithm (η = ``lr``)::

        for t = 1, 2, …:
            g_t = ∇J(θ_{t−1})
            θ_t = θ_{t−1} − η g_t

    The same rule is batch GD, SGD or mini-batch GD depending on which examples the
    gradient is computed from.

    References: A. Cauchy, "Méthode générale pour la résolution des systèmes d'équations
    simultanées", C. R. Acad. Sci. Paris 25, 1847; H. Robbins, S. Monro, "A stochastic
    approximation method", Ann. Math. Statist. 22, 1951 (SGD).

    Parameters
    ----------
    lr : float, default 1e-3
        The learning rate η > 0.

    Example
    -------
    >>> opt = GD(lr=0.1)
    >>> theta = np.array([1.0, -2.0])
    >>> for _ in range(3):
    ...     theta = opt.step(theta, theta)  # J(θ) = ½‖θ‖², ∇J(θ) = θ
    >>> print(theta)  # (1 − η)³ θ₀
    [ 0.729 -1.458]
    """

    def __init__(self, *, lr=1e-3):
        super().__init__(lr=lr)

    def _init_state(self, shape):
        return GDState(t=0)

    def _begin_step(self, s):
        s.t += 1

    def _update(self, theta, g, s, c, out, tmp):
        np.multiply(g, -self.lr, out=out)
        out += theta  # θ − η g


class Momentum(Optimizer):
    r"""Gradient descent with (heavy-ball) momentum (torch.optim.SGD with ``momentum``).

    Algorithm (η = ``lr``, μ = ``momentum``; b_0 = 0)::

        for t = 1, 2, …:
            g_t = ∇J(θ_{t−1})
            b_t = μ b_{t−1} + g_t
            θ_t = θ_{t−1} − η b_t

    Reference: B. T. Polyak, "Some methods of speeding up the convergence of iteration
    methods", USSR Comput. Math. Math. Phys. 4(5), 1964.

    Lectures write it with a velocity: v_t = γ v_{t−1} + η g_t, θ_t = θ_{t−1} − v_t (or
    with the opposite sign, v_t = γ v_{t−1} − η g_t, θ_t = θ_{t−1} + v_t). It is the same
    method: with γ = μ and a constant η, v_t = η b_t (or −η b_t); the forms differ only when
    η changes during the run. torch starts with b_1 = g_1, which is the rule above with
    b_0 = 0.

    Parameters
    ----------
    lr : float, default 1e-3
        The learning rate η > 0.
    momentum : float, default 0.9
        The momentum factor μ, 0 < μ < 1. torch's default is 0, which would make this plain
        GD, so here it is 0.9.

    Example
    -------
    >>> opt = Momentum(lr=0.1, momentum=0.9)
    >>> theta = np.array([1.0, -2.0])
    >>> for _ in range(2):
    ...     theta = opt.step(theta, theta)  # ∇J(θ) = θ
    >>> print(theta)  # θ₁ = 0.9 θ₀, b₂ = 0.9 θ₀ + θ₁ = 1.8 θ₀, θ₂ = θ₁ − 0.18 θ₀
    [ 0.72 -1.44]
    """

    _hyper = ("lr", "momentum")

    def __init__(self, *, lr=1e-3, momentum=0.9):
        super().__init__(lr=lr)
        self.momentum = _heavy_ball_momentum(momentum)

    def _init_state(self, shape):
        return MomentumState(t=0, b=np.zeros(shape))

    def _begin_step(self, s):
        s.t += 1

    def _update(self, theta, g, s, c, out, tmp):
        s.b *= self.momentum
        s.b += g  # b ← μ b + g
        np.multiply(s.b, -self.lr, out=out)
        out += theta  # θ − η b


class Nesterov(Momentum):
    r"""Nesterov's accelerated gradient (torch.optim.SGD with ``momentum``, ``nesterov=True``).

    Algorithm (η = ``lr``, μ = ``momentum``; b_0 = 0)::

        for t = 1, 2, …:
            g_t = ∇J(θ_{t−1})
            b_t = μ b_{t−1} + g_t
            θ_t = θ_{t−1} − η (g_t + μ b_t)

    References: Y. Nesterov, "A method for solving the convex programming problem with
    convergence rate O(1/k²)", Soviet Math. Doklady 27, 1983; I. Sutskever, J. Martens,
    G. Dahl, G. Hinton, "On the importance of initialization and momentum in deep
    learning", ICML 2013.

    The lecture writes the "look-ahead" form: v_t = γ v_{t−1} + η ∇J(θ_{t−1} − γ v_{t−1}),
    θ_t = θ_{t−1} − v_t, which evaluates the gradient at the point the momentum is about to
    carry θ to. With φ = θ − γ v (the look-ahead point) as the variable one stores, it
    becomes the rule above (γ = μ, v = η b): the same method, but the gradient is taken at
    the stored parameters. The book's momentum chapter derives this step by step.

    Parameters
    ----------
    lr : float, default 1e-3
        The learning rate η > 0.
    momentum : float, default 0.9
        The momentum factor μ, 0 < μ < 1 (torch's default 0 would make this plain GD).

    Example
    -------
    >>> opt = Nesterov(lr=0.1, momentum=0.9)
    >>> theta = np.array([1.0, -2.0])
    >>> for _ in range(2):
    ...     theta = opt.step(theta, theta)  # ∇J(θ) = θ
    >>> print(np.round(theta, 6))  # θ₁ = 0.81 θ₀, θ₂ = 0.5751 θ₀
    [ 0.5751 -1.1502]
    """

    def _update(self, theta, g, s, c, out, tmp):
        (d, _) = tmp
        s.b *= self.momentum
        s.b += g  # b ← μ b + g
        np.multiply(s.b, self.momentum, out=d)
        d += g  # d = g + μ b
        d *= -self.lr
        np.add(theta, d, out=out)  # θ − η d


class Adagrad(Optimizer):
    r"""Adagrad: a per-coordinate step size η / √(sum of squared gradients) (torch.optim.Adagrad).

    Algorithm (η = ``lr``, ε = ``eps``; G_0 = 0)::

        for t = 1, 2, …:
            g_t = ∇J(θ_{t−1})
            G_t = G_{t−1} + g_t²
            θ_t = θ_{t−1} − η g_t / (√G_t + ε)

    Reference: J. Duchi, E. Hazan, Y. Singer, "Adaptive subgradient methods for online
    learning and stochastic optimization", JMLR 12, 2011.

    ε is added outside the square root, as torch does; the lecture's η / √(G_t + ε) puts it
    inside. Both only guard against division by zero, but the numbers differ while G_t is
    small (on the first step this rule moves each coordinate by η g/(|g| + ε)). torch's
    ``lr_decay`` and ``initial_accumulator_value`` are fixed at 0 here.

    Parameters
    ----------
    lr : float, default 1e-2
        The learning rate η > 0.
    eps : float, default 1e-10
        ε > 0, added to the denominator.

    Example
    -------
    >>> opt = Adagrad(lr=0.5)
    >>> theta = np.array([1.0, -2.0])
    >>> for _ in range(2):
    ...     theta = opt.step(theta, theta)  # ∇J(θ) = θ
    >>> print(np.round(theta, 6))
    [ 0.276393 -1.2     ]
    """

    _hyper = ("lr", "eps")

    def __init__(self, *, lr=1e-2, eps=1e-10):
        super().__init__(lr=lr)
        self.eps = positive(eps, "eps")

    def _init_state(self, shape):
        return AdagradState(t=0, G=np.zeros(shape))

    def _begin_step(self, s):
        s.t += 1

    def _update(self, theta, g, s, c, out, tmp):
        std, step = tmp
        np.multiply(g, g, out=std)
        s.G += std  # G ← G + g²
        np.sqrt(s.G, out=std)
        std += self.eps  # √G + ε
        np.multiply(g, -self.lr, out=step)
        step /= std
        np.add(theta, step, out=out)  # θ − η g / (√G + ε)


class RMSProp(Optimizer):
    r"""RMSProp: divide the gradient by a moving RMS of recent gradients (torch.optim.RMSprop).

    Algorithm (η = ``lr``, α = ``alpha``, ε = ``eps``; v_0 = 0)::

        for t = 1, 2, …:
            g_t = ∇J(θ_{t−1})
            v_t = α v_{t−1} + (1 − α) g_t²
            θ_t = θ_{t−1} − η g_t / (√v_t + ε)

    Reference: T. Tieleman, G. Hinton, "Lecture 6.5 — RMSProp: divide the gradient by a
    running average of its recent magnitude", COURSERA: Neural Networks for Machine
    Learning, 2012.

    The lecture calls the average G and its decay rate γ (here v and α, torch's names) and
    puts ε inside the square root, η g / √(G + ε); torch adds it outside. This is torch's
    plain variant
    (``centered=False``, ``momentum=0``). There is no bias correction, so the first steps
    are large: θ_1 = θ_0 − η g/(√(1 − α) |g| + ε), i.e. about 10 η for α = 0.99.

    Parameters
    ----------
    lr : float, default 1e-2
        The learning rate η > 0.
    alpha : float, default 0.99
        The decay rate α of the moving average, 0 ≤ α < 1.
    eps : float, default 1e-8
        ε > 0, added to the denominator.

    Example
    -------
    >>> opt = RMSProp(lr=0.01)
    >>> theta = np.array([1.0, -2.0])
    >>> theta = opt.step(theta, theta)  # ∇J(θ) = θ: moves by η/√(1 − α) = 0.1
    >>> print(np.round(theta, 6))
    [ 0.9 -1.9]
    """

    _hyper = ("lr", "alpha", "eps")

    def __init__(self, *, lr=1e-2, alpha=0.99, eps=1e-8):
        super().__init__(lr=lr)
        self.alpha = in_unit_interval(alpha, "alpha")
        self.eps = positive(eps, "eps")

    def _init_state(self, shape):
        return RMSPropState(t=0, v=np.zeros(shape))

    def _begin_step(self, s):
        s.t += 1

    def _update(self, theta, g, s, c, out, tmp):
        a, step = tmp
        s.v *= self.alpha
        np.multiply(g, 1 - self.alpha, out=a)
        a *= g
        s.v += a  # v ← α v + (1 − α) g²
        np.sqrt(s.v, out=a)
        a += self.eps  # √v + ε
        np.multiply(g, -self.lr, out=step)
        step /= a
        np.add(theta, step, out=out)  # θ − η g / (√v + ε)


class Adadelta(Optimizer):
    r"""Adadelta: step = RMS of past updates / RMS of gradients (torch.optim.Adadelta).

    Algorithm (η = ``lr``, ρ = ``rho``, ε = ``eps``; v_0 = u_0 = 0)::

        for t = 1, 2, …:
            g_t = ∇J(θ_{t−1})
            v_t = ρ v_{t−1} + (1 − ρ) g_t²
            Δ_t = √(u_{t−1} + ε) / √(v_t + ε) · g_t
            u_t = ρ u_{t−1} + (1 − ρ) Δ_t²
            θ_t = θ_{t−1} − η Δ_t

    Reference: M. D. Zeiler, "ADADELTA: an adaptive learning rate method", arXiv:1212.5701,
    2012.

    Here ε sits inside both square roots, as in the paper. The paper has no learning rate
    (η = 1, torch's default): the ratio of RMS values gives the update the units of θ.
    Starting from u_0 = 0 the first steps are tiny (about √ε / √(1 − ρ)), so Adadelta needs
    many steps or a larger η.

    Parameters
    ----------
    lr : float, default 1.0
        η > 0, scales the update.
    rho : float, default 0.9
        The decay rate ρ of both moving averages, 0 ≤ ρ < 1.
    eps : float, default 1e-6
        ε > 0, inside the square roots.

    Example
    -------
    >>> opt = Adadelta()
    >>> theta = np.array([1.0, -2.0])
    >>> theta = opt.step(theta, theta)  # ∇J(θ) = θ
    >>> print(np.round(theta - [1.0, -2.0], 6))  # first step ≈ √ε/√(1 − ρ) ≈ 0.0032
    [-0.003162  0.003162]
    """

    _hyper = ("lr", "rho", "eps")

    def __init__(self, *, lr=1.0, rho=0.9, eps=1e-6):
        super().__init__(lr=lr)
        self.rho = in_unit_interval(rho, "rho")
        self.eps = positive(eps, "eps")

    def _init_state(self, shape):
        return AdadeltaState(t=0, v=np.zeros(shape), u=np.zeros(shape))

    def _begin_step(self, s):
        s.t += 1

    def _update(self, theta, g, s, c, out, tmp):
        a, delta = tmp
        rho, eps = self.rho, self.eps
        s.v *= rho
        np.multiply(g, 1 - rho, out=a)
        a *= g
        s.v += a  # v ← ρ v + (1 − ρ) g²
        np.add(s.v, eps, out=a)
        np.sqrt(a, out=a)  # √(v + ε)
        np.add(s.u, eps, out=delta)
        np.sqrt(delta, out=delta)
        delta /= a
        delta *= g  # Δ = √(u + ε) / √(v + ε) · g
        s.u *= rho
        np.multiply(delta, 1 - rho, out=a)
        a *= delta
        s.u += a  # u ← ρ u + (1 − ρ) Δ²
        np.multiply(delta, -self.lr, out=out)
        out += theta  # θ − η Δ


class Adam(Optimizer):
    r"""Adam: momentum on g and an RMS step size, both bias-corrected (torch.optim.Adam).

    Algorithm (η = ``lr``, (β₁, β₂) = ``betas``, ε = ``eps``; m_0 = v_0 = 0)::

        for t = 1, 2, …:
            g_t = ∇J(θ_{t−1})
            m_t = β₁ m_{t−1} + (1 − β₁) g_t
            v_t = β₂ v_{t−1} + (1 − β₂) g_t²
            m̂_t = m_t / (1 − β₁ᵗ)
            v̂_t = v_t / (1 − β₂ᵗ)
            θ_t = θ_{t−1} − η m̂_t / (√v̂_t + ε)

    Reference: D. P. Kingma, J. Ba, "Adam: a method for stochastic optimization", ICLR 2015.

    The bias corrections undo the start at m_0 = v_0 = 0: on the first step m̂_1 = g_1 and
    √v̂_1 = |g_1|, so every coordinate moves by η g/(|g| + ε) ≈ η sign(g), whatever the
    gradient's size. ε is added outside the square root of the *corrected* v̂_t, as in the
    paper's Algorithm 1 and torch; the lecture's η m̂/√(v̂ + ε) puts it inside.

    The code uses the reordering of the paper's Section 2, θ_t = θ_{t−1} − α_t m_t/(√v_t + ε̂)
    with α_t = η √(1 − β₂ᵗ)/(1 − β₁ᵗ) and ε̂ = ε √(1 − β₂ᵗ): the same rule (multiply
    numerator and denominator by √(1 − β₂ᵗ)) with one operation fewer per element.

    Parameters
    ----------
    lr : float, default 1e-3
        The learning rate η > 0.
    betas : (float, float), default (0.9, 0.999)
        Decay rates (β₁, β₂) of the moving averages of g and g², each in [0, 1).
    eps : float, default 1e-8
        ε > 0, added to the denominator.

    Example
    -------
    >>> opt = Adam(lr=0.1)
    >>> theta = np.array([1.0, -200.0])
    >>> theta = opt.step(theta, theta)  # ∇J(θ) = θ: both coordinates move by ≈ η
    >>> print(np.round(theta, 6))
    [   0.9 -199.9]
    """

    _hyper = ("lr", "betas", "eps")

    def __init__(self, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(lr=lr)
        self.betas = _betas(betas)
        self.eps = positive(eps, "eps")

    def _init_state(self, shape):
        return AdamState(t=0, m=np.zeros(shape), v=np.zeros(shape))

    def _begin_step(self, s):
        s.t += 1
        beta1, beta2 = self.betas
        bc2_sqrt = (1 - beta2**s.t) ** 0.5
        alpha_t = self.lr * bc2_sqrt / (1 - beta1**s.t)  # η √(1 − β₂ᵗ) / (1 − β₁ᵗ)
        return alpha_t, self.eps * bc2_sqrt  # and ε̂ = ε √(1 − β₂ᵗ)

    def _update(self, theta, g, s, c, out, tmp):
        alpha_t, eps_hat = c
        beta1, beta2 = self.betas
        a, _ = tmp
        _lerp(s.m, g, 1 - beta1, a)  # m ← β₁ m + (1 − β₁) g
        s.v *= beta2
        np.multiply(g, 1 - beta2, out=a)
        a *= g
        s.v += a  # v ← β₂ v + (1 − β₂) g²
        np.sqrt(self._second_moment(s), out=a)
        a += eps_hat  # √v + ε̂
        np.divide(s.m, a, out=a)
        a *= -alpha_t
        np.add(theta, a, out=out)  # θ − α_t m / (√v + ε̂)  =  θ − η m̂ / (√v̂ + ε)

    def _second_moment(self, s):
        """The v whose bias-corrected square root divides the step: Adam uses v_t itself."""
        return s.v


class AMSGrad(Adam):
    r"""AMSGrad: Adam whose denominator never shrinks (torch.optim.Adam with ``amsgrad=True``).

    Algorithm (η = ``lr``, (β₁, β₂) = ``betas``, ε = ``eps``; m_0 = v_0 = v_max,0 = 0)::

        for t = 1, 2, …:
            g_t = ∇J(θ_{t−1})
            m_t = β₁ m_{t−1} + (1 − β₁) g_t
            v_t = β₂ v_{t−1} + (1 − β₂) g_t²
            v_max,t = max(v_max,t−1, v_t)
            m̂_t = m_t / (1 − β₁ᵗ)
            v̂_t = v_max,t / (1 − β₂ᵗ)
            θ_t = θ_{t−1} − η m̂_t / (√v̂_t + ε)

    Reference: S. J. Reddi, S. Kale, S. Kumar, "On the convergence of Adam and beyond",
    ICLR 2018.

    The maximum is taken over the uncorrected v_t and then divided by the current bias
    correction, as torch does. (The paper's version has no bias correction at all.)

    Parameters
    ----------
    lr : float, default 1e-3
        The learning rate η > 0.
    betas : (float, float), default (0.9, 0.999)
        Decay rates (β₁, β₂) of the moving averages of g and g², each in [0, 1).
    eps : float, default 1e-8
        ε > 0, added to the denominator.

    Example
    -------
    >>> opt = AMSGrad(lr=0.1)
    >>> theta = opt.step(np.array([1.0, -2.0]), np.array([1.0, 0.0]))
    >>> theta = opt.step(theta, np.array([0.0, 1.0]))
    >>> print(opt.state[0].v, opt.state[0].v_max)  # v_1 = [0.001, 0], v_2 = [0.000999, 0.001]
    [0.000999 0.001   ] [0.001 0.001]
    """

    def _init_state(self, shape):
        return AMSGradState(t=0, m=np.zeros(shape), v=np.zeros(shape), v_max=np.zeros(shape))

    def _second_moment(self, s):
        np.maximum(s.v_max, s.v, out=s.v_max)  # v_max ← max(v_max, v)
        return s.v_max


class Adamax(Optimizer):
    r"""Adamax: Adam with the infinity norm in place of the RMS (torch.optim.Adamax).

    Algorithm (η = ``lr``, (β₁, β₂) = ``betas``, ε = ``eps``; m_0 = u_0 = 0)::

        for t = 1, 2, …:
            g_t = ∇J(θ_{t−1})
            m_t = β₁ m_{t−1} + (1 − β₁) g_t
            u_t = max(β₂ u_{t−1}, |g_t| + ε)
            θ_t = θ_{t−1} − η m_t / ((1 − β₁ᵗ) u_t)

    Reference: D. P. Kingma, J. Ba, "Adam: a method for stochastic optimization", ICLR 2015,
    Section 7.1.

    u_t needs no bias correction (it is a maximum, not an average). The paper writes
    u_t = max(β₂ u_{t−1}, |g_t|); torch adds ε inside the max so that u_t > 0.

    Parameters
    ----------
    lr : float, default 2e-3
        The learning rate η > 0.
    betas : (float, float), default (0.9, 0.999)
        Decay rates (β₁, β₂) of the moving average of g and of the infinity norm, in [0, 1).
    eps : float, default 1e-8
        ε > 0, keeps u_t positive.

    Example
    -------
    >>> opt = Adamax(lr=0.1)
    >>> theta = np.array([1.0, -200.0])
    >>> theta = opt.step(theta, theta)  # first step: η g/(|g| + ε) ≈ η sign(g)
    >>> print(np.round(theta, 6))
    [   0.9 -199.9]
    """

    _hyper = ("lr", "betas", "eps")

    def __init__(self, *, lr=2e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(lr=lr)
        self.betas = _betas(betas)
        self.eps = positive(eps, "eps")

    def _init_state(self, shape):
        return AdamaxState(t=0, m=np.zeros(shape), u=np.zeros(shape))

    def _begin_step(self, s):
        s.t += 1
        return self.lr / (1 - self.betas[0] ** s.t)  # η / (1 − β₁ᵗ)

    def _update(self, theta, g, s, c, out, tmp):
        beta1, beta2 = self.betas
        a, _ = tmp
        _lerp(s.m, g, 1 - beta1, a)  # m ← β₁ m + (1 − β₁) g
        s.u *= beta2
        np.abs(g, out=a)
        a += self.eps
        np.maximum(s.u, a, out=s.u)  # u ← max(β₂ u, |g| + ε)
        np.multiply(s.m, -c, out=a)
        a /= s.u
        np.add(theta, a, out=out)  # θ − η m / ((1 − β₁ᵗ) u)


class Nadam(Optimizer):
    r"""Nadam: Adam with Nesterov momentum (torch.optim.NAdam).

    Algorithm (η = ``lr``, (β₁, β₂) = ``betas``, ε = ``eps``, ψ = ``momentum_decay``;
    m_0 = v_0 = 0)::

        for t = 1, 2, …:
            g_t = ∇J(θ_{t−1})
            μ_t = β₁ (1 − ½ · 0.96^(t ψ))
            μ_{t+1} = β₁ (1 − ½ · 0.96^((t+1) ψ))
            m_t = β₁ m_{t−1} + (1 − β₁) g_t
            v_t = β₂ v_{t−1} + (1 − β₂) g_t²
            m̂_t = μ_{t+1} m_t / (1 − μ_1 ⋯ μ_{t+1}) + (1 − μ_t) g_t / (1 − μ_1 ⋯ μ_t)
            v̂_t = v_t / (1 − β₂ᵗ)
            θ_t = θ_{t−1} − η m̂_t / (√v̂_t + ε)

    Reference: T. Dozat, "Incorporating Nesterov momentum into Adam", ICLR 2016 workshop.

    m̂_t is the Nesterov look-ahead: the momentum part uses the *next* step's factor
    μ_{t+1}, the gradient part the current one. The factors μ_t grow slowly from ≈ β₁/2
    towards β₁ (Dozat's momentum schedule); ``mu_product`` in the state is μ_1 ⋯ μ_t.
    ψ = 0 gives the constant μ_t = β₁/2.

    Parameters
    ----------
    lr : float, default 2e-3
        The learning rate η > 0.
    betas : (float, float), default (0.9, 0.999)
        Decay rates (β₁, β₂) of the moving averages of g and g², each in [0, 1).
    eps : float, default 1e-8
        ε > 0, added to the denominator.
    momentum_decay : float, default 4e-3
        ψ ≥ 0, the speed of the momentum schedule.

    Example
    -------
    >>> opt = Nadam(lr=0.1)
    >>> theta = np.array([1.0, -200.0])
    >>> theta = opt.step(theta, theta)  # first step ≈ 1.06 η sign(g): m̂_1 ≈ 1.06 g
    >>> print(np.round(theta, 4))
    [   0.8944 -199.8944]
    """

    _hyper = ("lr", "betas", "eps", "momentum_decay")

    def __init__(self, *, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, momentum_decay=4e-3):
        super().__init__(lr=lr)
        self.betas = _betas(betas)
        self.eps = positive(eps, "eps")
        if isinstance(momentum_decay, bool) or not isinstance(momentum_decay, Real):
            raise TypeError(
                f"momentum_decay must be a real number, got {type(momentum_decay).__name__}"
            )
        if not 0 <= momentum_decay < np.inf:
            raise ValueError(f"momentum_decay must be a finite number ≥ 0, got {momentum_decay}")
        self.momentum_decay = float(momentum_decay)

    def _init_state(self, shape):
        return NadamState(t=0, m=np.zeros(shape), v=np.zeros(shape), mu_product=1.0)

    def _begin_step(self, s):
        s.t += 1
        beta1, beta2 = self.betas
        psi, lr = self.momentum_decay, self.lr
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (s.t * psi))  # μ_t
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((s.t + 1) * psi))  # μ_{t+1}
        s.mu_product *= mu  # μ_1 ⋯ μ_t
        c_g = -lr * (1.0 - mu) / (1.0 - s.mu_product)
        c_m = (-lr * mu_next) / (1.0 - s.mu_product * mu_next)
        # m̂ / (√v̂ + ε) = √(1 − β₂ᵗ) m̂ / (√v + ε̂) with ε̂ = ε √(1 − β₂ᵗ), as in Adam
        bc2_sqrt = (1 - beta2**s.t) ** 0.5
        return c_g * bc2_sqrt, c_m * bc2_sqrt, self.eps * bc2_sqrt

    def _update(self, theta, g, s, c, out, tmp):
        c_g, c_m, eps_hat = c
        beta1, beta2 = self.betas
        a, b = tmp
        _lerp(s.m, g, 1 - beta1, a)  # m ← β₁ m + (1 − β₁) g
        s.v *= beta2
        np.multiply(g, 1 - beta2, out=a)
        a *= g
        s.v += a  # v ← β₂ v + (1 − β₂) g²
        np.sqrt(s.v, out=a)
        a += eps_hat  # √v + ε̂
        np.multiply(g, c_g, out=out)  # −η (1 − μ_t) g / (1 − μ_1 ⋯ μ_t)  (times √(1 − β₂ᵗ))
        np.multiply(s.m, c_m, out=b)  # −η μ_{t+1} m / (1 − μ_1 ⋯ μ_{t+1})  (likewise)
        out += b
        out /= a
        out += theta  # θ − η m̂ / (√v̂ + ε)


ALL = (GD, Momentum, Nesterov, Adagrad, Adadelta, RMSProp, Adam, Adamax, Nadam, AMSGrad)
