"""The original generative adversarial network."""

from __future__ import annotations

from numbers import Real

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
        Mini-batch size; ``"auto"`` uses ``n_samples // 10`` clipped to
        [32, 128].
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

    References
    ----------
    .. [1] I. Goodfellow et al., "Generative adversarial nets", NeurIPS 2014.
    .. [2] T. Salimans et al., "Improved techniques for training GANs",
       NeurIPS 2016 (label smoothing, minibatch discrimination).
    .. [3] T. Miyato and M. Koyama, "cGANs with projection discriminator",
       ICLR 2018.

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
        **BaseGAN._parameter_constraints,
        "loss": [StrOptions({"non_saturating", "minimax"})],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
    }
    _criterion_class = GANCriterion

    def __init__(
        self,
        n_components=16,
        *,
        loss="non_saturating",
        label_smoothing=0.0,
        hidden_layer_sizes=(128, 128),
        discriminator_hidden_layer_sizes=None,
        activation="relu",
        discriminator_activation="leaky_relu",
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
    ):
        self.n_components = n_components
        self.loss = loss
        self.label_smoothing = label_smoothing
        self.hidden_layer_sizes = hidden_layer_sizes
        self.discriminator_hidden_layer_sizes = discriminator_hidden_layer_sizes
        self.activation = activation
        self.discriminator_activation = discriminator_activation
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

    def _criterion_params(self):
        return {"loss": self.loss, "label_smoothing": self.label_smoothing}
