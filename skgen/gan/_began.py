"""Boundary equilibrium GAN."""

from __future__ import annotations

from numbers import Real

from ..losses import BEGANCriterion
from ..nn import AutoencoderDiscriminator
from ..utils._param_validation import Interval
from ._base import BaseGAN


class BEGAN(BaseGAN):
    r"""Boundary equilibrium GAN (Berthelot et al., 2017).

    The discriminator is an autoencoder: it learns to reconstruct real rows
    well and generated rows badly, while the generator learns rows that it
    reconstructs well. A proportional controller :math:`k_t` balances the two
    players so that the expected loss on generated rows stays a fraction
    ``gamma`` of that on real rows, and the convergence measure
    ``train_convergence`` decreases as samples improve.
    Fitted with class labels ``y``, the model is conditional: :meth:`sample`
    then generates rows of requested classes.

    Read more in the :doc:`GAN page </gans>`.

    Parameters
    ----------
    n_components : int, default=16
        Dimension of the noise :math:`z \sim N(0, I)`.
    gamma : float, default=0.5
        Diversity ratio :math:`\gamma`: the equilibrium targets
        :math:`\mathbb{E}\mathcal{L}(G(z)) = \gamma \mathbb{E}\mathcal{L}(x)`.
        Lower values give sharper, less diverse samples.
    lambda_k : float, default=0.001
        Proportional gain :math:`\lambda_k` of the :math:`k_t` controller.
    latent_weight : float, default=0.1
        Weight :math:`\alpha` of the latent-consistency term of the
        generator (see Notes): the discriminator's encoder must recover the
        noise from the sample. 0 gives the original BEGAN, which collapsed
        onto one point on the digits.
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
        without. BEGAN's autoencoder discriminator is not normalised.
    hidden_layer_sizes : array-like of int, default=(128, 128)
        Widths of the generator's hidden layers.
    discriminator_hidden_layer_sizes : array-like of int, default=None
        Widths of the discriminator's hidden layers; None uses
        ``hidden_layer_sizes``.
    activation : {"relu", "leaky_relu", "elu", "gelu", "selu", "tanh", "sigmoid", "identity"}, \
            default="relu"
        Activation of the generator's hidden layers.
    discriminator_activation : {"relu", "leaky_relu", "elu", "gelu", "selu", "tanh", \
            "sigmoid", "identity"}, default="elu"
        Activation of the discriminator's hidden layers.
    output_activation : {"auto", "identity", "sigmoid"}, default="auto"
        Output of the generator: ``"sigmoid"`` for data in [0, 1] (e.g.
        pixel intensities), ``"identity"`` otherwise; ``"auto"`` picks
        ``"sigmoid"`` when all training values are in [0, 1]. Ignored when a
        preprocessor provides an ``output_layout_`` (mixed-type data).
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
        Per-epoch record: ``train_generator_loss``, ``train_discriminator_loss``,
        ``train_d_real`` (:math:`\mathcal{L}(x)`), ``train_d_fake``
        (:math:`\mathcal{L}(G(z))`), ``train_k`` (:math:`k_t`),
        ``train_convergence`` (:math:`\mathcal{M}`), ``train_latent_loss``
        (the latent-consistency term, when ``latent_weight > 0``) and
        ``valid_loss`` (held-out MMD²) with early stopping.
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

    See Also
    --------
    GAN : A classifier discriminator.
    skgen.Autoencoder : The discriminator's architecture as a transformer.

    Notes
    -----
    With :math:`\mathcal{L}(v) = \overline{|v - D(v)|}` the mean absolute
    reconstruction error of the autoencoder discriminator :math:`D`
    (encoder widths ``discriminator_hidden_layer_sizes``; its code has
    :math:`\min(\text{n\_components}, \max(1, d / 2))` units for :math:`d`
    encoded features, a bottleneck, since an autoencoder that can copy its
    input reconstructs real and generated rows equally well):

    .. math::

        \mathcal{L}_D = \mathcal{L}(x) - k_t\, \mathcal{L}(G(z)), \qquad
        \mathcal{L}_G = \mathcal{L}(G(z)) + \alpha\, \overline{(E(G(z)) - z_{1:c})^2},

        k_{t+1} = \mathrm{clip}_{[0, 1]}\big(k_t + \lambda_k (\gamma \mathcal{L}(x) - \mathcal{L}(G(z)))\big),

    and the convergence measure
    :math:`\mathcal{M} = \mathcal{L}(x) + |\gamma \mathcal{L}(x) - \mathcal{L}(G(z))|`.
    :math:`k_t` starts at 0, is updated after every discriminator update
    and is kept (on the device, and in pickles) by the criterion.

    :math:`E` is the discriminator's encoder, :math:`c` its code size and
    :math:`\alpha` ``latent_weight``. This latent-consistency term is not in
    the original BEGAN (:math:`\alpha = 0`); it is a latent-space constraint
    in the spirit of BEGAN-CS [2]_, here on the generator's loss only. The
    controller holds :math:`\mathcal{L}(G(z)) = \gamma\mathcal{L}(x)` whether
    or not the samples are diverse, and a generator collapsed onto one row
    that the discriminator reconstructs well satisfies it: without the term,
    BEGAN fell onto one point of the digits within the first epoch, with
    :math:`k_t` near 0 (1 of 10 classes, ``docs/benchmarks_generators.md``).
    Asking the encoder to recover the noise from the sample keeps different
    noise on different rows (10 of 10 classes with the default). The samples
    remain blurrier than :class:`WGANGP`'s, and on mixed-type tables the
    categorical columns can still collapse; treat BEGAN as experimental and
    prefer :class:`WGANGP` for sample quality.

    References
    ----------
    .. [1] D. Berthelot, T. Schumm and L. Metz, "BEGAN: Boundary equilibrium
       generative adversarial networks", arXiv:1703.10717, 2017.
    .. [2] C.-C. Chang, C. H. Lin, C.-R. Lee, D.-C. Juan, W. Wei and
       H.-T. Chen, "Escaping from collapsing modes in a constrained space",
       ECCV 2018, arXiv:1808.07258.

    Examples
    --------
    >>> import numpy as np
    >>> from skgen import BEGAN
    >>> X = np.random.RandomState(0).normal(size=(200, 2))
    >>> gan = BEGAN(max_epochs=2, random_state=0).fit(X)
    >>> gan.sample(5, random_state=0).shape
    (5, 2)
    """

    _parameter_constraints: dict = {
        **BaseGAN._parameter_constraints,
        "gamma": [Interval(Real, 0, 1, closed="right")],
        "lambda_k": [Interval(Real, 0, None, closed="left")],
        "latent_weight": [Interval(Real, 0, None, closed="left")],
    }
    _parameter_constraints.pop("minibatch_discrimination")
    _criterion_class = BEGANCriterion
    _critic_norm = None  # of the convolutional discriminator (see skgen.gan._conv)
    _discriminator_class = AutoencoderDiscriminator

    def __init__(
        self,
        n_components=16,
        *,
        gamma=0.5,
        lambda_k=0.001,
        latent_weight=0.1,
        hidden_layer_sizes=(128, 128),
        discriminator_hidden_layer_sizes=None,
        activation="relu",
        discriminator_activation="elu",
        input_shape=None,
        channels=(32, 64),
        batch_norm="auto",
        output_activation="auto",
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
        self.gamma = gamma
        self.lambda_k = lambda_k
        self.latent_weight = latent_weight
        self.hidden_layer_sizes = hidden_layer_sizes
        self.discriminator_hidden_layer_sizes = discriminator_hidden_layer_sizes
        self.activation = activation
        self.discriminator_activation = discriminator_activation
        self.input_shape = input_shape
        self.channels = channels
        self.batch_norm = batch_norm
        self.output_activation = output_activation
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
        return {"gamma": self.gamma, "lambda_k": self.lambda_k, "latent_weight": self.latent_weight}

    def _discriminator_params(self):
        # a bottleneck: an autoencoder that can copy its input cannot discriminate
        code = min(self.n_components, max(1, self._width // 2))
        return {
            "n_features": self._width + self._condition_width,
            "hidden_layer_sizes": self._discriminator_hidden_layer_sizes(),
            "n_components": code,
            "activation": self.discriminator_activation,
            "n_classes": self._n_classes,
        }
