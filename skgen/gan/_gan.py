"""The original generative adversarial network."""

from __future__ import annotations

from numbers import Integral, Real

from ..losses import GANCriterion
from ..utils._param_validation import Interval, StrOptions
from ._base import BaseGAN


class GAN(BaseGAN):
    r"""Generative adversarial network (Goodfellow et al., 2014).

    A generator :math:`G` maps Gaussian noise :math:`z` to rows of data and a
    discriminator :math:`D` learns to tell real rows from generated ones;
    both are MLPs trained in alternation. Once fitted, :meth:`sample` draws
    new rows and :meth:`score` rates them against held-out data.
    Fitted with class labels ``y``, the model is conditional: :meth:`sample`
    then generates rows of requested classes.

    Read more in the :doc:`GAN page </gans>`.

    Parameters
    ----------
    n_components : int, default=16
        Dimension of the noise :math:`z \sim N(0, I)`.
    loss : {"non_saturating", "minimax"}, default="non_saturating"
        Generator loss: ``"minimax"`` minimises :math:`\log(1 - D(G(z)))`, the
        value of the game; ``"non_saturating"`` minimises
        :math:`-\log D(G(z))`, which has the same fixed point but does not
        vanish when the discriminator confidently rejects the fakes.
    label_smoothing : float, default=0.0
        One-sided label smoothing: real rows get the target
        ``1 - label_smoothing`` in the discriminator's cross-entropy; fake
        rows keep 0.
    unrolled_steps : int, default=0
        Unrolled GAN (Metz et al., 2016): the generator's loss is taken
        against the discriminator after this many further updates on the
        current batch, differentiated through those updates (see Notes). It
        stops the generator from chasing the discriminator from mode to mode
        (each generator step costs about ``unrolled_steps + 1`` discriminator
        passes with second-order gradients). 0 is the ordinary GAN.
    unrolled_lr : float or None, default=None
        Step size of the unrolled discriminator updates; None uses the
        discriminator's learning rate (as Metz et al. do).
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
    pac : int or "auto", default="auto"
        PacGAN packing (Lin et al., 2018): the discriminator scores sets of
        ``pac`` rows concatenated into one input, so a generator that
        produces near-copies of a few rows is exposed (CTGAN uses 10).
        ``"auto"`` is ``batch_size // 50`` clipped to [1, 10] (10 for
        CTGAN's batches of 500, 1 for batches under 100, so that each batch
        keeps at least 50 packs) for the MLP discriminator, and 1 for images
        (``input_shape``) and for models fitted with class labels, which
        cannot be packed. Each training batch is cut to a multiple of
        ``pac``.
    n_critic : int, default=1
        Discriminator updates per generator update.
    ema_decay : float in [0, 1) or None, default=None
        Generator averaging (Yazici et al., 2019): keep an exponential moving
        average of the generator's weights, updated after every generator
        step with this decay (after a warm-up, see Notes), and sample from
        it (:meth:`sample`, :meth:`score` and the early-stopping MMD use the
        averaged generator). Averaging damps the oscillation of adversarial
        training; 0.999 is the usual value. None samples from the generator
        as trained.
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

    See Also
    --------
    WGANGP : Wasserstein GAN with gradient penalty; stable, covers modes.
    DRAGAN : This loss plus a gradient penalty around the data.
    sklearn.mixture.GaussianMixture : A classical density model with ``sample``.

    Notes
    -----
    The networks play the minimax game

    .. math::

        \min_G \max_D \; \mathbb{E}_{x}[\log D(x)] + \mathbb{E}_{z}[\log(1 - D(G(z)))],

    whose optimal discriminator is :math:`D^*(x) = p(x) / (p(x) + p_G(x))`;
    against it the generator minimises
    :math:`2\,\mathrm{JS}(p \,\|\, p_G) - \log 4`. The discriminator
    minimises the binary cross-entropy (real target ``1 - label_smoothing``,
    fake target 0); the generator minimises :math:`\log(1 - D(G(z)))`
    (``"minimax"``) or :math:`-\log D(G(z))` (``"non_saturating"``).
    Each mini-batch of real rows gives ``n_critic`` discriminator updates
    (fresh noise, the same real rows) and then one generator update.
    Numeric data are standardised for the networks (data in [0, 1] are kept
    as they are, with sigmoid outputs) and :meth:`sample` maps back.
    A conditional model feeds the one-hot label to the generator and to the
    discriminator's input, and adds a projection term :math:`e_y^\top \phi(x)`
    to the discriminator's score.

    Min-max is not max-min: against a *fixed* discriminator the best
    generator puts all its mass on the point the discriminator likes most,
    and alternating updates can chase that point from mode to mode. With
    ``unrolled_steps=K`` the generator minimises
    :math:`f(\theta_G, \theta_D^K)`, where :math:`\theta_D^K` is the
    discriminator after :math:`K` more Adam steps on the current batch
    (taken with ``torch.func.functional_call``, ``create_graph=True``), so
    its gradient includes how the discriminator would answer [4]_; the
    discriminator's own update is unchanged. Here :math:`f` is the generator
    loss chosen by ``loss`` (by default :math:`-\mathbb{E}_z \log
    D_{\theta_D^K}(G(z))`), not the game's value
    :math:`V(\theta_G, \theta_D^K)` of Metz et al.'s surrogate: near the
    discriminator's optimum the gradient of the value reduces to the
    saturating minimax gradient, and on the ring of Gaussians it covered
    fewer modes than the non-saturating loss with every discriminator
    stronger than the generator (see the GAN page).

    With ``ema_decay=d`` the generator's parameters and float buffers
    (batch-norm statistics) are averaged after every generator update,
    :math:`\bar\theta_G \leftarrow \beta_t \bar\theta_G + (1 - \beta_t)\theta_G`
    with :math:`\beta_t = \min(d, (1 + t) / (10 + t))` at the :math:`t`-th
    update for :math:`t \geq 1` (a warm-up, so that the random initialisation
    is soon forgotten; the first update, :math:`t = 0`, copies the generator),
    and samples come from :math:`\bar\theta_G` [6]_. Training itself is
    unchanged; the averaged generator is ``net_.averaged_generator_``.

    References
    ----------
    .. [1] I. Goodfellow et al., "Generative adversarial nets", NeurIPS 2014.
    .. [2] T. Salimans et al., "Improved techniques for training GANs",
       NeurIPS 2016 (label smoothing, minibatch discrimination).
    .. [3] T. Miyato and M. Koyama, "cGANs with projection discriminator",
       ICLR 2018.
    .. [4] L. Metz, B. Poole, D. Pfau and J. Sohl-Dickstein, "Unrolled
       generative adversarial networks", ICLR 2017 (arXiv 2016).
    .. [5] A. Radford, L. Metz and S. Chintala, "Unsupervised representation
       learning with deep convolutional generative adversarial networks",
       ICLR 2016 (DCGAN).
    .. [6] Y. Yazici et al., "The unusual effectiveness of averaging in GAN
       training", ICLR 2019.

    Examples
    --------
    >>> import numpy as np
    >>> from skgen import GAN
    >>> X = np.random.RandomState(0).normal(size=(200, 2))
    >>> gan = GAN(max_epochs=2, random_state=0).fit(X)
    >>> gan.sample(5, random_state=0).shape
    (5, 2)
    """

    _parameter_constraints: dict = {
        "pac": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        **BaseGAN._parameter_constraints,
        "loss": [StrOptions({"non_saturating", "minimax"})],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
        "unrolled_steps": [Interval(Integral, 0, None, closed="left")],
        "unrolled_lr": [Interval(Real, 0, None, closed="neither"), None],
        "ema_decay": [Interval(Real, 0, 1, closed="left"), None],
    }
    _criterion_class = GANCriterion

    def __init__(
        self,
        n_components=16,
        *,
        loss="non_saturating",
        label_smoothing=0.0,
        unrolled_steps=0,
        unrolled_lr=None,
        hidden_layer_sizes=(128, 128),
        discriminator_hidden_layer_sizes=None,
        activation="relu",
        discriminator_activation="leaky_relu",
        input_shape=None,
        channels=(32, 64),
        batch_norm="auto",
        output_activation="auto",
        minibatch_discrimination=False,
        pac="auto",
        n_critic=1,
        ema_decay=None,
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
        self.loss = loss
        self.label_smoothing = label_smoothing
        self.unrolled_steps = unrolled_steps
        self.unrolled_lr = unrolled_lr
        self.hidden_layer_sizes = hidden_layer_sizes
        self.discriminator_hidden_layer_sizes = discriminator_hidden_layer_sizes
        self.activation = activation
        self.discriminator_activation = discriminator_activation
        self.input_shape = input_shape
        self.channels = channels
        self.batch_norm = batch_norm
        self.output_activation = output_activation
        self.minibatch_discrimination = minibatch_discrimination
        self.pac = pac
        self.n_critic = n_critic
        self.ema_decay = ema_decay
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
        return {"loss": self.loss, "label_smoothing": self.label_smoothing}

    def _net_params(self):
        return {**super()._net_params(), "unrolled_steps": self.unrolled_steps, "unrolled_lr": self.unrolled_lr}
