"""Helpers shared by the benchmark scripts (timing, environment, markdown).

Benchmarks are run as scripts (``python benchmarks/dimred.py``); tests never
import them.
"""

from __future__ import annotations

import os
import platform
import shlex
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


class Timer:
    """``with Timer() as t: ...`` then ``t.seconds`` (wall clock, perf_counter)."""

    def __enter__(self):
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self._start
        return False


def set_threads(n_threads):
    """Use ``n_threads`` intra-op threads in torch and in the BLAS/OpenMP pools."""
    import torch
    from threadpoolctl import threadpool_limits

    if n_threads:
        torch.set_num_threads(n_threads)
        threadpool_limits(n_threads)
    return torch.get_num_threads()


def environment():
    """One line describing versions and hardware, for the docs."""
    import sklearn
    import skorch
    import torch

    try:
        load = "load average %.1f" % os.getloadavg()[0]
    except OSError:  # pragma: no cover - not on Windows
        load = "load n/a"
    return (
        f"Python {platform.python_version()}, torch {torch.__version__} "
        f"({torch.get_num_threads()} intra-op thread(s)), scikit-learn {sklearn.__version__}, "
        f"skorch {skorch.__version__}; {os.cpu_count()} CPU core(s), {load} at the start."
    )


def command_line():
    """The command that produced this run, as typed from the repository root."""
    script = Path(sys.argv[0]).resolve()
    try:
        script = script.relative_to(REPO_ROOT)
    except ValueError:
        pass
    return "python " + " ".join(shlex.quote(a) for a in [str(script), *sys.argv[1:]])


def fmt(value, spec=".3f"):
    """Format a number, or ``n/a`` for None/NaN."""
    if value is None or (isinstance(value, float) and value != value):
        return "n/a"
    if isinstance(value, str):
        return value
    return format(value, spec)


def markdown_table(headers, rows, align=None):
    """A GitHub-flavoured markdown table; ``align`` is a string of 'l'/'r' per column."""
    align = align or "l" + "r" * (len(headers) - 1)
    rule = ["---:" if a == "r" else ":---" for a in align]
    lines = ["| " + " | ".join(map(str, headers)) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in rows]
    return "\n".join(lines)


def write_markdown(path, text):
    path = Path(path)
    if not path.is_absolute():
        path = REPO_ROOT / path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.rstrip() + "\n")
    print(f"wrote {path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path}")
