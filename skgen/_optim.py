"""torch's optimizers without their lazy ``torch._dynamo`` import.

``torch.optim.Optimizer`` wraps ``add_param_group``, ``zero_grad`` and ``step``
so that ``torch.compile`` leaves them alone; the wrappers import ``torch._dynamo``
on their first call, which costs as much as importing torch itself (1-3 s, and
more on a busy machine) in every fresh process: the first ``fit`` of a script,
every worker of a ``GridSearchCV``. skgen never compiles its training step, so the
classes here call the undecorated methods (the same code and kernels: fused Adam
stays fused); ``state_dict``/``load_state_dict`` keep torch's wrappers. They are
subclasses with torch's names, so ``isinstance(opt, torch.optim.Adam)`` holds.
"""

from __future__ import annotations

import torch
from torch.optim.optimizer import Optimizer


def _undecorated(method):
    return getattr(method, "__wrapped__", method)


class _NoDynamoMixin:
    def add_param_group(self, param_group):
        return _undecorated(Optimizer.add_param_group)(self, param_group)

    def zero_grad(self, set_to_none=True):
        return _undecorated(Optimizer.zero_grad)(self, set_to_none)

    def step(self, closure=None):
        # what torch's ``_use_grad_for_differentiable`` does, without its dynamo graph breaks
        with torch.set_grad_enabled(bool(self.defaults.get("differentiable", False))):
            return _undecorated(self._torch_class.step)(self, closure)


class Adam(_NoDynamoMixin, torch.optim.Adam):
    _torch_class = torch.optim.Adam


class AdamW(_NoDynamoMixin, torch.optim.AdamW):
    _torch_class = torch.optim.AdamW


class RMSprop(_NoDynamoMixin, torch.optim.RMSprop):
    _torch_class = torch.optim.RMSprop


class SGD(_NoDynamoMixin, torch.optim.SGD):
    _torch_class = torch.optim.SGD


_LEAN = {torch.optim.Adam: Adam, torch.optim.AdamW: AdamW, torch.optim.RMSprop: RMSprop, torch.optim.SGD: SGD}


def without_dynamo(cls):
    """The subclass of ``cls`` above for torch's own Adam, AdamW, RMSprop and SGD, else ``cls``."""
    return _LEAN.get(cls, cls)
