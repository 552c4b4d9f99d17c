"""Training curves of every named loss term, from an estimator's ``history_``."""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._base import estimator_name, get_ax

_PREFIXES = ("train_", "valid_")
_NOT_LOSSES = ("_best", "_batch_count")


def loss_curves(history, terms=None):
    """Extract the per-epoch loss terms of a skorch history.

    Parameters
    ----------
    history : skorch.History or list of dict
        One dict per epoch, as ``estimator.history_``.
    terms : list of str, default=None
        Term names without the ``train_``/``valid_`` prefix (``"loss"``,
        ``"reconstruction"``, ``"kl"``, ...). None keeps every term.

    Returns
    -------
    epochs : ndarray of shape (n_epochs,)
    curves : dict
        ``{"train_kl": ndarray of shape (n_epochs,), ...}`` in the order the
        keys first appear; NaN for epochs where a key is missing.
    """
    rows = list(history)
    keys = []
    for row in rows:
        for key, value in row.items():
            if (
                key.startswith(_PREFIXES)
                and not key.endswith(_NOT_LOSSES)
                and isinstance(value, (int, float, np.floating, np.integer))
                and not isinstance(value, bool)
                and key not in keys
            ):
                keys.append(key)
    if terms is not None:
        wanted = set(terms)
        unknown = wanted - {key.split("_", 1)[1] for key in keys}
        if unknown:
            available = sorted({key.split("_", 1)[1] for key in keys})
            raise ValueError(f"Unknown loss terms {sorted(unknown)}; available: {available}.")
        keys = [key for key in keys if key.split("_", 1)[1] in wanted]
    epochs = np.asarray([row.get("epoch", i + 1) for i, row in enumerate(rows)], dtype=float)
    curves = {key: np.asarray([row.get(key, np.nan) for row in rows], dtype=float) for key in keys}
    return epochs, curves


class LossCurveDisplay:
    """Loss curves of every named loss term, training and validation.

    skgen's criteria return named terms (``reconstruction``, ``kl``,
    ``discriminator_loss``, ``penalty``, ...) and the history records each
    one per epoch as ``train_<term>`` and, with ``early_stopping=True``,
    ``valid_<term>``. This display draws one line per recorded key: one
    colour per term, solid for training and dashed for validation.

    Create it with :meth:`from_estimator` or :meth:`from_history`.

    Parameters
    ----------
    epochs : ndarray of shape (n_epochs,)
        The epoch numbers (1-based).
    curves : dict of str to ndarray of shape (n_epochs,)
        ``{"train_reconstruction": values, "valid_reconstruction": values, ...}``.
    estimator_name : str, default=None
        Used as the title.

    Attributes
    ----------
    lines_ : dict of str to matplotlib Line2D
        The line of each key of ``curves``.
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        The figure holding ``ax_``.

    See Also
    --------
    sklearn.model_selection.LearningCurveDisplay : Scores against training size.

    Examples
    --------
    >>> import numpy as np
    >>> from skgen import VAE
    >>> from skgen.plotting import LossCurveDisplay
    >>> X = np.random.RandomState(0).normal(size=(100, 4))
    >>> vae = VAE(max_epochs=3, random_state=0).fit(X)
    >>> display = LossCurveDisplay.from_estimator(vae)
    >>> sorted(display.lines_)
    ['train_kl', 'train_loss', 'train_reconstruction', 'valid_kl', 'valid_loss', 'valid_reconstruction']
    """

    def __init__(self, *, epochs, curves, estimator_name=None):
        self.epochs = epochs
        self.curves = curves
        self.estimator_name = estimator_name

    def plot(self, ax=None, *, logy=False, **line_kwargs):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            The axes to draw on; None creates a figure.
        logy : bool, default=False
            Logarithmic loss axis (for positive terms of very different sizes).
        **line_kwargs : dict
            Passed to :meth:`matplotlib.axes.Axes.plot`.

        Returns
        -------
        display : LossCurveDisplay
            This object, with ``lines_``, ``ax_`` and ``figure_``.
        """
        ax = get_ax(ax, "LossCurveDisplay.plot")
        terms = []
        for key in self.curves:
            term = key.split("_", 1)[1]
            if term not in terms:
                terms.append(term)
        colors = {term: f"C{i % 10}" for i, term in enumerate(terms)}
        self.lines_ = {}
        for key, values in self.curves.items():
            split, term = key.split("_", 1)
            label = f"{split} {term}".replace("_", " ")
            kwargs = {"color": colors[term], "linestyle": "-" if split == "train" else "--"}
            kwargs.update(line_kwargs)
            (self.lines_[key],) = ax.plot(self.epochs, values, label=label, **kwargs)
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        if logy:
            ax.set_yscale("log")
        if self.estimator_name is not None:
            ax.set_title(self.estimator_name)
        if self.lines_:
            ax.legend(fontsize="small")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_history(cls, history, *, terms=None, name=None, ax=None, **kwargs):
        """Plot the loss terms of a skorch history.

        Parameters
        ----------
        history : skorch.History or list of dict
            One dict per epoch.
        terms : list of str, default=None
            Term names without the ``train_``/``valid_`` prefix; None plots all.
        name : str, default=None
            The title.
        ax : matplotlib Axes, default=None
            The axes to draw on; None creates a figure.
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : LossCurveDisplay
        """
        epochs, curves = loss_curves(history, terms)
        return cls(epochs=epochs, curves=curves, estimator_name=name).plot(ax=ax, **kwargs)

    @classmethod
    def from_estimator(cls, estimator, *, terms=None, name=None, ax=None, **kwargs):
        """Plot the loss terms recorded while fitting ``estimator``.

        Parameters
        ----------
        estimator : fitted skgen estimator or Pipeline ending in one
            Any estimator with a ``history_`` attribute.
        terms : list of str, default=None
            Term names without the ``train_``/``valid_`` prefix (``"kl"``,
            ``"reconstruction"``, ``"loss"`` for the total, ...); None plots all.
        name : str, default=None
            The title; None uses the estimator's class name.
        ax : matplotlib Axes, default=None
            The axes to draw on; None creates a figure.
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : LossCurveDisplay
        """
        final = estimator
        while hasattr(final, "steps"):
            final = final.steps[-1][1]
        check_is_fitted(final, "history_")
        name = estimator_name(estimator) if name is None else name
        return cls.from_history(final.history_, terms=terms, name=name, ax=ax, **kwargs)
