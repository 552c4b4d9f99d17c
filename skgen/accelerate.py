"""Data-parallel training on several GPUs through Hugging Face ``accelerate``.

Opt-in: ``pip install "skgen[accelerate]"``. Every public estimator has an
accelerated twin here, ``Accelerated<Name>`` (``AcceleratedVAE``,
``AcceleratedWGANGP``, ...), with the same parameters plus ``accelerator``. Its
``net_`` is built with skorch's :class:`~skorch.hf.AccelerateMixin`: the modules and
optimizers are prepared by the accelerator (DistributedDataParallel across
processes, mixed precision if asked), and each process trains on its own shard
of every epoch's permutation of the rows. Launch the script on every GPU with
``accelerate launch --multi_gpu --num_processes 4 train.py``::

    from accelerate import Accelerator
    from skgen.accelerate import AcceleratedVAE

    vae = AcceleratedVAE(accelerator=Accelerator(), random_state=0).fit(X)

A fixed ``random_state`` makes every process draw the same permutation, so the
shards partition the rows. After training the modules are unwrapped
(``unwrap_after_train``), so ``transform``, ``sample`` and pickling work as for
the plain estimator, on the process's device. Only the main process should save
the model (``accelerator.is_main_process``). ``make_accelerated(cls)`` builds the
twin of any other estimator class derived from skgen's base classes.
"""

from __future__ import annotations

import inspect
import math

import numpy as np
import torch
from sklearn.utils import check_random_state

from ._skorch import TensorBatchIterator
from .utils._param_validation import HasMethods

__all__ = ["AcceleratedMixin", "ShardedBatchIterator", "make_accelerated"]

_INSTALL_HINT = (
    "skgen.accelerate needs Hugging Face accelerate: pip install \"skgen[accelerate]\" "
    "(or pip install accelerate)."
)


class ShardedBatchIterator(TensorBatchIterator):
    """Mini-batches of this process's shard of the rows.

    Every epoch draws one permutation (the same on every process when they share
    the random state), pads it by wrapping around to a multiple of the number of
    processes, as :class:`torch.utils.data.DistributedSampler` does, and
    process ``rank`` keeps every ``num_processes``-th row from position ``rank``.
    All processes then run the same number of steps. With one process it yields
    exactly the batches of :class:`~skgen._skorch.TensorBatchIterator`.

    Parameters
    ----------
    dataset : TensorData
    batch_size : int
        The batch size of each process.
    shuffle : bool, default=False
    random_state : numpy.random.RandomState or None, default=None
    drop_last : bool, default=False
    num_processes : int, default=1
    process_index : int, default=0
    """

    def __init__(self, dataset, batch_size=128, shuffle=False, random_state=None,
                 drop_last=False, num_processes=1, process_index=0):
        super().__init__(dataset, batch_size=batch_size, shuffle=shuffle,
                         random_state=random_state, drop_last=drop_last)
        self.num_processes = num_processes
        self.process_index = process_index

    def __len__(self):
        if self.num_processes == 1:
            return super().__len__()
        shard = math.ceil(len(self.dataset) / self.num_processes)
        return math.ceil(shard / self.batch_size)

    def __iter__(self):
        if self.num_processes == 1:
            yield from super().__iter__()
            return
        data = self.dataset
        n = len(data)
        order = np.arange(n)
        if self.shuffle:
            order = check_random_state(self.random_state).permutation(n)
        total = math.ceil(n / self.num_processes) * self.num_processes
        order = np.resize(order, total)[self.process_index :: self.num_processes]
        X, y = data.take(torch.from_numpy(order).to(data.data.device))
        for start in range(0, len(X), self.batch_size):
            yield X[start : start + self.batch_size], (None if y is None else y[start : start + self.batch_size])


_NET_CLASSES = {}


def _accelerated_net_class(net_class):
    """``AccelerateMixin`` in front of a skgen net (cached, so nets pickle)."""
    if net_class not in _NET_CLASSES:
        try:
            from skorch.hf import AccelerateMixin
        except ImportError as exc:  # pragma: no cover
            raise ImportError(_INSTALL_HINT) from exc
        name = f"Accelerated{net_class.__name__}"

        def evaluation_step(self, batch, training=False):
            # The validation split is not sharded: every process evaluates all of it, so
            # gathering the outputs across processes (AccelerateMixin) would duplicate
            # them and no longer match the batch in get_loss.
            return net_class.evaluation_step(self, batch, training=training)

        cls = type(name, (AccelerateMixin, net_class),
                   {"__module__": __name__, "evaluation_step": evaluation_step})
        _NET_CLASSES[net_class] = cls
        globals()[name] = cls  # importable by name, hence picklable
    return _NET_CLASSES[net_class]


class AcceleratedMixin:
    """Build ``net_`` with skorch's ``AccelerateMixin``; put it left of an estimator.

    The estimator gains the parameter ``accelerator`` (an
    ``accelerate.Accelerator``; None creates a default one at ``fit``). The
    data go to ``accelerator.device``; ``device`` is ignored.
    """

    def _accelerator(self):
        accelerator = getattr(self, "accelerator", None)
        if accelerator is None:
            try:
                from accelerate import Accelerator
            except ImportError as exc:
                raise ImportError(_INSTALL_HINT) from exc
            accelerator = Accelerator()
        return accelerator

    def _make_net(self, X, rng):
        accelerator = self._accelerator()
        self._device = str(accelerator.device)  # where _to_tensor_data puts the rows
        net = super()._make_net(X, rng)
        params = net.get_params(deep=False)
        params.update(
            accelerator=accelerator,
            device=None,
            iterator_train=ShardedBatchIterator,
            iterator_train__num_processes=accelerator.num_processes,
            iterator_train__process_index=accelerator.process_index,
        )
        kwargs = {k: v for k, v in vars(net).items() if "__" in k and k not in params}
        params.update(kwargs)
        # AccelerateMixin always sets the sink of skorch's print_log callback, which a
        # silent skgen net removes: keep the callback, with a silent sink.
        if "callbacks__print_log" in params and params["callbacks__print_log"] is None:
            from .base import _silent

            del params["callbacks__print_log"]
            params["callbacks__print_log__sink"] = _silent
        return _accelerated_net_class(type(net))(**params)


    def _set_fitted_attributes(self, net):
        super()._set_fitted_attributes(net)
        # The accelerator placed the modules; record where, so that the fitted net
        # unpickles onto that device (or the CPU) without a DeviceWarning.
        net.device = self._device


def make_accelerated(estimator_class):
    """The accelerated twin of a skgen estimator class.

    Parameters
    ----------
    estimator_class : type
        A skgen estimator class, e.g. :class:`skgen.VAE`.

    Returns
    -------
    accelerated_class : type
        ``Accelerated<Name>``: the same parameters plus ``accelerator=None``,
        registered in this module so that its instances pickle.
    """
    name = f"Accelerated{estimator_class.__name__}"
    existing = globals().get(name)
    if existing is not None and existing.__mro__[2] is estimator_class:
        return existing
    signature = inspect.signature(estimator_class.__init__)
    parameters = list(signature.parameters.values())
    parameters.append(inspect.Parameter("accelerator", inspect.Parameter.KEYWORD_ONLY, default=None))

    def __init__(self, *args, accelerator=None, **kwargs):
        estimator_class.__init__(self, *args, **kwargs)
        self.accelerator = accelerator

    __init__.__signature__ = signature.replace(parameters=parameters)
    __init__.__qualname__ = f"{name}.__init__"
    doc = (
        f"{estimator_class.__name__} trained data-parallel through Hugging Face accelerate.\n\n"
        f"The parameters of :class:`skgen.{estimator_class.__name__}`, plus\n"
        "``accelerator`` (an ``accelerate.Accelerator``; None creates one at ``fit``).\n"
        "See :mod:`skgen.accelerate`.\n"
    )
    cls = type(
        name,
        (AcceleratedMixin, estimator_class),
        {
            "__init__": __init__,
            "__module__": __name__,
            "__doc__": doc,
            "_parameter_constraints": {
                **estimator_class._parameter_constraints,
                "accelerator": [HasMethods(["prepare"]), None],
            },
        },
    )
    globals()[name] = cls
    return cls


def _register_all():
    import skgen

    from .utils.discovery import all_estimators

    names = []
    for name, estimator_class in all_estimators():
        if estimator_class.__name__ == "StackedAE":
            continue  # greedy pretraining fits its own inner autoencoders
        names.append(make_accelerated(estimator_class).__name__)
    del skgen
    return names


__all__ += _register_all()
