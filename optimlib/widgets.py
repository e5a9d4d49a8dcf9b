"""Widgets declared once: live in Jupyter, alive without a kernel in the HTML book.

A widget is a drawing function and a few parameters, each with a finite list of
values::

    def draw(fig, theta1):
        ax = fig.subplots()
        ax.plot(thetas, costs)
        ax.plot(theta1, cost(theta1), "o")

    interact(draw, theta1=np.linspace(-0.5, 2.5, 13), alt="J(θ₁) at θ₁ = {theta1}")

Displayed as the last expression of a cell, it offers two renderings
(``_repr_mimebundle_``):

* ``application/vnd.jupyter.widget-view+json`` — an ipywidgets slider or dropdown per
  parameter that redraws the figure, for Jupyter;
* ``text/html`` — the kernel-free fallback for the book: a ``<div class="optimlib-widget">``
  with one ``<input type="range">`` or ``<select>`` per parameter and one precomputed
  PNG per state (each combination of values), switched by a few lines of JavaScript.
  Its PNGs use a 256-colour palette, which makes them about three times smaller than
  matplotlib's (the page carries every state) and quicker to make.

``_config.yml`` tells myst-nb to prefer ``text/html`` for the HTML builder.
"""

import base64
import html
import io
import itertools
import json
from numbers import Real

import ipywidgets
import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

_SCRIPT = """
(function () {
  const root = document.currentScript.closest(".optimlib-widget");
  const controls = Array.from(root.querySelectorAll("[data-param]"));
  const figures = Array.from(root.querySelectorAll("img[data-state]"));
  function update() {
    const key = controls.map((c) => c.value).join(",");
    controls.forEach((c) => {
      const out = root.querySelector('output[for="' + c.id + '"]');
      if (out) out.textContent = JSON.parse(c.dataset.labels)[c.value];
    });
    figures.forEach((img) => { img.hidden = img.dataset.state !== key; });
  }
  controls.forEach((c) => c.addEventListener("input", update));
  update();
})();
"""

_ids = itertools.count(1)  # element ids, unique within a page
# fixed margins: a layout engine would double the time of a redraw
_MARGINS = dict(left=0.08, right=0.98, bottom=0.2, top=0.9, wspace=0.28, hspace=0.35)

_STYLE = (
    "<style>.optimlib-widget{margin:1em 0}.optimlib-widget .olw-controls{display:flex;"
    "flex-wrap:wrap;gap:.4em 1.5em;align-items:center;margin-bottom:.4em}"
    ".optimlib-widget label{display:flex;gap:.5em;align-items:center}"
    ".optimlib-widget output{min-width:4em;font-variant-numeric:tabular-nums}"
    ".optimlib-widget img{max-width:100%;height:auto}</style>"
)


def _label(value):
    return f"{value:.4g}" if isinstance(value, Real) and not isinstance(value, bool) else str(value)


class Widget:
    """A figure that depends on a few parameters, each taking one of a list of values.

    Parameters
    ----------
    draw : callable ``draw(fig, **state)``
        Draws the figure for one state onto an empty ``matplotlib.figure.Figure``.
    params : dict name → sequence
        The values of each parameter, in order. Numbers become a slider, anything
        else a drop-down menu.
    initial : dict, optional
        The state shown first (default: the first value of each parameter).
    labels : dict name → str, optional
        The control labels (default: the parameter names).
    alt : str
        Alternative text for the figure, formatted with the state
        (``"J(θ₁) at θ₁ = {theta1}"``).
    figsize, dpi :
        The figure size in inches and the resolution of the PNGs.

    Raises ``TypeError`` if ``draw`` is not callable and ``ValueError`` for a
    parameter with no values, repeated values, or an initial value not among them.
    """

    def __init__(
        self, draw, params, *, initial=None, labels=None, alt="", figsize=(7, 3.2), dpi=90
    ):
        if not callable(draw):
            raise TypeError(
                f"draw must be a function draw(fig, **state), got {type(draw).__name__}"
            )
        if not params:
            raise ValueError("a widget needs at least one parameter")
        self.draw = draw
        self.params = {}
        for name, values in params.items():
            values = list(values)
            if not values:
                raise ValueError(f"parameter {name!r} has no values")
            if len(set(map(_label, values))) != len(values):
                raise ValueError(f"parameter {name!r} has repeated values: {values}")
            self.params[name] = values
        self.labels = {name: name for name in self.params} | dict(labels or {})
        self.initial = {name: values[0] for name, values in self.params.items()}
        for name, value in (initial or {}).items():
            if name not in self.params or _label(value) not in map(_label, self.params[name]):
                raise ValueError(f"initial value {name}={value!r} is not one of the values")
            self.initial[name] = value
        self.alt = alt
        self._figure = Figure(figsize=figsize, dpi=dpi)
        FigureCanvasAgg(self._figure)
        self._png = {}

    def states(self):
        """Every state, as dicts name → value, in the order of the fallback's figures."""
        names = list(self.params)
        for values in itertools.product(*self.params.values()):
            yield dict(zip(names, values, strict=True))

    def png(self, state):
        """The figure for ``state`` as PNG bytes (drawn once, then cached).

        The PNG has a 256-colour palette: line plots and colour maps look the same as in
        matplotlib's own PNG, which is about three times larger (the book's page carries
        every state) and slower to encode.
        """
        key = tuple(_label(state[name]) for name in self.params)
        if key not in self._png:
            # a fixed title height: placing titles automatically costs ~40 ms a redraw
            with matplotlib.rc_context({"axes.titley": 1.0}):
                self._figure.clear()  # (which also resets the margins)
                self._figure.subplots_adjust(**_MARGINS)
                self.draw(self._figure, **state)
                canvas = self._figure.canvas
                canvas.draw()
            rgba = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
            # the figure is opaque: drop the alpha channel, then pick 256 colours
            palette = rgba.convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE)
            buffer = io.BytesIO()
            palette.save(buffer, format="png")
            self._png[key] = buffer.getvalue()
        return self._png[key]

    def fallback_html(self):
        """The kernel-free rendering: controls, one ``<img>`` per state, and its script."""
        uid = next(_ids)
        controls = []
        for i, (name, values) in enumerate(self.params.items()):
            index = [_label(v) for v in values].index(_label(self.initial[name]))
            labels = html.escape(json.dumps([_label(v) for v in values]))
            common = f'id="olw-{uid}-{i}" data-param="{html.escape(name)}" data-labels="{labels}"'
            label = html.escape(self.labels[name])
            if all(isinstance(v, Real) and not isinstance(v, bool) for v in values):
                controls.append(
                    f'<label for="olw-{uid}-{i}">{label}<input type="range" {common} '
                    f'min="0" max="{len(values) - 1}" step="1" value="{index}">'
                    f'<output for="olw-{uid}-{i}">{_label(values[index])}</output></label>'
                )
            else:
                options = "".join(
                    f'<option value="{j}"{" selected" if j == index else ""}>'
                    f"{html.escape(_label(v))}</option>"
                    for j, v in enumerate(values)
                )
                controls.append(
                    f'<label for="olw-{uid}-{i}">{label}<select {common}>{options}</select></label>'
                )
        initial_key = self._key(self.initial)
        figures = []
        for state in self.states():
            key = self._key(state)
            data = base64.b64encode(self.png(state)).decode("ascii")
            alt = html.escape(self.alt.format(**{k: _label(v) for k, v in state.items()}))
            hidden = "" if key == initial_key else " hidden"
            figures.append(
                f'<img data-state="{key}" alt="{alt}" src="data:image/png;base64,{data}"{hidden}>'
            )
        return (
            f'{_STYLE}<div class="optimlib-widget"><div class="olw-controls">'
            + "".join(controls)
            + '</div><div class="olw-figures">'
            + "".join(figures)
            + f"</div><script>{_SCRIPT}</script></div>"
        )

    def _key(self, state):
        return ",".join(
            str([_label(v) for v in values].index(_label(state[name])))
            for name, values in self.params.items()
        )

    def live(self):
        """An ipywidgets box: one slider or drop-down per parameter above the figure."""
        controls = {}
        for name, values in self.params.items():
            options = [(_label(v), v) for v in values]
            numeric = all(isinstance(v, Real) and not isinstance(v, bool) for v in values)
            kind = ipywidgets.SelectionSlider if numeric else ipywidgets.Dropdown
            controls[name] = kind(
                options=options,
                value=self.initial[name],
                description=self.labels[name],
                style={"description_width": "initial"},
            )
        image = ipywidgets.Image(value=self.png(self.initial), format="png")

        def redraw(_change=None):
            image.value = self.png({name: c.value for name, c in controls.items()})

        for control in controls.values():
            control.observe(redraw, names="value")
        return ipywidgets.VBox([ipywidgets.HBox(list(controls.values())), image])

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.live()._repr_mimebundle_(include=include, exclude=exclude) or {}
        bundle["text/html"] = self.fallback_html()
        return bundle


def interact(draw, *, initial=None, labels=None, alt="", figsize=(7, 3.2), dpi=90, **params):
    """Declare a widget: ``interact(draw, a=[0.1, 0.2], method=["forward", "central"])``.

    A shorthand for ``Widget(draw, params, ...)`` in the style of
    ``ipywidgets.interact``; see :class:`Widget`.
    """
    return Widget(draw, params, initial=initial, labels=labels, alt=alt, figsize=figsize, dpi=dpi)
