"""A multilayer perceptron trained by backpropagation, as in the lecture, vectorized.

A network with L layers of s_1, …, s_L units maps an input x ∈ ℝ^{s_1} to
h_θ(x) = a⁽ᴸ⁾ ∈ ℝ^K (K = s_L) by forward propagation:

    a⁽¹⁾ = x,   z⁽ˡ⁺¹⁾ = W⁽ˡ⁾ a⁽ˡ⁾ + b⁽ˡ⁾,   a⁽ˡ⁺¹⁾ = g(z⁽ˡ⁺¹⁾)      (l = 1, …, L − 1)

with W⁽ˡ⁾ of shape (s_{l+1}, s_l) and b⁽ˡ⁾ of shape (s_{l+1},); the lecture's
Θ⁽ˡ⁾ = [b⁽ˡ⁾ W⁽ˡ⁾] is the two side by side (the bias is column j = 0). Hidden layers use
the activation g (sigmoid, tanh or relu); the output layer uses the sigmoid for the
cross-entropy cost and the identity for the squared error.

Here the m examples are processed at once: X has one example x⁽ⁱ⁾ per row, so every
a⁽ˡ⁾, z⁽ˡ⁾ and δ⁽ˡ⁾ below is an (m, s_l) matrix whose row i belongs to example i, and
W⁽ˡ⁾a⁽ˡ⁾ + b⁽ˡ⁾ becomes A⁽ˡ⁾ W⁽ˡ⁾ᵀ + b⁽ˡ⁾. Example::

    >>> import numpy as np
    >>> net = MLP([2, 3, 1], seed=0)
    >>> X, Y = np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([[1.0], [0.0]])
    >>> J, grads = net.cost_and_grad(X, Y)
    >>> [g.shape for g in grads]
    [(3, 2), (3,), (1, 3), (1,)]
"""

from numbers import Integral, Real

import numpy as np

from ._validate import as_array, choice, generator
from .losses import check_lam


def sigmoid(z):
    """The logistic function g(z) = 1 / (1 + e⁻ᶻ), elementwise, without overflow.

    Evaluated as 1/(1 + e⁻ᶻ) where Re z > 0 and as eᶻ/(1 + eᶻ) elsewhere, so the
    exponential never exceeds 1 in size. Complex-safe (analytic) for the complex step.
    """
    z = np.asarray(z)
    pos = z.real > 0
    e = np.exp(np.where(pos, -z, z))  # e^(−|z|) for real z
    return np.where(pos, 1, e) / (1 + e)


def _softplus(z):
    """log(1 + eᶻ) elementwise, without overflow: max(z, 0) + log(1 + e^(−|z|)); complex-safe."""
    pos = z.real > 0
    return np.where(pos, z, 0) + np.log1p(np.exp(np.where(pos, -z, z)))


def _relu(z):
    return np.where(z.real > 0, z, 0)


# name: (g(z), g′ given z and a = g(z))
ACTIVATIONS = {
    "sigmoid": (sigmoid, lambda z, a: a * (1 - a)),  # g′ = g (1 − g)
    "tanh": (np.tanh, lambda z, a: 1 - a * a),  # g′ = 1 − g²
    "relu": (_relu, lambda z, a: np.where(z.real > 0, 1.0, 0.0)),  # g′ = [z > 0]
}
LOSSES = ("cross_entropy", "mse")


class MLP:
    """A fully connected network with layer sizes s_1, …, s_L and its cost J(θ).

    The cost, for m examples, K = s_L outputs and weights W⁽¹⁾, …, W⁽ᴸ⁻¹⁾, is

    * ``loss="cross_entropy"`` (sigmoid outputs, the lecture's cost):
      J(θ) = −1/m Σᵢ Σₖ [yₖ⁽ⁱ⁾ log a⁽ᴸ⁾ₖ + (1 − yₖ⁽ⁱ⁾) log(1 − a⁽ᴸ⁾ₖ)] + λ/(2m) Σ_l ‖W⁽ˡ⁾‖²_F
    * ``loss="mse"`` (identity outputs):
      J(θ) = 1/(2m) Σᵢ ‖a⁽ᴸ⁾ − y⁽ⁱ⁾‖² + λ/(2m) Σ_l ‖W⁽ˡ⁾‖²_F

    Biases are not regularized.

    Args:
        layer_sizes: [s_1, …, s_L], at least two positive ints (input and output).
        activation: g of the hidden layers, ``"sigmoid"``, ``"tanh"`` or ``"relu"``.
        loss: ``"cross_entropy"`` or ``"mse"``.
        weight_scale: σ of the initial weights W⁽ˡ⁾ᵢⱼ ~ N(0, σ²); None gives
            σ = 1/√s_l (layer by layer), 0 gives all-zero weights (which shows the
            symmetry problem: hidden units that start equal stay equal).
        seed: an int seed for ``np.random.default_rng``, or a ``np.random.Generator``.

    Attributes:
        params: [W⁽¹⁾, b⁽¹⁾, …, W⁽ᴸ⁻¹⁾, b⁽ᴸ⁻¹⁾]; biases start at zero. Assigning a new
            list checks its shapes.

    Raises:
        TypeError: a layer size or the seed has the wrong type.
        ValueError: fewer than two layers, a size < 1, an unknown activation or loss,
            or weight_scale < 0.
    """

    def __init__(
        self, layer_sizes, activation="sigmoid", loss="cross_entropy", weight_scale=None, seed=0
    ):
        sizes = list(layer_sizes) if isinstance(layer_sizes, list | tuple) else None
        if sizes is None:
            raise TypeError(f"layer_sizes must be a list of ints, got {type(layer_sizes).__name__}")
        if len(sizes) < 2:
            raise ValueError(f"layer_sizes needs at least 2 layers (input, output), got {sizes}")
        for s in sizes:
            if isinstance(s, bool) or not isinstance(s, Integral):
                raise TypeError(f"layer sizes must be ints, got {s!r} in {sizes}")
            if s < 1:
                raise ValueError(f"every layer needs at least 1 unit, got {sizes}")
        self.layer_sizes = tuple(int(s) for s in sizes)
        self.activation = choice(activation, tuple(ACTIVATIONS), "activation")
        self.loss = choice(loss, LOSSES, "loss")
        if weight_scale is not None and (
            isinstance(weight_scale, bool)
            or not isinstance(weight_scale, Real)
            or not 0 <= weight_scale < np.inf
        ):
            raise ValueError(
                f"weight_scale must be None or a finite number ≥ 0, got {weight_scale!r}"
            )
        rng = generator(seed, "seed")

        params = []
        for s_in, s_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:], strict=True):
            sigma = 1 / np.sqrt(s_in) if weight_scale is None else float(weight_scale)
            W = sigma * rng.standard_normal((s_out, s_in)) if sigma > 0 else np.zeros((s_out, s_in))
            params += [W, np.zeros(s_out)]
        self._params = params

    def __repr__(self):
        return f"MLP({list(self.layer_sizes)}, activation={self.activation!r}, loss={self.loss!r})"

    @property
    def params(self):
        """[W⁽¹⁾, b⁽¹⁾, …, W⁽ᴸ⁻¹⁾, b⁽ᴸ⁻¹⁾], W⁽ˡ⁾ of shape (s_{l+1}, s_l), b⁽ˡ⁾ of (s_{l+1},)."""
        return self._params

    @params.setter
    def params(self, value):
        self._params = self._check_params(value, allow_complex=False)

    def _check_params(self, params, *, allow_complex=True):
        """``params`` as a list of arrays shaped like this network's, or a clear error."""
        if params is None:
            return self._params
        if not isinstance(params, list | tuple):
            raise TypeError(f"params must be a list of arrays, got {type(params).__name__}")
        n = 2 * (len(self.layer_sizes) - 1)
        if len(params) != n:
            raise ValueError(
                f"params must hold {n} arrays [W1, b1, ..., W{n // 2}, b{n // 2}], "
                f"got {len(params)}"
            )
        out = []
        for k, p in enumerate(params):
            layer, kind = k // 2 + 1, "Wb"[k % 2]
            name = f"params[{k}] ({kind}{layer})"
            p = as_array(p, name, allow_complex=allow_complex)
            s_in, s_out = self.layer_sizes[layer - 1], self.layer_sizes[layer]
            want = (s_out, s_in) if kind == "W" else (s_out,)
            if p.shape != want:
                raise ValueError(f"{name} must have shape {want}, got {p.shape}")
            out.append(p)
        return out

    def _check_X(self, X):
        X = as_array(X, "X")
        if X.ndim != 2:
            raise ValueError(
                "X must be a 2-D array with one example per row, shape "
                f"(m, {self.layer_sizes[0]}); got shape {X.shape}"
            )
        if X.shape[1] != self.layer_sizes[0]:
            raise ValueError(
                f"X has {X.shape[1]} columns but the network's input layer has "
                f"{self.layer_sizes[0]} units"
            )
        if X.shape[0] == 0:
            raise ValueError("X has no rows (examples)")
        return X

    def _check_Y(self, Y, m):
        Y = as_array(Y, "Y")
        K = self.layer_sizes[-1]
        if Y.ndim == 1 and K == 1:
            Y = Y[:, None]
        if Y.shape != (m, K):
            raise ValueError(
                f"Y must have shape (m, K) = ({m}, {K}): one row per example of X and one "
                f"column per output unit; got shape {Y.shape}"
            )
        if self.loss == "cross_entropy" and not np.all((Y >= 0) & (Y <= 1)):
            raise ValueError("Y must hold labels in [0, 1] for the cross-entropy cost")
        return Y

    def _propagate(self, X, params):
        """Forward propagation: the lists z⁽²⁾, …, z⁽ᴸ⁾ and a⁽¹⁾, …, a⁽ᴸ⁾, each (m, s_l).

        The last a is g(z⁽ᴸ⁾) for cross-entropy (sigmoid) and z⁽ᴸ⁾ itself for mse.
        """
        g = ACTIVATIONS[self.activation][0]
        Ws, bs = params[0::2], params[1::2]
        zs, activations = [], [X]  # a⁽¹⁾ = x
        for layer, (W, b) in enumerate(zip(Ws, bs, strict=True), start=1):
            z = activations[-1] @ W.T + b  # z⁽ˡ⁺¹⁾ = W⁽ˡ⁾ a⁽ˡ⁾ + b⁽ˡ⁾, for every row at once
            if layer == len(Ws):  # the output layer
                a = sigmoid(z) if self.loss == "cross_entropy" else z
            else:
                a = g(z)
            zs.append(z)
            activations.append(a)
        return zs, activations

    def forward(self, X, params=None):
        """h_θ(X): the output activations a⁽ᴸ⁾ for every row of X, shape (m, K).

        Args:
            X: inputs, shape (m, s_1).
            params: parameters to use instead of ``self.params`` (same structure).

        Raises:
            TypeError: X or params is not numeric, or params is not a list.
            ValueError: X is not (m, s_1), has non-finite entries, or params has the
                wrong number or shapes of arrays.
        """
        params = self._check_params(params)
        return self._propagate(self._check_X(X), params)[1][-1]

    def predict(self, X, params=None):
        """Predicted class of every row of X, an int array of shape (m,).

        For K > 1 outputs the index of the largest output, argmax_k a⁽ᴸ⁾ₖ; for a single
        output the label 1 when a⁽ᴸ⁾ ≥ 0.5, else 0.

        Raises:
            TypeError, ValueError: as for ``forward``.
        """
        a = self.forward(X, params).real
        if a.shape[1] == 1:
            return (a[:, 0] >= 0.5).astype(int)
        return np.argmax(a, axis=1)

    def _cost(self, zs, activations, Y, lam, Ws):
        m = Y.shape[0]
        if self.loss == "cross_entropy":
            # −[y log g(z) + (1 − y) log(1 − g(z))] = log(1 + eᶻ) − y z, computed from the
            # logits z⁽ᴸ⁾ so that saturated outputs (g(z) = 1 in float64) give no log 0.
            z = zs[-1]
            data = np.sum(_softplus(z) - Y * z) / m
        else:
            r = activations[-1] - Y
            data = np.sum(r * r) / (2 * m)
        penalty = lam / (2 * m) * sum(np.sum(W * W) for W in Ws)  # biases excluded
        return (data + penalty).item()

    def cost(self, X, Y, lam=0.0, params=None):
        """J(θ) on the examples (X, Y), with L2 regularization λ (see the class docstring).

        Args:
            X: inputs, shape (m, s_1).
            Y: targets, shape (m, K) (or (m,) when K = 1); labels in [0, 1] for
                cross-entropy.
            lam: λ ≥ 0.
            params: parameters to use instead of ``self.params``; complex arrays give a
                complex J (for complex-step gradient checks).

        Returns:
            J, a float (complex for complex params).

        Raises:
            TypeError: an input has the wrong type.
            ValueError: wrong shapes, non-finite entries, labels outside [0, 1] for
                cross-entropy, or lam < 0.
        """
        lam = check_lam(lam)
        params = self._check_params(params)
        X = self._check_X(X)
        Y = self._check_Y(Y, X.shape[0])
        zs, activations = self._propagate(X, params)
        return self._cost(zs, activations, Y, lam, params[0::2])

    def cost_and_grad(self, X, Y, lam=0.0, params=None):
        """J(θ) and its gradient by backpropagation, vectorized over the m examples.

        The lecture's algorithm, with a whole batch per matrix product instead of a loop
        over i = 1, …, m (every δ⁽ˡ⁾ is (m, s_l), row i for example i):

            δ⁽ᴸ⁾ = a⁽ᴸ⁾ − y
            δ⁽ˡ⁾ = (δ⁽ˡ⁺¹⁾ W⁽ˡ⁾) ⊙ g′(z⁽ˡ⁾)          for l = L − 1, …, 2 (no δ⁽¹⁾)
            Δ⁽ˡ⁾ = δ⁽ˡ⁺¹⁾ᵀ a⁽ˡ⁾                        (Σᵢ δ⁽ˡ⁺¹⁾⁽ⁱ⁾ a⁽ˡ⁾⁽ⁱ⁾ᵀ, shape (s_{l+1}, s_l))
            ∂J/∂W⁽ˡ⁾ = Δ⁽ˡ⁾/m + (λ/m) W⁽ˡ⁾,   ∂J/∂b⁽ˡ⁾ = Σᵢ δ⁽ˡ⁺¹⁾⁽ⁱ⁾ / m

        δ⁽ᴸ⁾ = a⁽ᴸ⁾ − y holds for both costs: sigmoid outputs with cross-entropy
        (g′ = a(1 − a) cancels) and identity outputs with the squared error. The penalty
        λ/(2m) ΣW² has gradient (λ/m) W — the lecture's slide writes λΘ, missing the 1/m
        — and the biases (column j = 0 of Θ⁽ˡ⁾) are not regularized.

        Args:
            X, Y, lam, params: as for ``cost``.

        Returns:
            (J, grads): J as from ``cost`` and grads = [∂J/∂W⁽¹⁾, ∂J/∂b⁽¹⁾, …], aligned
            with ``params`` (same shapes).

        Raises:
            TypeError, ValueError: as for ``cost``.
        """
        lam = check_lam(lam)
        params = self._check_params(params)
        X = self._check_X(X)
        Y = self._check_Y(Y, X.shape[0])
        m = X.shape[0]
        g_prime = ACTIVATIONS[self.activation][1]
        Ws = params[0::2]
        zs, activations = self._propagate(X, params)
        J = self._cost(zs, activations, Y, lam, Ws)

        grads = [None] * len(params)
        delta = activations[-1] - Y  # δ⁽ᴸ⁾ = a⁽ᴸ⁾ − y
        for layer in range(len(Ws), 0, -1):  # l = L − 1, …, 1: a loop over layers, not data
            W, a = Ws[layer - 1], activations[layer - 1]  # W⁽ˡ⁾, a⁽ˡ⁾; delta holds δ⁽ˡ⁺¹⁾
            grads[2 * layer - 2] = delta.T @ a / m + (lam / m) * W  # D⁽ˡ⁾ = Δ⁽ˡ⁾/m + (λ/m) W⁽ˡ⁾
            grads[2 * layer - 1] = delta.sum(axis=0) / m  # bias: no regularization
            if layer > 1:  # δ⁽ˡ⁾ = (δ⁽ˡ⁺¹⁾ W⁽ˡ⁾) ⊙ g′(z⁽ˡ⁾)
                delta = (delta @ W) * g_prime(zs[layer - 2], a)
        return J, grads
