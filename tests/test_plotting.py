"""optimlib.plotting: contour plots over an objective's box and optimizer paths on them."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from optimlib import functions, plotting
from optimlib.optimizers import GD
from optimlib.train import minimize, newton


@pytest.fixture
def ax():
    return Figure().subplots()


@pytest.mark.parametrize(
    "objective",
    [functions.rosenbrock, functions.beale, functions.himmelblau, functions.saddle],
    ids=lambda f: f.name,
)
def test_grid_covers_the_box_and_holds_the_values(objective):
    X, Y, Z = plotting.grid(objective, n=7)
    (x_lo, x_hi), (y_lo, y_hi) = objective.box
    assert X.shape == Y.shape == Z.shape == (7, 7)
    assert (X.min(), X.max(), Y.min(), Y.max()) == (x_lo, x_hi, y_lo, y_hi)
    for i, j in [(0, 0), (3, 5), (6, 2)]:  # pointwise, independently of the grid evaluation
        assert Z[i, j] == pytest.approx(objective.value([X[i, j], Y[i, j]]), rel=1e-12)


def test_grid_takes_a_box_for_an_objective_without_one():
    f = functions.quadratic(np.diag([1.0, 2.0, 3.0]))  # 3-D: no box
    with pytest.raises(ValueError, match="no plotting box"):
        plotting.grid(f)
    X, Y, Z = plotting.grid(functions.saddle, box=((0, 1), (-1, 0)), n=3)
    np.testing.assert_array_equal(X[0], [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(Z, X**2 - Y**2)


@pytest.mark.parametrize(
    ("box", "n"), [(((1, 0), (0, 1)), 5), (((0, 1),), 5), (None, 1), (None, 2.5)]
)
def test_grid_rejects_bad_boxes_and_sizes(box, n):
    with pytest.raises(ValueError):
        plotting.grid(functions.saddle, box=box, n=n)


def test_contour_sets_the_box_equal_scales_and_marks_the_minimum(ax):
    lines = plotting.contour(ax, functions.rosenbrock, levels=9)
    assert ax.get_xlim() == (-2.0, 2.0) and ax.get_ylim() == (-1.0, 3.0)
    assert ax.get_aspect() == 1.0
    assert len(lines.levels) == 9
    Z = plotting.grid(functions.rosenbrock)[2]
    assert Z.min() < lines.levels[0] and lines.levels[-1] < Z.max()
    stars = [line for line in ax.lines if line.get_marker() == "*"]
    assert len(stars) == 1
    np.testing.assert_array_equal(stars[0].get_xydata(), [[1.0, 1.0]])


def test_log_spacing_is_geometric_above_the_minimum(ax):
    lines = plotting.contour(ax, functions.rosenbrock, levels=6, spacing="log", minima=False)
    Z = plotting.grid(functions.rosenbrock)[2]
    heights = lines.levels - Z.min()
    np.testing.assert_allclose(heights[1:] / heights[:-1], 10 ** (3 / 6))
    assert not [line for line in ax.lines if line.get_marker() == "*"]


def test_contour_accepts_explicit_levels_and_a_box(ax):
    lines = plotting.contour(ax, functions.himmelblau, box=((2, 4), (1, 3)), levels=[1.0, 5.0])
    np.testing.assert_array_equal(lines.levels, [1.0, 5.0])
    stars = [line for line in ax.lines if line.get_marker() == "*"]
    assert len(stars) == 1  # (3, 2) only: the other three minima lie outside the box


def test_contour_in_one_colour_dashes_the_negative_levels(ax):
    lines = plotting.contour(ax, functions.saddle, levels=[-1.0, 1.0], colors="0.5")
    np.testing.assert_allclose(lines.get_edgecolor(), [[0.5, 0.5, 0.5, 1.0]] * 2)
    (_, below), (_, above) = lines.get_linestyles()  # (offset, dash pattern) per level
    assert below is not None and above is None  # f = −1 dashed, f = 1 solid


def test_contour_of_a_constant_draws_no_lines(ax):
    flat = functions.quadratic(np.zeros((2, 2)))
    assert plotting.contour(ax, flat, box=((-1, 1), (-1, 1))) is None
    assert ax.get_xlim() == (-1.0, 1.0)


def test_contour_rejects_an_unknown_spacing(ax):
    with pytest.raises(ValueError, match="spacing"):
        plotting.contour(ax, functions.saddle, spacing="quadratic")


def test_path_draws_every_iterate_and_keeps_the_box(ax):
    plotting.contour(ax, functions.rosenbrock)
    trajectory = minimize(functions.rosenbrock, [-1.5, 2.5], GD(lr=1e-3), 20)
    line = plotting.path(ax, trajectory, label="GD", color="C3")
    np.testing.assert_array_equal(line.get_xydata(), trajectory)
    assert line.get_label() == "GD"
    start = ax.lines[-1]  # the hollow start marker, in the path's colour
    np.testing.assert_array_equal(start.get_xydata(), trajectory[:1])
    assert start.get_markeredgecolor() == line.get_color()
    far = newton(functions.quadratic(np.eye(2), b=[50.0, 50.0]), [0.0, 0.0], 1)
    plotting.path(ax, far)  # leaves the box: clipped, the limits stay
    assert ax.get_xlim() == (-2.0, 2.0) and ax.get_ylim() == (-1.0, 3.0)


@pytest.mark.parametrize(
    "trajectory", [np.zeros((3, 3)), np.zeros(2), np.zeros((0, 2)), [[0.0, np.nan]]]
)
def test_path_rejects_bad_trajectories(ax, trajectory):
    with pytest.raises(ValueError):
        plotting.path(ax, trajectory)
