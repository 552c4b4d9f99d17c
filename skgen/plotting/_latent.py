"""Codes of an autoencoder in two dimensions, coloured by a label."""

from __future__ import annotations

import numpy as np
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.utils.validation import check_array

from ._base import estimator_name, get_ax

_MAX_CLASSES = 20


def _is_categorical(y):
    y = np.asarray(y)
    if y.dtype.kind in "OUSb":
        return True
    if y.dtype.kind in "iu":
        return len(np.unique(y)) <= _MAX_CLASSES
    if y.dtype.kind == "f":
        finite = y[np.isfinite(y)]
        return bool(np.all(finite == np.round(finite))) and len(np.unique(finite)) <= _MAX_CLASSES
    return False


class LatentSpaceDisplay:
    """A scatter plot of codes in two dimensions, coloured by ``y``.

    Two-dimensional codes are drawn as they are; wider ones are projected
    on their first two principal components (or by any transformer given as
    ``projection``, e.g. :class:`sklearn.manifold.TSNE`). Discrete labels get
    one colour per class and a legend, continuous ones a colour bar.

    Create it with :meth:`from_estimator` or :meth:`from_codes`.

    Parameters
    ----------
    embedding : ndarray of shape (n_samples, 2)
        The points drawn.
    y : array-like of shape (n_samples,), default=None
        The colour of each point (class labels or values).
    axis_labels : tuple of str, default=("z0", "z1")
    estimator_name : str, default=None
        Used as the title.

    Attributes
    ----------
    scatter_ : matplotlib PathCollection
        The points.
    colorbar_ : matplotlib Colorbar or None
        The colour bar for continuous ``y``.
    legend_ : matplotlib Legend or None
        The class legend for discrete ``y``.
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skgen import VAE
    >>> from skgen.plotting import LatentSpaceDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> vae = VAE(n_components=2, max_epochs=5, random_state=0).fit(X)
    >>> display = LatentSpaceDisplay.from_estimator(vae, X, y)
    >>> display.embedding.shape
    (150, 2)
    """

    def __init__(self, *, embedding, y=None, axis_labels=("z0", "z1"), estimator_name=None):
        self.embedding = embedding
        self.y = y
        self.axis_labels = axis_labels
        self.estimator_name = estimator_name

    def plot(self, ax=None, *, cmap=None, s=None, alpha=0.8, legend=True, **scatter_kwargs):
        """Draw the points.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            The axes to draw on; None creates a figure.
        cmap : str or Colormap, default=None
            None: ``"tab10"``/``"tab20"`` for classes, ``"viridis"`` for values.
        s : float, default=None
            Marker size; None scales it down with the number of points.
        alpha : float, default=0.8
        legend : bool, default=True
            Draw the legend (classes) or the colour bar (values) when ``y`` is given.
        **scatter_kwargs : dict
            Passed to :meth:`matplotlib.axes.Axes.scatter`.

        Returns
        -------
        display : LatentSpaceDisplay
        """
        ax = get_ax(ax, "LatentSpaceDisplay.plot")
        points = np.asarray(self.embedding, dtype=float)
        if s is None:
            s = float(np.clip(2000 / max(len(points), 1), 2, 30))
        self.colorbar_ = None
        self.legend_ = None
        if self.y is None:
            self.scatter_ = ax.scatter(points[:, 0], points[:, 1], s=s, alpha=alpha, **scatter_kwargs)
        elif _is_categorical(self.y):
            classes, codes = np.unique(np.asarray(self.y), return_inverse=True)
            if cmap is None:
                cmap = "tab10" if len(classes) <= 10 else "tab20"
            self.scatter_ = ax.scatter(
                points[:, 0], points[:, 1], c=codes, cmap=cmap, vmin=-0.5,
                vmax=len(classes) - 0.5, s=s, alpha=alpha, **scatter_kwargs,
            )
            if legend:
                handles, _ = self.scatter_.legend_elements(num=list(range(len(classes))))
                self.legend_ = ax.legend(
                    handles, [str(c) for c in classes], fontsize="small", markerscale=0.8,
                    loc="best", ncol=1 + len(classes) // 10,
                )
        else:
            self.scatter_ = ax.scatter(
                points[:, 0], points[:, 1], c=np.asarray(self.y, dtype=float),
                cmap=cmap or "viridis", s=s, alpha=alpha, **scatter_kwargs,
            )
            if legend:
                self.colorbar_ = ax.figure.colorbar(self.scatter_, ax=ax)
        ax.set_xlabel(self.axis_labels[0])
        ax.set_ylabel(self.axis_labels[1])
        if self.estimator_name is not None:
            ax.set_title(self.estimator_name)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_codes(cls, codes, y=None, *, projection="auto", name=None, ax=None, **kwargs):
        """Plot codes (or any features), projected to 2-D when wider.

        Parameters
        ----------
        codes : array-like of shape (n_samples, n_components)
        y : array-like of shape (n_samples,), default=None
            Colours: class labels or values.
        projection : "auto", "pca" or transformer, default="auto"
            "auto" draws 2-D codes as they are and projects wider ones on
            their first two principal components; "pca" always projects; a
            transformer (with ``fit_transform`` and ``n_components=2``) is
            cloned and fitted on the codes. One-dimensional codes are drawn
            against a zero ordinate.
        name : str, default=None
            The title.
        ax : matplotlib Axes, default=None
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : LatentSpaceDisplay
        """
        codes = check_array(codes, dtype=np.float64)
        if y is not None and len(y) != len(codes):
            raise ValueError(f"y has {len(y)} entries but there are {len(codes)} codes.")
        labels = ("z0", "z1")
        if codes.shape[1] == 1:
            embedding = np.column_stack([codes[:, 0], np.zeros(len(codes))])
            labels = ("z0", "")
        elif projection == "auto" and codes.shape[1] == 2:
            embedding = codes
        elif projection in ("auto", "pca"):
            pca = PCA(n_components=2).fit(codes)
            embedding = pca.transform(codes)
            ratios = pca.explained_variance_ratio_
            labels = (f"PC1 of the codes ({ratios[0]:.0%})", f"PC2 of the codes ({ratios[1]:.0%})")
        elif hasattr(projection, "fit_transform"):
            embedding = np.asarray(clone(projection).fit_transform(codes), dtype=float)
            if embedding.ndim != 2 or embedding.shape[1] < 2:
                raise ValueError("projection must map the codes to at least 2 columns.")
            embedding = embedding[:, :2]
            labels = (f"{type(projection).__name__} 1", f"{type(projection).__name__} 2")
        else:
            raise ValueError(
                f"projection must be 'auto', 'pca' or a transformer; got {projection!r}."
            )
        display = cls(embedding=embedding, y=y, axis_labels=labels, estimator_name=name)
        return display.plot(ax=ax, **kwargs)

    @classmethod
    def from_estimator(cls, estimator, X, y=None, *, projection="auto", name=None, ax=None, **kwargs):
        """Encode ``X`` with a fitted estimator and plot the codes.

        Parameters
        ----------
        estimator : fitted transformer
            An autoencoder (``transform`` gives the codes, the posterior mean
            for a VAE), an ``InfoGAN`` or a pipeline ending in one.
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : array-like of shape (n_samples,), default=None
            Colours: class labels or values.
        projection : "auto", "pca" or transformer, default="auto"
            See :meth:`from_codes`.
        name : str, default=None
            The title; None uses the estimator's class name.
        ax : matplotlib Axes, default=None
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : LatentSpaceDisplay
        """
        if not hasattr(estimator, "transform"):
            raise TypeError(f"{type(estimator).__name__} has no transform method to encode X.")
        codes = estimator.transform(X)
        codes = codes.to_numpy() if hasattr(codes, "to_numpy") else codes
        name = estimator_name(estimator) if name is None else name
        return cls.from_codes(codes, y, projection=projection, name=name, ax=ax, **kwargs)
