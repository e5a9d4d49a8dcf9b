"""optimlib.widgets: one declaration, a live ipywidgets view and a kernel-free fallback."""

import io
from html.parser import HTMLParser

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from optimlib.widgets import _MARGINS, Widget, interact


class Elements(HTMLParser):
    """Collects (tag, attributes) of every start tag."""

    def __init__(self, text):
        super().__init__()
        self.found = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    def all(self, tag, **attrs):
        return [
            a for t, a in self.found if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]


def draw(fig, a, kind):
    ax = fig.subplots()
    xs = np.linspace(-1, 1, 20)
    ax.plot(xs, a * (xs**2 if kind == "square" else np.abs(xs)))


@pytest.fixture(scope="module")
def widget():
    return interact(
        draw, a=[0.5, 1.0, 2.0], kind=["square", "abs"], initial={"a": 1.0}, alt="{kind}, a={a}"
    )


def test_fallback_has_one_control_per_parameter(widget):
    page = Elements(widget.fallback_html())
    assert len(page.all("div", **{"class": "optimlib-widget"})) == 1
    sliders, menus = page.all("input", type="range"), page.all("select")
    assert [s["data-param"] for s in sliders] == ["a"]
    assert [m["data-param"] for m in menus] == ["kind"]
    assert sliders[0]["max"] == "2" and sliders[0]["value"] == "1"  # initial a = 1.0
    assert len(page.all("option")) == 2
    labels = {a["for"] for a in page.all("label")}
    assert labels == {sliders[0]["id"], menus[0]["id"]}


def test_fallback_has_one_figure_per_state(widget):
    page = Elements(widget.fallback_html())
    images = page.all("img")
    assert len(images) == 3 * 2
    assert sorted(img["data-state"] for img in images) == [
        f"{i},{j}" for i in range(3) for j in (0, 1)
    ]
    shown = [img for img in images if "hidden" not in img]
    assert [img["data-state"] for img in shown] == ["1,0"]
    assert shown[0]["alt"] == "square, a=1"
    assert all(img["src"].startswith("data:image/png;base64,") for img in images)
    assert len({img["src"] for img in images}) == 6, "every state draws a different figure"


def test_mimebundle_offers_live_widget_and_html(widget):
    bundle = widget._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert 'class="optimlib-widget"' in bundle["text/html"]


def test_live_controls_redraw_the_figure(widget):
    box = widget.live()
    slider, menu = box.children[0].children
    image = box.children[1]
    assert image.value == widget.png({"a": 1.0, "kind": "square"})
    slider.value = 2.0
    assert image.value == widget.png({"a": 2.0, "kind": "square"})
    menu.value = "abs"
    assert image.value == widget.png({"a": 2.0, "kind": "abs"})
    assert image.value != widget.png({"a": 2.0, "kind": "square"})


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (dict(draw=42, params={"a": [1]}), TypeError, "draw must be a function"),
        (dict(draw=draw, params={}), ValueError, "at least one parameter"),
        (dict(draw=draw, params={"a": []}), ValueError, "'a' has no values"),
        (dict(draw=draw, params={"a": [1, 1.0]}), ValueError, "repeated values"),
        (dict(draw=draw, params={"a": [1, 2]}, initial={"a": 3}), ValueError, "a=3 is not one"),
        (dict(draw=draw, params={"a": [1, 2]}, initial={"b": 1}), ValueError, "b=1 is not one"),
    ],
)
def test_bad_declarations_are_rejected(args, error, match):
    with pytest.raises(error, match=match):
        Widget(**args)


def test_figures_are_palette_pngs_like_matplotlibs_but_smaller(widget):
    def pixels(png):
        return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float)

    states = list(widget.states())
    for state, other in zip(states, states[1:] + states[:1], strict=True):
        small = widget.png(state)
        figure = Figure(figsize=(7, 3.2), dpi=90)  # the widget's defaults
        figure.subplots_adjust(**_MARGINS)
        with matplotlib.rc_context({"axes.titley": 1.0}):
            widget.draw(figure, **state)
            full = io.BytesIO()
            figure.savefig(full, format="png")
        image = Image.open(io.BytesIO(small))
        assert image.format == "PNG" and image.mode == "P", "a 256-colour palette image"
        assert image.size == (630, 288)
        reference = pixels(full.getvalue())
        error = np.abs(pixels(small) - reference).mean()
        assert error < 2, "the same picture, up to the palette's rounding"
        assert np.abs(pixels(widget.png(other)) - reference).mean() > 2 * error
        assert len(small) < len(full.getvalue()) / 2
