"""skorch callbacks shared by the autoencoders with a training schedule.

* :class:`LinearSchedule`: set an attribute of a component of the net
  (the criterion's KL weight, the top-k activation's ``k``) at the start of
  every epoch, moving linearly from ``start`` to ``stop`` over ``epochs``;
* :class:`StepSchedule`: the same, but ``start`` for ``epochs`` epochs and
  ``stop`` afterwards (t-SNE's early exaggeration);
* :class:`ObservationNoiseUpdate`: after every epoch, set a VAE's per-column
  observation variance to its closed-form optimum for the current decoder;
* :class:`WarmupEarlyStopping`: skorch's ``EarlyStopping`` that ignores the
  epochs of such a warm-up, during which the loss is not comparable from one
  epoch to the next (it rises as the KL weight grows, for instance).
"""

from __future__ import annotations

from skorch.callbacks import Callback, EarlyStopping


class LinearSchedule(Callback):
    """Anneal ``attribute`` of ``net.<target>`` linearly, epoch by epoch.

    At epoch ``e`` (1-based, counted over the whole history, so that
    ``partial_fit`` continues the schedule) the value is
    ``start + (stop - start) * min(1, (e - 1) / epochs)``, rounded for
    integers; ``epochs=0`` gives ``stop`` from the first epoch.

    Parameters
    ----------
    target : str
        Dotted path from the net, e.g. ``"criterion_"`` or
        ``"module_.code_activation"``.
    attribute : str
    start, stop : float or int
    epochs : int
    """

    def __init__(self, target, attribute, start, stop, epochs):
        self.target = target
        self.attribute = attribute
        self.start = start
        self.stop = stop
        self.epochs = epochs

    def value(self, epoch):
        """The value at (1-based) ``epoch``."""
        if self.epochs <= 0:
            return self.stop
        frac = min(1.0, max(0, epoch - 1) / self.epochs)
        value = self.start + (self.stop - self.start) * frac
        return round(value) if isinstance(self.stop, int) else float(value)

    def on_epoch_begin(self, net, **kwargs):
        obj = net
        for name in self.target.split("."):
            obj = getattr(obj, name)
        setattr(obj, self.attribute, self.value(len(net.history)))


class StepSchedule(LinearSchedule):
    """Set ``attribute`` of ``net.<target>`` to ``start`` for ``epochs`` epochs, then ``stop``.

    Parameters as :class:`LinearSchedule`.
    """

    def value(self, epoch):
        """The value at (1-based) ``epoch``."""
        return self.start if epoch <= self.epochs else self.stop


#: Smallest observation variance of a column, relative to the mean over the columns.
NOISE_FLOOR = 5e-2


class ObservationNoiseUpdate(Callback):
    """Closed-form M-step of a VAE's observation noise, once per epoch.

    The criterion (:class:`~skgen.losses.VAECriterion`) accumulates the squared
    residuals of each numeric column over the epoch's training batches, with
    :math:`z` drawn from :math:`q(z \\mid x)`; at the end of the epoch each
    column's variance is set to their mean, the value that maximises the
    ELBO's expected log-likelihood for the current decoder (a per-column
    "calibrated decoder", Rybkin et al., 2021). A learned log-variance would
    move by about ``lr`` per optimizer step and take hundreds of epochs to get
    there, during which the validation loss keeps improving for that reason
    alone and no stopping rule sees a plateau.
    """

    def on_epoch_begin(self, net, **kwargs):
        net.criterion_.reset_residual_statistics()

    def on_epoch_end(self, net, **kwargs):
        variance = net.criterion_.residual_variance()
        if variance is None:
            return
        from .._layout import compile_layout

        index = compile_layout(net.criterion_.layout, variance.device).numeric
        # No column's precision exceeds 1 / NOISE_FLOOR times that of the mean residual
        # variance: a column that is (almost) constant in training (a border pixel)
        # would otherwise get an unbounded weight and held-out likelihoods far too low.
        variance = variance.clamp_min(NOISE_FLOOR * variance.mean())
        net.module_.set_observation_variance(variance, index)
        net.criterion_.reset_residual_statistics()


class WarmupEarlyStopping(EarlyStopping):
    """``EarlyStopping`` that starts watching after ``warmup`` epochs.

    Parameters
    ----------
    warmup : int
        Number of initial epochs (over the whole history) that are ignored.
    **kwargs
        Passed to :class:`skorch.callbacks.EarlyStopping`.
    """

    def __init__(self, warmup=0, **kwargs):
        super().__init__(**kwargs)
        self.warmup = warmup

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) <= self.warmup:
            return
        super().on_epoch_end(net, **kwargs)


def with_warmup(callbacks, warmup):
    """Replace the ``EarlyStopping`` callbacks of ``callbacks`` by :class:`WarmupEarlyStopping`.

    Parameters
    ----------
    callbacks : list of (str, Callback)
    warmup : int

    Returns
    -------
    callbacks : list of (str, Callback)
    """
    from ..base import ScaledEarlyStopping

    out = []
    for name, callback in callbacks:
        if isinstance(callback, ScaledEarlyStopping):
            callback.warmup = max(callback.warmup, warmup)
        elif isinstance(callback, EarlyStopping) and warmup > 0:
            callback = WarmupEarlyStopping(warmup=warmup, **callback.get_params())
        out.append((name, callback))
    return out
