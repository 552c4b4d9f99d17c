"""Column layout of the encoded data a network sees.

A *layout* is a tuple of :class:`Block` objects that partition the columns of
the (encoded) training matrix. Each block says which likelihood/loss and which
output activation the decoder or generator uses for those columns:

============= ====================== ================== ==========================
kind          data in the block      output activation  loss (per sample)
============= ====================== ================== ==========================
``numeric``   real values            identity           :math:`\\tfrac12\\|\\hat x - x\\|^2`
``binary``    values in [0, 1]       sigmoid            binary cross-entropy
``categorical`` one one-hot group    softmax            categorical cross-entropy
============= ====================== ================== ==========================

`skgen.preprocessing.TabularEncoder.output_layout_` produces a layout for mixed
DataFrames; plain numeric arrays get a single ``numeric`` or ``binary`` block.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import torch
import torch.nn.functional as F

BLOCK_KINDS = ("numeric", "binary", "categorical")


@dataclass(frozen=True)
class Block:
    """A contiguous group of encoded columns sharing one output head.

    Parameters
    ----------
    kind : {"numeric", "binary", "categorical"}
        The likelihood of the block (see the module docstring).
    start, stop : int
        The block is ``X[:, start:stop]``.
    column : str or None, default=None
        Name of the original column the block encodes, when there is one.
    """

    kind: str
    start: int
    stop: int
    column: str | None = None

    def __post_init__(self):
        if self.kind not in BLOCK_KINDS:
            raise ValueError(f"Unknown block kind {self.kind!r}; expected one of {BLOCK_KINDS}.")
        if not 0 <= self.start < self.stop:
            raise ValueError(f"Invalid block bounds [{self.start}, {self.stop}).")

    @property
    def slice(self) -> slice:
        return slice(self.start, self.stop)

    @property
    def width(self) -> int:
        return self.stop - self.start


def single_block_layout(n_features: int, kind: str = "numeric") -> tuple[Block, ...]:
    """The layout of a plain numeric matrix: one block of ``kind``."""
    return (Block(kind, 0, n_features),)


def layout_width(layout) -> int:
    return max(block.stop for block in layout)


class _Bucket(NamedTuple):
    """Categorical blocks padded to one width (see :class:`CompiledLayout`)."""

    index: torch.Tensor  # (max_width, n_blocks) columns, padding repeats a block's last
    pad: torch.Tensor  # (max_width, n_blocks) True in the padding
    keep: torch.Tensor  # positions of the real entries in the flattened (max_width * n_blocks)
    full: bool  # no padding at all
    flat: torch.Tensor  # the real columns, in the order of ``keep``
    rows_index: torch.Tensor  # the same, block-major (n_blocks, max_width), for sampling
    rows_pad: torch.Tensor
    rows_keep: torch.Tensor
    rows_flat: torch.Tensor
    widths: torch.Tensor  # (1, n_blocks, 1) block widths


class CompiledLayout:
    """Index tensors of a layout on one device, to treat all blocks at once.

    Built once per layout and device by :func:`compile_layout` (never per
    batch). Columns are grouped by kind: the numeric and binary columns are
    gathered by one index each (or sliced, when contiguous), and the
    categorical blocks are grouped by width into *buckets* padded to at most
    twice their real size: a bucket is an index of shape
    ``(max_width, n_blocks)`` padded with a mask, so a softmax, log-softmax,
    Gumbel-softmax or draw over every block of the bucket is one operation on
    a ``(n, max_width, n_blocks)`` view with ``-inf`` padding (padding stays
    below 2x even for one 1,000-level column beside binary ones).

    Blocks need not cover every column (``width`` may exceed them); columns
    outside all blocks are ignored by the losses and passed through by the
    activations.

    Parameters
    ----------
    layout : sequence of Block
    device : torch.device or str, default="cpu"
    width : int or None, default=None
        Number of columns of the tensors it is applied to; None: the layout's.
    """

    def __init__(self, layout, device="cpu", width=None):
        layout = tuple(layout)
        self.layout = layout
        self.device = torch.device(device)
        self.width = layout_width(layout) if width is None else int(width)
        cols = {kind: [] for kind in BLOCK_KINDS}
        for block in layout:
            cols[block.kind].extend(range(block.start, block.stop))
        self.numeric = self._index(cols["numeric"])
        self.binary = self._index(cols["binary"])
        self.n_numeric = len(cols["numeric"])
        self.n_binary = len(cols["binary"])
        blocks = sorted((b for b in layout if b.kind == "categorical"), key=lambda b: b.width)
        self.buckets = []
        order = list(cols["numeric"]) + list(cols["binary"])
        i = 0
        while i < len(blocks):
            # grow the bucket while its padded size stays within twice its real size
            j, total = i + 1, blocks[i].width
            while j < len(blocks) and (j - i + 1) * blocks[j].width <= 2 * (total + blocks[j].width):
                total += blocks[j].width
                j += 1
            group = blocks[i:j]
            w = group[-1].width
            index = torch.tensor(
                [[b.start + min(k, b.width - 1) for k in range(w)] for b in group], dtype=torch.long
            )
            mask = torch.tensor([[k < b.width for k in range(w)] for b in group])
            # Column-major (max_width, n_blocks): softmax over dim 1 of (n, max_width,
            # n_blocks) is several times faster on the CPU than over a short last dim.
            index_t, mask_t = index.T.contiguous(), mask.T.contiguous()
            flat = index_t[mask_t]
            self.buckets.append(
                _Bucket(
                    *(
                        t.to(self.device) if torch.is_tensor(t) else t
                        for t in (
                            index_t,
                            ~mask_t,
                            torch.flatten(mask_t).nonzero().squeeze(1),
                            bool(mask.all()),
                            flat,
                            index,
                            ~mask,
                            torch.flatten(mask).nonzero().squeeze(1),
                            index[mask],
                            mask.sum(dim=1).view(1, -1, 1),
                        )
                    )
                )
            )
            order.extend(flat.tolist())
            i = j
        self.n_categorical = len(order) - self.n_numeric - self.n_binary
        self.n_blocks = len(layout)
        covered = set(order)
        self.passthrough = self._index([c for c in range(self.width) if c not in covered])
        order.extend(c for c in range(self.width) if c not in covered)
        # Columns are computed grouped by kind (numeric, binary, then bucket by bucket);
        # ``inverse`` puts them back in the layout's order with one gather.
        inverse = torch.empty(len(order), dtype=torch.long)
        inverse[torch.tensor(order, dtype=torch.long)] = torch.arange(len(order))
        self.identity_order = order == list(range(len(order)))
        self.inverse = inverse.to(self.device)
        self.all_numeric = self.n_numeric == self.width
        self.all_binary = self.n_binary == self.width

    def _index(self, columns):
        """A slice when ``columns`` are contiguous (a view, no copy), else a long tensor."""
        if not columns:
            return None
        if columns == list(range(columns[0], columns[-1] + 1)):
            return slice(columns[0], columns[-1] + 1)
        return torch.tensor(columns, dtype=torch.long, device=self.device)

    # ------------------------------------------------------------ categorical
    def padded(self, x, bucket, fill=float("-inf")):
        """``x[:, index]`` of one bucket, shape (n, max_width, n_blocks), padding = ``fill``."""
        out = x[:, bucket.index]
        return out if bucket.full else out.masked_fill(bucket.pad, fill)

    @staticmethod
    def unpad(x, bucket):
        """(n, max_width, n_blocks) -> (n, n_columns) of the bucket's real columns."""
        x = x.reshape(len(x), -1)
        return x if bucket.full else x[:, bucket.keep]

    def _assemble(self, x, parts):
        """Columns computed kind by kind -> one tensor in the layout's column order."""
        if self.passthrough is not None:
            parts.append(x[:, self.passthrough])
        out = parts[0] if len(parts) == 1 else torch.cat(parts, dim=1)
        return out if self.identity_order else out[:, self.inverse]

    def _map_categorical(self, x, fn):
        parts = []
        if self.numeric is not None:
            parts.append(x[:, self.numeric])
        if self.binary is not None:
            parts.append(torch.sigmoid(x[:, self.binary]))
        for bucket in self.buckets:
            parts.append(self.unpad(fn(self.padded(x, bucket)), bucket))
        return self._assemble(x, parts)

    def activate(self, raw, *, hard=False):
        """Identity / sigmoid / softmax (or argmax one-hot if ``hard``) on every block."""
        if self.all_numeric:
            return raw
        if self.all_binary:
            return torch.sigmoid(raw)
        if hard:

            def fn(logits):
                onehot = F.one_hot(logits.argmax(dim=1), logits.shape[1])
                return onehot.transpose(1, 2).to(raw.dtype)

        else:

            def fn(logits):
                return torch.softmax(logits, dim=1)

        return self._map_categorical(raw, fn)

    def gumbel_softmax(self, raw, tau):
        """Like :meth:`activate` with a Gumbel-softmax relaxation on categorical blocks."""
        if not self.buckets:
            return self.activate(raw)

        def fn(logits):
            # Gumbel noise as -log(-log(U)): a uniform draw and two logs cost a
            # quarter of the exponential draw of F.gumbel_softmax on the CPU
            gumbels = torch.empty_like(logits).uniform_().log_().neg_().log_().neg_()
            return torch.softmax((logits + gumbels) / tau, dim=1)

        return self._map_categorical(raw, fn)

    def categorical_log_softmax(self, raw):
        """Log-probabilities of the categorical columns, shape (n, n_categorical).

        In the order of :attr:`categorical_columns` (bucket by bucket).
        """
        parts = [
            self.unpad(torch.log_softmax(self.padded(raw, b), dim=1), b) for b in self.buckets
        ]
        return parts[0] if len(parts) == 1 else torch.cat(parts, dim=1)

    @property
    def categorical_columns(self):
        """The categorical columns, in the order of :meth:`categorical_log_softmax`."""
        if not self.buckets:
            return []
        return torch.cat([bucket.flat for bucket in self.buckets]).tolist()

    # ------------------------------------------------------------------ loss
    def loss(self, raw, target, *, numeric=True):
        """Per-sample loss of every block (see :func:`~skgen.losses.reconstruction_loss`).

        ``numeric=False`` leaves the numeric blocks out.
        """
        total = None
        if numeric and self.numeric is not None:
            total = 0.5 * (raw[:, self.numeric] - target[:, self.numeric]).pow(2).sum(dim=1)
        if self.binary is not None:
            part = F.binary_cross_entropy_with_logits(
                raw[:, self.binary], target[:, self.binary], reduction="none"
            ).sum(dim=1)
            total = part if total is None else total + part
        for bucket in self.buckets:
            logp = torch.log_softmax(self.padded(raw, bucket), dim=1)
            if not bucket.full:  # -inf in the padding: 0 * -inf would be nan
                logp = logp.masked_fill(bucket.pad, 0.0)
            part = -(self.padded(target, bucket, fill=0.0) * logp).sum(dim=(1, 2))
            total = part if total is None else total + part
        if total is None:
            total = raw.new_zeros(len(raw))
        return total

    # -------------------------------------------------------------- sampling
    def draw_categorical(self, probs, generator=None, chunk_size=8192):
        """Replace each categorical block of ``probs`` by a one-hot draw from it, in place.

        Inverse-CDF sampling (``cumsum`` + ``searchsorted``) in float32, by chunks of
        rows, so no dense float64 probabilities or per-block loop are needed.
        ``probs`` are non-negative weights (normalisation is not required).
        """
        n = len(probs)
        for bucket in self.buckets:
            for start in range(0, n, chunk_size):
                rows = probs[start : start + chunk_size]
                # (n, n_blocks, max_width): searchsorted needs the categories last
                p = rows[:, bucket.rows_index]
                if not bucket.full:
                    p = p.masked_fill(bucket.rows_pad, 0.0)
                p = p.clamp_min(0).float()
                cdf = torch.cumsum(p, dim=2)
                total = cdf[:, :, -1:]
                u = torch.rand(total.shape, generator=generator, device=p.device) * total
                drawn = torch.searchsorted(cdf, u, right=True).clamp_max(p.shape[2] - 1)
                # all-zero rows (no mass) get their first category
                drawn = drawn.masked_fill(total <= 0, 0)
                # guard against float error landing in the padding
                drawn = torch.minimum(drawn, bucket.widths - 1)
                onehot = torch.zeros_like(p).scatter_(2, drawn, 1.0)
                onehot = onehot.reshape(len(onehot), -1)
                if not bucket.full:
                    onehot = onehot[:, bucket.rows_keep]
                rows[:, bucket.rows_flat] = onehot.to(rows.dtype)
        return probs


_COMPILED: dict = {}


def compile_layout(layout, device="cpu", width=None) -> CompiledLayout:
    """The :class:`CompiledLayout` of ``layout`` on ``device``, built once and cached.

    Looked up by the identity of ``layout`` first (the estimators and criteria
    hold one tuple each), so a lookup costs no hashing of the blocks.
    """
    device = torch.device(device)
    entry = _COMPILED.get(id(layout))
    if entry is None or entry[0] is not layout:
        if len(_COMPILED) > 512:
            _COMPILED.clear()
        entry = (layout, {})
        _COMPILED[id(layout)] = entry
    key = (device, width)
    compiled = entry[1].get(key)
    if compiled is None:
        compiled = CompiledLayout(layout, device, width)
        entry[1][key] = compiled
    return compiled


def apply_output_activations(raw: torch.Tensor, layout, *, hard: bool = False) -> torch.Tensor:
    """Map raw network outputs (logits) to data space, all blocks at once.

    Parameters
    ----------
    raw : Tensor of shape (n_samples, width)
    layout : sequence of Block
    hard : bool, default=False
        If True, categorical blocks become exact one-hot vectors (argmax) and
        binary blocks stay probabilities.
    """
    if len(layout) == 1 and layout[0].kind == "numeric":
        return raw
    return compile_layout(layout, raw.device, raw.shape[1]).activate(raw, hard=hard)
