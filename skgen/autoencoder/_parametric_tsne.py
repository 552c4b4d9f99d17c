"""Parametric t-SNE: an encoder trained with t-SNE's loss on mini-batches, and a decoder."""

from __future__ import annotations

from numbers import Integral, Real

from ..losses import TSNECriterion
from ..utils._param_validation import Interval, StrOptions
from ._callbacks import StepSchedule
from ._neighbour_base import NeighbourEmbeddingAE
from ._neighbour_graphs import (
    nearest_neighbors,
    pca_init,
    perplexity_affinities,
    perplexity_conditionals,
    umap_layout,
)


class ParametricTSNE(NeighbourEmbeddingAE):
    r"""Parametric t-SNE: an encoder trained with t-SNE's loss, and a decoder.

    A neural network :math:`f` maps rows to ``n_components`` coordinates
    whose Student-t similarities match the perplexity-calibrated neighbour
    probabilities of the training rows (van der Maaten, 2009). It embeds new
    rows with a forward pass refined by a few vectorised steps against the
    fixed training layout (``transform``), and a decoder trained with it maps
    coordinates back to data space (``inverse_transform``).

    Training, all seeded by ``random_state``:

    1. the joint probabilities :math:`P` on the ``3 * perplexity`` nearest
       neighbours (a sparse matrix; exact kNN with scikit-learn up to 20,000
       rows, pynndescent above when installed);
    2. a non-parametric layout of :math:`P` (UMAP's SGD with the Cauchy
       kernel, :math:`a = b = 1`, repulsion ``repulsion_strength``, from a
       PCA initialisation, ``layout_epochs``)
       to which the encoder is fitted by regression (``pretrain_epochs``);
    3. ``max_epochs`` of the KL divergence on mini-batches: the batch's rows
       are the ends of ``batch_size`` edges drawn in proportion to
       :math:`p_{ij}`, the batch's block of :math:`P` is renormalised and
       :math:`Q` is normalised over the batch, with early exaggeration for
       the first ``exaggeration_epochs``.

    ``transform`` starts each new row at the median of its 5 nearest
    training rows' layout positions and moves it
    for ``transform_epochs`` steps of the layout's loss (Cauchy kernel)
    between it and its ``perplexity`` nearest training rows (weights: the
    conditional probabilities of perplexity ``perplexity / 3``), whose layout
    stays fixed; the decoder is finally fitted to ``transform``'s output on
    the training rows.

    Read more in the :doc:`neighbour embeddings page </neighbour_embeddings>`.

    Parameters
    ----------
    n_components : int, default=2
        Dimension of the embedding.
    perplexity : float, default=30.0
        Effective number of neighbours of the Gaussian kernels; reduced to a
        third of ``n_samples - 1`` on small data.
    dof : float, default=1.0
        Degrees of freedom :math:`\nu` of the Student-t kernel in the
        embedding (1 is t-SNE's Cauchy kernel; larger values give tighter,
        less separated clusters).
    early_exaggeration : float, default=12.0
        Factor :math:`\alpha` on the attraction during the first
        ``exaggeration_epochs``.
    exaggeration_epochs : int, default=0
        Epochs of early exaggeration at the start of stage 3 (0: none; the
        pre-training already provides the global arrangement that
        exaggeration is meant to find). Stopping ignores them.
    metric : {"euclidean", "manhattan", "chebyshev", "cosine", "correlation"}, \
            default="euclidean"
        Distance of the kNN graph.
    repulsion_strength : float, default=6.0
        Weight :math:`\gamma` of the repulsion (five negative samples per
        edge) in the layout of stage 2; ``transform``'s refinement uses
        :math:`\gamma / 4`. UMAP's optimiser with the Cauchy kernel at
        :math:`\gamma = 1` behaves like t-SNE with an exaggerated attraction
        (Böhm, Berens & Kobak, 2022); a stronger repulsion brings the layout
        closer to t-SNE's, with better-kept local neighbourhoods.
    reconstruction_weight : float, default=1.0
        Weight of the decoder's reconstruction loss (mean per feature) in
        stage 3 (see :class:`ParametricUMAP`).
    layout_epochs : int or "auto", default="auto"
        Epochs of the non-parametric layout of stage 2; ``"auto"`` is 500 up
        to 10,000 rows and 200 above; 0 skips stage 2 (and the pre-training).
    pretrain_epochs : int, default=50
        Epochs of regression of the encoder on the layout.
    transform_epochs : int or "auto", default="auto"
        Epochs of the refinement of ``transform``: each new row starts at the
        median of its 5 nearest training rows' positions (as openTSNE's
        ``transform``) and moves under the Cauchy-kernel UMAP loss of the
        stage-2 layout between it and its nearest training rows, whose embedding (``embedding_``) stays fixed,
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
    ParametricUMAP : The same idea with UMAP's loss.
    sklearn.manifold.TSNE : Non-parametric t-SNE (no ``transform``).

    Notes
    -----
    :math:`p_{j \mid i} \propto \exp(-\beta_i d_{ij}^2)` over the neighbours
    of :math:`i`, :math:`\beta_i` set by bisection so that its perplexity is
    ``perplexity``, and :math:`p_{ij} = (p_{j \mid i} + p_{i \mid j}) / 2n`.
    For a batch :math:`S`, with :math:`w_{kl} = (1 + \lVert f(x_k) - f(x_l)
    \rVert^2 / \nu)^{-(\nu + 1) / 2}`, the loss is

    .. math:: -\alpha \sum_{i, j \in S} \tilde p_{ij} \log w_{ij}
              + \log \sum_{k \ne l \in S} w_{kl} + \lambda\, \ell_\text{rec},

    :math:`\tilde p` being :math:`P`'s block on :math:`S` divided by its sum:
    for :math:`\alpha = 1` this is :math:`\mathrm{KL}(\tilde P \,\|\, Q_S)` up
    to a constant.

    References
    ----------
    .. [1] L. van der Maaten, "Learning a parametric embedding by preserving
       local structure", AISTATS 2009.
    .. [2] L. van der Maaten and G. Hinton, "Visualizing data using t-SNE",
       JMLR 9, 2008.
    .. [3] J. N. Böhm, P. Berens and D. Kobak, "Attraction-repulsion spectrum
       in neighbor embeddings", JMLR 23, 2022.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skgen import ParametricTSNE
    >>> X, _ = load_digits(return_X_y=True)
    >>> model = ParametricTSNE(max_epochs=2, pretrain_epochs=2, random_state=0)
    >>> model.fit_transform(X[:300]).shape
    (300, 2)
    """

    _parameter_constraints: dict = {
        **NeighbourEmbeddingAE._parameter_constraints,
        "perplexity": [Interval(Real, 0, None, closed="neither")],
        "dof": [Interval(Real, 0, None, closed="neither")],
        "early_exaggeration": [Interval(Real, 1, None, closed="left")],
        "exaggeration_epochs": [Interval(Integral, 0, None, closed="left")],
        "layout_epochs": [Interval(Integral, 0, None, closed="left"), StrOptions({"auto"})],
        "pretrain_epochs": [Interval(Integral, 0, None, closed="left")],
        "repulsion_strength": [Interval(Real, 0, None, closed="left")],
    }

    _edge_mode = "block"

    def __init__(
        self,
        n_components=2,
        *,
        perplexity=30.0,
        dof=1.0,
        early_exaggeration=12.0,
        exaggeration_epochs=0,
        metric="euclidean",
        repulsion_strength=6.0,
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
        self.perplexity = perplexity
        self.dof = dof
        self.early_exaggeration = early_exaggeration
        self.exaggeration_epochs = exaggeration_epochs
        self.metric = metric
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

    def _build_criterion(self):
        return TSNECriterion(
            self.layout_,
            dof=self.dof,
            reconstruction_weight=self.reconstruction_weight,
            exaggeration=self.early_exaggeration if self.exaggeration_epochs else 1.0,
        )

    def _schedule_callbacks(self):
        if not self.exaggeration_epochs:
            return []
        return [
            (
                "exaggeration",
                StepSchedule(
                    "criterion_", "exaggeration", self.early_exaggeration, 1.0,
                    self.exaggeration_epochs,
                ),
            )
        ]

    def _warmup_epochs(self):
        return self.exaggeration_epochs

    def _effective_perplexity(self, n_samples):
        """``perplexity``, reduced to a third of the neighbours available on small data."""
        k = min(n_samples - 1, int(3 * self.perplexity))
        return k, max(min(float(self.perplexity), k / 3.0), 1.0)

    def _build_graph(self, X):
        k, perplexity = self._effective_perplexity(len(X))
        indices, distances = nearest_neighbors(X, k, self.metric, 0)
        P, _ = perplexity_affinities(indices, distances, perplexity)
        return P

    def _initial_layout(self, data, rng):
        epochs = self.layout_epochs
        if epochs == "auto":
            epochs = 500 if len(data.X) <= 10_000 else 200
        if epochs == 0:
            return None
        X = self._data_space(data.X.cpu().numpy())
        init = pca_init(X, self.n_components, rng.randint(2**31 - 1))
        # UMAP's optimiser with a = b = 1: the Cauchy kernel of t-SNE (dof = 1)
        return umap_layout(
            data.graph, init, 1.0, 1.0, epochs, rng,
            repulsion_strength=self.repulsion_strength, device=data.X.device,
        )

    def _transform_neighbors(self):
        return max(2, int(self.perplexity))

    def _transform_weights(self, distances):
        k = distances.shape[1]
        perplexity = max(min(float(self.perplexity), k / 3.0), 1.0)
        # rows scaled to the mean total edge weight that the layout's SGD saw
        return perplexity_conditionals(distances, perplexity) * self._graph_row_weight

    def _refine_start(self, mapped_codes, neighbours):
        # coordinate-wise median of the 5 nearest training rows' layout
        # positions, as openTSNE's transform starts (held-out trust(10) on
        # MNIST-5000: 0.934 from the encoder's output, 0.941 from the median)
        return neighbours[:, :5].median(dim=1).values

    def _embedding_kernel(self):
        # a quarter of the layout's: the layout's SGD moves both ends of an
        # edge (twice the attraction per row that the refinement applies), and
        # a further half was better held out on digits, MNIST and breast cancer
        return 1.0, 1.0, 5, self.repulsion_strength / 4.0
