"""Where one app script run spends its time: cProfile around the run, in the script's own thread.

Opens a page with AppTest (the same script run a browser triggers), changes the theme filter a few
times (cold selections), and prints the functions with the most cumulative time over those runs.
Not a test; a tool for finding what to make faster.

    CIVILKORT_DATA_DIR=bench-output/national .venv/bin/python benchmarks/profile_run.py \\
        [--page app_pages/kort.py] [--area council:aarhus] [--top 30] [--callers deepcopy] [--cell kommune_tema,751,lighed]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.apptiming import run  # noqa: E402
from ui import timing  # noqa: E402

THEMES = [["forebyggelse"], ["lighed"], ["brobygning"], ["udvikling"], ["forebyggelse", "lighed"]]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--page", default="app_pages/kort.py")
    p.add_argument("--area", default="council:aarhus")
    p.add_argument("--top", type=int, default=30)
    p.add_argument(
        "--cell",
        metavar="VISNING,RÆKKE,KOLONNE",
        help="a Huller cell opened first, e.g. kommune_tema,751,lighed",
    )
    p.add_argument(
        "--callers", metavar="MØNSTER", help="who calls the functions matching this (e.g. deepcopy)"
    )
    args = p.parse_args()

    profiler = cProfile.Profile()
    profiling = {"on": False}
    start, done = timing.start, timing.done

    def start_profiled() -> float:
        if profiling["on"]:
            profiler.enable()
        return start()

    def done_profiled(started: float, what: str) -> None:
        done(started, what)
        if profiling["on"]:
            profiler.disable()

    timing.start, timing.done = start_profiled, done_profiled
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.query_params["omraade"] = args.area
    if args.cell:
        from ui.gaps import CELL_KEY

        view, row, column = args.cell.split(",")
        at.session_state[CELL_KEY] = {"view": view, "cell": (row, column)}
    run(at)
    at.switch_page(args.page)
    run(at)
    times = []
    profiling["on"] = True
    for themes in THEMES:
        at.sidebar.multiselect(key="sel_themes").set_value(themes)
        times.append(run(at))
    profiling["on"] = False
    print(f"{args.page} ({args.area}): {', '.join(f'{t:.0f}' for t in times)} ms pr. kørsel")
    stats = pstats.Stats(profiler).sort_stats("cumulative")
    stats.print_stats(args.top)
    if args.callers:
        stats.print_callers(args.callers)


if __name__ == "__main__":
    main()
