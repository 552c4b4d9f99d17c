"""DRAGAN: the GAN loss with a gradient penalty around the data."""

from __future__ import annotations

from numbers import Real

from ..losses import DRAGANCriterion
from ..utils._param_validation import Interval, StrOptions
from ._base import BaseGAN


class DRAGAN(BaseGAN):
    r"""GAN with a gradient penalty around the real data (Kodali et al., 2017).

    The losses of :class:`GAN` plus a penalty that keeps the discriminator's
    gradient norm close to 1 in a neighbourhood of the real rows. Sharp
    discriminator gradients near the data are what lets a GAN collapse onto
    a few modes; smoothing them there gives stabler training without the
    Wasserstein critic.
    Fitted with class labels ``y``, the model is conditional: :meth:`sample`
    then generates rows of requested classes.

    Read more in the :doc:`GAN page </gans>`.

    Parameters
    ----------
    n_components : int, default=16
        Dimension of the noise :math:`z \sim N(0, I)`.
    loss : {"non_saturating", "minimax"}, default="non_saturating"
        Generator loss (see :class:`GAN`).
    label_smoothing : float, default=0.0
        One-sided label smoothing of the real targets (see :class:`GAN`).
    penalty_weight : float, default=10.0
        Weight :math:`\lambda` of the gradient penalty.
    perturbation : float, default=0.5
        Size :math:`c` of the neighbourhood, in units of the data's
        standard deviation.
    penalty : {"one_sided", "two_sided"}, default="one_sided"
        ``"two_sided"`` pushes the gradient norm towards 1 near the data, as
        in the paper; ``"one_sided"`` only penalises norms above 1, which
        lets the discriminator peak at the modes of the data (see Notes).
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
        Per-epoch record: ``train_generator_loss``, ``train_discriminator_loss`` (penalty
        included), ``train_penalty``, ``train_d_real`` (mean :math:`D(x)`),
        ``train_d_fake`` (mean :math:`D(G(z))`), and ``valid_loss`` (held-out MMD²)
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
    GAN : Without the penalty.
    WGANGP : The penalty on interpolates, with a Wasserstein critic.

    Notes
    -----
    The discriminator minimises the cross-entropy of :class:`GAN` plus

    .. math::

        \lambda\, \mathbb{E}_{\hat x} (\lVert \nabla_{\hat x} D(\hat x) \rVert_2 - 1)^2,
        \qquad \hat x = x + \epsilon\, c\, \sigma_X u,\ u \sim U[0, 1]^d,\ \epsilon \sim U[0, 1],

    with :math:`D` the logit and :math:`\sigma_X` the standard deviation of
    the batch, as in the authors' implementation, or, by default, its
    one-sided form :math:`\lambda\,\mathbb{E}\max(0, \lVert\nabla D(\hat x)\rVert_2 - 1)^2`.
    A discriminator that peaks at a mode of the data has a zero gradient
    there, which the two-sided penalty forbids: on a 1-D mixture and a 2-D
    ring of Gaussians the two-sided form left the generator stuck between
    modes, the one-sided form did not. The generator loss is the GAN's. Each
    mini-batch of real rows gives ``n_critic`` discriminator updates and then
    one generator update.

    References
    ----------
    .. [1] N. Kodali, J. Abernethy, J. Hays and Z. Kira, "On convergence and
       stability of GANs", arXiv:1705.07215, 2017.

    Examples
    --------
    >>> import numpy as np
    >>> from skgen import DRAGAN
    >>> X = np.random.RandomState(0).normal(size=(200, 2))
    >>> gan = DRAGAN(max_epochs=2, random_state=0).fit(X)
    >>> gan.sample(5, random_state=0).shape
    (5, 2)
    """

    _parameter_constraints: dict = {
        **BaseGAN._parameter_constraints,
        "loss": [StrOptions({"non_saturating", "minimax"})],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
        "penalty_weight": [Interval(Real, 0, None, closed="left")],
        "perturbation": [Interval(Real, 0, None, closed="neither")],
        "penalty": [StrOptions({"one_sided", "two_sided"})],
    }
    _criterion_class = DRAGANCriterion
    _critic_norm = "layer"  # of the convolutional discriminator (see skgen.gan._conv)

    def __init__(
        self,
        n_components=16,
        *,
        loss="non_saturating",
        label_smoothing=0.0,
        penalty_weight=10.0,
        perturbation=0.5,
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
        self.loss = loss
        self.label_smoothing = label_smoothing
        self.penalty_weight = penalty_weight
        self.perturbation = perturbation
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
            "loss": self.loss,
            "label_smoothing": self.label_smoothing,
            "penalty_weight": self.penalty_weight,
            "perturbation": self.perturbation,
            "penalty": self.penalty,
        }
