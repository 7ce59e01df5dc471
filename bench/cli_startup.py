"""How quickly the CLI answers ``--version`` and ``--help``, as a ratio to importing typer.

    python bench/cli_startup.py [--runs 15]

Each command runs as a fresh process, interleaved with the baseline (``python -c 'import
typer'``) so both see the same machine load; the ratio of the medians is what to compare across
runs (issue 17 asks for at most 3). ``report --help`` is shown too: it imports its own module.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

FEEDBACKBOT = str(Path(sys.executable).with_name("feedbackbot"))
BASELINE = [sys.executable, "-c", "import typer"]
COMMANDS = {
    "feedbackbot --version": [FEEDBACKBOT, "--version"],
    "feedbackbot --help": [FEEDBACKBOT, "--help"],
    "feedbackbot report --help": [FEEDBACKBOT, "report", "--help"],
}


def elapsed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="processes per command")
    runs = parser.parse_args().runs
    times: dict[str, list[float]] = {"baseline": [], **{name: [] for name in COMMANDS}}
    for command in [BASELINE, *COMMANDS.values()]:
        elapsed(command)  # warm the file cache
    for _ in range(runs):
        times["baseline"].append(elapsed(BASELINE))
        for name, command in COMMANDS.items():
            times[name].append(elapsed(command))
    baseline = statistics.median(times["baseline"])
    print(f"baseline python -c 'import typer': median {baseline * 1000:.0f} ms over {runs} runs")
    for name in COMMANDS:
        median = statistics.median(times[name])
        print(f"{name:<28} median {median * 1000:5.0f} ms   ratio {median / baseline:.2f}")


if __name__ == "__main__":
    main()
