"""Parametric UMAP: an encoder trained with UMAP's loss, and a decoder."""

from __future__ import annotations

from numbers import Integral, Real

from ..losses import UMAPCriterion
from ..utils._param_validation import Interval, StrOptions
from ._neighbour_base import NeighbourEmbeddingAE
from ._neighbour_graphs import (
    find_ab_params,
    fuzzy_simplicial_set,
    nearest_neighbors,
    new_point_memberships,
    pca_init,
    umap_layout,
)


class ParametricUMAP(NeighbourEmbeddingAE):
    r"""Parametric UMAP: an encoder trained to preserve UMAP's neighbour graph, and a decoder.

    A neural network :math:`f` maps rows to ``n_components`` coordinates so
    that UMAP's fuzzy neighbour graph of the training rows is kept (Sainburg,
    McInnes & Gentner, 2021). It embeds new rows with a forward pass refined
    by a few vectorised steps of UMAP's loss against the fixed training
    layout (``transform``, over a hundred times faster than
    ``UMAP.transform``), and a decoder :math:`g` trained with it maps
    coordinates back to data space (``inverse_transform``; ``score`` is minus
    the reconstruction error).

    Training has three stages, all seeded by ``random_state``:

    1. the kNN graph (``n_neighbors``, ``metric``): exact with scikit-learn's
       ``NearestNeighbors`` up to 20,000 rows, approximate with pynndescent
       (NN-descent, as umap-learn) above when it is installed; then UMAP's
       smooth kNN distances and fuzzy union;
    2. a non-parametric UMAP layout of the training rows (UMAP's SGD with
       negative sampling from a PCA initialisation, vectorised in torch,
       ``layout_epochs``), to which the encoder is fitted by regression
       (``pretrain_epochs``; the decoder learns the inverse map at the same
       time);
    3. ``max_epochs`` of UMAP's cross-entropy on the encoder's outputs, on
       mini-batches of edges drawn in proportion to their weight, with every
       other row of the batch as a weighted negative sample, plus
       ``reconstruction_weight`` times the decoder's reconstruction loss.

    ``layout_epochs=0`` skips stage 2 and trains the encoder from its random
    initialisation with the UMAP loss alone (the original parametric UMAP;
    it needs many more epochs).

    ``transform`` then starts each new row at the encoder's output and moves
    it for ``transform_epochs`` steps of UMAP's transform-time SGD between
    it and its ``n_neighbors`` nearest training rows (found exactly in a
    32-dimensional PCA copy of the training rows kept at fit), whose layout
    stays fixed; finally the decoder is fitted for a few epochs to
    ``transform``'s output on the training rows, which is what
    ``inverse_transform`` receives.

    Read more in the :doc:`neighbour embeddings page </neighbour_embeddings>`.

    Parameters
    ----------
    n_components : int, default=2
        Dimension of the embedding.
    n_neighbors : int, default=15
        Size of the neighbourhoods, the row itself included (as in UMAP);
        reduced to ``n_samples`` on small data.
    min_dist : float, default=0.1
        Smallest distance between embedded points, relative to ``spread``;
        with ``spread`` it sets the curve :math:`1 / (1 + a d^{2b})`.
    spread : float, default=1.0
        Scale of the embedded points.
    metric : {"euclidean", "manhattan", "chebyshev", "cosine", "correlation"}, \
            default="euclidean"
        Distance of the kNN graph, in the units of ``X`` (or of the
        preprocessor's output).
    negative_sample_rate : int, default=5
        Negative samples per edge (their total weight in the loss).
    repulsion_strength : float, default=1.0
        Weight :math:`\gamma` of the repulsive term.
    reconstruction_weight : float, default=1.0
        Weight of the decoder's reconstruction loss (mean per feature) in
        stage 3. Its gradient also reaches the encoder; the decoder itself
        trains at full speed whatever the weight (Adam normalises each
        parameter's step), so a small weight keeps ``inverse_transform``
        working while leaving the embedding to the UMAP loss. 0 trains the
        decoder in stage 2 only.
    layout_epochs : int or "auto", default="auto"
        Epochs of the non-parametric layout of stage 2; ``"auto"`` is 500 up
        to 10,000 rows and 200 above (UMAP's choice); 0 skips stage 2.
    pretrain_epochs : int, default=50
        Epochs of regression of the encoder on the layout.
    transform_epochs : int or "auto", default="auto"
        Epochs of the refinement of ``transform``: each new row starts at the
        encoder's output and moves under the UMAP loss between it and its
        nearest training rows, whose embedding (``embedding_``) stays fixed,
        as ``UMAP.transform`` does, vectorised (milliseconds per thousand
        rows). ``"auto"`` is 50; 0 returns the encoder's output.
    hidden_layer_sizes : array-like of int, default=(256, 256)
        Widths of the encoder's hidden layers; the decoder mirrors them.
    activation : {"relu", "leaky_relu", "elu", "gelu", "selu", "tanh", "sigmoid", "identity"}, \
            default="relu"
        Activation of the hidden layers.
    output_activation : {"auto", "identity", "sigmoid"}, default="auto"
        Decoder output and reconstruction loss (see :class:`Autoencoder`).
    preprocessor : "auto", transformer or None, default="auto"
        Applied to ``X`` before the network (see :class:`Autoencoder`); the
        neighbour graph is built on its output.
    max_epochs : int, default=30
        Epochs of training with the neighbour-embedding loss after the
        pre-training; one epoch draws as many edges as there are rows.
    batch_size : int, default=512
        Edges per mini-batch.
    lr : float, default=1e-3
        Learning rate (the pre-training peaks at ``10 * lr``).
    optimizer : {"adam", "adamw", "rmsprop", "sgd", "lbfgs"} or callable, default="adam"
        Optimizer name or a ``torch.optim.Optimizer`` class.
    weight_decay : float, default=0.0
        L2 penalty passed to the optimizer.
    early_stopping : bool or "auto", default=False
        Hold out ``validation_fraction`` of the graph's edges and stop when
        their loss has not improved by ``tol`` for ``n_iter_no_change``
        epochs, restoring the best weights (``"auto"``: from 200 rows on).
    validation_fraction : float, default=0.1
        Share of the edges held out when ``early_stopping=True``.
    n_iter_no_change : int, default=10
        Patience, in epochs.
    tol : float, default=1e-4
        Minimum relative improvement of the monitored loss.
    device : str or torch.device, default="auto"
        ``"auto"`` trains on CUDA when available, else on the CPU (the layout
        and the batches are computed on the same device).
    random_state : int, RandomState instance or None, default=None
        Seeds the layout, weight initialisation and edge sampling. The kNN
        graph is exact (deterministic) up to 20,000 rows.
    verbose : int, default=0
        ``1`` shows a progress bar per epoch; ``2`` also skorch's table.
    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        Extra skorch callbacks of stage 3 (``LRScheduler``,
        ``GradientNormClipping``, ``Checkpoint``, your own), appended to
        skgen's. Each ``fit`` works on deep copies; the trained net's are in
        ``net_.callbacks_``.

    Attributes
    ----------
    embedding_ : ndarray of shape (n_samples, n_components)
        Embedding of the training rows that ``transform`` refines new rows
        against: the non-parametric layout of stage 2, in the encoder's
        coordinates (the encoder's outputs when ``layout_epochs=0``, and
        after ``partial_fit``, for the rows it was given).
        ``fit_transform(X)``, which is ``fit(X).transform(X)``, is close to it.
    pretrain_loss_curve_ : ndarray of shape (pretrain_epochs,) or None
        Loss of each pre-training epoch (regression on the layout plus the
        decoder's reconstruction), None without pre-training.
    decoder_loss_curve_ : ndarray of shape (10,)
        Loss of each epoch of the decoder's final fit to ``transform``'s
        output on the training rows (after stage 3 and after each
        ``partial_fit``).
    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_`` holds the encoder and decoder.
    history_ : skorch.History
        Per-epoch record: ``train_loss`` and its terms ``train_attraction``,
        ``train_repulsion``, ``train_reconstruction`` (and ``valid_*`` with
        early stopping).
    n_iter_ : int
        Number of epochs run (after the pre-training).
    loss_curve_ : ndarray of shape (n_iter_,)
        Training loss per epoch.
    validation_loss_curve_ : ndarray of shape (n_iter_,) or None
        Validation loss per epoch when ``early_stopping=True``, else None.
    layout_ : tuple of Block
        Output blocks of the decoder.
    preprocessor_ : transformer or None
        The fitted preprocessor, if one is used.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.

    See Also
    --------
    ParametricTSNE : The same idea with t-SNE's loss.
    DenoisingAE : An autoencoder whose code keeps what reconstructs the rows.

    Notes
    -----
    With :math:`q(d) = 1 / (1 + a d^{2b})` (``a``, ``b`` fitted to
    ``min_dist`` and ``spread`` by least squares, as umap-learn does), stage 3
    minimises over batches of :math:`B` edges :math:`(h_e, t_e)` drawn with
    probability proportional to their weight

    .. math:: \frac1B \sum_e \Big[-\log q(\lVert f(x_{h_e}) - f(x_{t_e}) \rVert)
              - \frac{\gamma M}{m - 1} \sum_{k \ne h_e} \log\big(1 - q(\lVert
              f(x_{h_e}) - f(x_k) \rVert)\big)\Big]
              + \lambda\, \ell_\text{rec},

    :math:`k` running over the :math:`m = 2B` rows of the batch and :math:`M`
    being ``negative_sample_rate``. The graph's weights are UMAP's
    :math:`w_{ij} = a_{ij} + a_{ji} - a_{ij} a_{ji}` with
    :math:`a_{ij} = \exp(-\max(0, d_{ij} - \rho_i) / \sigma_i)`.

    References
    ----------
    .. [1] T. Sainburg, L. McInnes and T. Q. Gentner, "Parametric UMAP
       embeddings for representation and semisupervised learning", Neural
       Computation 33(11), 2021.
    .. [2] L. McInnes, J. Healy and J. Melville, "UMAP: Uniform manifold
       approximation and projection for dimension reduction",
       arXiv:1802.03426, 2018.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skgen import ParametricUMAP
    >>> X, _ = load_digits(return_X_y=True)
    >>> model = ParametricUMAP(max_epochs=2, pretrain_epochs=2, random_state=0)
    >>> model.fit_transform(X[:300]).shape
    (300, 2)
    >>> model.inverse_transform(model.transform(X[:3])).shape
    (3, 64)
    
"""

    _parameter_constraints: dict = {
        **NeighbourEmbeddingAE._parameter_constraints,
        "n_neighbors": [Interval(Integral, 2, None, closed="left")],
        "min_dist": [Interval(Real, 0, None, closed="left")],
        "spread": [Interval(Real, 0, None, closed="neither")],
        "negative_sample_rate": [Interval(Integral, 1, None, closed="left")],
        "repulsion_strength": [Interval(Real, 0, None, closed="left")],
        "layout_epochs": [Interval(Integral, 0, None, closed="left"), StrOptions({"auto"})],
        "pretrain_epochs": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(
        self,
        n_components=2,
        *,
        n_neighbors=15,
        min_dist=0.1,
        spread=1.0,
        metric="euclidean",
        negative_sample_rate=5,
        repulsion_strength=1.0,
        reconstruction_weight=1.0,
        layout_epochs="auto",
        pretrain_epochs=50,
        transform_epochs="auto",
        hidden_layer_sizes=(256, 256),
        activation="relu",
        output_activation="auto",
        preprocessor="auto",
        max_epochs=30,
        batch_size=512,
        lr=1e-3,
        optimizer="adam",
        weight_decay=0.0,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        device="auto",
        random_state=None,
        verbose=0,
        callbacks=None,
    ):
        self.n_components = n_components
        self.n_neighbors = n_neighbors
        self.min_dist = min_dist
        self.spread = spread
        self.metric = metric
        self.negative_sample_rate = negative_sample_rate
        self.repulsion_strength = repulsion_strength
        self.reconstruction_weight = reconstruction_weight
        self.layout_epochs = layout_epochs
        self.pretrain_epochs = pretrain_epochs
        self.transform_epochs = transform_epochs
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.output_activation = output_activation
        self.preprocessor = preprocessor
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks

    def _ab(self):
        if self.min_dist > self.spread:
            raise ValueError(
                f"{type(self).__name__}: min_dist={self.min_dist} must be less than or equal "
                f"to spread={self.spread}."
            )
        return find_ab_params(self.spread, self.min_dist)

    def _build_criterion(self):
        a, b = self._ab()
        return UMAPCriterion(
            self.layout_,
            a,
            b,
            negative_sample_rate=self.negative_sample_rate,
            repulsion_strength=self.repulsion_strength,
            reconstruction_weight=self.reconstruction_weight,
        )

    def _build_graph(self, X):
        k = min(self.n_neighbors, len(X)) - 1
        seed = None if self.random_state is None else 0
        indices, distances = nearest_neighbors(X, k, self.metric, seed)
        return fuzzy_simplicial_set(indices, distances, k + 1)

    def _initial_layout(self, data, rng):
        epochs = self.layout_epochs
        if epochs == "auto":
            epochs = 500 if len(data.X) <= 10_000 else 200
        if epochs == 0:
            return None
        X = self._data_space(data.X.cpu().numpy())
        a, b = self._ab()
        init = pca_init(X, self.n_components, rng.randint(2**31 - 1))
        return umap_layout(
            data.graph, init, a, b, epochs, rng,
            negative_sample_rate=self.negative_sample_rate,
            repulsion_strength=self.repulsion_strength,
            device=data.X.device,
        )

    def _transform_neighbors(self):
        return self.n_neighbors

    def _transform_weights(self, distances):
        return new_point_memberships(distances, distances.shape[1])

    def _embedding_kernel(self):
        a, b = self._ab()
        return a, b, self.negative_sample_rate, self.repulsion_strength
