"""Conditional vectors over the categorical columns of tabular data.

This is how ``sample(n, conditions={"species": "Adelie"})`` works without rejection
sampling. The conditional vector ``c`` concatenates one one-hot group per categorical
column of the fitted :class:`~skgen.preprocessing.TabularEncoder` (as in CTGAN). While
training, every row gets the one-hot of *its own* value in one categorical column chosen
uniformly at random, and with probability ``drop_rate`` the all-zero vector instead; the
model (a decoder/generator that also receives ``c``) thus learns
:math:`p(x \\mid x_j = v)` for every single-column condition and :math:`p(x)` for the
empty one. At sampling time ``c`` encodes the requested values, and the conditioned
columns of the output are set to exactly the requested categories, so every returned row
satisfies the conditions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ._layout import Block, compile_layout


class ConditionRows(NamedTuple):
    """Conditional vectors with at most one non-zero entry per row, as indices.

    Row ``i`` is ``value[i]`` times the unit vector of ``index[i]`` (``value`` is 0 for
    an empty condition): the training conditions of :meth:`ColumnConditioner.training_rows`.
    A layer that reads ``[h, c]`` then needs one column of its weight per row
    (:func:`conditioned_forward`) instead of a product with a mostly-zero
    ``(n, width)`` matrix.
    """

    index: torch.Tensor  # (n,) long: position in the conditional vector
    value: torch.Tensor  # (n,) float: 0 for an empty condition
    column: torch.Tensor  # (n,) long: which conditioned column (block) was chosen
    width: int

    def __len__(self):
        return len(self.index)

    def dense(self):
        """The ``(n, width)`` conditional vectors."""
        out = self.value.new_zeros(len(self.index), self.width)
        return out.scatter_(1, self.index[:, None], self.value[:, None])


class _ConditionedLinear(torch.autograd.Function):
    """``linear([h, c], weight, bias)`` for :class:`ConditionRows` ``c`` (one weight column per row).

    Forward and backward write into single buffers: autograd's version (a sliced
    weight plus ``index_select``) costs as much as the dense product it replaces.
    """

    @staticmethod
    def forward(ctx, h, weight, bias, index, value):
        d = h.shape[1]
        out = F.linear(h, weight[:, :d], bias)
        out.addcmul_(value[:, None], weight[:, d:].t().index_select(0, index))
        ctx.save_for_backward(h, weight, index, value)
        return out

    @staticmethod
    def backward(ctx, grad):
        h, weight, index, value = ctx.saved_tensors
        d = h.shape[1]
        grad_h = grad_w = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_h = grad.mm(weight[:, :d])
        if ctx.needs_input_grad[1]:
            columns = grad.new_zeros(weight.shape[1] - d, weight.shape[0])
            columns.index_add_(0, index, grad * value[:, None])
            grad_w = torch.cat([grad.t().mm(h), columns.t()], dim=1)
        if ctx.needs_input_grad[2]:
            grad_b = grad.sum(dim=0)
        return grad_h, grad_w, grad_b, None, None


def _conditioned_linear(layer_weight, bias, h, rows):
    """``F.linear(cat([h, rows.dense()]), layer_weight, bias)``, ``rows=None`` for zeros."""
    d = h.shape[1]
    if rows is None:
        return F.linear(h, layer_weight[:, :d], bias)
    if torch.is_grad_enabled() and (layer_weight.requires_grad or h.requires_grad):
        return _ConditionedLinear.apply(h, layer_weight, bias, rows.index, rows.value)
    out = F.linear(h, layer_weight[:, :d], bias)
    return out.addcmul_(rows.value[:, None], layer_weight[:, d:].t().index_select(0, rows.index))


def _reads_condition(affine, d):
    """Whether the fixed (buffer) weight or shift of an AffineResidual touch the condition.

    Checked once per buffer version (buffers change only by assignment or in place).
    """
    key = (d, affine.weight.data_ptr(), affine.weight._version, affine.shift._version)
    cached = affine.__dict__.get("_condition_check")
    if cached is None or cached[0] != key:
        reads = bool(affine.weight[:, d:].any()) or bool(affine.shift[d:].any())
        cached = (key, reads)
        affine.__dict__["_condition_check"] = cached
    return cached[1]


def _factorized_head(module):
    """The :class:`~skgen.nn.BlockFactorizedLinear` ending an ungated AffineResidual's
    sequential residual (with at least one layer before it), or None."""
    from .nn._lowrank import BlockFactorizedLinear

    residual = module.residual
    if module.gate is not None or not isinstance(residual, nn.Sequential) or len(residual) < 2:
        return None
    last = residual[-1]
    return last if isinstance(last, BlockFactorizedLinear) else None


def conditioned_forward(module, h, rows, width):
    """``module(torch.cat([h, c], dim=1))`` for conditions ``c`` given as rows.

    ``rows`` is a :class:`ConditionRows` or None (all-zero conditions) and ``width``
    the width of ``c``. The known input layers (an ``nn.Sequential``/MLP starting
    with a ``Linear``, :class:`~skgen.nn.AffineResidual`, a
    :class:`~skgen.nn.GaussianEncoder` around them) read the condition as one
    weight column per row, or skip it when it is zero; any other module gets the
    dense ``(n, width)`` matrix.
    """
    from .nn._residual import AffineResidual
    from .nn._variational import GaussianEncoder

    d = h.shape[1]
    if isinstance(module, GaussianEncoder):
        return module.split(conditioned_forward(module.net, h, rows, width))
    if isinstance(module, AffineResidual) and module.weight.shape[1] == d + width:
        weight, shift = module.weight, module.shift
        reads = _reads_condition(module, d)
        if not reads and not torch.is_grad_enabled() and _factorized_head(module) is not None:
            # e.g. sampling: the fixed part joins the factorised head's products
            hidden = conditioned_forward(nn.Sequential(*list(module.residual)[:-1]), h, rows, width)
            return module.residual[-1].forward_with_affine(
                hidden, h - shift[:d], weight[:, :d], module.bias
            )
        r = conditioned_forward(module.residual, h, rows, width)
        if module.gate is not None:
            r = module.gate * r
        if not reads and not torch.is_grad_enabled():
            # e.g. sampling: the fixed part accumulated into the residual's output (no
            # second (n, out) buffer, no broadcast copy of the bias)
            return r.addmm_(h - shift[:d], weight[:, :d].t()).add_(module.bias)
        if reads:
            affine = _conditioned_linear(weight, module.bias, h - shift[:d], rows)
            affine = affine - F.linear(shift[d:], weight[:, d:])
        else:  # the fixed part ignores the condition (as PCA-initialised maps do)
            affine = F.linear(h - shift[:d], weight[:, :d], module.bias)
        if not torch.is_grad_enabled():
            return r.add_(affine)
        return affine + r
    if (
        isinstance(module, nn.Sequential)
        and len(module)
        and isinstance(module[0], nn.Linear)
        and module[0].in_features == d + width
    ):
        first = module[0]
        out = _conditioned_linear(first.weight, first.bias, h, rows)
        for layer in list(module)[1:]:
            out = layer(out)
        return out
    c = h.new_zeros(len(h), width) if rows is None else rows.dense().to(h.dtype)
    return module(torch.cat([h, c], dim=1))


def _position(value, categories):
    """Index of ``value`` in ``categories``, or None (also for ``pd.NA``, arrays, lists)."""
    for i, category in enumerate(categories):
        try:
            if value is category or bool(value == category):
                return i
        except (TypeError, ValueError):  # pd.NA, arrays: no truth value
            continue
    return None


class ColumnConditioner:
    """Build conditional vectors from a fitted ``TabularEncoder``'s ``columns_``.

    Parameters
    ----------
    specs : sequence of ColumnSpec
        ``TabularEncoder.columns_``; the columns with ``method == "onehot"`` can be
        conditioned on.
    drop_rate : float, default=0.5
        Share of training rows that get no condition.
    """

    def __init__(self, specs, drop_rate=0.5):
        self.drop_rate = drop_rate
        self.columns = {}
        index, block_id = [], []
        for spec in specs:
            if spec.method != "onehot":
                continue
            start = spec.value_block.start
            self.columns[spec.name] = (len(index), tuple(spec.categories), spec.value_block)
            for k in range(len(spec.categories)):
                index.append(start + k)
                block_id.append(len(self.columns) - 1)
        self.width = len(index)
        self._index = np.asarray(index, dtype=np.int64)
        self._block_id = np.asarray(block_id, dtype=np.int64)
        # The conditioned value blocks as one layout: the condition loss is one
        # log-softmax over all of them (see :meth:`condition_loss`).
        self._value_layout = tuple(
            Block("categorical", block.start, block.stop, name)
            for name, (_, _, block) in self.columns.items()
        )
        # per conditioned column: offset in c, first data column, categories, block width
        self._column_table = np.array(
            [
                (offset, block.start, len(categories), block.width)
                for offset, categories, block in self.columns.values()
            ],
            dtype=np.int64,
        ).reshape(-1, 4)

    def __bool__(self):
        return self.width > 0

    def _device_tensors(self, device):
        """The gather index and block ids on ``device``, built once (not per batch)."""
        cache = self.__dict__.setdefault("_tensor_cache", {})
        if device not in cache:
            cache[device] = (
                torch.as_tensor(self._index, device=device),
                torch.as_tensor(self._block_id, device=device),
            )
        return cache[device]

    def _loss_tensors(self, device):
        """The compiled value-block layout and where each condition column sits in it."""
        cache = self.__dict__.setdefault("_tensor_cache", {})
        key = ("loss", device)
        if key not in cache:
            compiled = compile_layout(self._value_layout, device)
            position = {c: i for i, c in enumerate(compiled.categorical_columns)}
            gather = torch.as_tensor([position[c] for c in self._index.tolist()], device=device)
            cache[key] = (compiled, gather)
        return cache[key]

    def _table(self, device):
        cache = self.__dict__.setdefault("_tensor_cache", {})
        key = ("table", device)
        if key not in cache:
            table = torch.as_tensor(self._column_table, device=device)
            width = int(self._column_table[:, 3].max()) if len(table) else 1
            cache[key] = (table, torch.arange(width, device=device))
        return cache[key]

    def condition_loss(self, raw, condition):
        """Mean cross-entropy of the generated categories against the requested ones.

        ``raw`` holds the generator's logits (network space) and ``condition`` the
        conditional vectors (dense, or :class:`ConditionRows`); rows with an empty
        condition contribute 0. All the conditioned columns are treated at once (one
        log-softmax per bucket of blocks, one gather), not column by column; with
        rows, only the block each row conditions on (one gather and a logsumexp).
        """
        if isinstance(condition, ConditionRows):
            table, steps = self._table(raw.device)
            chosen = table[condition.column]  # (n, 4): offset, start, categories, width
            cols = chosen[:, 1:2] + steps[None, :]  # the chosen block's columns (padded)
            inside = steps[None, :] < chosen[:, 3:4]
            logits = raw.gather(1, cols.clamp_max(raw.shape[1] - 1))
            logits = logits.masked_fill(~inside, float("-inf"))
            target = (condition.index - chosen[:, 0])[:, None]
            log_p = logits.gather(1, target).squeeze(1) - torch.logsumexp(logits, dim=1)
            return -(condition.value * log_p).mean()
        compiled, gather = self._loss_tensors(raw.device)
        log_p = compiled.categorical_log_softmax(raw)[:, gather]
        return -(condition * log_p).sum(dim=1).mean()

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_tensor_cache", None)  # device tensors: rebuilt where it is loaded
        return state

    def training_vectors(self, X):
        """Conditional vectors for a training batch ``X`` (network space, any device).

        Uses torch's global RNG, which the estimators seed in a forked context.
        The dense form of :meth:`training_rows` (the same draws).
        """
        return self.training_rows(X).dense()

    def training_rows(self, X):
        """The conditional vectors of :meth:`training_vectors` as :class:`ConditionRows`.

        Each row conditions on its own value in one categorical column drawn
        uniformly (or on nothing, with probability ``drop_rate``). The value
        blocks are one-hot, so the row's vector has one non-zero entry: its
        category in the chosen column (none for a level outside ``categories``,
        e.g. a missing value).
        """
        n = len(X)
        table, steps = self._table(X.device)
        choice = torch.randint(len(self.columns), (n, 1), device=X.device)
        keep = torch.rand(n, 1, device=X.device) >= self.drop_rate
        chosen = table[choice[:, 0]]  # (n, 4): offset, start, categories, width
        cols = chosen[:, 1:2] + steps[None, : int(self._column_table[:, 2].max())]
        values = X.gather(1, cols.clamp_max(X.shape[1] - 1))
        values = values * (steps[None, : values.shape[1]] < chosen[:, 2:3]).to(X.dtype)
        value, position = values.max(dim=1)
        return ConditionRows(
            chosen[:, 0] + position, value * keep[:, 0].to(X.dtype), choice[:, 0], self.width
        )

    def _check(self, conditions, estimator_name):
        if not isinstance(conditions, Mapping) or not conditions:
            raise ValueError(
                f"conditions must be a non-empty dict {{column: category}}; got {conditions!r}."
            )
        if not self.columns:
            raise ValueError(
                f"{estimator_name} has no categorical column to condition on: conditions= "
                "needs a model fitted on a DataFrame with categorical columns."
            )
        for column, value in conditions.items():
            if column not in self.columns:
                raise ValueError(
                    f"Cannot condition on column {column!r}: conditions are supported on the "
                    f"categorical columns {list(self.columns)}."
                )
            categories = self.columns[column][1]
            values = np.atleast_1d(np.asarray(value, dtype=object))
            if values.ndim > 1:
                raise ValueError(
                    f"conditions[{column!r}] must be one category or a 1-D sequence of "
                    f"categories; got an array of shape {values.shape}."
                )
            unknown = [v for v in values if _position(v, categories) is None]
            if unknown:
                raise ValueError(
                    f"Unknown value(s) {unknown} for column {column!r}; the model was fitted on "
                    f"{list(categories)}."
                )

    def vectors(self, conditions, n_samples, estimator_name="the model"):
        """Conditional vectors (ndarray of shape (n_samples, width)) for ``conditions``.

        A condition value is one category, or an array of ``n_samples`` categories.
        """
        self._check(conditions, estimator_name)
        out = np.zeros((n_samples, self.width), dtype=np.float32)
        rows = np.arange(n_samples)
        for column, value in conditions.items():
            offset, categories, _ = self.columns[column]
            codes = self._codes(column, value, n_samples)
            out[rows, offset + codes] = 1.0
        return out

    def _codes(self, column, value, n_samples):
        categories = self.columns[column][1]
        values = np.asarray(value, dtype=object)
        if values.ndim == 0:
            return np.full(n_samples, _position(value, categories))
        if len(values) != n_samples:
            raise ValueError(
                f"conditions[{column!r}] has {len(values)} values but n_samples={n_samples}."
            )
        return np.array([_position(v, categories) for v in values])

    def clamp(self, data, conditions):
        """Set the conditioned blocks of ``data`` (network space, ndarray) to the exact one-hot."""
        rows = np.arange(len(data))
        for column, value in conditions.items():
            _, _, block = self.columns[column]
            data[:, block.slice] = 0.0
            data[rows, block.start + self._codes(column, value, len(data))] = 1.0
        return data
