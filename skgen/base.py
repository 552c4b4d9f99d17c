"""Base classes of every skgen estimator.

* :class:`_BaseNeuralEstimator`: the shared parameters, input validation,
  seeding, device resolution and the construction and training of the
  private skorch net ``net_``;
* :class:`BaseAutoencoder`: the transformer contract (``transform`` gives
  codes, ``inverse_transform`` decodes, ``score_samples``/``score``);
* :class:`SamplerMixin` and :class:`BaseGenerator`: ``sample`` for the models
  that generate data.

A concrete estimator spells out its ``__init__`` (arguments only), merges
``_parameter_constraints`` and implements the hooks ``_build_module`` and
``_build_criterion`` (and, for samplers, ``_generate``).
"""

from __future__ import annotations

import contextlib
import copy
from copy import deepcopy
from abc import ABCMeta, abstractmethod
import warnings
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, check_is_fitted, validate_data
from skorch.callbacks import EarlyStopping

from ._conditions import ColumnConditioner
from ._config import step_flops, threaded, use_threads_for
from ._layout import apply_output_activations, compile_layout, draw_rows, single_block_layout
from ._optim import without_dynamo
from ._skorch import (
    AutoencoderNet,
    DivergenceCheck,
    EpochProgressBar,
    InMemorySplit,
    LossTermLogger,
    TensorBatchIterator,
    TensorData,
)
from .exceptions import ConvergenceWarning
from .losses import ReconstructionCriterion, reconstruction_loss
from .nn import ACTIVATIONS
from .utils._param_validation import HasMethods, Interval, StrOptions, _fit_context
from .utils._persistence import load_net_state, net_state
from .utils._validation import (
    _all_finite,
    _check_finite_output,
    _check_has_features,
    _column_list,
    _frame_spec,
    _has_non_numeric_values,
    _row_chunks,
    _stable_moments,
    _to_frame,
)

__all__ = ["BaseAutoencoder", "BaseGenerator", "SamplerMixin"]

_OPTIMIZERS = {
    "adam": (torch.optim.Adam, {}),
    "adamw": (torch.optim.AdamW, {}),
    "rmsprop": (torch.optim.RMSprop, {}),
    "sgd": (torch.optim.SGD, {"momentum": 0.9, "nesterov": True}),
    "lbfgs": (torch.optim.LBFGS, {}),
}
_MAX_SEED = np.iinfo(np.int32).max
# Fused Adam/AdamW runs on the CPU from torch 2.4 on.
_FUSED_ADAM = tuple(int(v) for v in torch.__version__.split("+")[0].split(".")[:2]) >= (2, 4)
# Warn when the largest feature standard deviation exceeds this many times the median.
_SCALE_RATIO_WARNING = 30
# early_stopping="auto" holds out a validation set from this many training rows on.
_AUTO_EARLY_STOPPING_MIN_SAMPLES = 100


def _affine_float32(X, offset, scale):
    """``float32((X - offset) / scale)`` computed in X's precision by chunks of rows.

    No full-size temporary in float64: the only full-size allocation is the float32
    result (or none, when ``X`` is float32 already and the map is the identity).
    """
    if not offset.any() and (scale == 1).all():
        return np.ascontiguousarray(X, dtype=np.float32)
    out = np.empty(X.shape, dtype=np.float32)
    for rows in _row_chunks(X):
        chunk = X[rows] - offset  # one temporary per chunk, in X's precision
        chunk /= scale
        out[rows] = chunk
        del chunk  # freed before the next chunk is allocated
    return out


def _silent(*args, **kwargs):
    """A picklable no-op message sink for skorch callbacks."""


class ScaledEarlyStopping(EarlyStopping):
    """skorch's ``EarlyStopping`` with a scale-aware absolute threshold.

    An epoch improves on the best loss so far when
    ``loss < best - threshold * max(1, |best|)``. skorch's relative mode
    (``best * (1 - threshold)``) inverts for negative losses (a Gaussian
    likelihood's), where it accepts a *worse* epoch as an improvement, and vanishes
    for losses near 0; this comparison is relative for large losses and absolute
    for small ones, whatever their sign.
    """

    def __init__(self, warmup=0, initial_score=None, **kwargs):
        kwargs.pop("threshold_mode", None)
        super().__init__(threshold_mode="abs", **kwargs)
        self.warmup = warmup
        self.initial_score = initial_score

    def on_train_begin(self, net, **kwargs):
        super().on_train_begin(net, **kwargs)
        if self.initial_score is not None and self.warmup == 0:
            # The initial weights are a candidate too (epoch 0): a fit that never beats
            # them (e.g. a PCA initialisation on a small table) ends where it started.
            self.dynamic_threshold_ = self._calc_new_threshold(self.initial_score)
            self.best_epoch_ = 0
            if self.load_best:
                self._keep_weights(net)
            self.initial_score = None  # for the first training call only (fit, not partial_fit)

    def _calc_new_threshold(self, score):
        delta = self.threshold * max(1.0, abs(score))
        return score - delta if self.lower_is_better else score + delta

    def _keep_weights(self, net):
        """``best_model_weights_``: a copy of the module's state, copied into the previous one.

        skorch deep-copies the state dict at every improving epoch; copying into the
        tensors of the last copy costs a few microseconds per tensor instead (it was
        a third of the per-epoch overhead of a small fit).
        """
        state = net.module_.state_dict()
        best = getattr(self, "best_model_weights_", None)
        if (
            best is not None
            and best.keys() == state.keys()
            and all(
                isinstance(v, torch.Tensor) and isinstance(best[k], torch.Tensor)
                and best[k].shape == v.shape and best[k].dtype == v.dtype
                and best[k].device == v.device
                for k, v in state.items()
            )
        ):
            with torch.no_grad():
                for k, v in state.items():
                    best[k].copy_(v)
        else:
            self.best_model_weights_ = deepcopy(state)

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) <= self.warmup:
            return
        # skorch's EarlyStopping.on_epoch_end, with the cheaper copy of the best weights
        current_score = net.history[-1, self.monitor]
        if not self._is_score_improved(current_score):
            self.misses_ += 1
        else:
            self.misses_ = 0
            self.dynamic_threshold_ = self._calc_new_threshold(current_score)
            self.best_epoch_ = net.history[-1, "epoch"]
            if self.load_best:
                self._keep_weights(net)
        if self.misses_ == self.patience:
            if net.verbose:
                self._sink(
                    f"Stopping since {self.monitor} has not improved in the last "
                    f"{self.patience} epochs.",
                    verbose=net.verbose,
                )
            raise KeyboardInterrupt


def resolve_device(device):
    """Resolve ``"auto"`` to ``"cuda"`` when available, else ``"cpu"``; check others."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(f"Invalid device {device!r}: {exc}") from None
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but CUDA is not available on this machine; "
            "use device='auto' (CUDA when available, else CPU) or device='cpu'."
        )
    return str(resolved)


def resolve_batch_size(batch_size, n_samples):
    """``"auto"``: ``n_samples // 10`` clipped to [32, 128], so that small tables still get
    about ten optimizer steps per epoch while large ones use efficient batches."""
    if batch_size == "auto":
        return int(min(128, max(32, n_samples // 10)))
    return int(batch_size)


@contextlib.contextmanager
def torch_seed(seed, device="cpu"):
    """Seed torch inside a forked RNG context: the caller's global state is restored.

    ``torch.manual_seed`` seeds the CPU and *every* CUDA device, so every
    device's generator is forked and restored, not only the one trained on
    (``device`` is kept for callers and no longer changes which are forked).
    """
    devices = list(range(torch.cuda.device_count())) if torch.cuda.is_available() else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


class _BaseNeuralEstimator(BaseEstimator, metaclass=ABCMeta):
    """Shared parameters and training machinery; not public.

    Subclasses implement ``_build_module(X)`` (X: the training data in the
    network's input space, float32) and ``_build_criterion()``, and may set
    ``_net_class`` and override ``_net_params()``, ``_extra_callbacks()``.
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "optimizer": [StrOptions(set(_OPTIMIZERS)), callable],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "early_stopping": ["boolean", StrOptions({"auto"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "device": [str, torch.device],
        "preprocessor": [StrOptions({"auto"}), HasMethods(["fit", "transform"]), None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "callbacks": [list, None],
    }

    _net_class = AutoencoderNet
    _network_name = "autoencoder"

    # Public methods that run networks: each runs in a thread scope (skgen's
    # intra-op threads, see skgen/_config.py; the caller's are restored after).
    _threaded_methods = (
        "fit",
        "partial_fit",
        "transform",
        "inverse_transform",
        "score_samples",
        "score",
        "sample",
    )

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in cls._threaded_methods:
            method = getattr(cls, name, None)
            if callable(method) and not getattr(method, "__skgen_threaded__", False):
                setattr(cls, name, threaded(method))

    # ------------------------------------------------------------------ hooks
    @abstractmethod
    def _build_module(self, X):
        """Return the torch module (or module class) trained by ``net_``.

        ``X`` is the training data in the network's input space (float32).
        """

    def _build_criterion(self):
        return ReconstructionCriterion(self.layout_)

    def _net_params(self):
        """Extra keyword arguments for the skorch net."""
        return {}

    def _extra_callbacks(self):
        return []

    def _monitor_keys(self):
        """History keys that the divergence check watches."""
        return ("train_loss",)

    def _divergence_check(self):
        """The callback that raises :class:`TrainingDivergedError` on a non-finite loss."""
        return DivergenceCheck(type(self).__name__, self._network_name, self._monitor_keys())

    def _user_callbacks(self):
        """Deep copies of the ``callbacks`` parameter (a fit never mutates a parameter)."""
        callbacks = getattr(self, "callbacks", None)
        if not callbacks:
            return []
        reserved = {"loss_terms", "divergence", "stopping", "progress", "print_log"}
        copies = []
        for item in callbacks:
            if isinstance(item, tuple):
                if len(item) != 2 or not isinstance(item[0], str):
                    raise ValueError(
                        f"{type(self).__name__}: callbacks must hold skorch callbacks or "
                        f"(name, callback) tuples; got {item!r}."
                    )
                if item[0] in reserved:
                    raise ValueError(
                        f"{type(self).__name__}: the callback name {item[0]!r} is used by "
                        f"skgen ({sorted(reserved)}); choose another name."
                    )
            copies.append(copy.deepcopy(item))
        return copies

    # ------------------------------------------------------------- validation
    def _hidden_layer_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, Integral) else list(sizes)
        if any(not isinstance(s, Integral) or s < 1 for s in sizes):
            raise ValueError(
                f"hidden_layer_sizes must contain positive integers; got {self.hidden_layer_sizes!r}."
            )
        return [int(s) for s in sizes]

    def _resolve_preprocessor(self, X):
        from sklearn.base import clone

        if self.preprocessor is None:
            return None
        if isinstance(self.preprocessor, str):  # "auto"
            if not hasattr(X, "dtypes") or not hasattr(X, "columns"):
                return None
            import pandas as pd

            frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(X)
            numeric = all(
                pd.api.types.is_numeric_dtype(dt) and not pd.api.types.is_bool_dtype(dt)
                for dt in frame.dtypes
            )
            if numeric and not frame.isna().to_numpy().any():
                return None
            from .preprocessing import TabularEncoder

            return TabularEncoder(random_state=self.random_state, dtype="float32")
        return clone(self.preprocessor)

    def _output_kind(self, X):
        """Kind of the single output block for data without a layout."""
        choice = getattr(self, "output_activation", "auto")
        if choice == "auto" and getattr(self, "init", None) == "pca":
            return "numeric"  # the PCA part reconstructs in data units: squared error
        in_unit = bool(X.size) and X.min() >= 0 and X.max() <= 1
        if choice == "sigmoid":
            if not in_unit:
                raise ValueError(
                    f"{type(self).__name__}: output_activation='sigmoid' needs data in [0, 1] "
                    f"but X ranges over [{X.min():g}, {X.max():g}]; scale it (e.g. MinMaxScaler) "
                    "or use output_activation='identity'."
                )
            return "binary"
        if choice == "identity":
            return "numeric"
        return "binary" if in_unit else "numeric"

    def _validate_input(self, X, *, reset):
        """Validate ``X`` and map it to the network's input space.

        Returns
        -------
        Xn : ndarray of float32, shape (n_samples, n_encoded_features)
        dtype : numpy dtype of the float outputs (``transform`` and friends).
        """
        _check_has_features(self, X)
        if reset:
            self.preprocessor_ = self._resolve_preprocessor(X)
            self._fit_frame = _frame_spec(X) if self.preprocessor_ is None else None
            self._fit_columns = _column_list(X)
        else:
            self._check_column_names(X)
        if self.preprocessor_ is None:
            X = self._validate_numeric(X, reset)
            dtype = X.dtype
        else:
            validate_data(self, X, skip_check_array=True, reset=reset)
            X = self.preprocessor_.fit_transform(X) if reset else self.preprocessor_.transform(X)
            X = check_array(X, dtype=[np.float64, np.float32])
            dtype = np.dtype(np.float64)
        if reset:
            self._fit_input_scaling(X)
        elif X.shape[1] != len(self._input_offset):
            raise ValueError(
                f"X encodes to {X.shape[1]} features, but {type(self).__name__} was fitted "
                f"on {len(self._input_offset)}."
            )
        with np.errstate(over="ignore", invalid="ignore"):
            Xn = _affine_float32(X, self._input_offset, self._input_scale)
        if not _all_finite(Xn):  # by chunks: no n x d mask
            raise ValueError(
                f"{type(self).__name__}: X has values (up to {np.abs(X).max():g} in magnitude) "
                "that overflow the network's float32 input space after scaling by the "
                f"training data's scale ({float(np.max(self._input_scale)):g}); they are far "
                "outside the range seen in fit."
            )
        return Xn, dtype

    def _validate_numeric(self, X, reset):
        """``validate_data`` for models without a preprocessor, with a hint on non-numeric data."""
        try:
            return validate_data(self, X, dtype=[np.float64, np.float32], reset=reset)
        except (ValueError, TypeError) as exc:
            if not _has_non_numeric_values(X, exc):
                raise
            name = type(self).__name__
            if "preprocessor" in self.get_params():
                hint = (
                    "set preprocessor='auto' (the default), which encodes categorical, text and "
                    "missing values with skgen.preprocessing.TabularEncoder, or encode them first"
                )
            else:
                hint = (
                    f"{name} takes numeric arrays (e.g. images, one flattened image per row); for "
                    "tabular data with categorical, text or datetime columns use Autoencoder or "
                    "VAE, which encode them (preprocessor='auto'), or encode them first"
                )
            raise ValueError(f"{name} needs numeric data ({exc}): {hint}.") from exc

    def _check_column_names(self, X):
        """Columns must match ``fit``'s whatever their type (sklearn checks only string names)."""
        fitted = getattr(self, "_fit_columns", None)
        columns = _column_list(X)
        if fitted is None or columns is None or all(isinstance(c, str) for c in fitted):
            return
        if columns != fitted:
            raise ValueError(
                f"The feature names should match those that were passed during fit: "
                f"{type(self).__name__} was fitted on columns {fitted[:10]} and got "
                f"{columns[:10]}; select and order the columns as in fit."
            )

    def _fit_input_scaling(self, X):
        """Choose the layout and the affine map to the network's input space.

        Numeric data are centred per feature and divided by one global scale
        (the root mean feature variance): this keeps the geometry, so squared
        errors stay proportional to those in the original units (a linear
        autoencoder still finds PCA's subspace), while the network sees
        values of order one.
        """
        self._fit_dtype = X.dtype
        n_features = X.shape[1]
        layout = getattr(self.preprocessor_, "output_layout_", None)
        offset = np.zeros(n_features)
        scale = np.ones(n_features)
        if layout is None:
            kind = self._output_kind(X)
            layout = single_block_layout(n_features, kind)
            if kind == "numeric":
                offset, global_scale, stds = _stable_moments(X)
                self._warn_on_heterogeneous_scales(stds)
                if not (np.isfinite(global_scale) and np.isfinite(offset).all()):
                    raise ValueError(
                        f"{type(self).__name__}: the scale of X ({global_scale:g}) overflows "
                        "float64; rescale the data (e.g. StandardScaler) first."
                    )
                scale = np.full(n_features, global_scale if global_scale > 0 else 1.0)
        self.layout_ = tuple(layout)
        self._conditioner = None
        specs = getattr(self.preprocessor_, "columns_", None)
        if specs is not None and any(spec.method == "onehot" for spec in specs):
            self._conditioner = ColumnConditioner(specs)
        self._input_offset = offset
        self._input_scale = scale

    def _warn_on_heterogeneous_scales(self, stds):
        stds = stds[stds > 0]
        if len(stds) > 1 and stds.max() > _SCALE_RATIO_WARNING * np.median(stds):
            warnings.warn(
                f"{type(self).__name__}: the feature scales differ widely (the largest standard "
                f"deviation is {stds.max() / np.median(stds):.0f} times the median). Squared "
                "errors are measured in the units of X, as in PCA, so the largest features "
                "dominate the loss and the network learns little else. Scale the features "
                "first, e.g. make_pipeline(StandardScaler(), "
                f"{type(self).__name__}()).",
                UserWarning,
                stacklevel=4,
            )

    def _from_network_space(self, Xn, finite=False, codes=None):
        """Inverse of the input map (for decoder or generator outputs in data space).

        ``finite=True``: ``Xn`` is known to be finite (checked by the caller, e.g. by
        chunks while sampling), so the identity map skips that check. ``codes``:
        ``(keep, {block start: codes})`` when ``Xn`` holds only the encoded columns
        ``keep`` and the wide categorical blocks come as drawn codes (see ``sample``).
        """
        if self.preprocessor_ is not None:
            keep = slice(None) if codes is None else codes[0]

            def decode(X):
                if codes is None:
                    return self.preprocessor_.inverse_transform(X)
                return self.preprocessor_._inverse_transform_codes(X, *codes)

            if not self._input_offset.any() and (self._input_scale == 1).all():
                # the identity (a preprocessor's codes): no float64 copy here
                return decode(Xn if finite else _check_finite_output(self, Xn))
            width = self.layout_[-1].stop
            scale = np.broadcast_to(self._input_scale, (width,))[keep]
            offset = np.broadcast_to(self._input_offset, (width,))[keep]
            with np.errstate(over="ignore", invalid="ignore"):
                X = Xn.astype(np.float64) * scale + offset
            return decode(_check_finite_output(self, X))
        with np.errstate(over="ignore", invalid="ignore"):
            X = Xn.astype(np.float64) * self._input_scale + self._input_offset
        X = _check_finite_output(self, X).astype(self._fit_dtype, copy=False)
        frame = getattr(self, "_fit_frame", None)
        if frame is not None:
            return _to_frame(X, *frame)
        return X

    # ---------------------------------------------------------------- training
    def _optimizer(self):
        if callable(self.optimizer):
            return self.optimizer, {}
        cls, defaults = _OPTIMIZERS[self.optimizer]
        params = dict(defaults)
        if cls in (torch.optim.Adam, torch.optim.AdamW) and _FUSED_ADAM and (
            torch.device(self._device).type in ("cpu", "cuda")
        ):
            params["fused"] = True  # one kernel for all parameters: ~4x faster steps on CPU
        if self.weight_decay:
            if cls is torch.optim.LBFGS:
                raise ValueError("optimizer='lbfgs' does not support weight_decay; set weight_decay=0.")
            params["weight_decay"] = self.weight_decay
        return cls, params

    def _resolve_early_stopping(self, n_samples):
        """``early_stopping="auto"``: on from 100 training rows (10 held out) on."""
        if self.early_stopping == "auto":
            return n_samples >= _AUTO_EARLY_STOPPING_MIN_SAMPLES
        return bool(self.early_stopping)

    def _stopping_callbacks(self):
        validate = getattr(self, "_early_stopping", bool(self.early_stopping))
        monitor = "valid_loss" if validate else "train_loss"
        return [
            (
                "stopping",
                ScaledEarlyStopping(
                    monitor=monitor,
                    patience=self.n_iter_no_change,
                    threshold=self.tol,
                    load_best=validate,
                    sink=_silent,
                ),
            )
        ]

    def _make_net(self, X, rng):
        optimizer, optimizer_params = self._optimizer()
        optimizer = without_dynamo(optimizer)  # no torch._dynamo import on the first fit
        callbacks = [
            ("loss_terms", LossTermLogger()),
            ("divergence", self._divergence_check()),
            *self._stopping_callbacks(),
            *self._extra_callbacks(),
        ]
        if self.verbose:
            callbacks.append(("progress", EpochProgressBar(self._fit_max_epochs())))
        callbacks.extend(self._user_callbacks())
        train_split = None
        if self._early_stopping:
            train_split = InMemorySplit(self.validation_fraction, rng.randint(_MAX_SEED))
        batch_rng = np.random.RandomState(rng.randint(_MAX_SEED))
        params = {
            "module": self._build_module(X),
            "criterion": self._build_criterion(),
            "optimizer": optimizer,
            "lr": self.lr,
            "max_epochs": self._fit_max_epochs(),
            "batch_size": self._batch_size,
            "dataset": TensorData,
            "iterator_train": TensorBatchIterator,
            "iterator_train__shuffle": True,
            "iterator_train__random_state": batch_rng,
            "iterator_valid": TensorBatchIterator,
            "train_split": train_split,
            "callbacks": callbacks,
            "verbose": int(self.verbose > 1),
            # skorch's table printer formats a row every epoch even when silent.
            **({} if self.verbose > 1 else {"callbacks__print_log": None}),
            "device": self._device,
            **{f"optimizer__{k}": v for k, v in optimizer_params.items()},
        }
        params.update(self._net_params())
        return self._net_class(**params)

    def _to_tensor_data(self, Xn, y=None):
        X = torch.from_numpy(Xn).to(self._device)
        if y is not None:
            y = torch.as_tensor(y).to(self._device)
        return TensorData(X, y)

    def _fit(self, X, y=None, *, epochs=None):
        """Validate, build ``net_`` and train it; ``epochs`` overrides ``max_epochs``.

        A ``KeyboardInterrupt`` propagates; the estimator then holds either the
        model of the completed epochs or, if none completed, its state before
        the call (see :meth:`_finish_training`).
        """
        before = self.__dict__.copy()
        try:
            return self._fit_once(X, y, epochs=epochs)
        except KeyboardInterrupt:
            if self.__dict__.get("net_") is before.get("net_"):  # no epoch completed
                self.__dict__.clear()
                self.__dict__.update(before)
            raise

    def _fit_once(self, X, y=None, *, epochs=None):
        Xn, _ = self._validate_input(X, reset=True)
        y = self._validate_fit_target(y, len(Xn), reset=True)
        self._early_stopping = self._resolve_early_stopping(len(Xn))
        self._batch_size = self._resolve_batch_size(len(Xn))
        self._max_epochs = self._resolve_max_epochs(len(Xn))
        rng = check_random_state(self.random_state)
        self._device = resolve_device(self.device)
        seed = rng.randint(_MAX_SEED)
        self._sampling_rng = np.random.RandomState(rng.randint(_MAX_SEED))
        self._partial_fit_rng = np.random.RandomState(rng.randint(_MAX_SEED))
        with torch_seed(seed, self._device):
            net = self._make_net(Xn, rng)
            net.initialize()
            modules = [getattr(net, name + "_", None) for name in net._modules]
            use_threads_for(step_flops(modules, self._batch_size))
            self._before_training(net, Xn, y)
            if not self._closed_form():  # else the initialisation is the exact solution
                self._score_initial_weights(net, Xn, y)
                net.partial_fit(self._to_tensor_data(Xn, y), epochs=epochs)
        # Seed of randomised statistics fitted after training (a VAE's latent mixture):
        # drawn here, not from the sampling stream, so that refitting them (the
        # reconstruction guard) leaves that stream alone. Drawn last: nothing else moves.
        self._statistics_seed = int(rng.randint(_MAX_SEED))
        self._finish_training(net, Xn)
        if epochs is None:
            self._warn_if_cut(net)
        self._after_fit(Xn, epochs)
        return self

    def _closed_form(self):
        """True when the initial module is already the optimum (no epoch is run)."""
        return False

    def _score_initial_weights(self, net, Xn, y):
        """Hook: give the stopping rule the validation loss of the initial weights."""

    def _warn_if_cut(self, net):
        """ConvergenceWarning once per ``fit``: max_epochs cut a still-improving fit.

        Only for validation-monitored fits (a held-out loss that still improves is
        worth more epochs). "Still improving" means that the stopping rule did not
        fire: the monitored loss improved by more than ``tol`` within the last
        ``n_iter_no_change`` epochs.
        """
        if not self._early_stopping or self.n_iter_ < self._fit_max_epochs():
            return
        stopping = dict(net.callbacks_).get("stopping")
        if stopping is not None and getattr(stopping, "misses_", 0) >= stopping.patience:
            return
        warnings.warn(
            f"{type(self).__name__}: max_epochs={self._fit_max_epochs()} reached while the "
            "validation loss was still improving; consider increasing max_epochs.",
            ConvergenceWarning,
            stacklevel=4,
        )

    def _validate_fit_target(self, y, n_samples, *, reset):
        """``y`` is ignored by unconditional models (``reset``: a new fit, not ``partial_fit``)."""
        return None

    def _before_training(self, net, Xn, y):
        """Hook run after the net is initialised, before the first epoch."""

    def _after_training(self, Xn):
        """Hook run once the fitted attributes are set (``Xn``: the training data, network space)."""

    def _after_fit(self, Xn, epochs):
        """Hook run at the end of ``fit`` (``epochs=None``) and ``partial_fit`` (``epochs=1``).

        ``Xn`` is the training data in network space, as validated at the start
        of the call (so no hook validates or encodes ``X`` a second time).
        """

    def _finish_training(self, net, Xn):
        """Set the fitted attributes, or handle a ``KeyboardInterrupt`` caught by skorch.

        skorch swallows a ``KeyboardInterrupt`` in ``partial_fit``; skgen's nets
        record it (see :class:`~skgen._skorch._TermsMixin`) and it is re-raised here
        once the estimator is consistent: the epoch in progress is dropped from the
        history, and the estimator keeps the model trained so far when at least one
        epoch completed (with a warning), or is left as it was before the call.
        """
        if not net.__dict__.pop("_interrupted", False):
            self._set_fitted_attributes(net)
            self._after_training(Xn)
            return
        if len(net.history) and "train_loss" not in net.history[-1]:
            del net.history[-1]
        if len(net.history):
            self._set_fitted_attributes(net)
            self._after_training(Xn)
            warnings.warn(
                f"{type(self).__name__}: training interrupted (KeyboardInterrupt) after "
                f"{len(net.history)} complete epoch(s); the estimator holds the model trained "
                "so far.",
                UserWarning,
                stacklevel=4,
            )
        raise KeyboardInterrupt

    def _set_fitted_attributes(self, net):
        self.net_ = net
        self.history_ = net.history
        self.n_iter_ = len(net.history)
        self.loss_curve_ = np.asarray(
            net.history[:, "train_loss"] if self.n_iter_ else [], dtype=float
        )
        if self._early_stopping:
            self.validation_loss_curve_ = np.asarray(
                net.history[:, "valid_loss"] if self.n_iter_ else [], dtype=float
            )
        else:
            self.validation_loss_curve_ = None

    def _partial_fit(self, X, y=None):
        if not hasattr(self, "net_"):
            return self._fit(X, y, epochs=1)
        Xn, _ = self._validate_input(X, reset=False)
        y = self._validate_fit_target(y, len(Xn), reset=False)
        with torch_seed(self._partial_fit_rng.randint(_MAX_SEED), self.net_.device):
            self.net_.partial_fit(self._to_tensor_data(Xn, y), epochs=1)
        self._finish_training(self.net_, Xn)
        self._after_fit(Xn, 1)
        return self

    # --------------------------------------------------------------- inference
    def _resolve_batch_size(self, n_samples):
        """The training batch size for ``n_samples`` rows (``"auto"`` resolved)."""
        return resolve_batch_size(self.batch_size, n_samples)

    def _resolve_max_epochs(self, n_samples):
        """The number of training epochs for ``n_samples`` rows (a subclass may resolve "auto")."""
        return self.max_epochs

    def _fit_max_epochs(self):
        """``max_epochs`` as resolved for the current fit (``self.max_epochs`` before any fit)."""
        return getattr(self, "_max_epochs", self.max_epochs)

    def _inference_batch_size(self):
        return max(self._batch_size, 1024)

    def _run_batches(self, fn, Xn):
        """Apply ``fn`` (tensor -> tensor, or None) to ``Xn`` batch-wise in eval mode.

        The outputs are written into one float32 array as they come (no list of
        batches concatenated at the end, which held the outputs twice); a ``fn``
        that returns None (an accumulator) gives None.
        """
        module = self.net_.module_
        device = self.net_.device
        was_training = module.training
        module.eval()
        out = None
        bs = self._inference_batch_size()
        try:
            with torch.no_grad():
                for start in range(0, max(len(Xn), 1), bs):
                    batch = torch.from_numpy(Xn[start : start + bs]).to(device)
                    result = fn(batch)
                    if result is None:
                        continue
                    if out is None:
                        out = torch.empty((len(Xn), *result.shape[1:]), dtype=torch.float32)
                    out[start : start + len(result)] = result
        finally:
            module.train(was_training)
        return None if out is None else out.numpy()

    def _data_from_raw(self, raw):
        """Raw network outputs (tensor) -> data space, through the layout's activations."""
        return apply_output_activations(raw, self.layout_)

    # ------------------------------------------------------------- persistence
    def __getstate__(self):
        """Hyper-parameters, plain data and arrays: the skorch net becomes its state.

        See :mod:`skgen.utils._persistence`: no pickled code, so ``skops.io`` can
        load it, and a model trained on a GPU loads on a CPU-only machine.
        """
        state = dict(super().__getstate__())
        net = state.pop("net_", None)
        state.pop("history_", None)  # the net's history, restored with it
        tensors, dtypes = [], []
        for key, value in list(state.items()):
            if isinstance(value, torch.Tensor):
                state[key] = value.detach().cpu().numpy()
                tensors.append(key)
            elif isinstance(value, np.dtype):
                state[key] = value.str
                dtypes.append(key)
        state["_plain_keys"] = {"tensors": tensors, "dtypes": dtypes}
        if net is not None:
            state["_net_state"] = net_state(net)
        return state

    def __setstate__(self, state):
        state = dict(state)
        saved_net = state.pop("_net_state", None)
        plain = state.pop("_plain_keys", None) or {}
        for key in plain.get("tensors", ()):
            state[key] = torch.from_numpy(np.array(state[key]))
        for key in plain.get("dtypes", ()):
            state[key] = np.dtype(state[key])
        super().__setstate__(state)
        if saved_net is not None:
            self._restore_net(saved_net)

    def _restore_net(self, saved_net):
        """Rebuild ``net_`` with the builder of ``fit`` and load the saved arrays."""
        device = saved_net["device"]
        if torch.device(device).type == "cuda" and not torch.cuda.is_available():
            warnings.warn(
                f"{type(self).__name__} was trained on {device}, which this machine lacks; "
                "it is loaded on the CPU.",
                UserWarning,
                stacklevel=2,
            )
            device = "cpu"
        self._device = device
        # Placeholder rows for the builder: only their width matters, the module
        # weights and buffers are replaced by the saved ones.
        width = len(self._input_offset)
        n_rows = max(16, width + 1, int(getattr(self, "n_components", 1) or 1) + 1)
        X = np.random.RandomState(0).randn(n_rows, width).astype(np.float32)
        with torch_seed(0, device), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            net = self._make_net(X, np.random.RandomState(0))
            net.initialize()
        load_net_state(net, saved_net)
        self.net_ = net
        self.history_ = net.history


class BaseAutoencoder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, _BaseNeuralEstimator):
    """Base class of the autoencoders: codes, reconstructions and scores.

    ``transform`` returns the code (the posterior mean for variational
    models), ``inverse_transform`` decodes codes back to data space,
    ``score_samples`` is the negative per-sample reconstruction error and
    ``score`` its mean, so model selection needs no custom scorer.
    """

    _parameter_constraints: dict = {
        **_BaseNeuralEstimator._parameter_constraints,
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "output_activation": [StrOptions({"auto", "identity", "sigmoid"})],
        "init": [StrOptions({"pca", "random"})],
    }

    @property
    def _n_features_out(self):
        check_is_fitted(self)  # get_feature_names_out before fit raises NotFittedError
        return self.n_components

    def _score_initial_weights(self, net, Xn, y):
        """With a validation split, the initial weights compete with the trained ones.

        Their validation loss (that of PCA's solution with ``init="pca"``) seeds
        the stopping rule, so the restored weights are never worse than the
        starting point on the held-out rows.
        """
        self._initial_state = None
        if getattr(self, "init", None) == "pca" and isinstance(net.train_split, InMemorySplit):
            self._initial_state = deepcopy(net.module_.state_dict())  # see _keep_initial_if_better
        stopping = dict(net.callbacks_).get("stopping")
        if net.train_split is None or not isinstance(stopping, ScaledEarlyStopping):
            return
        if stopping.warmup:
            return
        _, valid = net.train_split(self._to_tensor_data(Xn, y))
        total, count = 0.0, 0
        net._set_training(False)
        for batch in net.get_iterator(valid, training=False):
            step = net.validation_step(batch)
            total += float(step["loss"]) * len(batch[0])
            count += len(batch[0])
        stopping.initial_score = total / count if count else None

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Train the autoencoder on ``X``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Training data.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X)

    @_fit_context(prefer_skip_nested_validation=False)
    def partial_fit(self, X, y=None):
        """Train for one more epoch on ``X`` (initialising the model if needed).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Training data.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The estimator, trained for one more epoch.
        """
        return self._partial_fit(X)

    def transform(self, X):
        """Encode ``X``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Data in the format seen in ``fit``.

        Returns
        -------
        codes : ndarray of shape (n_samples, n_components)
            The codes, in the dtype of ``X`` (float32 or float64).
        """
        check_is_fitted(self)
        Xn, dtype = self._validate_input(X, reset=False)
        codes = self._run_batches(self.net_.module_.encode, Xn)
        scale = self._code_scale()
        if scale != 1.0:
            with np.errstate(over="ignore", invalid="ignore"):
                codes = (codes.astype(np.float64) * scale).astype(dtype)
        return _check_finite_output(self, codes.astype(dtype, copy=False), "codes")

    def _codes_in_input_units(self):
        """Hook: True when the network's codes are PCA scores of the normalised input.

        Those codes (``init="pca"``, no whitening, no squashing code activation)
        are returned multiplied by the input's global scale, i.e. on the scale of
        PCA's scores of ``X``: the fixed part of the code then *is* PCA's
        ``transform`` (up to the sign convention), so the models put after it
        (e.g. a penalised ``LogisticRegression``) see PCA's features plus the
        learned correction, whatever the units of ``X``.
        """
        return False

    def _code_scale(self):
        """Factor from the network's codes to those of :meth:`transform`."""
        if not self._codes_in_input_units():
            return 1.0
        scale = getattr(self, "_input_scale", None)
        if scale is None or not len(scale) or not np.isfinite(scale[0]) or scale[0] <= 0:
            return 1.0
        return float(scale[0])

    def inverse_transform(self, X):
        """Decode codes back to data space.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Codes, e.g. the output of :meth:`transform`.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features_in_) or DataFrame
            The reconstructions, in the container, columns and dtypes seen in
            ``fit``.
        """
        check_is_fitted(self)
        Z = check_array(X, dtype=[np.float64, np.float32])
        if Z.shape[1] != self.n_components:
            raise ValueError(
                f"X has {Z.shape[1]} features, but {type(self).__name__}.inverse_transform is "
                f"expecting {self.n_components} features (n_components) as input."
            )
        scale = self._code_scale()
        if scale != 1.0:
            Z = np.asarray(Z, dtype=np.float64) / scale
        out = self._run_batches(
            lambda z: self._data_from_raw(self._decode(z)), np.ascontiguousarray(Z, dtype=np.float32)
        )
        return self._from_network_space(out)

    def _reconstruct_network_space(self, Xn):
        module = self.net_.module_
        return self._run_batches(lambda x: self._decode(module.encode(x)), Xn)

    def _decode(self, z):
        """The reconstruction from codes: the decoder plus the output correction, if any."""
        raw = self.net_.module_.decode(z)
        correction = getattr(self, "_output_correction", None)
        if correction is not None:
            A = torch.as_tensor(correction, device=z.device)
            raw = raw + z @ A[:-1] + A[-1]
        return raw

    def _fit(self, X, y=None, *, epochs=None):
        self.__dict__.pop("_initial_state", None)
        try:
            return super()._fit(X, y, epochs=epochs)
        finally:
            self.__dict__.pop("_initial_state", None)

    def _after_fit(self, Xn, epochs):
        self._fit_output_correction(Xn)
        self._kept_initial_model = False  # set by the reconstruction guard
        if epochs is None:
            self._keep_initial_if_better(Xn)

    def _validation_rows(self, Xn):
        split = self.net_.train_split
        n_valid = int(round(split.fraction * len(Xn)))
        return Xn[check_random_state(split.random_state).permutation(len(Xn))[:n_valid]]

    def _reconstruction_error(self, Xn):
        """Mean reconstruction error of rows in network space (the units of ``score``)."""
        raw = self._reconstruct_network_space(Xn)
        if self.preprocessor_ is None:
            recon = self._data_from_raw(torch.from_numpy(raw)).double().numpy()
            return float(np.mean((recon - Xn) ** 2))
        return float(reconstruction_loss(torch.from_numpy(raw), torch.from_numpy(Xn), self.layout_).mean())

    #: With ``init="pca"``, the initial module's reconstruction is PCA's (not
    #: probabilistic PCA's shrunk one): the guard's candidate is that module with no
    #: output correction. A correction fitted to it would only fit the training
    #: rows' noise, e.g. for a sigmoid code (SparseAE's), the correlation of the
    #: discarded components with a nonlinear function of the scores.
    _start_decodes_pca = False

    def _keep_initial_if_better(self, Xn):
        """Reconstruction guard: keep the initial (PCA) model if it reconstructs better.

        With ``init="pca"`` and a validation split, the trained model (with its
        output correction) and the initial one (PCA's solution, or probabilistic
        PCA's for the variational models) are compared on the reconstruction
        error of the held-out rows alone. The training objective may trade
        reconstruction for its other terms (a prior, sparsity, an MMD); this keeps
        a fit that ends up reconstructing worse than PCA from being returned.
        """
        state = self.__dict__.get("_initial_state")
        if state is None or not getattr(self, "_early_stopping", False):
            return
        Xv = self._validation_rows(Xn)
        if not len(Xv):
            return
        module = self.net_.module_
        trained_error = self._reconstruction_error(Xv)
        trained_state, trained_correction = deepcopy(module.state_dict()), self._output_correction
        module.load_state_dict(state)
        if self._start_decodes_pca:
            self._output_correction = None  # the start is PCA's solution as it stands
        else:
            self._fit_output_correction(Xn)
        initial_error = self._reconstruction_error(Xv)
        if np.isfinite(trained_error) and trained_error <= initial_error:
            module.load_state_dict(trained_state)
            self._output_correction = trained_correction
        else:  # the statistics fitted after training (e.g. a VAE's noise) follow the model
            self._kept_initial_model = True
            self._after_training(Xn)

    def _fit_output_correction(self, Xn):
        """Least-squares affine map from the codes to the decoder's residuals.

        With ``init="pca"`` and a plain numeric output, reconstructions are the
        decoder's output plus ``A z + b``, fitted on the training rows after
        training. Penalties that act on the code (a prior, sparsity,
        contraction) shrink reconstructions towards the mean; this undoes the
        part of that shrinkage a linear map of the code can explain, and is
        zero for a model at PCA's solution. ``sample`` does not use it. ``Xn``: the
        training rows in network space; the normal equations are accumulated in
        float64 batch by batch (no copy of the codes or residuals).
        """
        self._output_correction = None
        if getattr(self, "init", None) != "pca" or self._closed_form():
            return
        if len(self.layout_) != 1 or self.layout_[0].kind != "numeric":
            return
        if len(Xn) <= self.n_components + 1:
            return
        module = self.net_.module_
        k = self.n_components
        device = self.net_.device
        ZtZ = torch.zeros(k + 1, k + 1, dtype=torch.float64, device=device)
        ZtR = torch.zeros(k + 1, Xn.shape[1], dtype=torch.float64, device=device)

        def accumulate(x):
            z = module.encode(x)
            Z = torch.cat([z.double(), z.new_ones(len(z), 1, dtype=torch.float64)], 1)
            ZtZ.add_(Z.T @ Z)
            ZtR.add_(Z.T @ (x.double() - module.decode(z).double()))

        self._run_batches(accumulate, Xn)
        ZtZ, ZtR = ZtZ.cpu().numpy(), ZtR.cpu().numpy()
        gram = ZtZ + 1e-6 * np.trace(ZtZ) / (k + 1) * np.eye(k + 1)
        self._output_correction = np.linalg.solve(gram, ZtR).astype(np.float32)

    def score_samples(self, X):
        """Negative reconstruction error of each sample.

        Without a preprocessor this is minus the mean squared error over the
        features, in the units of ``X``. With one (e.g. for DataFrames), it is
        minus the per-sample reconstruction loss over the encoded blocks
        (squared error for numeric blocks, cross-entropy for categorical ones).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Data in the format seen in ``fit``.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Higher is better (closer to the training data's manifold).
        """
        check_is_fitted(self)
        Xn, _ = self._validate_input(X, reset=False)
        raw = torch.from_numpy(self._reconstruct_network_space(Xn))
        target = torch.from_numpy(Xn)
        if self.preprocessor_ is None:
            recon = self._data_from_raw(raw).double().numpy()
            with np.errstate(over="ignore", invalid="ignore"):
                err = (((recon - Xn) * self._input_scale) ** 2).mean(axis=1)
        else:
            err = reconstruction_loss(raw, target, self.layout_).double().numpy()
        return -_check_finite_output(self, err, "reconstruction errors")

    def score(self, X, y=None):
        """Mean of :meth:`score_samples` (higher is better).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Data in the format seen in ``fit``.
        y : None
            Ignored.

        Returns
        -------
        score : float
            The mean of :meth:`score_samples`.
        """
        return float(np.mean(self.score_samples(X)))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


class SamplerMixin:
    """``sample`` for models that generate data (VAEs, WAEs, GANs).

    Subclasses implement ``_generate(n_samples, y, generator)``, returning raw
    network outputs (a tensor on any device) for ``n_samples`` rows; the
    mixin maps them to data space and back through the preprocessor.
    """

    def _sampling_generator(self, random_state):
        rng = self._sampling_rng if random_state is None else check_random_state(random_state)
        return torch.Generator().manual_seed(int(rng.randint(_MAX_SEED)))

    def _validate_sample_target(self, y, n_samples):
        if y is not None:
            raise ValueError(
                f"{type(self).__name__} is not a conditional model: sample(y=...) is only "
                "supported by estimators fitted with class labels (see the docs)."
            )
        return None

    def _generate_conditional(self, n_samples, y, generator, condition):
        """Raw outputs for ``n_samples`` rows given conditional vectors (a tensor)."""
        raise ValueError(
            f"{type(self).__name__} does not support sample(conditions=...); VAE, BetaVAE "
            "and the GANs do (fitted on a DataFrame with categorical columns)."
        )

    def _sample_chunk_rows(self):
        """Rows generated at once by ``sample``: about 2**20 output values (4 MB), 256 to 8192 rows."""
        width = self.layout_[-1].stop if getattr(self, "layout_", None) else 1
        return max(256, min(8192, (1 << 20) // max(width, 1)))

    def _numeric_noise_std(self):
        """Observation noise added to numeric blocks of tabular samples.

        None for none, or a tensor with one standard deviation per encoded column.
        """
        return None

    def _draw_tabular(self, raw, generator, codes=None):
        """Draw tabular rows from the model's output distribution (raw CPU outputs).

        Each categorical block (a category, a mixture mode, a missing indicator) is drawn
        from its softmax rather than taking the most likely value, so rare levels and
        missing values appear at their learned rates; binary blocks become their
        probabilities and numeric blocks get the model's observation noise, if it has
        one. ``raw`` (the network's fresh output) is overwritten: no copy of a wide
        output is made.

        ``codes``: None, or a list to which the drawn index of every wide categorical
        block (see :meth:`~skgen._layout.CompiledLayout.wide_split`) is appended; the
        result then holds only the other columns (``keep``), so no one-hot matrix of a
        thousand-level column is written or decoded by argmax.
        """
        raw = raw.contiguous()
        compiled = compile_layout(self.layout_, raw.device, raw.shape[1])
        if codes is not None:
            wide, compiled, keep = compiled.wide_split()
            for block in wide:
                drawn, peak = draw_rows(raw[:, block.slice], generator)
                if not torch.isfinite(peak.sum()):
                    _check_finite_output(self, peak.numpy())
                codes.append(drawn)
        out = compiled.sample_from_logits(raw, generator)
        noise_std = self._numeric_noise_std()
        if noise_std is not None and compiled.numeric is not None:
            index = compiled.numeric
            noise = torch.randn((len(out), compiled.n_numeric), generator=generator)
            out[:, index] = out[:, index] + noise_std[index] * noise
        if codes is not None:
            out = out.index_select(1, keep)
        return out

    def _wide_codes_split(self, conditions):
        """``(wide blocks, kept columns)`` when ``sample`` decodes wide categorical blocks
        from their drawn codes (tabular models, no conditions), else None."""
        decode = getattr(self.preprocessor_, "_inverse_transform_codes", None)
        if decode is None or conditions is not None or not getattr(self, "layout_", None):
            return None
        wide, _, keep = compile_layout(self.layout_, "cpu", self.layout_[-1].stop).wide_split()
        values = {
            spec.value_block.start
            for spec in getattr(self.preprocessor_, "columns_", ())
            if spec.method in ("onehot", "discrete")
        }
        if not wide or any(block.start not in values for block in wide):
            return None
        return wide, keep

    def sample(self, n_samples=1, *, y=None, conditions=None, random_state=None):
        """Generate samples from the fitted model.

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples (rows) to generate.
        y : array-like of shape (n_samples,), default=None
            Class labels of the rows to generate, for conditional models only.
        conditions : dict, default=None
            ``{column: category}`` (or ``{column: array of n_samples categories}``)
            for models fitted on a DataFrame with categorical columns: every returned
            row has exactly these values. The model is trained with such conditional
            vectors (see :mod:`skgen._conditions`), so the other columns follow
            their conditional distribution: this is not rejection sampling.
        random_state : int, RandomState instance or None, default=None
            Seed of the sampling noise. None continues the estimator's own
            stream (seeded by ``random_state`` at ``fit``), so consecutive
            calls give new samples while a whole script stays reproducible.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features_in_) or DataFrame
            In the container, columns and dtypes seen in ``fit``.
        """
        check_is_fitted(self)
        if not isinstance(n_samples, Integral) or isinstance(n_samples, bool) or n_samples < 1:
            raise ValueError(f"n_samples must be a positive integer; got {n_samples!r}.")
        y = self._validate_sample_target(y, int(n_samples))
        condition = None
        if conditions is not None:
            conditioner = getattr(self, "_conditioner", None)
            if conditioner is None:
                raise ValueError(
                    f"{type(self).__name__} was not fitted on a DataFrame with categorical "
                    "columns, so there is nothing to condition on."
                )
            condition = conditioner.vectors(conditions, int(n_samples), type(self).__name__)
        generator = self._sampling_generator(random_state)
        module = self.net_.module_
        was_training = module.training
        module.eval()
        n_samples = int(n_samples)
        out = None
        # wide categorical blocks: drawn as codes and decoded from them (no one-hot rows)
        split = self._wide_codes_split(conditions) if self.preprocessor_ is not None else None
        codes = None if split is None else [np.empty(n_samples, dtype=np.int64) for _ in split[0]]
        try:
            with torch.no_grad():
                if condition is not None:
                    condition = torch.from_numpy(condition).to(self.net_.device)
                # By chunks of rows: the network's outputs and the draws from them stay in
                # the CPU's cache (a 100,000 x 1,000 output is 400 MB), written once into
                # the result.
                step = self._sample_chunk_rows()
                for start in range(0, n_samples, step):
                    rows = slice(start, min(start + step, n_samples))
                    m = rows.stop - rows.start
                    part_y = None if y is None else y[rows]
                    if condition is None:
                        raw = self._generate(m, part_y, generator)
                    else:
                        raw = self._generate_conditional(m, part_y, generator, condition[rows])
                    part_codes = None if codes is None else []
                    if self.preprocessor_ is not None:
                        part = self._draw_tabular(raw.float().cpu(), generator, part_codes)
                    else:
                        part = self._data_from_raw(raw.float()).cpu()
                    # checked while the chunk is in cache (its sum first: NaN and inf reach it)
                    if not torch.isfinite(part.sum()) and not torch.isfinite(part).all():
                        _check_finite_output(self, part.numpy())
                    for target, drawn in zip(codes or (), part_codes or ()):
                        target[rows] = drawn.numpy()
                    if step >= n_samples:
                        out = part.numpy()
                        break
                    if out is None:
                        out = np.empty((n_samples, *part.shape[1:]), dtype=np.float32)
                    out[rows] = part.numpy()
        finally:
            module.train(was_training)
        if conditions is not None:
            out = self._conditioner.clamp(out, conditions)
        if codes is not None:
            wide, keep = split
            return self._from_network_space(
                out, finite=True, codes=(keep.numpy(), {b.start: c for b, c in zip(wide, codes)})
            )
        return self._from_network_space(out, finite=True)


class BaseGenerator(SamplerMixin, _BaseNeuralEstimator):
    """Base class of the generators (``fit`` then ``sample``)."""

    _parameter_constraints: dict = {
        **_BaseNeuralEstimator._parameter_constraints,
        "n_components": [Interval(Integral, 1, None, closed="left")],
    }
