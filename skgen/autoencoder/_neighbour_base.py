"""Shared machinery of the neighbour-embedding autoencoders (ParametricUMAP, ParametricTSNE).

Their training data are the *edges* of a neighbour graph over the rows, not
the rows themselves:

* :class:`EdgeData` holds the whole training matrix ``X`` on the training
  device and the graph's edges (head, tail, weight) as NumPy arrays; its
  length is the number of edges (a validation split holds out edges);
* :class:`EdgeBatchIterator` draws an epoch's edges with probability
  proportional to their weight and yields, per batch, the rows the loss
  needs, gathered from ``X`` on the device (heads then tails for UMAP; the
  distinct rows of the batch and their block of P for t-SNE) -- a drop-in
  replacement for skgen's row iterator inside skorch's loop. An epoch draws
  as many edges as there are rows.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.utils import check_random_state

from sklearn.utils.validation import check_is_fitted

from .._skorch import AutoencoderNet
from ..base import BaseAutoencoder
from ..utils._validation import _check_finite_output
from ..nn import MLP, AutoencoderModule
from ..utils._param_validation import Interval, StrOptions
from ._callbacks import with_warmup
from ._neighbour_graphs import (
    METRICS,
    refine_embedding,
    reference_basis,
    reference_neighbors,
    to_reference_space,
)

#: Epochs of the transform-time refinement for ``transform_epochs="auto"``.
TRANSFORM_EPOCHS = 50
#: Negative samples per epoch of the refinement (shared by all new rows).
TRANSFORM_NEGATIVES = 16
#: Epochs of the decoder's final fit to ``transform``'s output on the training rows.
DECODER_EPOCHS = 10

__all__ = [
    "EdgeBatchIterator",
    "EdgeData",
    "NeighbourEmbeddingAE",
    "NeighbourEmbeddingNet",
]


class EdgeData(torch.utils.data.Dataset):
    """The training rows (a tensor on the device) and the edges of a graph over them.

    Parameters
    ----------
    X : Tensor of shape (n_samples, n_features)
    graph : scipy.sparse.csr_matrix of shape (n_samples, n_samples)
        Symmetric nonnegative weights (UMAP memberships or t-SNE's P).
    mode : {"pairs", "block"}
        ``"pairs"``: batches are ``X[heads] ++ X[tails]``;
        ``"block"``: batches are the distinct rows of the sampled edges and
        the graph's block on them, ``(rows, cols, values)``.
    edges : ndarray of int, default=None
        Indices of the stored entries of ``graph`` to draw from (all by default).
    """

    def __init__(self, X, graph, mode, edges=None):
        self.X = X
        self.graph = graph
        self.mode = mode
        coo = graph.tocoo()
        self.head = coo.row.astype(np.int64)
        self.tail = coo.col.astype(np.int64)
        self.weight = coo.data.astype(np.float64)
        self.edges = np.arange(len(self.head)) if edges is None else np.asarray(edges)

    def __len__(self):
        return len(self.edges)

    @property
    def n_draws(self):
        """Edges drawn per epoch: as many as there are rows."""
        return len(self.X)

    def __getitem__(self, index):  # pragma: no cover - batches come from EdgeBatchIterator
        e = self.edges[index]
        return self.X[[self.head[e], self.tail[e]]], None

    def subset(self, index):
        """The same rows with a subset of the edges (for a validation split)."""
        return EdgeData(self.X, self.graph, self.mode, self.edges[np.asarray(index)])

    def draw(self, n_edges, rng):
        """``n_edges`` edge indices drawn with probability proportional to weight."""
        w = self.weight[self.edges]
        return self.edges[rng.choice(len(w), size=n_edges, p=w / w.sum())]

    def batch(self, edges):
        """The network input (and the loss target) of a batch of edges."""
        device = self.X.device
        head, tail = self.head[edges], self.tail[edges]
        if self.mode == "pairs":
            index = torch.from_numpy(np.concatenate([head, tail])).to(device)
            return self.X[index], None
        nodes = np.unique(np.concatenate([head, tail]))
        block = self.graph[nodes][:, nodes].tocoo()
        target = (
            torch.from_numpy(block.row.astype(np.int64)).to(device),
            torch.from_numpy(block.col.astype(np.int64)).to(device),
            torch.from_numpy(block.data.astype(np.float32)).to(device),
        )
        return self.X[torch.from_numpy(nodes).to(device)], target


class EdgeBatchIterator:
    """Batches of edges drawn in proportion to their weight.

    Each pass draws ``dataset.n_draws`` edges (with replacement) and cuts them
    into batches of ``batch_size`` edges. Same signature as
    :class:`~skgen._skorch.TensorBatchIterator`; without shuffling (the
    validation iterator) every pass draws the same edges.
    """

    def __init__(self, dataset, batch_size=512, shuffle=False, random_state=None, drop_last=False):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.random_state = random_state
        self.drop_last = drop_last

    def _n_draws(self):
        return self.dataset.n_draws

    def __len__(self):
        n = self._n_draws()
        return max(1, n // self.batch_size) if self.drop_last else -(-n // self.batch_size)

    def __iter__(self):
        data = self.dataset
        rng = check_random_state(self.random_state) if self.shuffle else np.random.RandomState(0)
        edges = data.draw(self._n_draws(), rng)
        bs = self.batch_size
        for i in range(len(self)):
            yield data.batch(edges[i * bs : (i + 1) * bs])


class NeighbourEmbeddingNet(AutoencoderNet):
    """:class:`~skgen._skorch.AutoencoderNet` whose criterion also receives the batch's target.

    The target is what :meth:`EdgeData.batch` returns next to the rows (the
    block of P for t-SNE, None for UMAP).
    """

    def get_loss(self, y_pred, y_true, X=None, training=False):
        terms = self.criterion_(y_pred, X, module=self.module_, target=y_true)
        return self._sum_terms(terms, len(X), training)


class NeighbourEmbeddingAE(BaseAutoencoder):
    """Base of the neighbour-embedding autoencoders; not public.

    Subclasses implement ``_build_graph(X)`` (X: training data in data space,
    float64) returning a symmetric sparse graph, set ``_edge_mode`` and
    ``_build_criterion``.
    """

    _parameter_constraints: dict = {
        # the encoder's start is the layout pre-training, not BaseAutoencoder's ``init``
        **{k: v for k, v in BaseAutoencoder._parameter_constraints.items() if k != "init"},
        "metric": [StrOptions(set(METRICS))],
        "reconstruction_weight": [Interval(Real, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "transform_epochs": [Interval(Integral, 0, None, closed="left"), StrOptions({"auto"})],
    }

    _edge_mode = "pairs"
    _net_class = NeighbourEmbeddingNet

    def _build_module(self, X):
        n_features = X.shape[1]
        sizes = self._hidden_layer_sizes()
        encoder = MLP(n_features, sizes, self.n_components, self.activation)
        decoder = MLP(self.n_components, sizes[::-1], n_features, self.activation)
        return AutoencoderModule(encoder, decoder)

    def _net_params(self):
        # The batch is counted in edges; the network sees up to twice as many rows.
        self._batch_size = 2 * int(self.batch_size)
        return {
            "batch_size": int(self.batch_size),
            "iterator_train": EdgeBatchIterator,
            "iterator_valid": EdgeBatchIterator,
        }

    def _data_space(self, Xn):
        """Training rows back in the units the metric is meant for (before centring)."""
        return Xn.astype(np.float64) * self._input_scale + self._input_offset

    def _edge_data(self, Xn):
        n = len(Xn)
        if n < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 samples to build a neighbour graph; "
                f"got n_samples={n}."
            )
        graph = self._build_graph(self._data_space(Xn))
        return EdgeData(torch.from_numpy(Xn).to(self._device), graph, self._edge_mode)

    def _to_tensor_data(self, Xn, y=None):
        data = self.__dict__.pop("_prepared_data", None)
        return data if data is not None else self._edge_data(Xn)

    def _initial_layout(self, data, rng):
        """Target coordinates of the training rows for the encoder's pre-training, or None."""
        return None

    def _before_training(self, net, Xn, y):
        """Build the graph; fit the encoder (and decoder) to an initial layout."""
        data = self._edge_data(Xn)
        # torch's RNG is seeded from random_state here (see _BaseNeuralEstimator._fit)
        rng = np.random.RandomState(int(torch.randint(2**31 - 1, (1,)).item()))
        layout = self._initial_layout(data, rng)
        if layout is not None and self.pretrain_epochs > 0:
            # regress on standardised coordinates, then fold the scale into the
            # encoder's last and the decoder's first linear layer
            mean, std = layout.mean(axis=0), float(layout.std()) or 1.0
            target = torch.as_tensor((layout - mean) / std, dtype=torch.float32,
                                     device=data.X.device)
            self.pretrain_loss_curve_ = _distill(
                net.module_, data.X, target, self.layout_, epochs=self.pretrain_epochs,
                lr=10 * self.lr,
                generator=torch.Generator().manual_seed(int(rng.randint(2**31 - 1))),
            )
            _rescale_code(net.module_, mean, std)
        else:
            self.pretrain_loss_curve_ = None
        self._prepared_data = data
        self._fit_layout = layout
        self._transform_seed = int(rng.randint(2**31 - 1))
        # mean total weight of a row's edges, relative to the largest (what the layout saw)
        graph = data.graph
        top = graph.data.max() if graph.nnz else 1.0
        self._graph_row_weight = float(np.asarray(graph.sum(axis=1)).mean() / top)

    def _after_training(self, Xn):
        """Keep what ``transform`` refines against: the training rows and their embedding.

        The embedding is the layout of stage 2 after ``fit`` (the encoder's
        outputs without one, or after ``partial_fit``). The encoder's
        coordinates drift from the layout's in stage 3 (a neighbour loss does
        not fix a scale or rotation), so an affine map fitted by least
        squares carries codes onto the layout, where the refinement runs
        (the layout's scale is the one the loss is calibrated for), and its
        inverse brings the result back to the encoder's coordinates, which
        the decoder understands.
        """
        layout = self.__dict__.pop("_fit_layout", None)
        codes = self._run_batches(self.net_.module_.encode, Xn).astype(np.float64)
        if layout is None or len(layout) != len(Xn):
            layout = codes
        layout = np.asarray(layout, dtype=np.float64)
        k = codes.shape[1]
        design = np.c_[codes, np.ones(len(codes))]
        gram = design.T @ design
        gram += 1e-8 * np.trace(gram) / len(gram) * np.eye(len(gram))
        forward = np.eye(k + 1)
        forward[:, :k] = np.linalg.solve(gram, design.T @ layout)
        backward = np.linalg.pinv(forward)
        self._code_to_layout = forward[:, :k].astype(np.float32)
        self._layout_to_code = backward[:, :k].astype(np.float32)
        self._reference_embedding = np.ascontiguousarray(layout, dtype=np.float32)
        self.embedding_ = (np.c_[layout, np.ones(len(layout))] @ backward[:, :k]).astype(
            np.float32
        )
        X = self._data_space(Xn)
        seed = getattr(self, "_transform_seed", 0)
        self._reference_mean, self._reference_axes = reference_basis(X, self.metric, seed)
        self._reference_rows = to_reference_space(
            X, self.metric, self._reference_mean, self._reference_axes
        )
        self.decoder_loss_curve_ = self._fit_decoder_to_transform(Xn)

    def _fit_decoder_to_transform(self, Xn):
        """A few epochs of the decoder alone on ``(transform(X), X)`` for the training rows.

        The decoder was trained on the layout and on the encoder's outputs;
        ``transform`` returns refined points, placed by their neighbours, and
        ``inverse_transform`` receives those. Fitting the decoder to them
        (held-out inverse MSE, digits: 0.037 -> 0.028) costs about a second.
        """
        Z = torch.from_numpy(self._embed(Xn)).to(self.net_.device)
        X = torch.from_numpy(Xn).to(self.net_.device)
        module = self.net_.module_
        generator = torch.Generator().manual_seed(self._transform_seed)
        return _fit_decoder(module, Z, X, self.layout_, epochs=DECODER_EPOCHS, lr=self.lr,
                            generator=generator)

    def _transform_epochs(self):
        if self.transform_epochs == "auto":
            return TRANSFORM_EPOCHS
        return int(self.transform_epochs)

    def transform(self, X):
        """Embed ``X``: the encoder's output, refined against the training embedding.

        With ``transform_epochs > 0`` each row's code is moved by
        ``transform_epochs`` steps of the neighbour-embedding loss between the
        row and its nearest training rows, whose positions (``embedding_``)
        stay fixed, as ``UMAP.transform`` does (vectorised; milliseconds per
        thousand rows). ``transform_epochs=0`` returns the encoder's output.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Data in the format seen in ``fit``.

        Returns
        -------
        codes : ndarray of shape (n_samples, n_components)
            The embedding, in the dtype of ``X`` (float32 or float64).
        """
        check_is_fitted(self)
        Xn, dtype = self._validate_input(X, reset=False)
        return _check_finite_output(self, self._embed(Xn), "codes").astype(dtype, copy=False)

    def _embed(self, Xn):
        """``transform`` of rows in network space (float32)."""
        codes = self._run_batches(self.net_.module_.encode, Xn)
        epochs = self._transform_epochs()
        if epochs > 0 and getattr(self, "_reference_rows", None) is not None:
            codes = self._refine(Xn, codes, epochs)
        return codes

    def _refine(self, Xn, codes, epochs, chunk_size=16384):
        """``codes`` moved against the fixed ``embedding_`` (see :meth:`transform`)."""
        device = self.net_.device
        R = torch.from_numpy(self._reference_rows).to(device)
        Z = torch.from_numpy(self._reference_embedding).to(device)
        F = torch.from_numpy(self._code_to_layout).to(device)
        B = torch.from_numpy(self._layout_to_code).to(device)
        k = min(self._transform_neighbors(), len(R))
        a, b, negative_sample_rate, repulsion_strength = self._embedding_kernel()
        out = []
        for start in range(0, len(Xn), chunk_size):
            rows = slice(start, start + chunk_size)
            Q = to_reference_space(
                self._data_space(Xn[rows]), self.metric, self._reference_mean,
                self._reference_axes,
            )
            dist, idx = reference_neighbors(torch.from_numpy(Q).to(device), R, k, self.metric)
            weights = self._transform_weights(dist.cpu().numpy().astype(np.float64))
            weights = torch.as_tensor(weights, dtype=torch.float32, device=device)
            Y = self._refine_start(torch.from_numpy(codes[rows]).to(device) @ F[:-1] + F[-1],
                                   Z[idx])
            Y = refine_embedding(
                Y, Z[idx], weights, Z, a, b, epochs, self._transform_seed,
                negative_sample_rate=negative_sample_rate,
                repulsion_strength=repulsion_strength, n_negatives=TRANSFORM_NEGATIVES,
            )
            out.append((Y @ B[:-1] + B[-1]).cpu().numpy())
        return np.concatenate(out) if out else codes

    def _refine_start(self, mapped_codes, neighbours):
        """Where the refinement starts: the encoder's output, carried onto the layout."""
        return mapped_codes

    def _schedule_callbacks(self):
        return []

    def _warmup_epochs(self):
        return 0

    def _extra_callbacks(self):
        return self._schedule_callbacks()

    def _stopping_callbacks(self):
        return with_warmup(super()._stopping_callbacks(), self._warmup_epochs())


def _distill(module, X, target, layout, *, epochs, lr, generator, noise=0.5, batch_size=128):
    """Regress ``module.encode(X)`` on ``target`` (and ``module.decode(target)`` on ``X``).

    The encoder sees ``X`` plus Gaussian noise of standard deviation ``noise``
    (in the network's input space, where the root mean feature variance is 1):
    a smoother map, which places held-out rows better. The learning rate
    follows a one-cycle schedule peaking at ``lr``.

    Returns the per-epoch mean loss (encoder squared error per row plus the
    decoder's mean per-feature reconstruction loss).
    """
    from ..losses import reconstruction_loss

    params = list(module.parameters())
    optimizer = torch.optim.Adam(params, lr=lr)
    n = len(X)
    n_batches = -(-n // batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=lr, total_steps=epochs * n_batches
    )
    curve = []
    module.train()
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator).to(X.device)
        total = 0.0
        for start in range(0, n, batch_size):
            index = order[start : start + batch_size]
            x, t = X[index], target[index]
            x_noisy = x + noise * torch.randn(x.shape, generator=generator).to(X.device)
            fit = (module.encode(x_noisy) - t).pow(2).sum(1).mean()
            recon = reconstruction_loss(module.decode(t), x, layout).mean() / X.shape[1]
            loss = fit + recon
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            total += float(loss.detach()) * len(index)
        curve.append(total / n)
    return np.asarray(curve)


def _fit_decoder(module, Z, X, layout, *, epochs, lr, generator, batch_size=128):
    """Train ``module.decode`` alone to map ``Z`` to ``X``; returns the per-epoch mean loss."""
    from ..losses import reconstruction_loss

    params = list(module.decoder.parameters())
    optimizer = torch.optim.Adam(params, lr=lr)
    was_training = module.training
    module.train()
    curve = []
    n = len(X)
    try:
        for _ in range(epochs):
            order = torch.randperm(n, generator=generator).to(X.device)
            total = 0.0
            for start in range(0, n, batch_size):
                index = order[start : start + batch_size]
                loss = reconstruction_loss(module.decode(Z[index]), X[index], layout).mean()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total += float(loss.detach()) * len(index)
            curve.append(total / n)
    finally:
        module.train(was_training)
    return np.asarray(curve)


@torch.no_grad()
def _rescale_code(module, mean, std):
    """Make the code ``std * h + mean`` where it was ``h``, decoder included.

    The encoder's last linear layer is scaled and shifted; the decoder's first
    one absorbs the inverse map, so reconstructions are unchanged.
    """
    linear = [m for m in module.encoder.modules() if isinstance(m, torch.nn.Linear)][-1]
    mean = torch.as_tensor(mean, dtype=linear.weight.dtype, device=linear.weight.device)
    linear.weight.mul_(std)
    linear.bias.mul_(std).add_(mean)
    first = [m for m in module.decoder.modules() if isinstance(m, torch.nn.Linear)][0]
    first.bias.sub_(first.weight @ mean / std)
    first.weight.div_(std)
