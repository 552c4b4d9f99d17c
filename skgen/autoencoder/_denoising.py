"""The denoising autoencoder."""

from __future__ import annotations

from numbers import Real


from ..nn import CORRUPTIONS, Corruption
from ..utils._param_validation import Interval, StrOptions
from ._plain import Autoencoder


class DenoisingAE(Autoencoder):
    r"""Denoising autoencoder: reconstruct clean rows from corrupted ones.

    During training each input row :math:`x` is corrupted into
    :math:`\tilde x \sim C(\tilde x \mid x)` and the network learns to
    reconstruct the *clean* :math:`x`. The corruption is off in
    ``transform``, ``inverse_transform`` and ``score``. Learning to undo noise
    forces the code to capture the structure of the data rather than copy it,
    which makes the features more robust for a downstream model.

    Read more in the :doc:`autoencoders page </autoencoders>`.

    Parameters
    ----------
    n_components : int, default=16
        Size of the code (output of ``transform``).
    noise : {"gaussian", "masking", "salt_pepper"}, default="gaussian"
        Corruption applied while training:

        * ``"gaussian"``: add :math:`N(0, (\text{noise\_level}\,\sigma_j)^2)`
          noise, :math:`\sigma_j` being the standard deviation of feature j;
        * ``"masking"``: replace a fraction ``noise_level`` of the entries by
          the feature's mean (zero after centring);
        * ``"salt_pepper"``: replace a fraction ``noise_level`` of the
          entries by the feature's minimum or maximum.
    noise_level : float, default=0.2
        Relative noise standard deviation (``"gaussian"``) or fraction of
        corrupted entries (``"masking"``, ``"salt_pepper"``).
    hidden_layer_sizes : array-like of int, default=(128, 64)
        Widths of the encoder's hidden layers; the decoder mirrors them.
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
        Seeds initialisation, shuffling, splits and the corruption noise.
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
        The trained skorch net; ``net_.module_.corruption`` is the
        :class:`~skgen.nn.Corruption` module.
    history_ : skorch.History
        Per-epoch record of the loss and its terms.
    n_iter_ : int
        Number of epochs run.
    loss_curve_ : ndarray of shape (n_iter_,)
        Training loss per epoch (on corrupted inputs).
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
    Autoencoder : The same model without corruption.

    Notes
    -----
    The loss is

    .. math:: \mathcal{L}(x) = \mathbb{E}_{\tilde x \sim C(\cdot \mid x)}
              \tfrac12 \lVert g(f(\tilde x)) - x \rVert^2,

    estimated with one corruption per row and batch.

    References
    ----------
    .. [1] P. Vincent, H. Larochelle, Y. Bengio and P.-A. Manzagol,
       "Extracting and composing robust features with denoising
       autoencoders", ICML 2008.
    .. [2] P. Vincent et al., "Stacked denoising autoencoders", JMLR 11, 2010.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from skgen import DenoisingAE
    >>> X, y = load_digits(return_X_y=True)
    >>> pipe = make_pipeline(DenoisingAE(max_epochs=2, random_state=0),
    ...                      LogisticRegression(max_iter=200))
    >>> pipe.fit(X, y).predict(X[:2]).shape
    (2,)
    """

    _parameter_constraints: dict = {
        **Autoencoder._parameter_constraints,
        "noise": [StrOptions(set(CORRUPTIONS))],
        "noise_level": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        n_components=16,
        *,
        noise="gaussian",
        noise_level=0.2,
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
        self.noise = noise
        self.noise_level = noise_level

    def _build_corruption(self, X):
        if self.noise != "gaussian" and self.noise_level > 1:
            raise ValueError(
                f"noise_level is a fraction of corrupted entries for noise={self.noise!r} "
                f"and must be in [0, 1]; got {self.noise_level}."
            )
        return corruption_for(X, self.noise, self.noise_level)


def corruption_for(X, kind, level):
    """A :class:`~skgen.nn.Corruption` with per-feature statistics of ``X``.

    ``X`` is the training data in the network's input space.
    """
    return Corruption(
        kind,
        level,
        scale=X.std(axis=0),
        fill=X.mean(axis=0),
        low=X.min(axis=0),
        high=X.max(axis=0),
    )
