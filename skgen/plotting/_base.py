"""Lazy matplotlib import and the axes helpers shared by the displays."""

from __future__ import annotations

_HINT = (
    "{caller} requires matplotlib. Install it with: pip install \"skgen[plotting]\" "
    "(or pip install matplotlib)."
)


def import_pyplot(caller):
    """Import ``matplotlib.pyplot`` or raise an ``ImportError`` with an install hint."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(_HINT.format(caller=caller)) from exc
    return plt


def get_ax(ax, caller):
    """The axes to draw on: ``ax`` itself, or a new figure's single axes."""
    plt = import_pyplot(caller)
    if ax is None:
        _, ax = plt.subplots()
    return ax


def estimator_name(estimator):
    """The class name of an estimator (the last step of a pipeline)."""
    last = estimator
    while hasattr(last, "steps"):
        last = last.steps[-1][1]
    return type(last).__name__
