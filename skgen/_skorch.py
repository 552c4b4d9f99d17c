"""Private skorch pieces: in-memory batching, loss-term logging and the nets.

skorch owns the training loop, devices, callbacks and history. skgen adds:

* :class:`TensorData` / :class:`TensorBatchIterator`: the data are moved to
  the device once and batches are slices of that tensor (no per-sample
  ``__getitem__`` and collation as with a ``DataLoader``, which dominates the
  cost of small tabular batches);
* :class:`AutoencoderNet`: the criterion returns a dict of named loss terms;
  the net sums them, and :class:`LossTermLogger` writes the per-epoch mean of
  every term to the history (``train_reconstruction``, ``valid_kl``, ...);
* :class:`DivergenceCheck`: raises :class:`~skgen.exceptions.TrainingDivergedError`
  as soon as an epoch's loss is not finite.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback
from skorch.utils import TeeGenerator
from sklearn.utils import check_random_state

from .exceptions import TrainingDivergedError

__all__ = [
    "AutoencoderNet",
    "DivergenceCheck",
    "EpochProgressBar",
    "InMemorySplit",
    "LossTermLogger",
    "TensorBatchIterator",
    "TensorData",
]


class TensorData(torch.utils.data.Dataset):
    """Tensors already on the training device, with an optional target.

    ``y`` is a conditioning variable (class labels for conditional
    generators), never a regression target. A subset (:meth:`subset`, e.g. the
    training or validation rows of :class:`InMemorySplit`) is a view: it keeps
    the full tensors and the positions of its rows, so splitting copies no
    data; batches gather their rows from the full tensors (:meth:`take`).
    """

    def __init__(self, X, y=None, rows=None):
        self.data = X
        self.target = y
        self.rows = rows  # None: every row; else positions (long tensor) into data/target

    @property
    def X(self):
        """The rows of this dataset (a copy for a subset)."""
        return self.data if self.rows is None else self.data.index_select(0, self.rows)

    @property
    def y(self):
        if self.target is None or self.rows is None:
            return self.target
        return self.target.index_select(0, self.rows)

    def __len__(self):
        return len(self.data) if self.rows is None else len(self.rows)

    def __getitem__(self, index):
        rows = index if self.rows is None else self.rows[index]
        return self.data[rows], (None if self.target is None else self.target[rows])

    def take(self, index):
        """``(X, y)`` of the rows at positions ``index`` (a long tensor) of this dataset."""
        if self.rows is not None:
            index = self.rows.index_select(0, index)
        # index_select: a third of the cost of X[index] on the CPU
        return self.data.index_select(0, index), (
            None if self.target is None else self.target.index_select(0, index)
        )

    def subset(self, index):
        """The rows at positions ``index`` of this dataset, as a view (no copy of the data)."""
        index = torch.as_tensor(np.asarray(index), dtype=torch.long, device=self.data.device)
        if self.rows is not None:
            index = self.rows.index_select(0, index)
        return TensorData(self.data, self.target, rows=index)


class TensorBatchIterator:
    """Mini-batches of a :class:`TensorData` by slicing, in place of a DataLoader.

    Parameters
    ----------
    dataset : TensorData
    batch_size : int
    shuffle : bool, default=False
    random_state : numpy.random.RandomState or None, default=None
        Source of the permutation when shuffling. The same object is reused
        from epoch to epoch, so each epoch gets a new permutation while the
        whole run stays reproducible.
    drop_last : bool, default=False
        Drop a last incomplete batch (unless it would leave no batch at all).
    """

    def __init__(self, dataset, batch_size=128, shuffle=False, random_state=None, drop_last=False):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.random_state = random_state
        self.drop_last = drop_last

    def _n_batches(self):
        n = len(self.dataset)
        if self.drop_last and n >= self.batch_size:
            return n // self.batch_size
        return math.ceil(n / self.batch_size)

    def __len__(self):
        return self._n_batches()

    def __iter__(self):
        data = self.dataset
        n, bs = len(data), self.batch_size
        if self.shuffle:
            # Index each batch through a permutation: no shuffled copy of the whole
            # data per epoch (peak memory stays at one copy of X).
            rng = check_random_state(self.random_state)
            order = torch.from_numpy(rng.permutation(n)).to(data.data.device)
            for i in range(self._n_batches()):
                yield data.take(order[i * bs : (i + 1) * bs])
            return
        X, y, rows = data.data, data.target, data.rows
        for i in range(self._n_batches()):
            sl = slice(i * bs, (i + 1) * bs)
            if rows is None:
                yield X[sl], (None if y is None else y[sl])
            else:  # a view (e.g. the validation rows): gather this batch's rows
                index = rows[sl]
                yield X.index_select(0, index), (None if y is None else y.index_select(0, index))


class InMemorySplit:
    """Hold out a random ``fraction`` of a :class:`TensorData` for validation."""

    def __init__(self, fraction, random_state=None):
        self.fraction = fraction
        self.random_state = random_state

    def __call__(self, dataset, y=None, **fit_params):
        n = len(dataset)
        n_valid = int(round(self.fraction * n))
        if n_valid < 1 or n - n_valid < 1:
            raise ValueError(
                f"validation_fraction={self.fraction} leaves no training or no validation "
                f"sample with n_samples={n}; use more data or early_stopping=False."
            )
        order = check_random_state(self.random_state).permutation(n)
        return dataset.subset(order[n_valid:]), dataset.subset(order[:n_valid])


class LossTermLogger(Callback):
    """Record the epoch mean of every named loss term as ``{train,valid}_{name}``."""

    def on_epoch_begin(self, net, **kwargs):
        net.term_sums_ = {"train": {}, "valid": {}}
        net.term_counts_ = {"train": 0, "valid": 0}

    def on_epoch_end(self, net, **kwargs):
        for prefix, sums in net.term_sums_.items():
            count = net.term_counts_[prefix]
            if not count:
                continue
            for name, total in sums.items():
                net.history.record(f"{prefix}_{name}", float(total) / count)


class DivergenceCheck(Callback):
    """Raise :class:`TrainingDivergedError` when an epoch's loss is not finite.

    Parameters
    ----------
    estimator_name : str
        Used in the message.
    network : str, default="autoencoder"
        The network whose loss is checked, used in the message.
    keys : sequence of str, default=("train_loss",)
        History keys that must stay finite.
    """

    def __init__(self, estimator_name, network="autoencoder", keys=("train_loss",)):
        self.estimator_name = estimator_name
        self.network = network
        self.keys = keys

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        for key in self.keys:
            value = row.get(key)
            if value is not None and not math.isfinite(value):
                epoch = row["epoch"]
                network = self.network
                if isinstance(network, dict):
                    network = network.get(key, key)
                raise TrainingDivergedError(
                    f"{self.estimator_name}: training diverged at epoch {epoch}: the "
                    f"{network} loss ({key}) became {value}. Try a lower learning rate "
                    f"(lr={net.lr:g} now, e.g. lr={net.lr / 10:g}), scaling the input "
                    f"features, or a smaller batch_size.",
                    epoch=epoch,
                    network=network,
                )


class EpochProgressBar(Callback):
    """A tqdm progress bar with one step per epoch, showing the last losses."""

    def __init__(self, total, keys=("train_loss", "valid_loss")):
        self.total = total
        self.keys = keys

    def on_train_begin(self, net, **kwargs):
        from tqdm.auto import tqdm

        self._bar = tqdm(total=self.total, unit="epoch", leave=False)

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        self._bar.set_postfix({k: f"{row[k]:.4g}" for k in self.keys if k in row})
        self._bar.update(1)

    def on_train_end(self, net, **kwargs):
        bar = getattr(self, "_bar", None)
        if bar is not None:
            bar.close()
            del self._bar

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_bar", None)
        return state


def _switch_mode(module, training):
    """``module.train(training)``, without ``nn.Module.__setattr__`` on every submodule.

    When no submodule overrides ``train`` (plain layers: the usual case), setting the
    ``training`` flags directly is exactly what ``train`` does, at a fraction of the
    cost (switching twice per epoch was a tenth of the overhead of a small fit).
    """
    subs = list(module.modules())
    if any(type(m).train is not torch.nn.Module.train for m in subs):
        module.train(training)
        return
    for m in subs:
        m.__dict__["training"] = training


class _TermsMixin:
    """Lean per-batch bookkeeping shared by skgen's nets.

    * ``_sum_terms`` sums a dict of named loss terms and accumulates them (on the
      device, no host sync) for :class:`LossTermLogger`;
    * ``notify`` calls only the callbacks that override a hook (skorch calls every
      callback's no-op hooks three times per batch);
    * ``_set_training`` switches modules only when their mode changes.
    """

    def _sum_terms(self, terms, n_samples, training):
        values = iter(terms.values())
        loss = next(values)
        for value in values:
            loss = loss + value
        sums = getattr(self, "term_sums_", None)
        if sums is not None:
            prefix = "train" if training else "valid"
            sums = sums[prefix]
            for name, value in terms.items():
                if name in sums:
                    sums[name].add_(value.detach(), alpha=n_samples)
                else:
                    sums[name] = value.detach() * n_samples
            self.term_counts_[prefix] += n_samples
        return loss

    def _hooks(self, method_name):
        cache = self.__dict__.get("_hook_cache")
        if cache is None or cache[0] is not self.callbacks_:
            cache = (self.callbacks_, {})
            self.__dict__["_hook_cache"] = cache
        hooks = cache[1].get(method_name)
        if hooks is None:
            base = getattr(Callback, method_name, None)
            hooks = [
                getattr(cb, method_name)
                for _, cb in self.callbacks_
                if getattr(type(cb), method_name, None) is not base
            ]
            cache[1][method_name] = hooks
        return hooks

    def notify(self, method_name, **cb_kwargs):
        getattr(self, method_name)(self, **cb_kwargs)
        for hook in self._hooks(method_name):
            try:
                hook(self, **cb_kwargs)
            except KeyboardInterrupt:
                if method_name == "on_epoch_end":
                    # skorch's idiom to stop training (EarlyStopping), not a Ctrl-C
                    self.__dict__["_stop_requested"] = True
                raise

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        """skorch's loop; a ``KeyboardInterrupt`` is recorded before skorch swallows it.

        A callback raising it in ``on_epoch_end`` (skorch's way to stop training, as
        ``EarlyStopping`` does) is a normal stop, not an interrupt. Otherwise the estimator re-raises it once its state is consistent
        (``_BaseNeuralEstimator._finish_training``), so ``fit`` never returns as if
        training had completed and a search stops.
        """
        self.__dict__.pop("_stop_requested", None)
        try:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        except KeyboardInterrupt:
            if not self.__dict__.pop("_stop_requested", False):
                self.__dict__["_interrupted"] = True
            raise

    def _set_training(self, training=True):
        for name in self._modules + self._criteria:
            module = getattr(self, name + "_")
            if isinstance(module, torch.nn.Module) and module.training is not training:
                _switch_mode(module, training)

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_hook_cache", None)
        return state


class _TwoNetworkMixin:
    """A second network, ``discriminator_``, with its own optimizer (skorch's pattern).

    ``discriminator_`` is registered in ``initialize_module`` and
    ``discriminator_optimizer_`` in ``initialize_optimizer``, so skorch moves,
    saves, re-initialises and routes them (``discriminator__*``,
    ``discriminator_optimizer__*``) like the main module. Shared by the GANs'
    :class:`~skgen.gan._net.AdversarialNet` and the WAE's latent-adversarial net.
    The net's ``discriminator_optimizer`` (a class, None for ``optimizer``) and
    ``discriminator`` (a module class or instance) are set by its ``__init__``.
    """

    def initialize_module(self):
        super().initialize_module()
        kwargs = self.get_params_for("discriminator")
        self.discriminator_ = self.initialized_instance(self.discriminator, kwargs)
        return self

    def initialize_optimizer(self, triggered_directly=None):
        args, kwargs = self.get_params_for_optimizer("optimizer", self.module_.named_parameters())
        self.optimizer_ = self.optimizer(*args, **kwargs)
        cls = self.discriminator_optimizer or self.optimizer
        args, kwargs = self.get_params_for_optimizer(
            "discriminator_optimizer", self.discriminator_.named_parameters()
        )
        self.discriminator_optimizer_ = cls(*args, **kwargs)
        return self

    def _grad_computed(self, module, batch):
        """skorch's ``on_grad_computed`` for the network about to step (e.g. gradient clipping)."""
        if self._hooks("on_grad_computed"):
            self.notify(
                "on_grad_computed",
                named_parameters=TeeGenerator(module.named_parameters()),
                batch=batch,
                training=True,
            )


class AutoencoderNet(_TermsMixin, NeuralNet):
    """A skorch net whose criterion returns named loss terms.

    ``criterion_(output, X, module=module_)`` returns a dict of scalar
    tensors; the training loss is their sum. Everything else (the loop,
    device moves, callbacks, history) is skorch's.
    """

    def get_loss(self, y_pred, y_true, X=None, training=False):
        terms = self.criterion_(y_pred, X, module=self.module_)
        return self._sum_terms(terms, len(X), training)

    def train_step(self, batch, **fit_params):
        """One optimisation step; without skorch's closure unless the optimizer needs one."""
        if any(isinstance(getattr(self, name + "_"), torch.optim.LBFGS) for name in self._optimizers):
            return super().train_step(batch, **fit_params)
        self._zero_grad_optimizer()
        step = self.train_step_single(batch, **fit_params)
        if self._hooks("on_grad_computed"):
            self.notify(
                "on_grad_computed",
                named_parameters=TeeGenerator(self.get_all_learnable_params()),
                batch=batch,
                training=True,
            )
        for name in self._optimizers:
            getattr(self, name + "_").step()
        return step
