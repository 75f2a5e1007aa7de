"""A row of `make bench`'s table: the benchmark's name, the median, best and worst of its timings, its throughput, its
target and, where it has one, its raw comparison: what PostgreSQL itself took to move the same rows in the same run,
and the ratio of the two (on a shared machine the ratio is what counts; docs/benchmarks.md). `seconds_each` times the
runs a row is made from."""

import statistics
import time
from collections.abc import Callable


def seconds_each(
    runs: int, measured: Callable[[], object], *, before_each: Callable[[], None] | None = None
) -> list[float]:
    """The wall-clock seconds of each of `runs` calls of `measured`; `before_each`, untimed, runs before each call."""
    times = []
    for _ in range(runs):
        if before_each is not None:
            before_each()
        started = time.perf_counter()
        measured()
        times.append(time.perf_counter() - started)
    return times


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def timings_row(
    name: str,
    times: list[float],
    *,
    throughput: str,
    target: str,
    places: int = 1,
    ms=False,
    raw: list[float] | None = None,
) -> dict:
    """The median, best and worst of `times` (seconds): in seconds to `places` decimals, or in whole milliseconds.
    With `raw` (the comparison's timings from the same run), its median and the ratio of the two medians."""

    def shown(seconds: float) -> str:
        return f"{seconds * 1000:.0f} ms" if ms else f"{seconds:.{places}f} s"

    row = {
        "name": name,
        "median": shown(statistics.median(times)),
        "best": shown(min(times)),
        "worst": shown(max(times)),
        "throughput": throughput,
        "target": target,
    }
    if raw:
        row["raw"] = shown(statistics.median(raw))
        row["ratio"] = f"{statistics.median(times) / statistics.median(raw):.2f}x"
    return row


def one_run_row(name: str, seconds: float, *, throughput: str, target: str, **extra) -> dict:
    """A benchmark timed once: its seconds stand as the median, with no best or worst."""
    return {
        "name": name,
        "median": f"{seconds:.1f} s",
        "best": "",
        "worst": "",
        "throughput": throughput,
        "target": target,
        **extra,
    }
