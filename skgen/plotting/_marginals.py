"""Real vs synthetic data: per-column marginals and pairwise associations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ._base import import_pyplot

_REAL, _SYNTHETIC = "C0", "C1"


def _numeric_marginal(real, synthetic, bins):
    finite = np.concatenate([real[np.isfinite(real)], synthetic[np.isfinite(synthetic)]])
    if finite.size == 0:
        finite = np.zeros(1)
    edges = np.histogram_bin_edges(finite, bins=bins)
    return {
        "kind": "numeric",
        "edges": edges,
        "real": np.histogram(real[np.isfinite(real)], bins=edges, density=True)[0],
        "synthetic": np.histogram(synthetic[np.isfinite(synthetic)], bins=edges, density=True)[0],
    }


def _categorical_marginal(real, synthetic):
    levels = [str(level) for level in real.cat.categories]
    n_levels = len(levels)
    if real.isna().any() or synthetic.isna().any():
        levels.append("missing")
    from ..metrics._common import _category_codes

    def frequencies(series):
        counts = np.bincount(_category_codes(series), minlength=n_levels + 1)[: len(levels)]
        return counts / max(len(series), 1)

    return {
        "kind": "categorical",
        "levels": levels,
        "real": frequencies(real),
        "synthetic": frequencies(synthetic),
    }


class MarginalsDisplay:
    """Real against synthetic data: marginals and association differences.

    One panel per column compares the marginal distributions, as densities
    over shared bins for numeric columns and as relative frequencies for
    categorical ones (the missing values as a level). A last panel shows the
    difference ``A_synthetic - A_real`` of the pairwise associations of
    :func:`skgen.metrics.association_matrix` (Pearson's correlation,
    Cramér's V, correlation ratio): white means the synthetic data keep the
    association, red that they exaggerate it, blue that they lose it.

    Create it with :meth:`from_data`.

    Parameters
    ----------
    marginals : dict
        ``{column: {"kind": "numeric", "edges", "real", "synthetic"}}`` or
        ``{column: {"kind": "categorical", "levels", "real", "synthetic"}}``.
    association_difference : DataFrame of shape (n_columns, n_columns) or None
        ``A_synthetic - A_real``; None draws no heat map.
    n_cols : int, default=4
        Panels per row.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes
        The marginal panels, one per column, in column order.
    artists_ : dict of str to list
        For each column, ``[real, synthetic]``: a ``BarContainer`` each for
        categorical columns, a ``StepPatch`` each for numeric ones.
    ax_heatmap_ : matplotlib Axes or None
    heatmap_ : matplotlib AxesImage or None
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import pandas as pd
    >>> from skgen.plotting import MarginalsDisplay
    >>> real = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0], "pet": ["cat", "cat", "dog", "cat"]})
    >>> fake = pd.DataFrame({"x": [0.5, 1.5, 2.0, 2.5], "pet": ["dog", "cat", "dog", "cat"]})
    >>> display = MarginalsDisplay.from_data(real, fake)
    >>> [float(bar.get_height()) for bar in display.artists_["pet"][0]]
    [0.75, 0.25]
    """

    def __init__(self, *, marginals, association_difference=None, n_cols=4):
        self.marginals = marginals
        self.association_difference = association_difference
        self.n_cols = n_cols

    def plot(self, ax=None, *, labels=("real", "synthetic"), annotate="auto"):
        """Draw the panels.

        Parameters
        ----------
        ax : matplotlib Axes or array-like of Axes, default=None
            None creates a figure; one Axes is divided into a grid of panels;
            a sequence must hold one Axes per column, plus one for the heat map.
        labels : tuple of str, default=("real", "synthetic")
            The legend entries.
        annotate : "auto" or bool, default="auto"
            Write the differences in the heat map cells ("auto": up to 10 columns).

        Returns
        -------
        display : MarginalsDisplay
        """
        plt = import_pyplot("MarginalsDisplay.plot")
        columns = list(self.marginals)
        has_heatmap = self.association_difference is not None and len(columns) > 1
        n_panels = len(columns) + int(has_heatmap)
        n_cols = max(1, min(self.n_cols, n_panels))
        n_rows = math.ceil(n_panels / n_cols)
        if ax is None:
            fig, grid = plt.subplots(
                n_rows, n_cols, figsize=(3.2 * n_cols, 2.6 * n_rows), squeeze=False,
                layout="constrained",
            )
            axes = list(grid.ravel())
        elif hasattr(ax, "get_subplotspec") and not np.iterable(ax):
            from matplotlib.gridspec import GridSpecFromSubplotSpec

            fig = ax.figure
            ax.set_axis_off()
            spec = GridSpecFromSubplotSpec(n_rows, n_cols, subplot_spec=ax.get_subplotspec())
            axes = [fig.add_subplot(spec[i]) for i in range(n_rows * n_cols)]
        else:
            axes = list(np.ravel(ax))
            if len(axes) < n_panels:
                raise ValueError(f"Expected {n_panels} axes (columns and heat map); got {len(axes)}.")
            fig = axes[0].figure
        for extra in axes[n_panels:]:
            extra.set_axis_off()
        self.artists_ = {}
        for axis, column in zip(axes, columns):
            marginal = self.marginals[column]
            if marginal["kind"] == "numeric":
                edges = marginal["edges"]
                real = axis.stairs(marginal["real"], edges, fill=True, alpha=0.45, color=_REAL, label=labels[0])
                fake = axis.stairs(marginal["synthetic"], edges, color=_SYNTHETIC, linewidth=1.6, label=labels[1])
                axis.set_ylabel("density")
            else:
                positions = np.arange(len(marginal["levels"]))
                real = axis.bar(positions - 0.2, marginal["real"], width=0.4, color=_REAL, label=labels[0])
                fake = axis.bar(positions + 0.2, marginal["synthetic"], width=0.4, color=_SYNTHETIC, label=labels[1])
                axis.set_xticks(positions, marginal["levels"], rotation=30 if len(positions) > 3 else 0,
                                fontsize="small")
                axis.set_ylabel("frequency")
            axis.set_title(str(column), fontsize="medium")
            self.artists_[column] = [real, fake]
        if columns:
            axes[0].legend(fontsize="small")
        self.axes_ = np.asarray(axes[: len(columns)], dtype=object)
        self.ax_heatmap_ = None
        self.heatmap_ = None
        if has_heatmap:
            axis = axes[len(columns)]
            values = np.asarray(self.association_difference, dtype=float)
            self.heatmap_ = axis.imshow(values, cmap="RdBu_r", vmin=-1, vmax=1)
            ticks = np.arange(len(values))
            names = [str(c) for c in self.association_difference.columns]
            axis.set_xticks(ticks, names, rotation=90, fontsize="small")
            axis.set_yticks(ticks, names, fontsize="small")
            axis.set_title("association: synthetic − real", fontsize="medium")
            if annotate is True or (annotate == "auto" and len(values) <= 10):
                for i in range(len(values)):
                    for j in range(len(values)):
                        if i != j:
                            axis.text(j, i, f"{values[i, j]:.2f}", ha="center", va="center",
                                      fontsize="x-small")
            fig.colorbar(self.heatmap_, ax=axis, shrink=0.8)
            self.ax_heatmap_ = axis
        self.figure_ = fig
        return self

    @classmethod
    def from_data(cls, real, synthetic, *, columns=None, bins=20, associations=True,
                  n_cols=4, ax=None, **kwargs):
        """Compare the marginals and associations of two tables.

        Parameters
        ----------
        real : DataFrame or array-like of shape (n_samples, n_features)
            The real data.
        synthetic : DataFrame or array-like of shape (n_synthetic, n_features)
            The synthetic data, with the same columns (e.g. ``model.sample(n)``).
        columns : list, default=None
            The columns drawn (all by default); the heat map always uses them.
        bins : int, default=20
            Histogram bins of the numeric columns (shared by both tables).
        associations : bool, default=True
            Draw the heat map of association differences.
        n_cols : int, default=4
            Panels per row.
        ax : matplotlib Axes or array-like of Axes, default=None
            See :meth:`plot`.
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : MarginalsDisplay
        """
        from ..metrics._common import _numeric_values, _prepare
        from ..metrics._fidelity import _associations

        (real, synthetic), kinds = _prepare(real=real, synthetic=synthetic)
        if columns is not None:
            unknown = [c for c in columns if c not in kinds]
            if unknown:
                raise ValueError(f"Unknown columns {unknown}; the tables have {list(kinds)}.")
            kinds = {c: kinds[c] for c in columns}
            real, synthetic = real[list(kinds)], synthetic[list(kinds)]
        marginals = {}
        for column, kind in kinds.items():
            if kind == "numeric":
                marginals[column] = _numeric_marginal(
                    _numeric_values(real[column]), _numeric_values(synthetic[column]), bins
                )
            else:
                marginals[column] = _categorical_marginal(real[column], synthetic[column])
        difference = None
        if associations and len(kinds) > 1:
            difference = _associations(synthetic, kinds) - _associations(real, kinds)
        display = cls(marginals=marginals, association_difference=difference, n_cols=n_cols)
        return display.plot(ax=ax, **kwargs)
