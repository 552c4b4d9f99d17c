"""The contractive autoencoder."""

from __future__ import annotations

from numbers import Integral, Real

from types import SimpleNamespace

from torch import nn

from ..losses import ContractiveCriterion
from ..utils._param_validation import Interval
from ._plain import Autoencoder


class ContractiveAE(Autoencoder):
    r"""Contractive autoencoder: a code that is insensitive to small input changes.

    The loss adds to the reconstruction error the squared Frobenius norm of
    the Jacobian of the code with respect to the input. The code then
    varies only along the directions the data actually vary in (those the
    decoder needs to reconstruct), and is flat in the others: a locally
    robust, manifold-following representation. Unlike
    :class:`DenoisingAE`, which makes the *reconstruction* robust to a
    chosen noise, the contraction is analytic and acts on the *code*.

    The code is a sigmoid of the encoder's output (values in (0, 1)), as in
    the original model: with an unbounded linear code the penalty could be
    made arbitrarily small by scaling the code down and the decoder up.

    Read more in the :doc:`autoencoders page </autoencoders>`.

    Parameters
    ----------
    n_components : int, default=16
        Size of the code (output of ``transform``).
    contractive_weight : float, default=1.0
        Weight :math:`\lambda` of the Jacobian penalty. Larger values give a
        flatter code and worse reconstructions.
    n_projections : int or None, default=None
        None computes the penalty exactly (one batched vector-Jacobian
        product per code unit, cheap for codes of tens of units). An integer
        ``m`` uses the unbiased estimate from ``m`` random Gaussian
        projections instead, for large codes. A one-layer encoder
        (``hidden_layer_sizes=()``) always uses the closed form.
    hidden_layer_sizes : array-like of int, default=(128, 64)
        Widths of the encoder's hidden layers; the decoder mirrors them.
        ``()`` gives the classic one-layer contractive autoencoder.
    activation : {"relu", "leaky_relu", "elu", "gelu", "selu", "tanh", "sigmoid", "identity"}, \
            default="relu"
        Activation of the hidden layers.
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
    n_iter_no_change : int, default=20
        Patience, in epochs.
    tol : float, default=1e-4
        Minimum improvement of the monitored loss, relative for losses above
        1 in magnitude and absolute below: an epoch counts when
        ``loss < best - tol * max(1, |best|)``.
    device : str or torch.device, default="auto"
        ``"auto"`` trains on CUDA when available, else on the CPU.
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, shuffling, splits and the projections.
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
        The trained skorch net; ``net_.module_`` is the torch module.
    history_ : skorch.History
        Per-epoch record: ``train_loss``, ``train_reconstruction``,
        ``train_contractive`` (weighted), and ``valid_*`` with early
        stopping.
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
    DenoisingAE : Robustness through input corruption instead.
    Autoencoder : The same network without the penalty.

    Notes
    -----
    With code :math:`h = f(x) = \sigma(\phi(x))` and decoder :math:`g`,
    training minimises the batch mean of

    .. math:: \tfrac12 \lVert g(h) - x \rVert^2 + \lambda \lVert J_f(x) \rVert_F^2,
              \qquad \lVert J_f(x) \rVert_F^2 = \sum_{j, i}
              \left(\frac{\partial h_j}{\partial x_i}\right)^2,

    the Jacobian being taken in the network's input space (centred, scaled
    data). For a one-layer encoder :math:`h = \sigma(W x + b)` the penalty
    is :math:`\sum_j (h_j (1 - h_j))^2 \sum_i W_{ji}^2`; a deep encoder uses
    exact batched double backpropagation (or random projections, see
    ``n_projections``), which costs about ``n_components`` extra backward
    passes per batch.

    The penalty trades reconstruction for a smoother code: with the default
    weight the model still reconstructs better than PCA at equal size.

    References
    ----------
    .. [1] S. Rifai, P. Vincent, X. Muller, X. Glorot and Y. Bengio,
       "Contractive auto-encoders: explicit invariance during feature
       extraction", ICML 2011.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from skgen import ContractiveAE
    >>> X, _ = load_digits(return_X_y=True)
    >>> cae = ContractiveAE(n_components=8, max_epochs=2, random_state=0).fit(X)
    >>> Z = cae.transform(X[:3])
    >>> Z.shape, bool(np.isfinite(Z).all())
    ((3, 8), True)
    """

    _parameter_constraints: dict = {
        **Autoencoder._parameter_constraints,
        "contractive_weight": [Interval(Real, 0, None, closed="left")],
        "n_projections": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        n_components=16,
        *,
        contractive_weight=1.0,
        n_projections=None,
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
        self.contractive_weight = contractive_weight
        self.n_projections = n_projections

    def _build_code_activation(self):
        # With init="pca" the code is PCA's score plus a correction whose Jacobian is
        # penalised (the fixed part's scale cannot be traded against the decoder's).
        return None if self.init == "pca" else nn.Sigmoid()

    def _build_criterion(self):
        if self.init == "pca":
            return _ResidualContractiveCriterion(self.layout_, self.contractive_weight, self.n_projections)
        return ContractiveCriterion(self.layout_, self.contractive_weight, self.n_projections)


class _ResidualContractiveCriterion(ContractiveCriterion):
    r"""The contractive penalty on the learned correction of a PCA-initialised encoder.

    The code is :math:`h(x) = A (x - m) + r(x)`; the fixed part's Jacobian :math:`A`
    is the same at every point, so only :math:`\lVert J_r(x) \rVert_F^2` is
    penalised: the code is kept as locally flat as PCA's.
    """

    def penalty(self, output, module):
        residual = module.encoder.residual
        proxy = SimpleNamespace(
            encoder=residual, code_activation=None, corruption=None, encode=residual
        )
        return super().penalty(output, proxy)
