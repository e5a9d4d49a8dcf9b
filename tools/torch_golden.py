"""Golden optimizer trajectories from the real torch.optim, for ``tests/test_optimizers.py``.

For every optimizer in ``optimlib.optimizers.ALL``, two hyperparameter settings (torch's
defaults and a non-default one) and three problems, this runs 15 steps of the matching
torch.optim optimizer in float64 and writes the trajectories to
``tests/data/optimizer_golden.json``:

(a) ``quadratic``: J(x) = ½ xᵀA x − bᵀx in 3-D, A symmetric positive definite, not diagonal,
    condition number 100; ∇J(x) = A x − b;
(b) ``rosenbrock``: J(x, y) = (1 − x)² + 100 (y − x²)² from (−1.2, 1);
(c) ``two_arrays``: parameters [W, c] of shapes (2, 2) and (3,),
    J = ½ Σ D ⊙ (W − W⋆)² + ¼ Σ (c − c⋆)⁴, so ∇_W = D ⊙ (W − W⋆), ∇_c = (c − c⋆)³.

The gradients are computed with the same numpy code for torch and for optimlib (torch only
receives them as ``p.grad``), so any difference comes from the optimizers alone. Afterwards
the script runs optimlib on the same cases and prints the largest absolute difference per
optimizer: the cross-check against torch that the tests cannot do (they do not need torch).

The tests do not run this script. Run it after changing an update rule or a problem, with
torch installed in a separate virtualenv (not the project's)::

    python3 -m venv /tmp/torchenv
    /tmp/torchenv/bin/pip install numpy \
        /opt/wheels/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl
    /tmp/torchenv/bin/python tools/torch_golden.py          # from the repository root

The script puts the repository root on ``sys.path``, so optimlib need not be installed there.
``--check`` only compares against torch and leaves the JSON file alone.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from optimlib import optimizers  # noqa: E402

OUT = ROOT / "tests" / "data" / "optimizer_golden.json"
STEPS = 15


# --- Problems ---------------------------------------------------------------------------------


def _quadratic_matrix():
    """A = Q diag(1, 10, 100) Qᵀ with Q a fixed rotation: SPD, non-diagonal, κ = 100."""
    a, b = 0.6, 0.4  # rotation angles about the z and x axes
    rz = np.array([[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0], [0, 0, 1]])
    rx = np.array([[1, 0, 0], [0, np.cos(b), -np.sin(b)], [0, np.sin(b), np.cos(b)]])
    q = rz @ rx
    a_mat = q @ np.diag([1.0, 10.0, 100.0]) @ q.T
    return (a_mat + a_mat.T) / 2  # exactly symmetric


PROBLEMS = {
    "quadratic": {
        "objective": "J(x) = 1/2 x^T A x - b^T x",
        "gradient": "A x - b",
        "A": _quadratic_matrix().tolist(),
        "b": [1.0, -2.0, 0.5],
        "x0": [1.0, 1.0, -1.0],
    },
    "rosenbrock": {
        "objective": "J(x, y) = (1 - x)^2 + 100 (y - x^2)^2",
        "gradient": "(-2 (1 - x) - 400 x (y - x^2), 200 (y - x^2))",
        "x0": [-1.2, 1.0],
    },
    "two_arrays": {
        "objective": "J(W, c) = 1/2 sum(D * (W - W_star)^2) + 1/4 sum((c - c_star)^4)",
        "gradient": "[D * (W - W_star), (c - c_star)^3]",
        "D": [[1.0, 4.0], [0.25, 9.0]],
        "W_star": [[1.0, -1.0], [0.5, 2.0]],
        "c_star": [1.0, -2.0, 0.5],
        "x0": [[[0.0, 0.0], [0.0, 0.0]], [0.0, 0.0, 3.0]],
    },
}


def gradient(name, x):
    """∇J for problem ``name`` at x (one array, or a list [W, c] for ``two_arrays``)."""
    p = PROBLEMS[name]
    if name == "quadratic":
        return np.array(p["A"]) @ x - np.array(p["b"])
    if name == "rosenbrock":
        r = x[1] - x[0] ** 2
        return np.array([-2 * (1 - x[0]) - 400 * x[0] * r, 200 * r])
    w, c = x
    return [np.array(p["D"]) * (w - np.array(p["W_star"])), (c - np.array(p["c_star"])) ** 3]


def start(name):
    x0 = PROBLEMS[name]["x0"]
    return [np.array(a) for a in x0] if name == "two_arrays" else np.array(x0)


# --- Optimizer settings -----------------------------------------------------------------------

# (optimlib name, torch class, torch keyword arguments implied by the optimlib class)
TORCH = {
    "GD": (torch.optim.SGD, {}),
    "Momentum": (torch.optim.SGD, {"momentum": 0.9}),
    "Nesterov": (torch.optim.SGD, {"momentum": 0.9, "nesterov": True}),
    "Adagrad": (torch.optim.Adagrad, {}),
    "Adadelta": (torch.optim.Adadelta, {}),
    "RMSProp": (torch.optim.RMSprop, {}),
    "Adam": (torch.optim.Adam, {}),
    "Adamax": (torch.optim.Adamax, {}),
    "Nadam": (torch.optim.NAdam, {}),
    "AMSGrad": (torch.optim.Adam, {"amsgrad": True}),
}

# the non-default setting of each optimizer; β₁ ≥ 0.5 somewhere exercises lerp's other branch
NON_DEFAULT = {
    "GD": {"lr": 5e-4},
    "Momentum": {"lr": 5e-4, "momentum": 0.5},
    "Nesterov": {"lr": 5e-4, "momentum": 0.99},
    "Adagrad": {"lr": 0.5, "eps": 1e-3},
    "Adadelta": {"lr": 0.5, "rho": 0.5, "eps": 1e-3},
    "RMSProp": {"lr": 3e-3, "alpha": 0.5, "eps": 1e-3},
    "Adam": {"lr": 0.05, "betas": [0.5, 0.9], "eps": 1e-3},
    "Adamax": {"lr": 0.05, "betas": [0.3, 0.95], "eps": 1e-3},
    "Nadam": {"lr": 0.05, "betas": [0.8, 0.99], "eps": 1e-3, "momentum_decay": 0.1},
    "AMSGrad": {"lr": 0.05, "betas": [0.5, 0.9], "eps": 1e-3},
}


def torch_trajectory(name, kwargs, problem):
    """θ_0 … θ_15 from torch.optim, gradients from ``gradient`` (numpy, float64)."""
    cls, implied = TORCH[name]
    x = start(problem)
    arrays = x if isinstance(x, list) else [x]
    params = [torch.tensor(a, dtype=torch.float64) for a in arrays]
    opt = cls(params, **{**implied, **kwargs}, foreach=False)
    trajectory = [x]
    for _ in range(STEPS):
        current = [p.detach().numpy().copy() for p in params]
        g = gradient(problem, current if isinstance(x, list) else current[0])
        for p, gi in zip(params, g if isinstance(x, list) else [g], strict=True):
            p.grad = torch.from_numpy(np.array(gi, dtype=np.float64))
        opt.step()
        new = [p.detach().numpy().copy() for p in params]
        trajectory.append(new if isinstance(x, list) else new[0])
    return trajectory


def optimlib_trajectory(name, kwargs, problem):
    """θ_0 … θ_15 from optimlib, same gradients."""
    opt = getattr(optimizers, name)(**kwargs)
    x = start(problem)
    trajectory = [x]
    for _ in range(STEPS):
        x = opt.step(x, gradient(problem, x))
        trajectory.append(x)
    return trajectory


def to_json(trajectory):
    return [[a.tolist() for a in x] if isinstance(x, list) else x.tolist() for x in trajectory]


def flatten(trajectory):
    """All numbers of a trajectory as one vector."""
    return np.concatenate(
        [np.ravel(a) for x in trajectory for a in (x if isinstance(x, list) else [x])]
    )


def max_abs_diff(a, b):
    return float(np.max(np.abs(flatten(a) - flatten(b))))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="compare only, do not write")
    args = parser.parse_args()
    torch.set_default_dtype(torch.float64)  # torch's scalar state (step, mu_product) in float64

    cases, worst = [], {}
    for cls in optimizers.ALL:
        name = cls.__name__
        for setting, kwargs in (("default", {}), ("non-default", NON_DEFAULT[name])):
            opt = cls(**kwargs)
            hyper = {k: getattr(opt, k) for k in opt._hyper}  # all values, defaults included
            for problem in PROBLEMS:
                golden = torch_trajectory(name, kwargs, problem)
                ours = optimlib_trajectory(name, kwargs, problem)
                worst[name] = max(worst.get(name, 0.0), max_abs_diff(golden, ours))
                cases.append(
                    {
                        "optimizer": name,
                        "setting": setting,
                        "kwargs": kwargs,
                        "hyperparameters": hyper,
                        "problem": problem,
                        "trajectory": to_json(golden),
                    }
                )

    print(f"torch {torch.__version__}, numpy {np.__version__}: {len(cases)} trajectories")
    print("largest |optimlib − torch| over all steps, problems and settings:")
    for name, diff in worst.items():
        print(f"  {name:9s} {diff:.2e}")
    if not args.check:
        data = {
            "generator": "tools/torch_golden.py",
            "torch_version": torch.__version__,
            "dtype": "float64",
            "steps": STEPS,
            "problems": PROBLEMS,
            "cases": cases,
        }
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text(json.dumps(data, indent=1) + "\n")
        print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
