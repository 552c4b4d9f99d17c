"""Shared machinery of the adversarial generators.

:class:`BaseGAN` is the sklearn side: parameters, validation of ``X`` and
``y`` (class labels make a model conditional), the construction of the
private :class:`~skgen.gan._net.AdversarialNet` and ``fit``, ``partial_fit``,
``sample`` and ``score``. A concrete variant sets ``_criterion_class`` and
``_criterion_params()`` (and, when needed, its discriminator), plus its
explicit ``__init__`` and merged ``_parameter_constraints``.
"""

from __future__ import annotations

import math
from copy import deepcopy
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d
from skorch.callbacks import EarlyStopping

from .._optim import without_dynamo
from ..base import BaseGenerator, _silent
from ..losses import mmd
from ..nn import ACTIVATIONS, ConvGenerator, Discriminator, Generator
from ..utils._param_validation import Interval, StrOptions, _fit_context
from ._conv import BATCH_NORMS, resolve_architecture
from ._net import AdversarialDivergenceCheck, AdversarialNet

_FOREACH_OPTIMIZERS = (torch.optim.Adam, torch.optim.AdamW, torch.optim.RMSprop, torch.optim.SGD)
_SCORE_MAX_SAMPLES = 2000
# max_epochs="auto" on tables (WGANGP, see BaseGAN._resolve_max_epochs)
_AUTO_EPOCHS = 100
_TABLE_ROWS_PER_FIT = 250_000
_SCORE_SEED = 0


class _GeneratorEarlyStopping(EarlyStopping):
    """skorch's ``EarlyStopping`` whose best weights include ``averaged_generator_``.

    With ``ema_decay`` the held-out MMD² is that of the averaged generator
    (the one that samples), so restoring the best epoch restores it too.
    """

    def on_train_begin(self, net, **kwargs):
        super().on_train_begin(net, **kwargs)
        self.best_averaged_ = None

    def on_epoch_end(self, net, **kwargs):
        before = self.best_epoch_
        try:
            super().on_epoch_end(net, **kwargs)
        finally:
            averaged = getattr(net, "averaged_generator_", None)
            if self.load_best and averaged is not None and self.best_epoch_ != before:
                self.best_averaged_ = (deepcopy(averaged.state_dict()), averaged.n_averaged)

    def on_train_end(self, net, **kwargs):
        restore = self.load_best and self.best_epoch_ != net.history[-1, "epoch"]
        super().on_train_end(net, **kwargs)
        averaged = getattr(net, "averaged_generator_", None)
        if restore and averaged is not None and self.best_averaged_ is not None:
            state, averaged.n_averaged = self.best_averaged_
            averaged.load_state_dict(state)


def _layer_sizes(sizes, name):
    sizes = [sizes] if isinstance(sizes, Integral) else list(sizes)
    if any(not isinstance(s, Integral) or isinstance(s, bool) or s < 1 for s in sizes):
        raise ValueError(f"{name} must contain positive integers; got {sizes!r}.")
    return tuple(int(s) for s in sizes)


class BaseGAN(BaseGenerator):
    """Base class of the adversarial generators; not public.

    Subclasses set ``_criterion_class`` and implement ``_criterion_params``;
    they may change the discriminator (``_discriminator_class``,
    ``_discriminator_params``) or the generator (``_generator_params``).
    """

    _parameter_constraints: dict = {
        **BaseGenerator._parameter_constraints,
        "discriminator_hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
            None,
        ],
        "discriminator_activation": [StrOptions(set(ACTIVATIONS))],
        "output_activation": [StrOptions({"auto", "identity", "sigmoid"})],
        "minibatch_discrimination": ["boolean"],
        "n_critic": [Interval(Integral, 1, None, closed="left")],
        "discriminator_lr": [Interval(Real, 0, None, closed="neither"), None],
        "betas": ["array-like"],
        "input_shape": ["array-like", None],
        "channels": ["array-like"],
        "batch_norm": [StrOptions(set(BATCH_NORMS)), None],
    }

    _net_class = AdversarialNet
    _network_name = {
        "train_discriminator_loss": "discriminator",
        "train_generator_loss": "generator",
        "train_loss": "generator",
    }
    _criterion_class = None
    _discriminator_class = Discriminator
    _table_max_batch = 1000  # batch_size="auto" on tables: n_samples // 10, at most this

    # ----------------------------------------------------------------- hooks
    def _criterion_params(self):
        return {}

    def _generator_params(self):
        params = {
            "n_components": self.n_components,
            "n_features": self._width,
            "n_conditions": self._condition_width,
            "hidden_layer_sizes": self._hidden_layer_sizes(),
            "activation": self.activation,
            "n_classes": self._n_classes,
            "layout": self.layout_,
        }
        return self._architecture.generator_params(params) if self._architecture else params

    def _discriminator_hidden_layer_sizes(self):
        sizes = self.discriminator_hidden_layer_sizes
        if sizes is None:
            return tuple(self._hidden_layer_sizes())
        return _layer_sizes(sizes, "discriminator_hidden_layer_sizes")

    def _discriminator_params(self):
        return {
            "n_features": self._width + self._condition_width,
            "hidden_layer_sizes": self._discriminator_hidden_layer_sizes(),
            "activation": self.discriminator_activation,
            "n_classes": self._n_classes,
            "minibatch_discrimination": bool(getattr(self, "minibatch_discrimination", False)),
            **({"pac": self._pac} if self._pac > 1 else {}),
        }

    def _resolve_batch_size(self, n_samples):
        """``"auto"``: for tables (a ``TabularEncoder`` preprocessor), 64 rows up to
        640 rows, then a tenth of the rows (about ten steps an epoch), at most
        ``_table_max_batch`` (1000; 250 for WGANGP): large batches, packed for the
        discriminator (see ``pac``); 64 for arrays."""
        if self.batch_size == "auto":
            if getattr(self, "preprocessor_", None) is None:
                return 64
            return int(min(self._table_max_batch, max(64, n_samples // 10)))
        return int(self.batch_size)

    def _resolve_max_epochs(self, n_samples):
        """``"auto"``: 100 epochs for arrays; for tables, 100 epochs up to
        ``_TABLE_ROWS_PER_FIT / 100`` rows, then ``ceil(_TABLE_ROWS_PER_FIT / n_samples)``
        (at least 1): a default fit draws at most about ``_TABLE_ROWS_PER_FIT`` rows
        (with WGANGP's batches of at most 250 rows, about 1,000 generator steps), so
        its cost stops growing with the table."""
        if self.max_epochs != "auto":
            return int(self.max_epochs)
        if getattr(self, "preprocessor_", None) is None:
            return _AUTO_EPOCHS
        return int(max(1, min(_AUTO_EPOCHS, math.ceil(_TABLE_ROWS_PER_FIT / max(n_samples, 1)))))

    @property
    def _pac(self):
        """PacGAN packing resolved for this fit (variants without ``pac`` use 1)."""
        pac = getattr(self, "pac", 1)
        if pac == "auto":
            # images (conv critics) and class labels (projection) cannot be packed
            if self._architecture is not None or self._n_classes:
                return 1
            # CTGAN packs 10 rows of batches of 500; small batches keep >= 50 packs
            return int(max(1, min(10, self._batch_size // 50)))
        if pac > 1 and (self._architecture is not None or self._n_classes):
            raise ValueError(
                f"{type(self).__name__}: pac={pac} packs rows of an MLP discriminator; it is not "
                "available with input_shape (images) or class labels y. Use pac=1."
            )
        return min(int(pac), self._batch_size)

    def _discriminator_module(self):
        """The discriminator's class and keyword arguments (convolutional for images)."""
        params = self._discriminator_params()
        if self._architecture is None:
            return self._discriminator_class, params
        arch = self._architecture
        return arch.discriminator_class(self._discriminator_class), arch.discriminator_params(params)

    # ------------------------------------------------ _BaseNeuralEstimator hooks
    def _build_module(self, X):
        self._width = X.shape[1]
        # Column conditions (tabular data): the generator gets the conditional vector
        # in its input, the discriminator sees it as extra columns of every row.
        self._condition_width = self._conditioner.width if self._conditioner else 0
        self._architecture = resolve_architecture(self, X.shape[1], X.shape[0], self._batch_size)
        return Generator if self._architecture is None else ConvGenerator

    def _build_criterion(self):
        return self._criterion_class

    def _optimizer(self):
        cls, params = super()._optimizer()
        betas = tuple(float(b) for b in np.ravel(self.betas))
        if len(betas) != 2 or not all(0.0 <= b < 1.0 for b in betas):
            raise ValueError(
                f"betas must be two floats in [0, 1) (Adam's momentum coefficients); got {self.betas!r}."
            )
        if cls in (torch.optim.Adam, torch.optim.AdamW):
            params["betas"] = betas
        if cls in _FOREACH_OPTIMIZERS and not params.get("fused"):
            # multi-tensor updates: torch only picks them by default on CUDA
            params["foreach"] = True
        return cls, params

    def _net_params(self):
        cls, opt_params = self._optimizer()
        d_lr = self.lr if self.discriminator_lr is None else self.discriminator_lr
        discriminator, discriminator_params = self._discriminator_module()
        params = {
            "discriminator": discriminator,
            "discriminator_optimizer": without_dynamo(cls),
            "discriminator_optimizer__lr": d_lr,
            "n_critic": self.n_critic,
            "ema_decay": getattr(self, "ema_decay", None),
            "conditioner": self._conditioner or None,
            # a last tiny batch would make noisy steps (and minibatch features)
            "iterator_train__drop_last": True,
            "iterator_valid__batch_size": self._inference_batch_size(),
        }
        params.update({f"discriminator_optimizer__{k}": v for k, v in opt_params.items()})
        params.update({f"module__{k}": v for k, v in self._generator_params().items()})
        params.update({f"discriminator__{k}": v for k, v in discriminator_params.items()})
        params.update({f"criterion__{k}": v for k, v in self._criterion_params().items()})
        return params

    def _monitor_keys(self):
        return ("train_discriminator_loss", "train_generator_loss")

    def _before_training(self, net, Xn, y):
        super()._before_training(net, Xn, y)
        if self._architecture is not None:
            self._architecture.set_references(net, Xn, y)

    def _stopping_callbacks(self):
        """No stopping rule unless ``early_stopping``: adversarial losses do not decrease.

        With ``early_stopping=True`` the monitored quantity is the held-out
        MMD² between validation rows and generated rows (``valid_loss``).
        """
        if not self.early_stopping:
            return []
        return [
            (
                "stopping",
                _GeneratorEarlyStopping(
                    monitor="valid_loss",
                    patience=self.n_iter_no_change,
                    threshold=self.tol,
                    threshold_mode="abs",
                    load_best=True,
                    sink=_silent,
                ),
            )
        ]

    def _divergence_check(self):
        return AdversarialDivergenceCheck(type(self).__name__, self._network_name, self._monitor_keys())

    # ----------------------------------------------------------- conditioning
    @property
    def _n_classes(self):
        classes = getattr(self, "classes_", None)
        return 0 if classes is None else len(classes)

    def _validate_fit_target(self, y, n_samples, *, reset):
        """Class labels make the generator conditional (encoded to 0..n_classes-1)."""
        if not reset:
            if self.classes_ is None:
                if y is not None:
                    raise ValueError(
                        f"{type(self).__name__} was fitted without class labels: call "
                        "partial_fit(X) without y, or fit(X, y) to train a conditional model."
                    )
                return None
            if y is None:
                raise ValueError(
                    f"{type(self).__name__} was fitted with class labels (conditional model): "
                    "partial_fit needs y too."
                )
            y = column_or_1d(y, warn=True)
            return self._encode_labels(y, n_samples)
        if y is None:
            self.classes_ = None
            self._class_prior = None
            return None
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if len(y) != n_samples:
            raise ValueError(
                f"Found input variables with inconsistent numbers of samples: [{n_samples}, {len(y)}]."
            )
        encoder = LabelEncoder()
        codes = encoder.fit_transform(y)
        self.classes_ = encoder.classes_
        self._class_prior = np.bincount(codes, minlength=len(self.classes_)) / len(codes)
        return codes.astype(np.int64)

    def _encode_labels(self, y, n_samples):
        if len(y) != n_samples:
            raise ValueError(f"y has {len(y)} labels but {n_samples} rows are requested.")
        try:
            known = np.isin(y, self.classes_)
        except TypeError:
            known = np.zeros(len(y), dtype=bool)
        if not known.all():
            unknown = list(dict.fromkeys(np.asarray(y, dtype=object)[~known].tolist()))[:5]
            raise ValueError(
                f"y contains labels not seen during fit: {unknown}; "
                f"{type(self).__name__} knows classes_={self.classes_.tolist()}."
            )
        return np.searchsorted(self.classes_, y).astype(np.int64)

    def _validate_sample_target(self, y, n_samples):
        if getattr(self, "classes_", None) is None:
            return super()._validate_sample_target(y, n_samples)
        if y is None:
            return None
        y = np.asarray(y)
        if y.ndim == 0:
            y = np.full(n_samples, y.item(), dtype=y.dtype)
        y = column_or_1d(y)
        return self._encode_labels(y, n_samples)

    # ---------------------------------------------------------------- public
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Train the generator and its discriminator on ``X``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,), default=None
            Class labels. When given, the model is conditional: both networks
            receive the label and ``sample(n, y=labels)`` generates rows of
            the requested classes.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y)

    @_fit_context(prefer_skip_nested_validation=False)
    def partial_fit(self, X, y=None):
        """Train for one more epoch on ``X`` (initialising the model if needed).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,), default=None
            Class labels; required (and only allowed) for a model first
            fitted with labels.

        Returns
        -------
        self : object
            The estimator, trained for one more epoch.
        """
        return self._partial_fit(X, y)

    def _generate_conditional(self, n_samples, y, generator, condition):
        return self._generate(n_samples, y, generator, condition)

    def _generate(self, n_samples, y, generator, condition=None):
        module = self.net_.sampling_module()  # the averaged generator with ema_decay
        device = self.net_.device
        latent = module.sample_latent(n_samples, generator=generator).to(device)
        labels = None
        if self._n_classes:
            if y is None:
                prior = torch.as_tensor(self._class_prior, dtype=torch.float64)
                labels = torch.multinomial(prior, n_samples, replacement=True, generator=generator)
            else:
                labels = torch.as_tensor(y, dtype=torch.long)
            labels = labels.to(device)
        return module(latent, labels, condition)

    def _sample_network_space(self, n_samples, y, random_state):
        generator = torch.Generator().manual_seed(int(random_state))
        module = self.net_.sampling_module()
        was_training = module.training
        module.eval()
        try:
            with torch.no_grad():
                raw = self._generate(n_samples, y, generator)
                return self._data_from_raw(raw.float()).cpu()
        finally:
            module.train(was_training)

    def score(self, X, y=None):
        """Sample quality: minus the squared MMD between generated rows and ``X``.

        ``len(X)`` rows (at most 2000; a larger ``X`` is subsampled with a
        fixed seed) are generated with a fixed seed and compared with ``X``
        in the network's normalised input space by the unbiased MMD² with a
        multi-scale inverse multiquadratic kernel (:func:`skgen.losses.mmd`).
        The score is deterministic and does not advance the ``sample``
        stream, so ``GridSearchCV`` can tune a generator without a scorer.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Held-out data, at least 2 rows.
        y : array-like of shape (n_samples,), default=None
            For a conditional model, the labels of ``X``: the generated rows
            get the same labels (so the score measures the joint
            distribution). None samples labels at their training frequencies.
            Ignored by unconditional models.

        Returns
        -------
        score : float
            Higher is better; about 0 when the samples are indistinguishable
            from ``X``.
        """
        check_is_fitted(self)
        Xn, _ = self._validate_input(X, reset=False)
        labels = None
        if self._n_classes and y is not None:
            labels = self._validate_sample_target(y, len(Xn))
        if len(Xn) < 2:
            raise ValueError(f"{type(self).__name__}.score needs at least 2 rows; got {len(Xn)}.")
        if len(Xn) > _SCORE_MAX_SAMPLES:
            keep = np.random.RandomState(_SCORE_SEED).choice(len(Xn), _SCORE_MAX_SAMPLES, replace=False)
            Xn = Xn[keep]
            labels = None if labels is None else labels[keep]
        fake = self._sample_network_space(len(Xn), labels, _SCORE_SEED)
        return -float(mmd(fake, torch.from_numpy(Xn)))

    # ------------------------------------------------------------ persistence
    def __setstate__(self, state):
        state = dict(state)
        # Pickles from before ``ema_decay`` (GAN, WGANGP): its default (no averaging),
        # so that get_params, clone, repr and partial_fit work.
        if "ema_decay" in type(self)._parameter_constraints:
            state.setdefault("ema_decay", None)
        super().__setstate__(state)
