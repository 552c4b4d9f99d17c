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

import numpy as np
import torch

from ._layout import Block, compile_layout


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

    def condition_loss(self, raw, condition):
        """Mean cross-entropy of the generated categories against the requested ones.

        ``raw`` holds the generator's logits (network space) and ``condition`` the
        conditional vectors; rows with an empty condition contribute 0. All the
        conditioned columns are treated at once (one log-softmax per bucket of
        blocks, one gather), not column by column.
        """
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
        """
        n = len(X)
        index, block_id = self._device_tensors(X.device)
        choice = torch.randint(len(self.columns), (n, 1), device=X.device)
        keep = torch.rand(n, 1, device=X.device) >= self.drop_rate
        return X[:, index] * ((block_id[None, :] == choice) & keep).to(X.dtype)

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
