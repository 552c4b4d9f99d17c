"""The Wasserstein autoencoder (MMD or latent-GAN penalty)."""

from __future__ import annotations

from numbers import Real

import numpy as np
import torch

from .._config import accumulation_dtype
from .._skorch import AutoencoderNet, _TwoNetworkMixin
from ..base import SamplerMixin
from ..exceptions import NonFiniteOutputError
from ..losses import KERNELS, LatentAdversarialCriterion, MMDCriterion
from ..nn import MLP
from ..utils._param_validation import Interval, StrOptions
from ._plain import Autoencoder
from ._vae import _MIXTURE_ROWS, LatentMixtureMixin, _numeric_columns, latent_mixture

PENALTIES = ("mmd", "gan")
_DEFAULT_WEIGHTS = {"mmd": 10.0, "gan": 1.0}


class LatentAdversarialNet(_TwoNetworkMixin, AutoencoderNet):
    """Autoencoder net with a latent discriminator, for ``WAE(divergence="gan")``.

    The discriminator and its optimizer are registered as in the GANs (see
    :class:`~skgen._skorch._TwoNetworkMixin`). Each training step encodes the
    batch once: the discriminator is updated on those codes (detached)
    against as many prior draws, then the autoencoder on its loss, whose
    adversarial term uses the updated discriminator
    (``criterion_(..., discriminator=discriminator_)``). Both updates notify
    ``on_grad_computed``. The discriminator's mean loss is recorded as
    ``train_discriminator_loss``.

    Parameters
    ----------
    *args, **kwargs
        Passed to :class:`~skgen._skorch.AutoencoderNet`.
    discriminator : nn.Module class or instance
        Maps codes to one logit per row.
    discriminator_optimizer : torch.optim.Optimizer class, default=None
        None uses ``optimizer``.
    """

    def __init__(self, *args, discriminator=None, discriminator_optimizer=None, **kwargs):
        self.discriminator = discriminator
        self.discriminator_optimizer = discriminator_optimizer
        super().__init__(*args, **kwargs)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        terms = self.criterion_(y_pred, X, module=self.module_, discriminator=self.discriminator_)
        return self._sum_terms(terms, len(X), training)

    def train_step(self, batch, **fit_params):
        self._set_training(True)
        X = batch[0]
        y_pred = self.infer(X)  # one encoder pass serves both updates
        loss_d = self.criterion_.discriminator_loss(self.discriminator_, y_pred["code"])
        self.discriminator_optimizer_.zero_grad(set_to_none=True)
        loss_d.backward()
        self._grad_computed(self.discriminator_, batch)
        self.discriminator_optimizer_.step()
        self._disc_sum = self._disc_sum + loss_d.detach() * len(X)
        self._disc_count += len(X)

        self.optimizer_.zero_grad(set_to_none=True)
        loss = self.get_loss(y_pred, None, X=X, training=True)
        loss.backward()
        self._grad_computed(self.module_, batch)
        self.optimizer_.step()
        return {"loss": loss, "y_pred": y_pred}

    def on_epoch_begin(self, net, **kwargs):
        super().on_epoch_begin(net, **kwargs)
        self._disc_sum = 0.0
        self._disc_count = 0

    def on_epoch_end(self, net, **kwargs):
        super().on_epoch_end(net, **kwargs)
        if self._disc_count:
            self.history.record(
                "train_discriminator_loss", float(self._disc_sum) / self._disc_count
            )

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_disc_sum", None)
        return state


class WAE(LatentMixtureMixin, SamplerMixin, Autoencoder):
    r"""Wasserstein autoencoder: a deterministic autoencoder whose codes follow a prior.

    A WAE minimises the reconstruction error plus a divergence between the
    distribution of the codes of the whole data set (the *aggregate*
    posterior) and the prior :math:`N(0, I)`. Unlike a :class:`VAE`, it does
    not push every row's code towards the prior, only their distribution as
    a whole, so codes of different rows need not overlap: reconstructions
    stay sharp, and decoding latent draws (``sample``) gives new data.

    * ``penalty="mmd"``: the maximum mean discrepancy between each batch of
      codes and as many prior draws, with a characteristic kernel
      (``"imq"`` or ``"rbf"``); deterministic and stable;
    * ``penalty="gan"``: a small discriminator in the code space is trained
      to tell codes from prior draws, and the encoder to fool it (an
      adversarial autoencoder in latent space).

    Read more in the :doc:`autoencoders page </autoencoders>`.

    Parameters
    ----------
    n_components : int, default=16
        Dimension of the code and of the prior. Samples are best when it is
        close to the intrinsic dimension of the data: codes that fill only
        a thin part of a large latent space cannot match the prior.
    penalty : {"mmd", "gan"}, default="mmd"
        Divergence between the codes and the prior (see above).
    kernel : {"imq", "rbf"}, default="imq"
        Kernel of the MMD (``penalty="mmd"``): the inverse multiquadratic
        :math:`s / (s + \lVert a - b \rVert^2)`, whose heavy tails keep
        gradients alive for outlying codes, or the Gaussian. A sum over
        seven scales :math:`s` around :math:`2 \times` ``n_components`` is
        used.
    penalty_weight : float or None, default=None
        Weight :math:`\lambda` of the divergence. None uses 10 for
        ``"mmd"`` and 1 for ``"gan"`` (the WAE paper's choices). Larger
        values match the prior better (better samples) at the cost of
        reconstruction; too large an adversarial weight destabilises
        training.
    sampling : {"auto", "prior", "aggregate"}, default="auto"
        Where ``sample`` draws latent codes: ``"prior"`` from :math:`N(0, I)`;
        ``"aggregate"`` (and ``"auto"``) from a Gaussian mixture fitted after
        training to the codes of the training rows (see Notes). The penalty
        pulls the codes' distribution towards the prior but never onto it.
    hidden_layer_sizes : array-like of int, default=(128, 64)
        Widths of the encoder's hidden layers; the decoder mirrors them.
    activation : {"relu", "leaky_relu", "elu", "gelu", "selu", "tanh", "sigmoid", "identity"}, \
            default="relu"
        Activation of the hidden layers (and of the latent discriminator).
    tied_weights : bool, default=False
        If True, the decoder uses the transposed encoder weights.
    output_activation : {"auto", "identity", "sigmoid"}, default="auto"
        Decoder output and loss (see :class:`Autoencoder`).
    init : {"pca", "random"}, default="pca"
        ``"pca"`` starts the encoder and decoder at PCA's solution (the code is
        the projection of the normalised data on the leading principal axes,
        the decoder its transpose) and learns a
        nonlinear correction whose last layer starts at zero (see
        :mod:`skgen.nn._residual`): a default fit starts where PCA ends. With
        ``activation="identity"`` this is PCA's exact solution and no epoch is
        run. ``"random"``: the usual random initialisation of every layer.
    preprocessor : "auto", transformer or None, default="auto"
        Applied to ``X`` before the network (see :class:`Autoencoder`).
    max_epochs : int, default=200
        Maximum number of passes over the training data.
    batch_size : int or "auto", default="auto"
        Mini-batch size; the MMD is estimated within each batch.
    lr : float, default=1e-3
        Learning rate (of the autoencoder and of the latent discriminator).
    optimizer : {"adam", "adamw", "rmsprop", "sgd", "lbfgs"} or callable, default="adam"
        Optimizer name or a ``torch.optim.Optimizer`` class (used for both
        networks). ``"lbfgs"`` is not supported with ``penalty="gan"``.
    weight_decay : float, default=0.0
        L2 penalty passed to the autoencoder's optimizer.
    early_stopping : bool or "auto", default="auto"
        Hold out ``validation_fraction`` of the data and stop when the
        validation loss has not improved by ``tol`` (scaled, see ``tol``) for
        ``n_iter_no_change`` epochs, restoring the best weights. When False,
        training stops on the same criterion applied to the training loss.
        ``"auto"``: True from 200 training rows on.
    validation_fraction : float, default=0.1
        Share of the training data held out when ``early_stopping=True``.
    n_iter_no_change : int, default=20
        Patience, in epochs.
    tol : float, default=1e-4
        Minimum improvement of the monitored loss, relative for losses above
        1 in magnitude and absolute below: an epoch counts when
        ``loss < best - tol * max(1, |best|)``.
    device : str or torch.device, default="auto"
        ``"auto"`` trains on CUDA when available, else on the CPU.
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, shuffling, splits, the prior draws of training
        and, through the estimator's own stream, ``sample``.
    verbose : int, default=0
        ``1`` shows a progress bar per epoch; ``2`` also skorch's table.
    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        Extra skorch callbacks (``LRScheduler``, ``GradientNormClipping``,
        ``Checkpoint``, ``EarlyStopping``, ``ProgressBar``, your own), appended
        to skgen's. Each ``fit`` works on deep copies; the trained net's are in
        ``net_.callbacks_``.

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained skorch net; with ``penalty="gan"`` it also holds
        ``discriminator_`` and ``discriminator_optimizer_``.
    history_ : skorch.History
        Per-epoch record: ``train_loss``, ``train_reconstruction``, the
        weighted ``train_mmd`` or ``train_adversarial``,
        ``train_discriminator_loss`` (``"gan"``), and ``valid_*`` with
        early stopping.
    n_iter_ : int
        Number of epochs run.
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
    VAE : A stochastic encoder with a per-row KL to the prior.
    Autoencoder : The same network without the prior.

    Notes
    -----
    With a deterministic encoder :math:`f` and decoder :math:`g`, training
    minimises over each batch :math:`\{x_i\}_{i=1}^n`

    .. math:: \frac1n \sum_i \tfrac12 \lVert g(f(x_i)) - x_i \rVert^2
              + \lambda\, \mathcal{D}\big(\{f(x_i)\}, \{z_i\}\big),
              \qquad z_i \sim N(0, I),

    (or the cross-entropy for [0, 1] data), the relaxed form of the
    optimal-transport cost between the data and the model in the WAE paper.
    ``"mmd"`` uses the unbiased estimate of
    :math:`\mathrm{MMD}^2` (:func:`~skgen.losses.mmd`). ``"gan"`` uses the
    non-saturating :math:`-\log \sigma(D(f(x_i)))` while the discriminator
    :math:`D` (an MLP with two hidden layers of 64 units) minimises
    :math:`-\log \sigma(D(z_i)) - \log(1 - \sigma(D(f(x_i))))`, one update
    per batch before the autoencoder's.

    ``score_samples`` is minus the reconstruction error (see
    :class:`Autoencoder`). ``sample`` decodes latent draws and adds Gaussian
    noise to each numeric column, with the column's residual standard
    deviation :math:`s_j` when the training rows are reconstructed from their
    codes: :math:`s_j^2` is the maximum-likelihood variance of a Gaussian
    decoder :math:`N(g(z), \mathrm{diag}\, s^2)` at those codes, so samples
    have the data's spread rather than the decoder's smooth means (binary
    columns keep their probabilities). With ``sampling="aggregate"``, the
    draws come from a Gaussian mixture fitted to the codes of at most 1,500
    training rows (evenly spaced; one full-covariance component per 50 of
    those rows, between 1 and 10): the region of the code space the decoder
    was trained on, with its clusters, where prior draws also fall between
    them. With ``"prior"``, :math:`z \sim N(0, I)`.

    References
    ----------
    .. [1] I. Tolstikhin, O. Bousquet, S. Gelly and B. Schoelkopf,
       "Wasserstein auto-encoders", ICLR 2018.
    .. [2] A. Makhzani, J. Shlens, N. Jaitly, I. Goodfellow and B. Frey,
       "Adversarial autoencoders", ICLR 2016 workshop.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skgen import WAE
    >>> X, _ = load_digits(return_X_y=True)
    >>> wae = WAE(n_components=8, max_epochs=2, random_state=0).fit(X)
    >>> wae.transform(X[:3]).shape
    (3, 8)
    >>> wae.sample(4, random_state=0).shape
    (4, 64)
    """

    _parameter_constraints: dict = {
        **Autoencoder._parameter_constraints,
        "penalty": [StrOptions(set(PENALTIES))],
        "kernel": [StrOptions(set(KERNELS))],
        "penalty_weight": [Interval(Real, 0, None, closed="left"), None],
        "sampling": [StrOptions({"auto", "prior", "aggregate"})],
    }

    def __init__(
        self,
        n_components=16,
        *,
        penalty="mmd",
        kernel="imq",
        penalty_weight=None,
        sampling="auto",
        hidden_layer_sizes=(128, 64),
        activation="relu",
        tied_weights=False,
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
        n_iter_no_change=20,
        tol=1e-4,
        device="auto",
        random_state=None,
        verbose=0,
        callbacks=None,
    ):
        super().__init__(
            n_components,
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            tied_weights=tied_weights,
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
        self.penalty = penalty
        self.kernel = kernel
        self.penalty_weight = penalty_weight
        self.sampling = sampling

    # ------------------------------------------------------------------ hooks
    # init="pca": the codes start as whitened PCA scores, close to the N(0, I) prior,
    # and the penalties on the codes make the linear model differ from PCA.
    _whiten_pca_codes = True
    _linear_is_pca = False

    @property
    def _net_class(self):
        return LatentAdversarialNet if self.penalty == "gan" else AutoencoderNet

    @property
    def _network_name(self):
        if self.penalty == "gan":
            return {"train_loss": "autoencoder", "train_discriminator_loss": "latent discriminator"}
        return "autoencoder"

    def _monitor_keys(self):
        if self.penalty == "gan":
            return ("train_loss", "train_discriminator_loss")
        return ("train_loss",)

    def _penalty_weight(self):
        if self.penalty_weight is None:
            return _DEFAULT_WEIGHTS[self.penalty]
        return self.penalty_weight

    def _build_criterion(self):
        if self.penalty == "gan":
            return LatentAdversarialCriterion(self.layout_, self._penalty_weight())
        return MMDCriterion(self.layout_, self._penalty_weight(), self.kernel)

    def _net_params(self):
        if self.penalty != "gan":
            return {}
        if self.optimizer == "lbfgs":
            raise ValueError(
                f"{type(self).__name__}: optimizer='lbfgs' is not supported with penalty='gan' "
                "(two alternating optimisers); use optimizer='adam'."
            )
        return {"discriminator": MLP(self.n_components, (64, 64), 1, self.activation)}

    def _after_training(self, Xn):
        self._fit_sampling_statistics(Xn)

    def _fit_sampling_statistics(self, Xn):
        """Observation noise and latent mixture of ``sample`` (see Notes).

        One pass over at most ``_MIXTURE_ROWS`` training rows (every
        ``ceil(n / _MIXTURE_ROWS)``-th: a strided view, no copy): the squared residuals
        of the numeric columns are summed in float64 (float32 on mps) and the codes
        kept for the mixture. The mixture is seeded by ``_statistics_seed`` (drawn
        in ``fit``), so refitting it (the reconstruction guard) leaves the sampling
        stream alone.
        """
        module = self.net_.module_
        device = self.net_.device
        rows = Xn[:: -(-len(Xn) // _MIXTURE_ROWS)]
        sq_sum = torch.zeros(Xn.shape[1], dtype=accumulation_dtype(device), device=device)
        codes = np.empty((len(rows), self.n_components))
        filled = 0

        def accumulate(x):
            nonlocal filled
            z = module.encode(x)
            sq_sum.add_((module.decode(z) - x).pow(2).sum(dim=0, dtype=sq_sum.dtype))
            codes[filled : filled + len(x)] = z.cpu().numpy()
            filled += len(x)

        self._run_batches(accumulate, rows)
        std = np.zeros(Xn.shape[1], dtype=np.float32)
        numeric = _numeric_columns(self.layout_)
        std[numeric] = np.sqrt(sq_sum.cpu().numpy()[numeric] / max(len(rows), 1))
        self._sample_noise_std = std
        self._latent_mixture = None
        if self._sampling() == "aggregate":
            if not np.isfinite(codes).all():
                raise NonFiniteOutputError(
                    f"{type(self).__name__}: the codes of the training data are not finite "
                    "(the training diverged), so sampling='aggregate' cannot fit their "
                    "distribution. Lower lr or rescale X and fit again."
                )
            self._latent_mixture = latent_mixture(codes, 0.0, getattr(self, "_statistics_seed", 0))

    def _sampling(self):
        return "aggregate" if self.sampling == "auto" else self.sampling

    def _numeric_noise_std(self):
        std = self._sample_noise_std
        return None if std is None else torch.from_numpy(std)

    def _generate(self, n_samples, y, generator):
        z = self._draw_latent(n_samples, generator)
        raw = self.net_.module_.decode(z.to(self.net_.device)).cpu()
        std = self._numeric_noise_std()
        if self.preprocessor_ is None and std is not None:
            # each numeric column's residual noise (0 elsewhere); tables get it in _draw_tabular
            raw += torch.randn(raw.shape, generator=generator) * std
        return raw

    # ------------------------------------------------------------ persistence
    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_latent_mixture_cache", None)  # rebuilt from _latent_mixture on use
        return state

    def __setstate__(self, state):
        state = dict(state)
        # Pickles from before ``sampling`` and the observation noise: prior draws
        # decoded without noise, as then.
        state.setdefault("sampling", "auto")
        state.pop("_latent_mixture_cache", None)
        if "_net_state" in state or "net_" in state:  # fitted (the base stores _net_state)
            state.setdefault("_latent_mixture", None)
            state.setdefault("_sample_noise_std", None)
        super().__setstate__(state)
