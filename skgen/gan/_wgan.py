"""Wasserstein GANs: weight clipping (WGAN) and gradient penalty (WGANGP)."""

from __future__ import annotations

from numbers import Integral, Real

from ..losses import WGANCriterion, WGANGPCriterion
from ..utils._param_validation import Interval, StrOptions
from ._base import BaseGAN


class WGAN(BaseGAN):
    r"""Wasserstein GAN with weight clipping (Arjovsky et al., 2017).

    The discriminator is a *critic* :math:`f` with unbounded scores; the gap
    :math:`\mathbb{E} f(x) - \mathbb{E} f(G(z))` estimates the Wasserstein-1
    distance between the data and the generator when :math:`f` is
    1-Lipschitz. Here the constraint is enforced crudely, by clamping every
    critic parameter to ``[-clip_value, clip_value]`` after each critic step;
    :class:`WGANGP` replaces clipping by a gradient penalty and is usually
    the better choice. Defaults follow the paper (RMSprop, ``lr=5e-5``,
    ``n_critic=5``, ``clip_value=0.01``), which learns slowly.
    Fitted with class labels ``y``, the model is conditional: :meth:`sample`
    then generates rows of requested classes.

    Read more in the :doc:`GAN page </gans>`.

    Parameters
    ----------
    n_components : int, default=16
        Dimension of the noise :math:`z \sim N(0, I)`.
    clip_value : float, default=0.01
        Every critic parameter is clamped to ``[-clip_value, clip_value]``
        after each critic update.
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
        Widths of the critic's hidden layers; None uses
        ``hidden_layer_sizes``.
    activation : {"relu", "leaky_relu", "elu", "gelu", "selu", "tanh", "sigmoid", "identity"}, \
            default="relu"
        Activation of the generator's hidden layers.
    discriminator_activation : {"relu", "leaky_relu", "elu", "gelu", "selu", "tanh", \
            "sigmoid", "identity"}, default="leaky_relu"
        Activation of the critic's hidden layers.
    output_activation : {"auto", "identity", "sigmoid"}, default="auto"
        Output of the generator: ``"sigmoid"`` for data in [0, 1] (e.g.
        pixel intensities), ``"identity"`` otherwise; ``"auto"`` picks
        ``"sigmoid"`` when all training values are in [0, 1]. Ignored when a
        preprocessor provides an ``output_layout_`` (mixed-type data).
    minibatch_discrimination : bool, default=False
        Give the critic minibatch-discrimination features (how close
        each row is to the rest of its batch), which exposes mode collapse.
    n_critic : int, default=5
        Critic updates per generator update.
    preprocessor : "auto", transformer or None, default="auto"
        Applied to ``X`` before the networks. ``"auto"`` uses a
        :class:`~skgen.preprocessing.TabularEncoder` for DataFrames with
        non-numeric or missing values and nothing otherwise.
    max_epochs : int, default=100
        Number of passes over the training data (one generator update per
        mini-batch).
    batch_size : int or "auto", default=64
        Mini-batch size; ``"auto"`` uses 64 for arrays and, for tables
        (DataFrames), ``n_samples // 10`` clipped to [64, 1000] (about ten
        steps an epoch on large tables).
    lr : float, default=5e-5
        Learning rate of the generator.
    discriminator_lr : float, default=None
        Learning rate of the critic; None uses ``lr``.
    optimizer : {"adam", "adamw", "rmsprop", "sgd", "lbfgs"} or callable, default="rmsprop"
        Optimizer of both networks (name or ``torch.optim.Optimizer`` class).
    betas : tuple of float, default=(0.5, 0.999)
        Adam's momentum coefficients (used by ``"adam"`` and ``"adamw"``; the default RMSprop ignores them).
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
        ``net_.discriminator_`` the critic.
    history_ : skorch.History
        Per-epoch record: ``train_generator_loss``, ``train_discriminator_loss``
        (the critic's loss), ``train_d_real`` (mean :math:`f(x)`), ``train_d_fake``
        (mean :math:`f(G(z))`), ``train_wasserstein`` (their difference, the
        Wasserstein estimate), and ``valid_loss`` (held-out MMD²)
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
    WGANGP : The same game with a gradient penalty instead of clipping.
    GAN : The original, Jensen-Shannon game.

    Notes
    -----
    With :math:`\mathcal{F}` the 1-Lipschitz functions, Kantorovich-Rubinstein
    duality gives

    .. math::

        W_1(p, p_G) = \sup_{f \in \mathcal{F}} \mathbb{E}_{x \sim p} f(x) - \mathbb{E}_{z} f(G(z)).

    The critic minimises :math:`\mathbb{E} f(G(z)) - \mathbb{E} f(x)` (then
    its weights are clipped, which keeps :math:`f` K-Lipschitz for some K),
    the generator minimises :math:`-\mathbb{E} f(G(z))`. Unlike the
    Jensen-Shannon divergence, :math:`W_1` is continuous in the generator's
    parameters even when the supports do not overlap, so the critic can be
    trained to optimality (``n_critic`` steps per generator step) without
    killing the generator's gradient, and ``train_wasserstein`` is a
    meaningful learning curve. Each mini-batch of real rows gives
    ``n_critic`` critic updates (fresh noise, the same real rows) and then
    one generator update.

    References
    ----------
    .. [1] M. Arjovsky, S. Chintala and L. Bottou, "Wasserstein generative
       adversarial networks", ICML 2017.

    Examples
    --------
    >>> import numpy as np
    >>> from skgen import WGAN
    >>> X = np.random.RandomState(0).normal(size=(200, 2))
    >>> wgan = WGAN(max_epochs=2, random_state=0).fit(X)
    >>> wgan.sample(5, random_state=0).shape
    (5, 2)
    """

    _parameter_constraints: dict = {
        **BaseGAN._parameter_constraints,
        "clip_value": [Interval(Real, 0, None, closed="neither")],
    }
    _criterion_class = WGANCriterion

    def __init__(
        self,
        n_components=16,
        *,
        clip_value=0.01,
        hidden_layer_sizes=(128, 128),
        discriminator_hidden_layer_sizes=None,
        activation="relu",
        discriminator_activation="leaky_relu",
        input_shape=None,
        channels=(32, 64),
        batch_norm="auto",
        output_activation="auto",
        minibatch_discrimination=False,
        n_critic=5,
        preprocessor="auto",
        max_epochs=100,
        batch_size=64,
        lr=5e-5,
        discriminator_lr=None,
        optimizer="rmsprop",
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
        self.clip_value = clip_value
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
        return {"clip_value": self.clip_value}


class WGANGP(BaseGAN):
    r"""Wasserstein GAN with gradient penalty (Gulrajani et al., 2017).

    A Wasserstein GAN (see :class:`WGAN`) whose critic is kept 1-Lipschitz by
    penalising gradient norms above 1 at random points :math:`\hat x` between
    real and generated rows (or, with ``penalty="two_sided"``, as in the
    paper, :math:`(\lVert\nabla f(\hat x)\rVert - 1)^2`). It trains stably
    with Adam, rarely collapses onto a few modes and its ``train_wasserstein``
    curve tracks sample quality: the usual first choice.
    Fitted with class labels ``y``, the model is conditional: :meth:`sample`
    then generates rows of requested classes.

    Read more in the :doc:`GAN page </gans>`.

    Parameters
    ----------
    n_components : int, default=16
        Dimension of the noise :math:`z \sim N(0, I)`.
    penalty_weight : float, default=10.0
        Weight :math:`\lambda` of the gradient penalty.
    penalty : {"one_sided", "two_sided"}, default="one_sided"
        ``"two_sided"`` pushes the critic's gradient norm towards 1 at the
        interpolates, as in the paper; ``"one_sided"`` only penalises
        norms above 1 (the Lipschitz constraint itself), which avoids a
        barrier when the critic must flip the sign of its slope and
        trains markedly faster on low-dimensional data (see Notes).
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
        without. The critic uses layer normalisation instead whatever this value, since
        the gradient penalty is computed per sample.
    hidden_layer_sizes : array-like of int, default=(128, 128)
        Widths of the generator's hidden layers.
    discriminator_hidden_layer_sizes : array-like of int, default=None
        Widths of the critic's hidden layers; None uses
        ``hidden_layer_sizes``.
    activation : {"relu", "leaky_relu", "elu", "gelu", "selu", "tanh", "sigmoid", "identity"}, \
            default="relu"
        Activation of the generator's hidden layers.
    discriminator_activation : {"relu", "leaky_relu", "elu", "gelu", "selu", "tanh", \
            "sigmoid", "identity"}, default="leaky_relu"
        Activation of the critic's hidden layers.
    output_activation : {"auto", "identity", "sigmoid"}, default="auto"
        Output of the generator: ``"sigmoid"`` for data in [0, 1] (e.g.
        pixel intensities), ``"identity"`` otherwise; ``"auto"`` picks
        ``"sigmoid"`` when all training values are in [0, 1]. Ignored when a
        preprocessor provides an ``output_layout_`` (mixed-type data).
    minibatch_discrimination : bool, default=False
        Give the critic minibatch-discrimination features (how close
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
    n_critic : int, default=5
        Critic updates per generator update.
    ema_decay : float in [0, 1) or None, default=None
        Generator averaging (Yazici et al., 2019): keep an exponential moving
        average of the generator's weights, updated after every generator
        step with this decay (after a warm-up, see :class:`GAN`), and sample
        from it (:meth:`sample`, :meth:`score` and the early-stopping MMD use
        the averaged generator). 0.999 is the usual value. None samples from
        the generator as trained.
    preprocessor : "auto", transformer or None, default="auto"
        Applied to ``X`` before the networks. ``"auto"`` uses a
        :class:`~skgen.preprocessing.TabularEncoder` for DataFrames with
        non-numeric or missing values and nothing otherwise.
    max_epochs : int or "auto", default="auto"
        Number of passes over the training data (one generator update per
        mini-batch). ``"auto"`` is 100 for arrays and, for tables
        (DataFrames), 100 up to 2,500 rows, then ``ceil(250_000 / n_samples)``:
        with ``batch_size="auto"`` a default fit on a table is about 1,000
        generator steps of at most 250 rows, so its cost stops growing with
        the number of rows.
    batch_size : int or "auto", default="auto"
        Mini-batch size; ``"auto"`` uses 64 for arrays and, for tables
        (DataFrames), ``n_samples // 10`` clipped to [64, 250]: 64 rows up
        to 640 rows, then about ten steps an epoch, with ``pac="auto"``
        packing up to 5 rows per critic input.
    lr : float, default=1e-3
        Learning rate of the generator.
    discriminator_lr : float, default=None
        Learning rate of the critic; None uses ``lr``.
    optimizer : {"adam", "adamw", "rmsprop", "sgd", "lbfgs"} or callable, default="adam"
        Optimizer of both networks (name or ``torch.optim.Optimizer`` class).
    betas : tuple of float, default=(0.5, 0.9)
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
        ``net_.discriminator_`` the critic.
    history_ : skorch.History
        Per-epoch record: ``train_generator_loss``, ``train_discriminator_loss``
        (the critic's loss, penalty included), ``train_penalty``, ``train_d_real``
        (mean :math:`f(x)`), ``train_d_fake`` (mean :math:`f(G(z))`),
        ``train_wasserstein`` (their difference, the Wasserstein estimate), and ``valid_loss`` (held-out MMD²)
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
    WGAN : Weight clipping instead of the penalty.
    DRAGAN : A gradient penalty around the real data, with the GAN loss.

    Notes
    -----
    The critic minimises

    .. math::

        \mathbb{E}_z f(G(z)) - \mathbb{E}_x f(x)
        + \lambda\, \mathbb{E}_{\hat x} (\lVert \nabla_{\hat x} f(\hat x) \rVert_2 - 1)^2,
        \qquad \hat x = \epsilon x + (1 - \epsilon) G(z),\ \epsilon \sim U[0, 1],

    and the generator :math:`-\mathbb{E}_z f(G(z))`. A differentiable
    function is 1-Lipschitz iff its gradient norm is at most 1, and the
    optimal critic has norm 1 almost everywhere on the segments between the
    two distributions, hence the paper's two-sided penalty on interpolates.
    The default one-sided penalty :math:`\max(0, \lVert\nabla f\rVert - 1)^2`
    (Petzka et al., 2018) enforces only the constraint itself: the two-sided
    one penalises the gradient norm on its way through 0, a barrier for a
    critic that must flip the sign of its slope. In one dimension this always
    happens and the generator can run away from the data; on a 2-D ring of
    Gaussians the one-sided penalty covered all modes in a fraction of the
    generator steps. Each mini-batch of real rows gives ``n_critic`` critic
    updates (fresh noise, the same real rows) and then one generator update;
    Adam with ``betas=(0.5, 0.9)`` as in the paper.

    References
    ----------
    .. [1] I. Gulrajani et al., "Improved training of Wasserstein GANs",
       NeurIPS 2017.
    .. [2] H. Petzka, A. Fischer and D. Lukovnikov, "On the regularization of
       Wasserstein GANs", ICLR 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from skgen import WGANGP
    >>> X = np.random.RandomState(0).normal(size=(200, 2))
    >>> wgan = WGANGP(max_epochs=2, random_state=0).fit(X)
    >>> wgan.sample(5, random_state=0).shape
    (5, 2)
    """

    _parameter_constraints: dict = {
        "pac": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        **BaseGAN._parameter_constraints,
        "penalty_weight": [Interval(Real, 0, None, closed="left")],
        "penalty": [StrOptions({"one_sided", "two_sided"})],
        "max_epochs": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "ema_decay": [Interval(Real, 0, 1, closed="left"), None],
    }
    _criterion_class = WGANGPCriterion
    _critic_norm = "layer"  # per-sample gradient penalty: no batch statistics
    # batch_size="auto" on tables: at most 250 rows; with max_epochs="auto" a default fit is
    # about 1,000 generator steps whatever the number of rows (see _resolve_max_epochs)
    _table_max_batch = 250

    def __init__(
        self,
        n_components=16,
        *,
        penalty_weight=10.0,
        penalty="one_sided",
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
        n_critic=5,
        ema_decay=None,
        preprocessor="auto",
        max_epochs="auto",
        batch_size="auto",
        lr=1e-3,
        discriminator_lr=None,
        optimizer="adam",
        betas=(0.5, 0.9),
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
        self.penalty_weight = penalty_weight
        self.penalty = penalty
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
        return {"penalty_weight": self.penalty_weight, "penalty": self.penalty}
