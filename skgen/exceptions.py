"""Exceptions and warnings raised by skgen.

Every skgen error derives from :class:`SkgenError` *and* from the builtin or
scikit-learn error a user would already catch, as skorch does.
"""

from sklearn.exceptions import ConvergenceWarning, NotFittedError

__all__ = [
    "ConvergenceWarning",
    "NonFiniteOutputError",
    "NotFittedError",
    "SkgenError",
    "TrainingDivergedError",
]


class SkgenError(Exception):
    """Base class of the errors raised by skgen."""


class TrainingDivergedError(SkgenError, ValueError, FloatingPointError):
    """Training produced a non-finite (NaN or inf) loss.

    Raised at the first batch whose loss is not finite, naming the estimator,
    the epoch, the network and the loss term that diverged, and what to try.

    Attributes
    ----------
    epoch : int
        1-based epoch in which the loss stopped being finite.
    network : str
        Which network's loss diverged (e.g. ``"autoencoder"``, ``"generator"``,
        ``"discriminator"``).
    """

    def __init__(self, message, *, epoch=None, network=None):
        super().__init__(message)
        self.epoch = epoch
        self.network = network


class NonFiniteOutputError(SkgenError, ValueError, FloatingPointError):
    """A method would have returned NaN or infinite values.

    Raised instead of returning them, e.g. when samples or reconstructions
    overflow float64 once mapped back to the units of extremely large data.
    """
