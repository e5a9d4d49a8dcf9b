"""Contour plots of 2-D objectives, and optimizer paths drawn on them.

The chapters' figures and widgets share three helpers::

    >>> from matplotlib.figure import Figure
    >>> from optimlib import functions, optimizers, plotting, train
    >>> ax = Figure().subplots()
    >>> lines = plotting.contour(ax, functions.rosenbrock, spacing="log")
    >>> trajectory = train.minimize(functions.rosenbrock, [-1.5, 2.0], optimizers.GD(lr=1e-3), 50)
    >>> line = plotting.path(ax, trajectory, label="GD")
    >>> [float(v) for v in ax.get_xlim() + ax.get_ylim()]   # the box stays: long paths are clipped
    [-2.0, 2.0, -1.0, 3.0]

``grid`` evaluates f on a mesh, ``contour`` draws its level sets {x : f(x) = c} over the
objective's ``box`` (and marks its known minima), ``path`` draws a trajectory
x₀, x₁, …, x_k as returned by ``train.minimize`` or ``train.newton``. They draw on a
matplotlib ``Axes`` they are given and never create figures, so they work with pyplot
and inside widgets alike.
"""

import numpy as np

from ._validate import as_array, choice

SPACINGS = ("linear", "log")


def _box(objective, box):
    box = objective.box if box is None else box
    if box is None:
        raise ValueError(
            f"{getattr(objective, 'name', 'the objective')} has no plotting box "
            "(it is not 2-D): pass box=((x_lo, x_hi), (y_lo, y_hi))"
        )
    box = as_array(box, "box")
    if box.shape != (2, 2) or not np.all(box[:, 0] < box[:, 1]):
        raise ValueError(f"box must be ((x_lo, x_hi), (y_lo, y_hi)) with lo < hi, got {box}")
    return box


def grid(objective, box=None, n=101):
    """f on an n × n mesh over ``box``: X, Y, Z of shape (n, n) with Z[i, j] = f(X[i, j], Y[i, j]).

    Args:
        objective: a 2-D objective whose ``value`` accepts a stacked grid of shape (2, n, n),
            e.g. ``optimlib.functions.himmelblau``.
        box: ((x_lo, x_hi), (y_lo, y_hi)); the objective's own ``box`` when None.
        n: the number of grid points along each axis, an int ≥ 2.

    Raises:
        ValueError: no box is given and the objective has none, the box is malformed,
            or n < 2.
    """
    (x_lo, x_hi), (y_lo, y_hi) = _box(objective, box)
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 2:
        raise ValueError(f"n must be an integer ≥ 2, got {n!r}")
    X, Y = np.meshgrid(np.linspace(x_lo, x_hi, n), np.linspace(y_lo, y_hi, n))
    return X, Y, np.asarray(objective.value(np.stack([X, Y])), dtype=np.float64)


def contour(ax, objective, box=None, *, levels=12, spacing="linear", n=101, minima=True, **kwargs):
    """Draw the contour lines of a 2-D objective over ``box`` on ``ax``.

    Sets the axes to the box, with equal scales on x and y (so that the gradient, which
    is perpendicular to the contour lines, looks perpendicular) and labels x, y.

    Args:
        ax: a matplotlib ``Axes``.
        objective: a 2-D objective (see ``grid``).
        box: the region to draw, ((x_lo, x_hi), (y_lo, y_hi)); the objective's when None.
        levels: the number of contour lines, or the list of levels f = c to draw.
        spacing: how ``levels`` lines are spaced between min f and max f on the grid:
            ``"linear"`` (equal steps), or ``"log"`` (geometric steps from 1/1000 of the
            range above the minimum: for valleys such as Rosenbrock's, whose values span
            many orders of magnitude).
        n: grid points along each axis.
        minima: mark the objective's known ``minima`` inside the box with a star.
        **kwargs: passed to ``ax.contour``, e.g. ``colors="0.6"`` for grey lines (then
            levels below 0 are dashed) instead of the default ``cmap="viridis"``.

    Returns:
        The ``ContourSet``, or None when f is constant on the box (no lines to draw).

    Raises:
        ValueError: as for ``grid``, or an unknown ``spacing``.
    """
    choice(spacing, SPACINGS, "spacing")
    X, Y, Z = grid(objective, box, n)
    (x_lo, x_hi), (y_lo, y_hi) = _box(objective, box).tolist()
    ax.set(xlim=(x_lo, x_hi), ylim=(y_lo, y_hi), aspect="equal", xlabel="$x$", ylabel="$y$")
    lines = None
    low, span = Z.min(), np.ptp(Z)
    if span > 0:
        if np.ndim(levels) == 0:
            steps = np.linspace(0, 1, int(levels) + 2)[1:-1]
            if spacing == "log":
                steps = np.geomspace(1e-3, 1, int(levels) + 1)[:-1]
            levels = low + span * steps
        if "colors" not in kwargs:
            kwargs.setdefault("cmap", "viridis")
        kwargs.setdefault("linewidths", 0.8)
        lines = ax.contour(X, Y, Z, levels=levels, **kwargs)
    if minima:
        for point in getattr(objective, "minima", ()):
            if x_lo <= point[0] <= x_hi and y_lo <= point[1] <= y_hi:
                ax.plot(*point, "*", color="k", ms=9, zorder=4)
    return lines


def path(ax, trajectory, *, label=None, color=None, marker="o", **kwargs):
    """Draw an optimizer's trajectory x₀, x₁, …, x_k on ``ax``: a line through the iterates.

    The iterates are marked with small ``marker`` symbols, the start x₀ with a larger
    hollow circle. The axes limits are not changed if already set (e.g. by ``contour``),
    so a path that leaves the box is clipped at its edge.

    Args:
        ax: a matplotlib ``Axes``.
        trajectory: an array of shape (k + 1, 2), row j the iterate x_j.
        label: the legend entry.
        color: the line colour (matplotlib's next colour when None).
        marker: the marker of the iterates ("" for none: long paths).
        **kwargs: passed to ``ax.plot`` (e.g. ``lw``, ``ms``, ``alpha``).

    Returns:
        The ``Line2D`` of the path.

    Raises:
        TypeError: the trajectory is not numeric.
        ValueError: the trajectory is not of shape (k + 1, 2) with k ≥ 0, or has NaN/inf.
    """
    trajectory = as_array(trajectory, "trajectory")
    if trajectory.ndim != 2 or trajectory.shape[1] != 2 or len(trajectory) == 0:
        raise ValueError(
            f"trajectory must have shape (k + 1, 2), one 2-D iterate per row, "
            f"got {trajectory.shape}"
        )
    kwargs.setdefault("lw", 1.4)
    kwargs.setdefault("ms", 3)
    (line,) = ax.plot(*trajectory.T, marker=marker, color=color, label=label, **kwargs)
    ax.plot(
        *trajectory[0], "o", ms=7, mfc="none", mec=line.get_color(), mew=1.5, zorder=line.zorder
    )
    return line
