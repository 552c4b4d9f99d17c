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
from torch.autograd.function import once_differentiable

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


class _Take(NamedTuple):
    """A precomputed column gather ``x[:, index]`` (see :func:`take_columns`)."""

    index: torch.Tensor  # (m,) the column of x behind each output position
    source: torch.Tensor  # (width,) the output position of each column of x, m if none
    pad: torch.Tensor | None  # (m,) True where the output is padding (filled), or None


class _TakeColumns(torch.autograd.Function):
    """``x.index_select(1, index)`` with padding filled, and a gather as its backward.

    Every column of ``x`` feeds at most one non-padding output position, so the
    gradient of ``x`` is the output gradient *gathered* back through ``source``
    (plus a zero column for the columns that feed nothing). Autograd's own
    backward of ``index_select``/advanced indexing is a scatter-add (``index_add_``,
    ``index_put_``), several times slower on the CPU than this gather.
    """

    @staticmethod
    def forward(ctx, x, index, source, pad, fill):
        out = x.index_select(1, index)
        if pad is not None:
            out.masked_fill_(pad, fill)
        ctx.save_for_backward(source)
        return out

    @staticmethod
    def backward(ctx, grad):
        (source,) = ctx.saved_tensors
        grad = F.pad(grad, (0, 1)).index_select(1, source)
        return grad, None, None, None, None


class _TakeRows(torch.autograd.Function):
    """``x.index_select(0, index)`` with a gather backward (see :class:`_TakeColumns`).

    ``source[r]`` is the output position fed by row ``r`` of ``x`` (the output
    length for none); rows repeated in ``index`` must have a zero gradient at all
    but that position (padding rows).
    """

    @staticmethod
    def forward(ctx, x, index, source):
        ctx.save_for_backward(source)
        return x.index_select(0, index)

    @staticmethod
    def backward(ctx, grad):
        (source,) = ctx.saved_tensors
        return F.pad(grad, (0, 0, 0, 1)).index_select(0, source), None, None


def _take_rows(x, index, source):
    if x.requires_grad and torch.is_grad_enabled():
        return _TakeRows.apply(x, index, source)
    return x.index_select(0, index)


def _make_take(columns, width, device, pad=None):
    """The :class:`_Take` of output columns ``columns`` (ints; -1 marks padding) of ``width``."""
    columns = list(columns)
    m = len(columns)
    source = [m] * width
    for position, column in enumerate(columns):
        if column >= 0:
            source[column] = position
    pad_mask = None
    if any(c < 0 for c in columns):
        pad_mask = torch.tensor([c < 0 for c in columns], device=device)
    # padding gathers column 0 (any valid column): its values are overwritten
    index = torch.tensor([max(c, 0) for c in columns], dtype=torch.long, device=device)
    return _Take(index, torch.tensor(source, dtype=torch.long, device=device), pad_mask)


class _PaddedCrossEntropy(torch.autograd.Function):
    """Per-row categorical cross-entropy of one bucket, forward and backward fused.

    ``sum_b s_b logsumexp_b(x) - sum_k t_k x_k`` (``s_b``: the target's mass in
    block ``b``), which is ``-sum_k t_k log softmax(x)_k`` block by block. The
    bucket is gathered *transposed*, as ``(max_width, n_blocks, n)`` with ``-inf``
    padding (one appended row of ``x.T``), so the reductions over a block run over
    the first dimension, contiguous and vectorised. The backward is the analytic
    ``g * (p * s - t)`` gathered back to the columns of ``raw``: a handful of
    passes over the padded tensor instead of the dozen of autograd's gather,
    log-softmax, mask and product (first derivatives only).
    """

    @staticmethod
    def forward(ctx, raw, target, bucket):
        n = len(raw)
        index = bucket.rows_t_index
        x = F.pad(raw.t(), (0, 0, 0, 1), value=float("-inf")).index_select(0, index)
        t = F.pad(target.t(), (0, 0, 0, 1)).index_select(0, index)
        x, t = x.view(*bucket.shape, n), t.view(*bucket.shape, n)
        high = x.amax(dim=0)  # (n_blocks, n)
        p = (x - high).exp_()
        total = p.sum(dim=0)
        mass = t.sum(dim=0)
        loss = (mass * (total.log() + high)).sum(dim=0) - (raw * target).mv(bucket.column_mask.to(raw.dtype))
        ctx.save_for_backward(p.div_(total), t, mass, bucket.take.source)
        return loss

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        p, t, mass, source = ctx.saved_tensors
        n = p.shape[-1]
        g = p.mul_(mass).sub_(t).mul_(grad).view(-1, n)
        return F.pad(g, (0, 0, 0, 1)).index_select(0, source).t(), None, None


def _contiguous(columns):
    """``slice(min, max + 1)`` if the non-padding ``columns`` are exactly that range, else None."""
    real = sorted(c for c in columns if c >= 0)
    if real and real == list(range(real[0], real[-1] + 1)):
        return slice(real[0], real[-1] + 1)
    return None


def _positions(columns, device):
    """Positions of the non-padding entries (>= 0) of ``columns``."""
    return torch.tensor([p for p, c in enumerate(columns) if c >= 0], dtype=torch.long, device=device)


def take_columns(x, take, fill=0.0):
    """``x[:, take.index]`` with padding set to ``fill``; a gather forward and backward.

    Without gradient it is one ``index_select`` (advanced indexing ``x[:, idx]``
    is about 6x slower on the CPU).
    """
    if x.requires_grad and torch.is_grad_enabled():
        return _TakeColumns.apply(x, take.index, take.source, take.pad, fill)
    out = x.index_select(1, take.index)
    if take.pad is not None:
        out.masked_fill_(take.pad, fill)
    return out


#: Logits more than this far below the row's largest are raised to it before ``exp``
#: when drawing (see :func:`draw_rows`): exp(-87) is float32's smallest normal number.
_EXP_FLOOR = -87.0
#: Categorical blocks at least this wide are drawn by :func:`draw_rows` (two-level search)
#: and, in ``sample``, decoded from their codes without a one-hot matrix.
WIDE_DRAW_WIDTH = 64


_GROUP_TABLES: dict = {}


def _group_table(width, device):
    """Groups of about ``sqrt(width)`` columns for :func:`draw_rows` (cached per width).

    Group ``g < n_main`` holds the columns ``g, g + n_main, g + 2 n_main ...`` of the
    first ``size * n_main`` (interleaved, so the group sums are a sum over the outer
    dimension of a ``(n, size, n_main)`` view: vectorised on the CPU); the remaining
    columns form one more group. Returns ``(n_main, size, table, valid)``: ``table``
    (n_groups, length) the columns of each group, padded; ``valid`` its real entries.
    """
    key = (width, device)
    entry = _GROUP_TABLES.get(key)
    if entry is None:
        n_main = max(1, int(width**0.5))
        size, rest = divmod(width, n_main)
        length = max(size, rest)
        table = torch.full((n_main + (rest > 0), length), width - 1, dtype=torch.long)
        valid = torch.zeros(table.shape, dtype=torch.bool)
        table[:n_main, :size] = torch.arange(n_main)[:, None] + n_main * torch.arange(size)
        valid[:n_main, :size] = True
        if rest:
            table[n_main, :rest] = torch.arange(size * n_main, width)
            valid[n_main, :rest] = True
        entry = (n_main, size, table.to(device), valid.to(device))
        _GROUP_TABLES[key] = entry
    return entry


def draw_rows(x, generator=None):
    """One column index per row of ``x``, drawn from the row's softmax (exactly).

    ``x``: shape ``(n, width)``, float, may be a strided view; it is overwritten only
    where a row spans more than 87 (see below). The row's softmax is one fused kernel;
    then inverse-CDF sampling in two levels: a uniform number times the total picks
    one of about ``sqrt(width)`` groups of columns from the group sums, then a column
    inside the group from that group's cumulative sums. A full cumulative sum over
    the row would cost as much as the softmax. Column ``j`` is drawn with
    probability ``softmax(x)_j`` up to float32 rounding, except that logits more
    than 87 below the row's largest (``exp`` underflows there, to subnormal numbers
    that are ten times slower on x86) are raised to that floor: such a level gets
    weight ``exp(-87) = 1.6e-38`` of the best one instead of less.

    Returns the indices (int64, shape ``(n,)``) and the row maxima (shape ``(n, 1)``:
    not finite when a row holds NaN or infinity; the draw is meaningless then).
    """
    n, width = x.shape
    peak = x.amax(dim=1, keepdim=True)
    torch.maximum(x, peak + _EXP_FLOOR, out=x)
    p = torch.softmax(x, dim=1)
    n_main, size, table, valid = _group_table(width, x.device)
    sums = p[:, : size * n_main].view(n, size, n_main).sum(dim=1)
    if len(table) > n_main:
        sums = torch.cat([sums, p[:, size * n_main :].sum(dim=1, keepdim=True)], dim=1)
    cdf = torch.cumsum(sums, dim=1)
    total = cdf[:, -1:]
    u = torch.rand((n, 1), generator=generator, device=x.device).mul_(total)
    # u < total, so the group found has mass (float error could otherwise reach the end)
    u = torch.minimum(u, torch.nextafter(total, torch.zeros_like(total)))
    group = torch.searchsorted(cdf, u, right=True).clamp_(max=len(table) - 1)
    # the uniform number, from the start of the chosen group
    u.sub_(torch.where(group > 0, cdf.gather(1, (group - 1).clamp_(min=0)), 0.0))
    columns = table[group.squeeze(1)]
    inside = p.gather(1, columns).mul_(valid[group.squeeze(1)])
    within = torch.cumsum(inside, dim=1)
    end = within[:, -1:]
    u = torch.minimum(u, torch.nextafter(end, torch.zeros_like(end)))
    pick = torch.searchsorted(within, u, right=True).clamp_(max=table.shape[1] - 1)
    return columns.gather(1, pick).squeeze(1), peak


class _Bucket(NamedTuple):
    """Categorical blocks padded to one width (see :class:`CompiledLayout`)."""

    shape: tuple  # (max_width, n_blocks)
    take: _Take  # the column-major padded gather, flattened (max_width * n_blocks)
    pad: torch.Tensor  # (max_width, n_blocks) True in the padding
    full: bool  # no padding at all
    flat: torch.Tensor  # the real columns, column-major order
    keep: torch.Tensor  # positions of the real columns in the flattened gather
    rows_take: _Take  # the same, block-major (n_blocks, max_width), for sampling
    rows_shape: tuple
    rows_keep: torch.Tensor
    rows_flat: torch.Tensor  # the real columns, block-major order
    rows_table: torch.Tensor  # (n_blocks, max_width) the columns, padding repeats the last
    columns: slice | None  # the bucket's columns when they are contiguous
    widths: torch.Tensor  # (1, n_blocks, 1) block widths
    rows_t_index: torch.Tensor  # ``take.index`` with padding -> ``width`` (an appended row)
    rows_t_source: torch.Tensor  # ``take.source`` plus the appended row (no output)
    column_mask: torch.Tensor  # (width,) 1 on the bucket's columns
    rows_slice: slice | None  # the columns in block-major order, when they are a plain range


class CompiledLayout:
    """Index tensors of a layout on one device, to treat all blocks at once.

    Built once per layout and device by :func:`compile_layout` (never per
    batch). Columns are grouped by kind: the numeric and binary columns are
    gathered by one index each (or sliced, when contiguous), and the
    categorical blocks are grouped by width into *buckets* padded to at most
    twice their real size: a bucket is a gather of shape
    ``(max_width, n_blocks)`` with a padding mask, so a softmax, log-softmax,
    Gumbel-softmax or draw over every block of the bucket is one operation on
    a ``(n, max_width, n_blocks)`` view with ``-inf`` padding (padding stays
    below 2x even for one 1,000-level column beside binary ones). Every
    gather is an ``index_select`` whose backward is a gather too
    (:func:`take_columns`): advanced indexing and its scatter-add backward
    cost several times more on the CPU.

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
        self._numeric_take = self._take(cols["numeric"])
        self._binary_take = self._take(cols["binary"])
        self.n_numeric = len(cols["numeric"])
        self.n_binary = len(cols["binary"])
        blocks = sorted((b for b in layout if b.kind == "categorical"), key=lambda b: b.width)
        self.buckets = []
        # the columns of the kind-grouped intermediate (-1: padding), see ``_assemble``
        stacked = list(cols["numeric"]) + list(cols["binary"])
        i = 0
        while i < len(blocks):
            # grow the bucket while its padded size stays within twice its real size
            j, total = i + 1, blocks[i].width
            while j < len(blocks) and (j - i + 1) * blocks[j].width <= 2 * (total + blocks[j].width):
                total += blocks[j].width
                j += 1
            group = blocks[i:j]
            w = group[-1].width
            rows = [[b.start + k if k < b.width else -1 for k in range(w)] for b in group]
            # Column-major (max_width, n_blocks): softmax over dim 1 of (n, max_width,
            # n_blocks) is several times faster on the CPU than over a short last dim.
            columns = [rows[b][k] for k in range(w) for b in range(len(group))]
            rows_columns = [c for row in rows for c in row]
            mask = torch.tensor([[k < b.width for k in range(w)] for b in group])
            take = _make_take(columns, self.width, self.device)
            self.buckets.append(
                _Bucket(
                    shape=(w, len(group)),
                    take=take,
                    pad=(~mask.T.contiguous()).to(self.device),
                    full=bool(mask.all()),
                    flat=torch.tensor([c for c in columns if c >= 0], device=self.device),
                    keep=_positions(columns, self.device),
                    rows_take=_make_take(rows_columns, self.width, self.device),
                    rows_shape=(len(group), w),
                    rows_keep=_positions(rows_columns, self.device),
                    rows_flat=torch.tensor([c for c in rows_columns if c >= 0], device=self.device),
                    columns=_contiguous(rows_columns),
                    rows_table=torch.tensor(
                        [[b.start + min(k, b.width - 1) for k in range(w)] for b in group],
                        device=self.device,
                    ),
                    widths=mask.sum(dim=1).view(1, -1, 1).to(self.device),
                    rows_t_index=torch.tensor(
                        [c if c >= 0 else self.width for c in columns], device=self.device
                    ),
                    rows_t_source=F.pad(take.source, (0, 1), value=len(columns)),
                    column_mask=torch.zeros(self.width).index_fill_(
                        0, torch.tensor([c for c in columns if c >= 0]), 1.0
                    ).to(self.device),
                    rows_slice=(
                        slice(rows_columns[0], rows_columns[0] + len(rows_columns))
                        if rows_columns == list(range(rows_columns[0], rows_columns[0] + len(rows_columns)))
                        else None
                    ),
                )
            )
            stacked.extend(columns)
            i = j
        self.n_categorical = sum(b.width for b in blocks)
        self.n_blocks = len(layout)
        covered = {c for c in stacked if c >= 0}
        passthrough = [c for c in range(self.width) if c not in covered]
        self.passthrough = self._index(passthrough)
        self._passthrough_take = self._take(passthrough)
        stacked.extend(passthrough)
        # Columns are computed grouped by kind (numeric, binary, then bucket by bucket,
        # padding included); one gather puts them back in the layout's order.
        position = {c: p for p, c in enumerate(stacked) if c >= 0}
        self.identity_order = stacked == list(range(self.width))
        self._assemble_take = _make_take(
            [position[c] for c in range(self.width)], len(stacked), self.device
        )
        self.all_numeric = self.n_numeric == self.width
        self.all_binary = self.n_binary == self.width

    def _index(self, columns):
        """A slice when ``columns`` are contiguous (a view, no copy), else a long tensor."""
        if not columns:
            return None
        if columns == list(range(columns[0], columns[-1] + 1)):
            return slice(columns[0], columns[-1] + 1)
        return torch.tensor(columns, dtype=torch.long, device=self.device)

    def _take(self, columns):
        """A slice when ``columns`` are contiguous, else a :class:`_Take`; None if empty."""
        index = self._index(columns)
        if index is None or isinstance(index, slice):
            return index
        return _make_take(columns, self.width, self.device)

    @staticmethod
    def columns(x, take):
        """``x[:, columns]`` for a slice or a :class:`_Take` (fast gather both ways)."""
        if isinstance(take, slice):
            return x[:, take]
        return take_columns(x, take)

    def numeric_columns(self, x):
        """The numeric columns of ``x`` (a view when they are contiguous)."""
        return self.columns(x, self._numeric_take)

    # ------------------------------------------------------------ categorical
    def padded(self, x, bucket, fill=float("-inf")):
        """``x``'s columns of one bucket, shape (n, max_width, n_blocks), padding = ``fill``."""
        return take_columns(x, bucket.take, fill).view(len(x), *bucket.shape)

    def _map_categorical(self, x, fn, logits=None):
        """Identity / sigmoid on numeric / binary columns, ``fn`` on every bucket.

        Works on ``x.T``: a bucket is gathered as ``(max_width, n_blocks, n)`` with
        ``-inf`` padding (rows of ``x.T`` plus one padding row), so ``fn``'s
        reductions over a block (softmax over dim 0) run contiguous and vectorised,
        and one gather puts all the rows back in the layout's order. ``logits``
        (default ``x``) feed the buckets, e.g. ``x`` plus Gumbel noise. Returns an
        ``(n, width)`` view of the ``(width, n)`` result.
        """
        n = len(x)
        xt = x.t()
        parts = []
        if self._numeric_take is not None:
            parts.append(self._rows(xt, self._numeric_take))
        if self._binary_take is not None:
            parts.append(torch.sigmoid(self._rows(xt, self._binary_take)))
        if self.buckets:
            source = xt if logits is None else logits.t()
            padded = F.pad(source, (0, 0, 0, 1), value=float("-inf"))
            for bucket in self.buckets:
                block = _take_rows(padded, bucket.rows_t_index, bucket.rows_t_source)
                parts.append(fn(block.view(*bucket.shape, n)).reshape(-1, n))
        if self._passthrough_take is not None:
            parts.append(self._rows(xt, self._passthrough_take))
        out = parts[0] if len(parts) == 1 else torch.cat(parts, dim=0)
        if not self.identity_order:
            take = self._assemble_take
            out = _take_rows(out, take.index, take.source)
        return out.t()

    @staticmethod
    def _rows(xt, take):
        """Rows of ``x.T`` for a slice or a :class:`_Take`."""
        if isinstance(take, slice):
            return xt[take]
        return _take_rows(xt, take.index, take.source)

    def activate(self, raw, *, hard=False):
        """Identity / sigmoid / softmax (or argmax one-hot if ``hard``) on every block."""
        if self.all_numeric:
            return raw
        if self.all_binary:
            return torch.sigmoid(raw)
        if hard:

            def fn(logits):
                onehot = torch.zeros_like(logits)
                return onehot.scatter_(0, logits.argmax(dim=0, keepdim=True), 1.0)

        else:

            def fn(logits):
                return torch.softmax(logits, dim=0)

        return self._map_categorical(raw, fn)

    def gumbel_softmax(self, raw, tau):
        """Like :meth:`activate` with a Gumbel-softmax relaxation on categorical blocks.

        The Gumbel noise is drawn for the real columns only (not the padding), as
        ``-log(-log(U))``: a uniform draw and two logs cost a quarter of the
        exponential draw of ``F.gumbel_softmax`` on the CPU.
        """
        if not self.buckets:
            return self.activate(raw)

        def noise(shape):
            return torch.empty(shape, dtype=raw.dtype, device=raw.device).uniform_().log_().neg_().log_().neg_()

        if 2 * self.n_categorical >= self.width:  # noise for every column, before padding
            return self._map_categorical(
                raw, lambda logits: torch.softmax(logits, dim=0), logits=(raw + noise(raw.shape)) / tau
            )
        # few categorical columns: noise on the padded buckets only
        return self._map_categorical(
            raw, lambda logits: torch.softmax((logits + noise(logits.shape)) / tau, dim=0)
        )

    def categorical_log_softmax(self, raw):
        """Log-probabilities of the categorical columns, shape (n, n_categorical).

        In the order of :attr:`categorical_columns` (bucket by bucket).
        """
        parts = []
        for bucket in self.buckets:
            logp = torch.log_softmax(self.padded(raw, bucket), dim=1).reshape(len(raw), -1)
            parts.append(logp if bucket.full else logp.index_select(1, bucket.keep))
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
        if numeric and self._numeric_take is not None:
            diff = self.columns(raw, self._numeric_take) - self.columns(target, self._numeric_take)
            total = 0.5 * diff.pow(2).sum(dim=1)
        if self._binary_take is not None:
            part = F.binary_cross_entropy_with_logits(
                self.columns(raw, self._binary_take),
                self.columns(target, self._binary_take),
                reduction="none",
            ).sum(dim=1)
            total = part if total is None else total + part
        for bucket in self.buckets:
            if raw.requires_grad and torch.is_grad_enabled() and not target.requires_grad:
                part = _PaddedCrossEntropy.apply(raw, target, bucket)
            else:
                logp = torch.log_softmax(self.padded(raw, bucket), dim=1)
                if not bucket.full:  # -inf in the padding: 0 * -inf would be nan
                    logp = logp.masked_fill(bucket.pad, 0.0)
                part = -(self.padded(target, bucket, fill=0.0) * logp).sum(dim=(1, 2))
            total = part if total is None else total + part
        if total is None:
            total = raw.new_zeros(len(raw))
        return total

    # -------------------------------------------------------------- sampling
    def sample_from_logits(self, raw, generator=None, chunk_size=8192):
        """Activations with categorical blocks *drawn*, in place on raw outputs ``raw``.

        Numeric columns stay, binary ones become their probabilities (sigmoid) and each
        categorical block a one-hot draw from its softmax: inverse-CDF sampling on
        ``exp(logit - max)`` (``cumsum`` + ``searchsorted``; the softmax's
        normalisation is not needed), by chunks of rows, so no probability matrix,
        float64 copy or per-block loop is made. ``raw`` must be a contiguous
        floating tensor; it is returned.
        """
        n = len(raw)
        for start in range(0, n, chunk_size):
            rows = raw[start : start + chunk_size]
            m = len(rows)
            draws = []
            for bucket in self.buckets:
                if bucket.rows_slice is not None and bucket.rows_shape[0] == 1 and (
                    bucket.rows_shape[1] >= WIDE_DRAW_WIDTH
                ):  # one wide block: a two-level search instead of a full cumulative sum
                    drawn, _ = draw_rows(rows[:, bucket.rows_slice], generator)
                    draws.append(bucket.rows_table.gather(1, drawn[None]).t())
                    continue
                if bucket.rows_slice is not None:
                    # adjacent blocks of one width, in order: work on the output itself (a view)
                    x = rows[:, bucket.rows_slice].unflatten(1, bucket.rows_shape)
                else:
                    x = take_columns(rows, bucket.rows_take, float("-inf")).view(m, *bucket.rows_shape)
                x = x.sub_(x.amax(dim=2, keepdim=True)).clamp_(min=_EXP_FLOOR).exp_()
                cdf = torch.cumsum(x, dim=2)
                u = torch.rand(cdf[:, :, -1:].shape, generator=generator, device=x.device)
                drawn = torch.searchsorted(cdf, u.mul_(cdf[:, :, -1:]), right=True)
                # guard against float error landing in the padding
                drawn = torch.minimum(drawn, bucket.widths - 1).squeeze(2)
                draws.append(bucket.rows_table.gather(1, drawn.t()).t())
            if self._binary_take is not None:
                if isinstance(self._binary_take, slice):
                    rows[:, self._binary_take].sigmoid_()
                else:
                    index = self._binary_take.index
                    rows.index_copy_(1, index, rows.index_select(1, index).sigmoid_())
            for bucket, drawn in zip(self.buckets, draws):
                if bucket.columns is not None:
                    rows[:, bucket.columns] = 0.0
                else:
                    rows.index_fill_(1, bucket.rows_flat, 0.0)
                rows.scatter_(1, drawn, 1.0)
        return raw

    def wide_split(self):
        """``(wide, narrow, keep)`` for drawing wide categorical blocks as codes.

        ``wide``: the categorical blocks of at least :data:`WIDE_DRAW_WIDTH` columns;
        ``narrow``: the :class:`CompiledLayout` of the other blocks (same width: the
        wide columns pass through it untouched); ``keep``: the columns outside the
        wide blocks (long tensor). ``wide`` is empty when there is none. Cached.
        """
        split = self.__dict__.get("_wide_split")
        if split is None:
            wide = tuple(
                b for b in self.layout if b.kind == "categorical" and b.width >= WIDE_DRAW_WIDTH
            )
            narrow_layout = tuple(b for b in self.layout if b not in wide)
            dropped = {c for b in wide for c in range(b.start, b.stop)}
            keep = torch.tensor(
                [c for c in range(self.width) if c not in dropped], dtype=torch.long, device=self.device
            )
            narrow = CompiledLayout(narrow_layout, self.device, self.width) if wide else self
            split = (wide, narrow, keep)
            self.__dict__["_wide_split"] = split
        return split

    def draw_categorical(self, probs, generator=None, chunk_size=8192):
        """Replace each categorical block of ``probs`` by a one-hot draw from it, in place.

        Inverse-CDF sampling (``cumsum`` + ``searchsorted``) in float32, by chunks of
        rows, so no dense float64 probabilities or per-block loop are needed.
        ``probs`` are non-negative weights (normalisation is not required).
        """
        n = len(probs)
        for bucket in self.buckets:
            take = bucket.rows_take
            for start in range(0, n, chunk_size):
                rows = probs[start : start + chunk_size]
                # (n, n_blocks, max_width): searchsorted needs the categories last
                p = take_columns(rows, take, 0.0).view(len(rows), *bucket.rows_shape)
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
                if take.pad is not None:
                    onehot = onehot.index_select(1, bucket.rows_keep)
                rows.index_copy_(1, bucket.rows_flat, onehot.to(rows.dtype))
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
