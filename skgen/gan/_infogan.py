"""InfoGAN: interpretable latent codes by maximising mutual information."""

from __future__ import annotations

from numbers import Integral, Real

import torch
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..losses import InfoGANCriterion
from ..utils._param_validation import Interval, StrOptions
from ._base import BaseGAN, _layer_sizes


class InfoGAN(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseGAN):
    r"""Information-maximising GAN with categorical and continuous codes (Chen et al., 2016).

    The generator's input is Gaussian noise plus latent codes (categorical
    codes, one-hot, and continuous codes, uniform in [-1, 1]); a Q head on the
    discriminator's features learns to recover the codes from generated rows,
    and both players also maximise a lower bound of the mutual information
    between codes and rows. The codes then capture salient factors of
    variation without labels (e.g. the digit class for a 10-category code):
    :meth:`transform` infers them for any row, which makes InfoGAN an
    unsupervised feature extractor and clusterer.
    Fitted with class labels ``y``, the model is conditional: :meth:`sample`
    then generates rows of requested classes.

    Read more in the :doc:`GAN page </gans>`.

    Parameters
    ----------
    n_components : int, default=16
        Dimension of the noise :math:`z \sim N(0, I)`.
    categorical_codes : array-like of int, default=(10,)
        Number of categories of each categorical code; ``()`` for none.
    n_continuous_codes : int, default=2
        Number of continuous codes.
    info_weight : float, default=1.0
        Weight :math:`\lambda` of the mutual-information term.
    loss : {"non_saturating", "minimax"}, default="non_saturating"
        Generator loss (see :class:`GAN`).
    label_smoothing : float, default=0.0
        One-sided label smoothing of the real targets (see :class:`GAN`).
    input_shape : tuple of int (C, H, W) or None, default=None
        Shape of one image when each row of ``X`` is an image flattened in C
        order: the generator and the discriminator are then convolutional
        (DCGAN, Radford et al. 2016: strided convolutions, ReLU in the
        generator, LeakyReLU in the discriminator) and ``hidden_layer_sizes``
        and ``discriminator_hidden_layer_sizes`` are ignored. None uses MLPs.
    channels : array-like of int, default=(32, 64)
        Channels of the discriminator's convolution stages, each halving the
        height and width; the generator runs them in reverse. Used with
        ``input_shape``.
    batch_norm : {"auto", "batch", "reference", "virtual"} or None, default="auto"
        Normalisation of the convolutional networks, never on the
        generator's output nor on the discriminator's input: ``"batch"``
        (batch statistics while training, running ones in eval mode),
        ``"reference"`` (statistics of a fixed reference batch drawn at
        ``fit``), ``"virtual"`` (virtual batch normalisation: statistics of
        the reference batch plus the row itself, Salimans et al. 2016), or
        None. With the reference batch no sample depends on the rest of its
        batch. ``"auto"`` is ``"batch"`` with ``input_shape`` and None
        without. The discriminator uses the same normalisation (``"batch"`` normalises its real and
        fake rows separately; ``"reference"``/``"virtual"`` use a reference batch of
        training rows).
    hidden_layer_sizes : array-like of int, default=(128, 128)
        Widths of the generator's hidden layers.
    discriminator_hidden_layer_sizes : array-like of int, default=None
        Widths of the discriminator's hidden layers; None uses
        ``hidden_layer_sizes``.
    activation : {"relu", "leaky_relu", "elu", "gelu", "selu", "tanh", "sigmoid", "identity"}, \
            default="relu"
        Activation of the generator's hidden layers.
    discriminator_activation : {"relu", "leaky_relu", "elu", "gelu", "selu", "tanh", \
            "sigmoid", "identity"}, default="leaky_relu"
        Activation of the discriminator's hidden layers.
    output_activation : {"auto", "identity", "sigmoid"}, default="auto"
        Output of the generator: ``"sigmoid"`` for data in [0, 1] (e.g.
        pixel intensities), ``"identity"`` otherwise; ``"auto"`` picks
        ``"sigmoid"`` when all training values are in [0, 1]. Ignored when a
        preprocessor provides an ``output_layout_`` (mixed-type data).
    minibatch_discrimination : bool, default=False
        Give the discriminator minibatch-discrimination features (how close
        each row is to the rest of its batch), which exposes mode collapse.
    n_critic : int, default=1
        Discriminator updates per generator update.
    preprocessor : "auto", transformer or None, default="auto"
        Applied to ``X`` before the networks. ``"auto"`` uses a
        :class:`~skgen.preprocessing.TabularEncoder` for DataFrames with
        non-numeric or missing values and nothing otherwise.
    max_epochs : int, default=200
        Number of passes over the training data (one generator update per
        mini-batch).
    batch_size : int or "auto", default=64
        Mini-batch size; ``"auto"`` uses 64 for arrays and, for tables
        (DataFrames), ``n_samples // 10`` clipped to [64, 1000] (about ten
        steps an epoch on large tables).
    lr : float, default=1e-3
        Learning rate of the generator.
    discriminator_lr : float, default=None
        Learning rate of the discriminator; None uses ``lr``.
    optimizer : {"adam", "adamw", "rmsprop", "sgd", "lbfgs"} or callable, default="adam"
        Optimizer of both networks (name or ``torch.optim.Optimizer`` class).
    betas : tuple of float, default=(0.5, 0.999)
        Adam's momentum coefficients (used by ``"adam"`` and ``"adamw"``).
    weight_decay : float, default=0.0
        L2 penalty passed to both optimizers.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data and stop when the
        held-out MMD² between generated and real rows has not improved by
        ``tol`` for ``n_iter_no_change`` epochs, restoring the best
        generator. When False, training runs for ``max_epochs`` (the
        adversarial losses do not decrease, so they are no stopping rule).
    validation_fraction : float, default=0.1
        Share of the training data held out when ``early_stopping=True``.
    n_iter_no_change : int, default=10
        Patience, in epochs.
    tol : float, default=1e-4
        Minimum absolute improvement of the held-out MMD².
    device : str or torch.device, default="auto"
        ``"auto"`` trains on CUDA when available, else on the CPU.
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, shuffling, the training noise and the default
        stream of :meth:`sample`. The caller's global NumPy and torch RNG
        states are left untouched.
    verbose : int, default=0
        ``1`` shows a progress bar with one step per epoch; ``2`` also
        prints skorch's per-epoch table.
    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        Extra skorch callbacks (``LRScheduler``, ``GradientNormClipping``,
        ``Checkpoint``, ``EarlyStopping``, ``ProgressBar``, your own), appended
        to skgen's. Each ``fit`` works on deep copies; the trained net's are in
        ``net_.callbacks_``.

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained skorch net: ``net_.module_`` is the generator,
        ``net_.discriminator_`` the discriminator.
    history_ : skorch.History
        Per-epoch record: ``train_generator_loss``, ``train_discriminator_loss`` (both
        with the information term), ``train_info`` (the information loss),
        ``train_d_real`` (mean :math:`D(x)`), ``train_d_fake`` (mean
        :math:`D(G(z))`), and ``valid_loss`` (held-out MMD²)
        with early stopping.
    n_iter_ : int
        Number of epochs run.
    loss_curve_ : ndarray of shape (n_iter_,)
        Generator loss per epoch.
    validation_loss_curve_ : ndarray of shape (n_iter_,) or None
        Held-out MMD² per epoch when ``early_stopping=True``, else None.
    classes_ : ndarray of shape (n_classes,) or None
        Class labels seen in ``fit`` (conditional model), else None.
    layout_ : tuple of Block
        Output blocks of the generator (one block for plain numeric data).
    preprocessor_ : transformer or None
        The fitted preprocessor, if one is used.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.
    n_codes_ : int
        Width of the output of :meth:`transform`: the total number of
        categories plus ``n_continuous_codes``.

    See Also
    --------
    GAN : Without codes.
    skgen.Autoencoder : Codes from a reconstruction objective.

    Notes
    -----
    With latent codes :math:`c` and a variational posterior :math:`Q(c \mid x)`
    (the Q head, on the discriminator's features before the class projection
    and the minibatch features), InfoGAN solves

    .. math::

        \min_{G, Q} \max_D \; V_{\mathrm{GAN}}(D, G) - \lambda\, L_I(G, Q),
        \qquad L_I = \mathbb{E}_{c, z} \log Q(c \mid G(z, c)) + H(c)
        \le I(c; G(z, c)).

    :math:`\log Q` is a categorical log-likelihood for each categorical code
    and a unit-variance Gaussian one for the continuous codes (the
    :math:`\tfrac12 (c - \mu)^2` loss). The information loss is added to
    both players' objectives: the discriminator step trains Q (and the
    shared body) on generated rows, the generator step trains G. With
    :meth:`transform`, each row gets the softmax probabilities of every
    categorical code followed by the means of the continuous codes.

    References
    ----------
    .. [1] X. Chen et al., "InfoGAN: Interpretable representation learning by
       information maximizing generative adversarial nets", NeurIPS 2016.

    Examples
    --------
    >>> import numpy as np
    >>> from skgen import InfoGAN
    >>> X = np.random.RandomState(0).normal(size=(200, 2))
    >>> gan = InfoGAN(categorical_codes=(3,), max_epochs=2, random_state=0).fit(X)
    >>> gan.sample(5, random_state=0).shape
    (5, 2)
    >>> gan.transform(X[:5]).shape
    (5, 5)
    """

    _parameter_constraints: dict = {
        **BaseGAN._parameter_constraints,
        "categorical_codes": ["array-like", Interval(Integral, 2, None, closed="left")],
        "n_continuous_codes": [Interval(Integral, 0, None, closed="left")],
        "info_weight": [Interval(Real, 0, None, closed="left")],
        "loss": [StrOptions({"non_saturating", "minimax"})],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
    }
    _criterion_class = InfoGANCriterion

    def __init__(
        self,
        n_components=16,
        *,
        categorical_codes=(10,),
        n_continuous_codes=2,
        info_weight=1.0,
        loss="non_saturating",
        label_smoothing=0.0,
        hidden_layer_sizes=(128, 128),
        discriminator_hidden_layer_sizes=None,
        activation="relu",
        discriminator_activation="leaky_relu",
        input_shape=None,
        channels=(32, 64),
        batch_norm="auto",
        output_activation="auto",
        minibatch_discrimination=False,
        n_critic=1,
        preprocessor="auto",
        max_epochs=200,
        batch_size=64,
        lr=1e-3,
        discriminator_lr=None,
        optimizer="adam",
        betas=(0.5, 0.999),
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
        self.categorical_codes = categorical_codes
        self.n_continuous_codes = n_continuous_codes
        self.info_weight = info_weight
        self.loss = loss
        self.label_smoothing = label_smoothing
        self.hidden_layer_sizes = hidden_layer_sizes
        self.discriminator_hidden_layer_sizes = discriminator_hidden_layer_sizes
        self.activation = activation
        self.discriminator_activation = discriminator_activation
        self.input_shape = input_shape
        self.channels = channels
        self.batch_norm = batch_norm
        self.output_activation = output_activation
        self.minibatch_discrimination = minibatch_discrimination
        self.n_critic = n_critic
        self.preprocessor = preprocessor
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.discriminator_lr = discriminator_lr
        self.optimizer = optimizer
        self.betas = betas
        self.weight_decay = weight_decay
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks

    def _criterion_params(self):
        return {
            "n_noise": self.n_components,
            "categorical_codes": self._categorical_codes(),
            "n_continuous": self.n_continuous_codes,
            "info_weight": self.info_weight,
            "loss": self.loss,
            "label_smoothing": self.label_smoothing,
        }

    def _categorical_codes(self):
        return _layer_sizes(self.categorical_codes, "categorical_codes")

    def _generator_params(self):
        return {
            **super()._generator_params(),
            "categorical_codes": self._categorical_codes(),
            "n_continuous_codes": self.n_continuous_codes,
        }

    def _discriminator_params(self):
        n_codes = self._n_codes()
        if not n_codes:
            raise ValueError(
                "InfoGAN needs at least one code: set categorical_codes (e.g. (10,)) or "
                "n_continuous_codes > 0; for a GAN without codes use skgen.GAN."
            )
        # projection conditioning only: the Q head must not need the label
        return {**super()._discriminator_params(), "q_features": n_codes, "conditioning": "projection"}

    def _n_codes(self):
        return sum(self._categorical_codes()) + self.n_continuous_codes

    def _set_fitted_attributes(self, net):
        super()._set_fitted_attributes(net)
        self.n_codes_ = self._n_codes()

    @property
    def _n_features_out(self):
        return self.n_codes_

    def transform(self, X):
        """Infer the latent codes of ``X`` with the Q head.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Data in the format seen in ``fit``.

        Returns
        -------
        codes : ndarray of shape (n_samples, n_codes_)
            For each categorical code, the probabilities of its categories
            (they sum to 1); then the means of the continuous codes. In the
            dtype of ``X`` (float32 or float64).
        """
        check_is_fitted(self)
        Xn, dtype = self._validate_input(X, reset=False)
        disc = self.net_.discriminator_
        categorical = self._categorical_codes()

        width = self._condition_width

        def infer(x):
            if width:  # a tabular model's discriminator also reads the (empty) condition
                x = torch.cat([x, x.new_zeros(len(x), width)], dim=1)
            q = disc.infer_codes(x)
            parts, start = [], 0
            for k in categorical:
                parts.append(q[:, start : start + k].softmax(dim=1))
                start += k
            parts.append(q[:, start:])
            return torch.cat(parts, dim=1)

        was_training = disc.training
        disc.eval()
        try:
            out = self._run_batches(infer, Xn)
        finally:
            disc.train(was_training)
        return out.astype(dtype, copy=False)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
