"""Variational autoencoders: BetaVAE and VAE (beta = 1)."""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from .._config import accumulation_dtype
from ..base import BaseAutoencoder, SamplerMixin
from ..exceptions import ConvergenceWarning, NonFiniteOutputError
from ..losses import VAECriterion, gaussian_kl, likelihood_nll
from ..nn import (
    MLP,
    ConditionalVAEModule,
    GaussianEncoder,
    VariationalAutoencoderModule,
    ppca_variational_maps,
)
from ..nn._lowrank import WIDE_BLOCK_RANK, BlockFactorizedLinear, factorize_output
from ..utils._param_validation import Interval, StrOptions
from ._callbacks import LinearSchedule, ObservationNoiseUpdate, with_warmup

def _numeric_columns(layout):
    """Indices of the numeric columns of a layout (an index array)."""
    parts = [np.arange(b.start, b.stop) for b in layout if b.kind == "numeric"]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=int)


#: One learned observation variance shared by all numeric columns (as in
#: probabilistic PCA) rather than one per column.
_ISOTROPIC_NOISE = False

#: Posterior-mean variance (over the training data) above which a latent
#: unit counts as active (Burda et al., 2016).
ACTIVE_UNIT_THRESHOLD = 0.01

#: ``sampling="aggregate"``: at most this many mixture components, one per
#: ``_ROWS_PER_COMPONENT`` training rows, fitted to the codes of at most ``_MIXTURE_ROWS`` rows.
_MAX_COMPONENTS, _ROWS_PER_COMPONENT, _MIXTURE_ROWS = 10, 50, 1500


def latent_mixture(codes, extra_variance, seed):
    """Gaussian mixture of latent codes, for ``sampling="aggregate"``.

    One full-covariance component per ``_ROWS_PER_COMPONENT`` codes, clipped to [1,
    ``_MAX_COMPONENTS``], seeded by ``seed``; ``extra_variance`` (a VAE's mean
    posterior variance, per latent unit; 0 for a deterministic encoder) is added
    to every component's covariance. sklearn's ConvergenceWarning (EM not
    converged, fewer distinct codes than components) is silenced. Returns arrays
    (weights, means, Cholesky factors of the covariances).
    """
    from sklearn.mixture import GaussianMixture

    n_mix = int(np.clip(len(codes) // _ROWS_PER_COMPONENT, 1, _MAX_COMPONENTS))
    mixture = GaussianMixture(n_mix, covariance_type="full", reg_covar=1e-4, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mixture.fit(codes)
    covariances = mixture.covariances_ + np.diag(np.broadcast_to(extra_variance, codes.shape[1]))
    return mixture.weights_, mixture.means_, np.linalg.cholesky(covariances)


class _CodeMoments:
    """Per group (category): row count, mean and variance of the codes, mean posterior variance.

    Accumulated batch by batch in float64 (float32 on mps, which lacks float64) from
    sums of deviations from a shift (the first batch's mean), which keeps the variance
    accurate; ``group=None`` puts every row in group 0.
    """

    def __init__(self, n_groups, n_components, device):
        def zeros(*shape):
            return torch.zeros(*shape, dtype=accumulation_dtype(device), device=device)

        self._count = zeros(n_groups)
        self._sum, self._squares, self._posterior = (zeros(n_groups, n_components) for _ in range(3))
        self._shift = None

    def add(self, group, mean, posterior_var):
        mean = mean.to(self._count.dtype)
        if self._shift is None and len(mean):
            self._shift = mean.mean(dim=0)
        if not len(mean):
            return
        deviation = mean - self._shift
        if group is None:
            self._count += len(mean)
            self._sum[0] += deviation.sum(dim=0)
            self._squares[0] += deviation.pow(2).sum(dim=0)
            return
        self._count.index_add_(0, group, torch.ones_like(group, dtype=self._count.dtype))
        self._sum.index_add_(0, group, deviation)
        self._squares.index_add_(0, group, deviation.pow(2))
        self._posterior.index_add_(0, group, posterior_var.to(self._count.dtype))

    def count(self):
        return self._count.cpu().numpy()

    def _per_row(self, total):
        return (total / self._count.clamp(min=1)[:, None]).cpu().numpy()

    def mean(self):
        shift = 0.0 if self._shift is None else self._shift.cpu().numpy()
        return self._per_row(self._sum) + shift

    def variance(self):
        centred = self._per_row(self._sum)
        return np.maximum(self._per_row(self._squares) - centred**2, 0.0)

    def mean_posterior_variance(self):
        return self._per_row(self._posterior)


class LatentMixtureMixin:
    """Latent draws for ``sample``: from the prior, or from ``_latent_mixture``.

    ``_latent_mixture`` is None (the prior :math:`N(0, I)`) or the arrays of
    :func:`latent_mixture`, fitted after training (``sampling="aggregate"``).
    """

    def _draw_latent(self, n_samples, generator):
        """``n_samples`` latent codes (CPU float32): from the prior, or the latent mixture."""
        z = torch.randn(n_samples, self.n_components, generator=generator)
        mixture = self._latent_mixture_tensors()
        if mixture is not None:
            weights, means, chol = mixture
            component = torch.multinomial(weights, n_samples, replacement=True, generator=generator)
            # One component at a time (at most 10): no (n, k, k) gather of the factors.
            for c in range(len(weights)):
                rows = component == c
                z[rows] = means[c] + z[rows] @ chol[c].T
        return z

    def _latent_mixture_tensors(self):
        """``_latent_mixture`` as float32 CPU tensors (weights, means, Cholesky factors), or None.

        Converted on first use and cached with the arrays they came from, so a refit
        mixture is converted again; the cache is not pickled (see ``__getstate__``).
        """
        arrays = getattr(self, "_latent_mixture", None)
        if arrays is None:
            return None
        cached = self.__dict__.get("_latent_mixture_cache")
        if cached is None or cached[0] is not arrays:
            cached = (arrays, tuple(torch.from_numpy(np.asarray(a)).float() for a in arrays))
            self._latent_mixture_cache = cached
        return cached[1]


class BetaVAE(LatentMixtureMixin, SamplerMixin, BaseAutoencoder):
    r"""β-variational autoencoder: a probabilistic encoder, decoder and prior.

    The encoder maps a row :math:`x` to a Gaussian posterior
    :math:`q(z \mid x) = N(\mu(x), \mathrm{diag}\,\sigma^2(x))` over a latent
    code, the decoder maps a code to a likelihood :math:`p(x \mid z)`, and
    the prior is :math:`p(z) = N(0, I)`. Training maximises the evidence
    lower bound with the KL term weighted by :math:`\beta`: :math:`\beta > 1`
    favours disentangled, smoother codes at the cost of reconstruction,
    :math:`\beta < 1` sharper reconstructions. Use :class:`VAE` for
    :math:`\beta = 1`.

    * ``transform`` returns the posterior mean :math:`\mu(x)`;
    * ``sample`` decodes latent draws, from the prior or from an estimate of
      the aggregate posterior (``sampling``), and draws from
      :math:`p(x \mid z)` (a generative model);
    * ``score_samples`` is a per-sample ELBO, so it is a log-likelihood
      bound usable as an anomaly score, and ``score`` (its mean) works in
      ``GridSearchCV`` without a scorer.

    Read more in the :doc:`autoencoders page </autoencoders>`.

    Parameters
    ----------
    n_components : int, default=16
        Dimension of the latent code.
    beta : float, default=1.0
        Weight :math:`\beta` of the KL term.
    kl_warmup : int or "auto", default="auto"
        Number of epochs over which the KL weight grows linearly from 0 to
        ``beta`` (KL annealing, which keeps the posterior from collapsing
        onto the prior before the decoder has learned anything). 0 disables
        it. Stopping criteria ignore these epochs. ``"auto"``: 0 with
        ``init="pca"`` (training starts at probabilistic PCA, whose posterior
        does not collapse), 30 with ``init="random"``.
    sampling : {"auto", "prior", "aggregate"}, default="auto"
        Where ``sample`` draws latent codes: ``"prior"`` from :math:`N(0, I)`;
        ``"aggregate"`` from a Gaussian mixture fitted after training to the
        aggregate posterior :math:`q(z) = \frac1n \sum_i q(z \mid x_i)`, the
        region of the latent space the decoder was trained on (see Notes);
        ``"auto"``: ``"aggregate"``, for tables and arrays alike (on
        standardised numeric tables its samples are closer to held-out rows
        than prior draws, see ``docs/benchmarks_vs_pca.md``). Resolved in ``fit``: setting it
        afterwards takes effect at the next ``fit``.
    hidden_layer_sizes : array-like of int, default=(128, 64)
        Widths of the encoder's hidden layers; the decoder mirrors them.
    activation : {"relu", "leaky_relu", "elu", "gelu", "selu", "tanh", "sigmoid", "identity"}, \
            default="relu"
        Activation of the hidden layers.
    output_activation : {"auto", "identity", "sigmoid"}, default="auto"
        Likelihood of plain numeric data: ``"identity"`` is Gaussian,
        ``"sigmoid"`` Bernoulli (for data in [0, 1], e.g. pixel
        intensities), ``"auto"`` Bernoulli when all training values are in
        [0, 1] and Gaussian otherwise. Mixed-type data (through a
        preprocessor) use a Gaussian per numeric block and a categorical
        likelihood per one-hot group.
    init : {"pca", "random"}, default="pca"
        ``"pca"`` starts at probabilistic PCA's maximum-likelihood fit (a
        linear decoder :math:`W z + m`, the exact Gaussian posterior as encoder,
        PPCA's noise variance per feature) and learns a nonlinear correction
        whose last layers start at zero (see :mod:`skgen.nn._residual`).
        ``"random"``: the usual random initialisation of every layer.
    preprocessor : "auto", transformer or None, default="auto"
        Applied to ``X`` before the network (see :class:`Autoencoder`).
    max_epochs : int, default=200
        Maximum number of passes over the training data.
    batch_size : int or "auto", default="auto"
        Mini-batch size; ``"auto"`` uses ``n_samples // 10`` clipped to [32, 128].
    lr : float, default=1e-3
        Learning rate.
    optimizer : {"adam", "adamw", "rmsprop", "sgd", "lbfgs"} or callable, default="adam"
        Optimizer name or a ``torch.optim.Optimizer`` class.
    weight_decay : float, default=0.0
        L2 penalty passed to the optimizer.
    early_stopping : bool or "auto", default="auto"
        Hold out ``validation_fraction`` of the data and stop when the
        validation loss has not improved by ``tol`` (scaled, see ``tol``) for
        ``n_iter_no_change`` epochs, restoring the best weights. When False,
        training stops on the same criterion applied to the training loss.
        ``"auto"``: True from 200 training rows on.
    validation_fraction : float, default=0.1
        Share of the training data held out when ``early_stopping=True``.
    n_iter_no_change : int, default=50
        Patience, in epochs. Longer than the other autoencoders': a VAE can sit on a
        collapsed plateau (the decoder explaining the data as noise) for tens of
        epochs before the reconstruction term takes over.
    tol : float, default=1e-4
        Minimum improvement of the monitored loss, relative for losses above
        1 in magnitude and absolute below: an epoch counts when
        ``loss < best - tol * max(1, |best|)``.
    device : str or torch.device, default="auto"
        ``"auto"`` trains on CUDA when available, else on the CPU.
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, shuffling, splits, the reparameterisation
        noise and, through the estimator's own stream, ``sample``.
    verbose : int, default=0
        ``1`` shows a progress bar per epoch; ``2`` also skorch's table.
    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        Extra skorch callbacks (``LRScheduler``, ``GradientNormClipping``,
        ``Checkpoint``, ``EarlyStopping``, ``ProgressBar``, your own), appended
        to skgen's. Each ``fit`` works on deep copies; the trained net's are in
        ``net_.callbacks_``.

    Attributes
    ----------
    active_units_ : ndarray of int
        Indices of the active latent units: those whose posterior mean
        varies across the training data (variance above 0.01). Inactive
        units have collapsed onto the prior and carry no information.
    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_`` is the
        :class:`~skgen.nn.VariationalAutoencoderModule`.
    history_ : skorch.History
        Per-epoch record: ``train_loss`` (the negative ELBO, with the
        annealed KL weight), ``train_reconstruction``, ``train_kl``
        (weighted) and ``valid_*`` with early stopping.
    n_iter_ : int
        Number of epochs run.
    loss_curve_ : ndarray of shape (n_iter_,)
        Training loss per epoch.
    validation_loss_curve_ : ndarray of shape (n_iter_,) or None
        Validation loss per epoch when ``early_stopping=True``, else None.
    layout_ : tuple of Block
        Output blocks of the decoder and their likelihoods.
    preprocessor_ : transformer or None
        The fitted preprocessor, if one is used.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.

    See Also
    --------
    VAE : The same model with :math:`\beta = 1`.
    WAE : A deterministic encoder whose codes are matched to the prior.
    sklearn.decomposition.FactorAnalysis : The linear-Gaussian special case.

    Notes
    -----
    Training minimises the batch mean of the negative ELBO

    .. math:: \mathcal{L}(x) = -\mathbb{E}_{q(z \mid x)} \log p(x \mid z)
              + \gamma_t \beta\, \mathrm{KL}(q(z \mid x) \,\|\, N(0, I)),

    with one reparameterised draw :math:`z = \mu + \sigma \odot \epsilon`
    per row, the closed-form KL
    :math:`\tfrac12 \sum_j (\mu_j^2 + \sigma_j^2 - \log \sigma_j^2 - 1)`,
    and :math:`\gamma_t` rising from 0 to 1 over ``kl_warmup`` epochs.
    Numeric data are modelled in the normalised space of
    :class:`Autoencoder` by :math:`N(g(z), \mathrm{diag}(s_1^2, \dots, s_d^2))`
    with one variance per column, not a parameter of the optimizer: after
    every epoch it is set in closed form (an M-step) to its
    maximum-likelihood value for the current decoder, the mean squared
    residual of the column over the epoch's training batches (a per-column
    "calibrated decoder", [4]_), floored at 5 % of its mean over the columns
    (``NOISE_FLOOR`` in :mod:`skgen.autoencoder._callbacks`):

    .. math:: \hat s_j^2 = \frac{1}{n} \sum_{i} \bigl(x_{ij} - g_j(z_i)\bigr)^2,
              \quad z_i \sim q(z \mid x_i), \qquad
              s_j^2 = \max\Bigl(\hat s_j^2,\ 0.05 \cdot \tfrac1d \textstyle\sum_l \hat s_l^2\Bigr),

    the sum running over the :math:`n` rows of the epoch's training batches
    (with the draws :math:`z_i` those batches used). The balance between the
    two terms then does not depend on the scale of the data, which a fixed
    unit variance would get wrong, and the variances are at their optimum
    from the first epochs on (a log-variance learned by gradient steps moves
    by about ``lr`` per step, and its slow drift kept the validation loss
    improving long after the decoder had converged). Binary data use a Bernoulli and one-hot groups
    a categorical likelihood.

    ``score_samples`` evaluates, without sampling, the ELBO at the
    posterior mean: :math:`\log p(x \mid \mu(x)) - \mathrm{KL}(q(z \mid x)
    \,\|\, p(z))`, with the variances :math:`s_j^2` of the last M-step (of
    the epoch whose weights are kept); for plain
    numeric data it is in the units of ``X`` (the log-determinant of the
    normalisation is included), so it is comparable across models fitted
    on the same data. It is a deterministic, slightly optimistic stand-in
    for the expected ELBO. The floor bounds the weight
    :math:`1 / s_j^2` of a column that is (almost) constant in training (a
    border pixel): without it, a held-out row that moves such a column
    would get a score far too low; with it, the score is not the exact
    maximum-likelihood ELBO on those columns.

    ``sample`` decodes latent draws :math:`z` and draws from
    :math:`p(x \mid z)`: numeric columns get Gaussian noise (standard
    deviation :math:`s_j` for plain numeric data; on tables, each encoded
    column's residual standard deviation when reconstructed from the
    posterior mean), binary columns are their probabilities and each
    categorical column is drawn from its softmax. With
    ``sampling="prior"``, :math:`z \sim N(0, I)`. With ``"aggregate"``,
    :math:`z` is drawn from a Gaussian mixture fitted after training to the
    posterior means of at most 1,500 training rows (evenly spaced; one
    component per 50 of those rows, between 1 and 10), each component's
    covariance widened by the mean posterior variance
    :math:`\overline{\sigma^2}` of those rows: an estimate of the aggregate posterior
    :math:`q(z) = \frac1n \sum_i q(z \mid x_i)` (ex-post density estimation,
    [5]_). The KL term pulls :math:`q(z)` towards
    the prior but never onto it, and prior draws in the gaps between the
    clusters of training codes decode to rows that mix those clusters: on
    tables, a categorical column and the numbers that determine it come
    apart (see ``docs/benchmarks_tabular.md``).

    References
    ----------
    .. [1] D. P. Kingma and M. Welling, "Auto-encoding variational Bayes",
       ICLR 2014.
    .. [2] I. Higgins et al., "β-VAE: learning basic visual concepts with a
       constrained variational framework", ICLR 2017.
    .. [3] S. R. Bowman et al., "Generating sentences from a continuous
       space", CoNLL 2016 (KL annealing).
    .. [4] O. Rybkin, K. Daniilidis and S. Levine, "Simple and effective VAE
       training with calibrated decoders", ICML 2021.
    .. [5] P. Ghosh, M. S. M. Sajjadi, A. Vergari, M. Black and B. Schölkopf,
       "From variational to deterministic autoencoders", ICLR 2020.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skgen import BetaVAE
    >>> X, _ = load_digits(return_X_y=True)
    >>> vae = BetaVAE(n_components=4, beta=4.0, max_epochs=2, random_state=0).fit(X)
    >>> vae.transform(X[:3]).shape
    (3, 4)
    >>> vae.sample(5, random_state=0).shape
    (5, 64)
    >>> vae.score_samples(X[:3]).shape
    (3,)
    """

    _parameter_constraints: dict = {
        **BaseAutoencoder._parameter_constraints,
        "beta": [Interval(Real, 0, None, closed="left")],
        "kl_warmup": [Interval(Integral, 0, None, closed="left"), StrOptions({"auto"})],
        "sampling": [StrOptions({"auto", "prior", "aggregate"})],
    }

    def __init__(
        self,
        n_components=16,
        *,
        beta=1.0,
        kl_warmup="auto",
        sampling="auto",
        hidden_layer_sizes=(128, 64),
        activation="relu",
        output_activation="auto",
        init="pca",
        preprocessor="auto",
        max_epochs=200,
        batch_size="auto",
        lr=1e-3,
        optimizer="adam",
        weight_decay=0.0,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change=50,
        tol=1e-4,
        device="auto",
        random_state=None,
        verbose=0,
        callbacks=None,
    ):
        self.n_components = n_components
        self.beta = beta
        self.kl_warmup = kl_warmup
        self.sampling = sampling
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.output_activation = output_activation
        self.init = init
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

    # ------------------------------------------------------------------ hooks
    def _build_module(self, X):
        n_features, k = X.shape[1], self.n_components
        hidden = self._hidden_layer_sizes()
        conditioner = self._conditioner
        c = conditioner.width if conditioner else 0
        encoder_net = MLP(n_features + c, hidden, 2 * k, self.activation)
        decoder = MLP(k + c, hidden[::-1], n_features, self.activation)
        if len(hidden):  # wide categorical blocks get a low-rank head (see skgen.nn._lowrank)
            if getattr(self, "_restoring_net", False):
                # a loaded model rebuilds the head it was fitted with (a full Linear for
                # pickles from before the factorised head: see __setstate__)
                blocks = self._factorized_blocks
                if blocks:
                    head = decoder[-1]
                    decoder[-1] = BlockFactorizedLinear(
                        head.in_features, head.out_features, blocks, WIDE_BLOCK_RANK
                    )
            else:
                decoder[-1] = factorize_output(decoder[-1], self.layout_)
                head = decoder[-1]
                self._factorized_blocks = (
                    tuple(tuple(int(i) for i in b) for b in head.blocks)
                    if isinstance(head, BlockFactorizedLinear)
                    else ()
                )
        if self.init == "pca":
            encoder_net, decoder, noise = ppca_variational_maps(X, k, encoder_net, decoder, c)
        else:
            noise = float(X.var(axis=0).mean()) if len(X) > 1 else 1.0
        log_noise_var = np.full(n_features, np.log(max(noise, 1e-12)))
        shared = _ISOTROPIC_NOISE
        encoder = GaussianEncoder(encoder_net, k)
        if conditioner:
            module = ConditionalVAEModule(
                encoder, decoder, conditioner, log_noise_var=log_noise_var, shared_noise=shared
            )
        else:
            module = VariationalAutoencoderModule(
                encoder, decoder, log_noise_var=log_noise_var, shared_noise=shared
            )
        # The observation noise is set in closed form after every epoch
        # (ObservationNoiseUpdate), not by the optimizer.
        module.log_noise_var.requires_grad_(False)
        return module

    def _build_criterion(self):
        return VAECriterion(self.layout_, beta=self.beta)

    def _extra_callbacks(self):
        callbacks = [("observation_noise", ObservationNoiseUpdate())]
        warmup = self._kl_warmup()
        if warmup:
            callbacks.append(("kl_warmup", LinearSchedule("criterion_", "kl_scale", 0.0, 1.0, warmup)))
        return callbacks

    def _kl_warmup(self):
        if self.kl_warmup == "auto":
            return 0 if self.init == "pca" else 30
        return int(self.kl_warmup)

    def _stopping_callbacks(self):
        return with_warmup(super()._stopping_callbacks(), self._kl_warmup())

    def _after_training(self, Xn):
        self._fit_posterior_statistics(Xn)

    def _fit_posterior_statistics(self, Xn):
        """Likelihood variance, active units and per-category code statistics.

        One pass over the training data (network space) in batches; every sum is
        accumulated in float64 (float32 on mps) on the device, so nothing of the size of the data
        (codes, residuals, posterior variances) is kept.
        """
        module = self.net_.module_
        device = self.net_.device
        k = self.n_components
        columns = list(self._conditioner.columns.items()) if self._conditioner else []
        sq_sum = torch.zeros(Xn.shape[1], dtype=accumulation_dtype(device), device=device)
        overall = _CodeMoments(1, k, device)
        per_column = [_CodeMoments(len(categories), k, device) for _, (_, categories, _) in columns]

        def accumulate(x):
            mean, logvar = module.encode_stats(x)
            sq_sum.add_((module.decode(mean) - x).pow(2).sum(dim=0, dtype=sq_sum.dtype))
            overall.add(None, mean, None)
            for moments, (_, (_, categories, block)) in zip(per_column, columns):
                # the row's category (argmax of its one-hot block); a missing-value level,
                # beyond the categories, is left out
                code = x[:, block.slice].argmax(dim=1)
                kept = code < len(categories)
                moments.add(code[kept], mean[kept], torch.exp(logvar[kept]))

        self._run_batches(accumulate, Xn)
        self._log_noise_var = module.observation_log_var().detach().cpu().double()
        # Per-column observation noise of tabular samples: the residual standard
        # deviation of each column's reconstruction (one shared variance for the
        # training loss would add the same noise to tight and loose columns).
        self._sample_noise_std = np.sqrt(sq_sum.cpu().numpy() / max(len(Xn), 1)).astype(np.float32)
        variance = overall.variance()[0] if len(Xn) > 1 else np.zeros(k)
        self.active_units_ = np.flatnonzero(variance > ACTIVE_UNIT_THRESHOLD)
        self._fit_category_posteriors(columns, per_column)
        self._latent_mixture = self._fit_latent_mixture(Xn) if self._sampling() == "aggregate" else None

    def _sampling(self):
        return "aggregate" if self.sampling == "auto" else self.sampling

    def _fit_latent_mixture(self, Xn):
        """Gaussian mixture over the aggregate posterior (``sampling="aggregate"``).

        Fitted to the posterior means of at most ``_MIXTURE_ROWS`` training rows: every
        ``ceil(n / _MIXTURE_ROWS)``-th row (a strided view: no copy of the data). It has
        one component per ``_ROWS_PER_COMPONENT`` of those rows, clipped to [1,
        ``_MAX_COMPONENTS``], and each component's covariance gets the rows' mean
        posterior variance added. Seeded by ``_statistics_seed`` (drawn in ``fit``), so
        refitting it does not move the sampling stream; sklearn's ConvergenceWarning
        (EM not converged, fewer distinct codes than components) is silenced. Returned
        as arrays (weights, means, Cholesky factors of the covariances).

        Raises
        ------
        NonFiniteOutputError
            When a code is not finite (the training diverged).
        """
        module = self.net_.module_
        rows = Xn[:: -(-len(Xn) // _MIXTURE_ROWS)]
        k = self.n_components
        means = np.empty((len(rows), k))
        posterior_var = np.zeros(k)
        filled = 0

        def accumulate(x):
            nonlocal filled
            mean, logvar = module.encode_stats(x)
            means[filled : filled + len(x)] = mean.cpu().numpy()
            posterior_var[:] += torch.exp(logvar).sum(dim=0, dtype=accumulation_dtype(x.device)).cpu().numpy()
            filled += len(x)

        self._run_batches(accumulate, rows)
        posterior_var /= max(len(rows), 1)
        if not (np.isfinite(means).all() and np.isfinite(posterior_var).all()):
            raise NonFiniteOutputError(
                f"{type(self).__name__}: the latent codes of the training data are not "
                "finite (the training diverged), so sampling='aggregate' cannot fit their "
                "distribution. Lower lr or rescale X and fit again."
            )
        return latent_mixture(means, posterior_var, getattr(self, "_statistics_seed", 0))

    # ------------------------------------------------------------ persistence
    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_latent_mixture_cache", None)  # rebuilt from _latent_mixture on use
        return state

    def __setstate__(self, state):
        state = dict(state)
        # Pickles from before ``sampling`` existed: its default, so that get_params,
        # clone and repr work. (They have no ``_latent_mixture``: they sample the prior.)
        state.setdefault("sampling", "auto")
        state.pop("_latent_mixture_cache", None)
        # Pickles from before the factorised wide-column head: a full last Linear.
        state.setdefault("_factorized_blocks", ())
        super().__setstate__(state)

    def _restore_net(self, saved_net):
        self._restoring_net = True  # _build_module rebuilds the saved head
        try:
            super()._restore_net(saved_net)
        finally:
            del self._restoring_net

    def _fit_category_posteriors(self, columns, per_column):
        """Per (column, category): a diagonal Gaussian of the codes of its training rows.

        ``sample(conditions=...)`` draws the code from it (the aggregate posterior of
        the rows with that category) rather than from the prior: the code of a row
        carries its category, so a prior draw would fight the condition.
        """
        self._category_posteriors = {}
        k = self.n_components
        for moments, (column, _) in zip(per_column, columns):
            count, means, spread = moments.count(), moments.mean(), moments.variance()
            posterior_var = moments.mean_posterior_variance()
            stats = []
            for code in range(len(count)):
                if count[code] == 0:
                    stats.append((np.zeros(k), np.ones(k)))
                    continue
                var = posterior_var[code] + (spread[code] if count[code] > 1 else 0)
                stats.append((means[code], np.maximum(var, 1e-6)))
            self._category_posteriors[column] = stats

    def _generate(self, n_samples, y, generator):
        z = self._draw_latent(n_samples, generator)
        raw = self.net_.module_.decode(z.to(self.net_.device)).cpu()
        if self.preprocessor_ is None:
            # A draw from p(x | z): the decoder mean plus the learned observation
            # noise on numeric blocks (binary blocks keep their probabilities).
            std = torch.exp(0.5 * self._log_noise_var).float()
            noise = torch.randn(raw.shape, generator=generator) * std
            for block in self.layout_:
                if block.kind == "numeric":
                    raw[:, block.slice] += noise[:, block.slice]
        return raw

    def _numeric_noise_std(self):
        return torch.from_numpy(self._sample_noise_std)

    def _generate_conditional(self, n_samples, y, generator, condition):
        # Product of the per-condition Gaussians over the prior (a product of experts):
        # with one condition it is exactly that category's aggregate posterior.
        cond = condition.cpu().numpy()
        precision = np.ones((n_samples, self.n_components))
        weighted_mean = np.zeros((n_samples, self.n_components))
        for column, (offset, categories, _) in self._conditioner.columns.items():
            part = cond[:, offset : offset + len(categories)]
            present = part.sum(axis=1) > 0
            if not present.any():
                continue
            stats = self._category_posteriors[column]
            mean = np.stack([m for m, _ in stats])[part.argmax(axis=1)]
            var = np.stack([v for _, v in stats])[part.argmax(axis=1)]
            precision[present] += 1.0 / var[present] - 1.0
            weighted_mean[present] += mean[present] / var[present]
        precision = np.maximum(precision, 1e-3)
        noise = torch.randn(n_samples, self.n_components, generator=generator).double().numpy()
        z = weighted_mean / precision + noise / np.sqrt(precision)
        z = torch.as_tensor(z, dtype=torch.float32, device=self.net_.device)
        return self.net_.module_.decode(z, condition)

    # ---------------------------------------------------------------- scoring
    def score_samples(self, X):
        """Evidence lower bound (ELBO) of each sample, at the posterior mean.

        :math:`\\log p(x \\mid z = \\mu(x)) - \\mathrm{KL}(q(z \\mid x) \\,\\|\\, p(z))`
        (see the Notes of the class): a lower bound on :math:`\\log p(x)` up
        to the use of the posterior mean. For plain numeric data it is a
        log-density in the units of ``X``; with a preprocessor, in its
        encoded space.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Data in the format seen in ``fit``.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Higher is more typical of the training data.
        """
        check_is_fitted(self)
        Xn, _ = self._validate_input(X, reset=False)
        module = self.net_.module_
        layout = self.layout_
        log_var = self._log_noise_var[_numeric_columns(layout)]

        k = self.n_components

        def outputs(x):
            mean, logvar = module.encode_stats(x)
            return torch.cat([mean, logvar, module.decode(mean)], dim=1)

        # Network outputs in float32, the sums in float64 (so that scores do
        # not depend on the batch they were computed in).
        out = torch.from_numpy(self._run_batches(outputs, Xn)).double()
        mean, logvar, raw = out[:, :k], out[:, k : 2 * k], out[:, 2 * k :]
        nll = likelihood_nll(raw, torch.from_numpy(Xn).double(), layout, log_var)
        scores = -(nll + gaussian_kl(mean, logvar)).numpy()
        if self.preprocessor_ is None:
            numeric = [b for b in layout if b.kind == "numeric"]
            log_det = sum(np.log(self._input_scale[b.slice]).sum() for b in numeric)
            scores -= log_det
        return scores

    def score(self, X, y=None):
        """Mean ELBO of the samples (see :meth:`score_samples`); higher is better.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Data in the format seen in ``fit``.
        y : None
            Ignored.

        Returns
        -------
        score : float
            The mean of :meth:`score_samples`.
        """
        return float(np.mean(self.score_samples(X)))


class VAE(BetaVAE):
    r"""Variational autoencoder: :class:`BetaVAE` with :math:`\beta = 1`.

    The encoder gives a Gaussian posterior :math:`q(z \mid x)`, the decoder a
    likelihood :math:`p(x \mid z)` and the prior is :math:`N(0, I)`; training
    maximises the evidence lower bound (ELBO) on :math:`\log p(x)`.
    ``transform`` returns the posterior mean, ``sample`` decodes latent draws
    (see ``sampling``) and ``score_samples`` is the per-sample ELBO (an anomaly score).

    Read more in the :doc:`autoencoders page </autoencoders>`.

    Parameters
    ----------
    n_components : int, default=16
        Dimension of the latent code.
    kl_warmup : int, default=30
        Number of epochs over which the KL weight grows linearly from 0 to
        1 (KL annealing); 0 disables it. Stopping criteria ignore these
        epochs.
    sampling : {"auto", "prior", "aggregate"}, default="auto"
        Where ``sample`` draws latent codes: the prior, or a Gaussian mixture
        fitted to the aggregate posterior of the training data; ``"auto"`` is
        ``"aggregate"``. Resolved in ``fit`` (see :class:`BetaVAE`).
    hidden_layer_sizes : array-like of int, default=(128, 64)
        Widths of the encoder's hidden layers; the decoder mirrors them.
    activation : {"relu", "leaky_relu", "elu", "gelu", "selu", "tanh", "sigmoid", "identity"}, \
            default="relu"
        Activation of the hidden layers.
    output_activation : {"auto", "identity", "sigmoid"}, default="auto"
        Likelihood of plain numeric data: Gaussian (``"identity"``),
        Bernoulli (``"sigmoid"``, data in [0, 1]) or chosen by the data's
        range (``"auto"``); see :class:`BetaVAE`.
    init : {"pca", "random"}, default="pca"
        ``"pca"`` starts at probabilistic PCA's maximum-likelihood fit (a
        linear decoder :math:`W z + m`, the exact Gaussian posterior as encoder,
        PPCA's noise variance per feature) and learns a nonlinear correction
        whose last layers start at zero (see :mod:`skgen.nn._residual`).
        ``"random"``: the usual random initialisation of every layer.
    preprocessor : "auto", transformer or None, default="auto"
        Applied to ``X`` before the network (see :class:`Autoencoder`).
    max_epochs : int, default=200
        Maximum number of passes over the training data.
    batch_size : int or "auto", default="auto"
        Mini-batch size; ``"auto"`` uses ``n_samples // 10`` clipped to [32, 128].
    lr : float, default=1e-3
        Learning rate.
    optimizer : {"adam", "adamw", "rmsprop", "sgd", "lbfgs"} or callable, default="adam"
        Optimizer name or a ``torch.optim.Optimizer`` class.
    weight_decay : float, default=0.0
        L2 penalty passed to the optimizer.
    early_stopping : bool or "auto", default="auto"
        Hold out ``validation_fraction`` of the data and stop when the
        validation loss has not improved by ``tol`` (scaled, see ``tol``) for
        ``n_iter_no_change`` epochs, restoring the best weights. When False,
        training stops on the same criterion applied to the training loss.
        ``"auto"``: True from 200 training rows on.
    validation_fraction : float, default=0.1
        Share of the training data held out when ``early_stopping=True``.
    n_iter_no_change : int, default=50
        Patience, in epochs. Longer than the other autoencoders': a VAE can sit on a
        collapsed plateau (the decoder explaining the data as noise) for tens of
        epochs before the reconstruction term takes over.
    tol : float, default=1e-4
        Minimum improvement of the monitored loss, relative for losses above
        1 in magnitude and absolute below: an epoch counts when
        ``loss < best - tol * max(1, |best|)``.
    device : str or torch.device, default="auto"
        ``"auto"`` trains on CUDA when available, else on the CPU.
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, shuffling, splits, the reparameterisation
        noise and, through the estimator's own stream, ``sample``.
    verbose : int, default=0
        ``1`` shows a progress bar per epoch; ``2`` also skorch's table.
    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        Extra skorch callbacks (``LRScheduler``, ``GradientNormClipping``,
        ``Checkpoint``, ``EarlyStopping``, ``ProgressBar``, your own), appended
        to skgen's. Each ``fit`` works on deep copies; the trained net's are in
        ``net_.callbacks_``.

    Attributes
    ----------
    active_units_ : ndarray of int
        Indices of the latent units whose posterior mean varies across the
        training data (variance above 0.01).
    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_`` is the
        :class:`~skgen.nn.VariationalAutoencoderModule`.
    history_ : skorch.History
        Per-epoch record: ``train_loss`` (negative ELBO),
        ``train_reconstruction``, ``train_kl`` and ``valid_*`` with early
        stopping.
    n_iter_ : int
        Number of epochs run.
    loss_curve_ : ndarray of shape (n_iter_,)
        Training loss per epoch.
    validation_loss_curve_ : ndarray of shape (n_iter_,) or None
        Validation loss per epoch when ``early_stopping=True``, else None.
    layout_ : tuple of Block
        Output blocks of the decoder and their likelihoods.
    preprocessor_ : transformer or None
        The fitted preprocessor, if one is used.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.

    See Also
    --------
    BetaVAE : The same model with a weighted KL term.
    WAE : A deterministic encoder whose codes are matched to the prior.

    Notes
    -----
    Training minimises the batch mean of the negative ELBO

    .. math:: \mathcal{L}(x) = -\mathbb{E}_{q(z \mid x)} \log p(x \mid z)
              + \gamma_t\, \mathrm{KL}(q(z \mid x) \,\|\, N(0, I))

    with the reparameterisation trick, the closed-form KL, a Gaussian (or
    Bernoulli, categorical) likelihood and KL annealing :math:`\gamma_t`.
    The Gaussian has one variance :math:`s_j^2` per numeric column, set after
    every epoch in closed form (an M-step) to the column's mean squared
    residual over the epoch's training batches, :math:`z \sim q(z \mid x)`,
    floored at 5 % of its mean over the columns:

    .. math:: \hat s_j^2 = \frac{1}{n} \sum_i \bigl(x_{ij} - g_j(z_i)\bigr)^2,
              \qquad s_j^2 = \max\Bigl(\hat s_j^2,\
              0.05 \cdot \tfrac1d \textstyle\sum_l \hat s_l^2\Bigr).

    ``score_samples`` uses these floored variances. See :class:`BetaVAE` for
    the details and for what ``score_samples`` and ``sample`` return.

    References
    ----------
    .. [1] D. P. Kingma and M. Welling, "Auto-encoding variational Bayes",
       ICLR 2014.
    .. [2] D. J. Rezende, S. Mohamed and D. Wierstra, "Stochastic
       backpropagation and approximate inference in deep generative
       models", ICML 2014.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skgen import VAE
    >>> X, _ = load_digits(return_X_y=True)
    >>> vae = VAE(n_components=8, max_epochs=2, random_state=0).fit(X)
    >>> vae.sample(3, random_state=0).shape
    (3, 64)
    >>> vae.score_samples(X[:2]).shape
    (2,)
    """

    _parameter_constraints: dict = {
        key: value for key, value in BetaVAE._parameter_constraints.items() if key != "beta"
    }

    def __init__(
        self,
        n_components=16,
        *,
        kl_warmup="auto",
        sampling="auto",
        hidden_layer_sizes=(128, 64),
        activation="relu",
        output_activation="auto",
        init="pca",
        preprocessor="auto",
        max_epochs=200,
        batch_size="auto",
        lr=1e-3,
        optimizer="adam",
        weight_decay=0.0,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change=50,
        tol=1e-4,
        device="auto",
        random_state=None,
        verbose=0,
        callbacks=None,
    ):
        super().__init__(
            n_components,
            beta=1.0,
            kl_warmup=kl_warmup,
            sampling=sampling,
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            output_activation=output_activation,
            init=init,
            preprocessor=preprocessor,
            max_epochs=max_epochs,
            batch_size=batch_size,
            lr=lr,
            optimizer=optimizer,
            weight_decay=weight_decay,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            device=device,
            random_state=random_state,
            verbose=verbose,
            callbacks=callbacks,
        )
