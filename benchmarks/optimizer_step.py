"""One optimizer step on 10⁷ float64 parameters, against the memory-bandwidth bound.

An element-wise update must at least read θ, g and each state array (m, v, …) once and write
each state array and the new θ once: ``bytes = 8 n (2 + 2 k + 1)`` for k state arrays. The
bound is that many bytes at the speed of a plain ``np.copyto`` of n float64 (2·8·n bytes),
measured in the same run, interleaved with the steps so that both see the same machine.
Target (DESIGN.md): Adam within 3× of the bound.

Run: ``.venv/bin/python benchmarks/optimizer_step.py`` (part of ``make bench``); about 10–20 s.
Exits with status 1 if Adam misses the target.
"""

import statistics
import sys
import time

import numpy as np

from optimlib import optimizers

N = 10**7
REPEATS = 7
TARGET = 3.0


def timed(f):
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


def main():
    rng = np.random.default_rng(0)
    theta = rng.standard_normal(N)
    g = 1e-2 * rng.standard_normal(N)
    src, dst = rng.standard_normal(N), np.zeros(N)
    print(
        f"one step on n = {N:.0e} float64 parameters, median of {REPEATS}; "
        f"numpy {np.__version__}, up to {optimizers._WORKERS} threads per step"
    )
    print(f"{'optimizer':10s} {'step':>8s} {'bytes':>8s} {'bound':>8s} {'ratio':>6s}")
    copies, adam_ratio = [], None
    for cls in optimizers.ALL:
        opt = cls()
        opt.step(theta, g)  # allocates the state
        k = sum(isinstance(a, np.ndarray) for a in vars(opt.state[0]).values())
        nbytes = 8 * N * (2 + 2 * k + 1)
        copy_times, step_times = [], []
        for _ in range(REPEATS):
            copy_times.append(timed(lambda: np.copyto(dst, src)))
            step_times.append(timed(lambda opt=opt: opt.step(theta, g)))
        bandwidth = 2 * 8 * N / statistics.median(copy_times)  # bytes per second
        copies += copy_times
        step, bound = statistics.median(step_times), nbytes / bandwidth
        ratio = step / bound
        line = (
            f"{cls.__name__:10s} {step * 1e3:6.1f}ms {nbytes / 1e6:6.0f}MB "
            f"{bound * 1e3:6.1f}ms {ratio:5.2f}×"
        )
        if cls is optimizers.Adam:
            adam_ratio = ratio
            verdict = "within" if ratio <= TARGET else "ABOVE"
            line += f"   target ≤ {TARGET:g}×: {verdict} target"
        print(line, flush=True)
        del opt
    bandwidth = 2 * 8 * N / statistics.median(copies)
    print(f"copy bandwidth (np.copyto, median of the run): {bandwidth / 1e9:.1f} GB/s")
    return 0 if adam_ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
