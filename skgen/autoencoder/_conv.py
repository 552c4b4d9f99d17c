"""The convolutional autoencoder for images passed as flat rows."""

from __future__ import annotations

import math
from numbers import Integral

from ..base import BaseAutoencoder
from ..nn import AutoencoderModule, ConvDecoder, ConvEncoder, pca_autoencoder_maps
from ..utils._param_validation import Interval


class ConvAE(BaseAutoencoder):
    r"""Convolutional autoencoder for images given as flat rows.

    Each row of ``X`` holds one image of shape ``input_shape = (C, H, W)``,
    flattened in C order (channels, then rows, then columns), so image data
    fit in any scikit-learn pipeline as a plain 2-D array. The encoder is a
    stack of strided convolutions (each halves the height and width) and a
    linear layer to the code; the decoder mirrors it with transposed
    convolutions. Weight sharing over positions makes it far more
    parameter-efficient on images than a fully-connected autoencoder, and
    its features are local (strokes, edges).

    Read more in the :doc:`autoencoders page </autoencoders>`.

    Parameters
    ----------
    n_components : int, default=16
        Size of the code (output of ``transform``).
    input_shape : tuple of int (C, H, W) or None, default=None
        Shape of one image; ``C * H * W`` must equal the number of features.
        None guesses a single-channel square image when the number of
        features is a perfect square (64 -> (1, 8, 8), 784 -> (1, 28, 28))
        and a single-channel 1-D signal ``(1, 1, n_features)`` otherwise.
    channels : array-like of int, default=(32, 64)
        Output channels of the encoder's convolution stages (the decoder
        mirrors them). Each stage halves the height and width, rounding up;
        an axis of length 1 is left alone.
    kernel_size : int, default=3
        Odd size of the square convolution kernels.
    activation : {"relu", "leaky_relu", "elu", "gelu", "selu", "tanh", "sigmoid", "identity"}, \
            default="relu"
        Activation after each convolution (not after the last transposed
        convolution).
    output_activation : {"auto", "identity", "sigmoid"}, default="auto"
        Decoder output and loss (see :class:`Autoencoder`): ``"auto"``
        picks sigmoid with cross-entropy for intensities in [0, 1] and
        squared error otherwise.
    init : {"pca", "random"}, default="pca"
        ``"pca"`` starts the encoder and decoder at PCA's solution (the code is
        the projection of the normalised data on the leading principal axes,
        the decoder its transpose) and learns a
        nonlinear correction whose last layer starts at zero (see
        :mod:`skgen.nn._residual`): a default fit starts where PCA ends. With
        ``activation="identity"`` this is PCA's exact solution and no epoch is
        run. ``"random"``: the usual random initialisation of every layer.
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
        Seeds initialisation, shuffling and splits.
    verbose : int, default=0
        ``1`` shows a progress bar per epoch; ``2`` also skorch's table.
    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        Extra skorch callbacks (``LRScheduler``, ``GradientNormClipping``,
        ``Checkpoint``, ``EarlyStopping``, ``ProgressBar``, your own), appended
        to skgen's. Each ``fit`` works on deep copies; the trained net's are in
        ``net_.callbacks_``.

    Attributes
    ----------
    input_shape_ : tuple of int
        The image shape ``(C, H, W)`` used (``input_shape`` or its guess).
    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_`` holds the
        :class:`~skgen.nn.ConvEncoder` and :class:`~skgen.nn.ConvDecoder`.
    history_ : skorch.History
        Per-epoch record of the loss and its terms.
    n_iter_ : int
        Number of epochs run.
    loss_curve_ : ndarray of shape (n_iter_,)
        Training loss per epoch.
    validation_loss_curve_ : ndarray of shape (n_iter_,) or None
        Validation loss per epoch when ``early_stopping=True``, else None.
    layout_ : tuple of Block
        Output block of the decoder (``numeric`` or ``binary``).
    preprocessor_ : None
        Always None: images are used as they are.
    n_features_in_ : int
        Number of features (pixels times channels) seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.

    See Also
    --------
    Autoencoder : The fully-connected autoencoder, for tabular data.

    Notes
    -----
    With the convolutional encoder :math:`f` and decoder :math:`g`, training
    minimises the batch mean of :math:`\tfrac12 \lVert g(f(x)) - x \rVert^2`
    (or the pixel-wise binary cross-entropy for [0, 1] intensities), in the
    normalised space of :class:`Autoencoder` (pixels centred, one global
    scale). Stage :math:`s` maps a :math:`(c, h, w)` feature map to
    :math:`(c_s, \lceil h/2 \rceil, \lceil w/2 \rceil)`; the transposed
    convolutions restore each size exactly.

    References
    ----------
    .. [1] J. Masci, U. Meier, D. Cireşan and J. Schmidhuber, "Stacked
       convolutional auto-encoders for hierarchical feature extraction",
       ICANN 2011.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skgen import ConvAE
    >>> X, _ = load_digits(return_X_y=True)
    >>> cae = ConvAE(n_components=8, input_shape=(1, 8, 8), max_epochs=2,
    ...              random_state=0).fit(X)
    >>> cae.transform(X[:3]).shape
    (3, 8)
    >>> cae.inverse_transform(cae.transform(X[:3])).shape
    (3, 64)
    """

    _parameter_constraints: dict = {
        **{
            key: value
            for key, value in BaseAutoencoder._parameter_constraints.items()
            if key not in {"preprocessor", "hidden_layer_sizes"}
        },
        "input_shape": ["array-like", None],
        "channels": ["array-like"],
        "kernel_size": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        n_components=16,
        *,
        input_shape=None,
        channels=(32, 64),
        kernel_size=3,
        activation="relu",
        output_activation="auto",
        init="pca",
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
        self.n_components = n_components
        self.input_shape = input_shape
        self.channels = channels
        self.kernel_size = kernel_size
        self.activation = activation
        self.output_activation = output_activation
        self.init = init
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

    def _resolve_preprocessor(self, X):
        return None

    def _resolve_input_shape(self, n_features):
        name = type(self).__name__
        if self.input_shape is None:
            side = math.isqrt(n_features)
            if side * side == n_features:
                return (1, side, side)
            return (1, 1, n_features)
        shape = tuple(self.input_shape)
        if len(shape) != 3 or not all(isinstance(s, Integral) and s >= 1 for s in shape):
            raise ValueError(
                f"{name}: input_shape must be three positive integers (C, H, W); "
                f"got {self.input_shape!r}."
            )
        if math.prod(shape) != n_features:
            raise ValueError(
                f"{name}: input_shape={shape} holds {math.prod(shape)} values per image, but X "
                f"has {n_features} features; rows must be images flattened in C order, so "
                "C * H * W must equal n_features."
            )
        return tuple(int(s) for s in shape)

    def _channels(self):
        channels = list(self.channels)
        if any(not isinstance(c, Integral) or c < 1 for c in channels):
            raise ValueError(
                f"{type(self).__name__}: channels must contain positive integers; "
                f"got {self.channels!r}."
            )
        return [int(c) for c in channels]

    def _codes_in_input_units(self):
        return self.init == "pca"

    def _build_module(self, X):
        if self.kernel_size % 2 == 0:
            raise ValueError(
                f"{type(self).__name__}: kernel_size must be odd; got {self.kernel_size}."
            )
        self.input_shape_ = self._resolve_input_shape(X.shape[1])
        channels = self._channels()
        args = (self.input_shape_, channels, self.n_components, self.kernel_size, self.activation)
        encoder, decoder = ConvEncoder(*args), ConvDecoder(*args)
        if self.init == "pca":
            encoder, decoder, _ = pca_autoencoder_maps(X, self.n_components, encoder, decoder)
        return AutoencoderModule(encoder, decoder)
