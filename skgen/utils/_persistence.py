"""Fitted state as data: what ``__getstate__`` stores instead of the skorch net.

skorch pickles its modules as one opaque blob, which only ``pickle`` can load
(running arbitrary code). skgen stores a fitted estimator as its
hyper-parameters, plain Python data and numpy arrays: every module's
``state_dict`` (plus the plain scalar attributes that training schedules
change, such as a top-k activation's ``k``), the optimizers' state, the
history and the batch-shuffling random state. On load the net is rebuilt by
the same builder as in ``fit`` and the arrays are loaded into it, on the CPU
when the model was trained on a GPU that the loading machine lacks. This is
what lets ``skops.io`` load a model without trusting anything but skgen's
own types (see :func:`skgen.utils.trusted_types`).
"""

from __future__ import annotations

import numbers

import numpy as np
import torch

_PLAIN_ATTRIBUTE_TYPES = (bool, int, float)


def to_plain(value):
    """Tensors -> numpy arrays, numpy scalars -> Python scalars, recursively."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(to_plain(v) for v in value)
    return value


def _module_state(module):
    arrays = {k: v.detach().cpu().numpy() for k, v in module.state_dict().items()}
    # plain attributes that callbacks set during training (KL weight, top-k's k...)
    attributes = {}
    for path, sub in module.named_modules():
        values = {
            name: value
            for name, value in vars(sub).items()
            if not name.startswith("_")
            and name != "training"
            and isinstance(value, _PLAIN_ATTRIBUTE_TYPES)
        }
        if values:
            attributes[path] = values
    return {"arrays": arrays, "attributes": attributes}


def _load_module_state(module, state):
    module.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in state["arrays"].items()})
    modules = dict(module.named_modules())
    for path, values in state["attributes"].items():
        for name, value in values.items():
            setattr(modules[path], name, value)


def _optimizer_state(optimizer):
    state = optimizer.state_dict()
    return {
        # a list of pairs: safe formats may only allow string keys in dicts
        "state": [[int(k), to_plain(v)] for k, v in state["state"].items()],
        "param_groups": to_plain(state["param_groups"]),
    }


def _to_tensors(value):
    if isinstance(value, np.ndarray):
        return torch.from_numpy(value.copy())
    if isinstance(value, dict):
        return {k: _to_tensors(v) for k, v in value.items()}
    return value


def _load_optimizer_state(optimizer, state):
    optimizer.load_state_dict(
        {
            "state": {k: _to_tensors(v) for k, v in state["state"]},
            "param_groups": [dict(group) for group in state["param_groups"]],
        }
    )


def net_state(net):
    """The state of a trained skgen net as plain data and arrays."""
    modules = {}
    for name in [*net._modules, *net._criteria]:
        module = getattr(net, name + "_", None)
        if isinstance(module, torch.nn.Module):
            modules[name] = _module_state(module)
    optimizers = {}
    for name in net._optimizers:
        optimizer = getattr(net, name + "_", None)
        if isinstance(optimizer, torch.optim.Optimizer):
            optimizers[name] = _optimizer_state(optimizer)
    split = net.train_split
    return {
        "device": str(net.device),
        "modules": modules,
        "optimizers": optimizers,
        "history": to_plain(list(net.history)),
        "batch_rng": getattr(net, "iterator_train__random_state", None),
        "split_seed": getattr(split, "random_state", None),
    }


def load_net_state(net, state):
    """Load :func:`net_state`'s output into a freshly built and initialised net."""
    from skorch.history import History

    for name, module_state in state["modules"].items():
        _load_module_state(getattr(net, name + "_"), module_state)
    for name, optimizer_state in state["optimizers"].items():
        _load_optimizer_state(getattr(net, name + "_"), optimizer_state)
    net.history_ = History(state["history"])
    if state.get("batch_rng") is not None:
        net.iterator_train__random_state = state["batch_rng"]
    seed = state.get("split_seed")
    if seed is not None and net.train_split is not None:
        net.train_split.random_state = int(seed) if isinstance(seed, numbers.Integral) else seed
    return net


def encode_dtype(dtype):
    """A pandas/numpy dtype as plain data (for safe formats), or the dtype itself.

    Categorical dtypes keep their categories and order; others are their string
    name when it round-trips through ``pandas.api.types.pandas_dtype``.
    """
    import pandas as pd

    if isinstance(dtype, pd.CategoricalDtype):
        categories = dtype.categories
        return {
            "categorical": to_plain(categories.tolist()),
            "categories_dtype": encode_dtype(categories.dtype),
            "ordered": bool(dtype.ordered),
        }
    try:
        if pd.api.types.pandas_dtype(str(dtype)) == dtype:
            return str(dtype)
    except (TypeError, ValueError):
        pass
    return dtype


def decode_dtype(value):
    """Inverse of :func:`encode_dtype`."""
    import pandas as pd

    if isinstance(value, dict) and "categorical" in value:
        categories = pd.Index(value["categorical"], dtype=decode_dtype(value["categories_dtype"]))
        return pd.CategoricalDtype(categories, ordered=value["ordered"])
    if isinstance(value, str):
        return pd.api.types.pandas_dtype(value)
    return value


def trusted_types():
    """The skgen types a saved skgen model may contain, for ``skops.io.load``.

    A fitted skgen estimator is stored as plain data, numpy arrays and these
    types (the estimator classes, the column layout, the tabular encoder and
    the column conditioner); scikit-learn and numpy types are trusted by skops
    already. Pass the list to ``skops.io.load(path, trusted=trusted_types())``.
    Anything else that ``skops.io.get_untrusted_types`` reports comes from
    your own parameters (a custom optimizer class, callbacks, a preprocessor
    from another library): check it before trusting it.

    Returns
    -------
    types : list of str
        Fully qualified type names, sorted.

    Examples
    --------
    >>> import numpy as np, skops.io as sio
    >>> from skgen import Autoencoder
    >>> from skgen.utils import trusted_types
    >>> est = Autoencoder(2, max_epochs=2, random_state=0).fit(np.random.rand(30, 4))
    >>> blob = sio.dumps(est)
    >>> set(sio.get_untrusted_types(data=blob)) <= set(trusted_types())
    True
    >>> restored = sio.loads(blob, trusted=trusted_types())
    >>> bool(np.array_equal(restored.transform(np.ones((1, 4))), est.transform(np.ones((1, 4)))))
    True
    """
    from .._conditions import ColumnConditioner
    from .._layout import Block
    from ..gan._conv import ImageArchitecture
    from ..preprocessing import TabularEncoder
    from ..preprocessing._tabular import ColumnSpec
    from .discovery import all_estimators

    classes = [cls for _, cls in all_estimators()]
    classes += [Block, ColumnConditioner, ColumnSpec, ImageArchitecture, TabularEncoder]
    return sorted({f"{cls.__module__}.{cls.__qualname__}" for cls in classes})
