"""Widget redraw time: the median time to draw and encode one state, per chapter widget.

Every widget of every chapter is rebuilt from its notebook and each of its states drawn
afresh (as a live redraw in Jupyter does). Target (DESIGN.md): median < 100 ms.
"""

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from notebooks import CHAPTERS, run_in_process  # noqa: E402

from optimlib.widgets import Widget  # noqa: E402

if __name__ == "__main__":
    worst = 0.0
    for path in CHAPTERS:
        namespace = run_in_process(path)
        widgets = [w for w in namespace.values() if isinstance(w, Widget)]
        for widget in widgets:
            times = []
            for state in widget.states():
                widget._png.clear()
                start = time.perf_counter()
                widget.png(state)
                times.append(time.perf_counter() - start)
            median = statistics.median(times) * 1e3
            worst = max(worst, median)
            print(
                f"{path.stem}: {widget.draw.__name__}: {len(times)} states, "
                f"median redraw {median:.0f} ms, max {max(times) * 1e3:.0f} ms"
            )
    print(f"worst median redraw: {worst:.0f} ms   (target < 100 ms)")
