"""The deep (or linear) autoencoder."""

from __future__ import annotations

from ..base import BaseAutoencoder
from ..nn import MLP, AutoencoderModule, TiedDecoder, pca_autoencoder_maps


class Autoencoder(BaseAutoencoder):
    r"""Deep fully-connected autoencoder as a scikit-learn transformer.

    An encoder :math:`f` maps a row to a code of ``n_components`` values and
    a decoder :math:`g` (the mirror image of the encoder) maps it back. With
    ``activation="identity"`` the model is linear and its code spans the
    same subspace as PCA with the same number of components.

    Read more in the :doc:`autoencoders page </autoencoders>`.

    Parameters
    ----------
    n_components : int, default=16
        Size of the code (output of ``transform``).
    hidden_layer_sizes : array-like of int, default=(128, 64)
        Widths of the encoder's hidden layers; the decoder mirrors them.
        ``()`` gives a single linear map each way.
    activation : {"relu", "leaky_relu", "elu", "gelu", "selu", "tanh", "sigmoid", "identity"}, \
            default="relu"
        Activation of the hidden layers.
    tied_weights : bool, default=False
        If True, the decoder uses the transposed encoder weights (it owns
        only its biases).
    output_activation : {"auto", "identity", "sigmoid"}, default="auto"
        Output of the decoder and, with it, the reconstruction loss:
        ``"identity"`` with squared error, ``"sigmoid"`` with binary
        cross-entropy (for data in [0, 1], e.g. pixel intensities).
        ``"auto"`` picks ``"identity"`` with ``init="pca"``; with
        ``init="random"``, ``"sigmoid"`` when all training values are in
        [0, 1] and ``"identity"`` otherwise. Ignored when a preprocessor
        provides an ``output_layout_`` (mixed-type data).
    init : {"pca", "random"}, default="pca"
        ``"pca"`` starts the encoder and decoder at PCA's solution (the code is
        the projection of the normalised data on the leading principal axes,
        the decoder its transpose) and learns a
        nonlinear correction whose last layer starts at zero (see
        :mod:`skgen.nn._residual`): a default fit starts where PCA ends. With
        ``activation="identity"`` this is PCA's exact solution and no epoch is
        run. ``"random"``: the usual random initialisation of every layer.
    preprocessor : "auto", transformer or None, default="auto"
        Applied to ``X`` before the network. ``"auto"`` uses a
        :class:`~skgen.preprocessing.TabularEncoder` for DataFrames with
        non-numeric or missing values and nothing otherwise.
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
        Seeds weight initialisation, shuffling and validation splits. The
        caller's global NumPy and torch RNG states are left untouched.
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
        The trained skorch net; ``net_.module_`` is the torch module.
    history_ : skorch.History
        Per-epoch record: ``train_loss``, every named loss term
        (``train_reconstruction``, ...), and ``valid_*`` with early stopping.
    n_iter_ : int
        Number of epochs run.
    loss_curve_ : ndarray of shape (n_iter_,)
        Training loss per epoch.
    validation_loss_curve_ : ndarray of shape (n_iter_,) or None
        Validation loss per epoch when ``early_stopping=True``, else None.
    layout_ : tuple of Block
        Output blocks of the decoder (one block for plain numeric data).
    preprocessor_ : transformer or None
        The fitted preprocessor, if one is used.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.

    See Also
    --------
    DenoisingAE : Learns from corrupted inputs; a more robust code.
    sklearn.decomposition.PCA : The linear special case, solved exactly.

    Notes
    -----
    Training minimises the mean over the batch of

    .. math:: \mathcal{L}(x) = \tfrac12 \lVert g(f(x)) - x \rVert^2

    (or the binary cross-entropy for ``sigmoid`` outputs) in a normalised
    space: numeric data are centred per feature and divided by one global
    scale, which leaves the geometry, and so the PCA subspace, unchanged.

    References
    ----------
    .. [1] G. E. Hinton and R. R. Salakhutdinov, "Reducing the dimensionality
       of data with neural networks", Science 313(5786), 2006.
    .. [2] P. Baldi and K. Hornik, "Neural networks and principal component
       analysis: learning from examples without local minima", Neural
       Networks 2(1), 1989.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skgen import Autoencoder
    >>> X, _ = load_digits(return_X_y=True)
    >>> ae = Autoencoder(n_components=8, max_epochs=2, random_state=0).fit(X)
    >>> ae.transform(X[:3]).shape
    (3, 8)
    >>> ae.inverse_transform(ae.transform(X[:3])).shape
    (3, 64)
    """

    _parameter_constraints: dict = {
        **BaseAutoencoder._parameter_constraints,
        "tied_weights": ["boolean"],
    }

    def __init__(
        self,
        n_components=16,
        *,
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
        self.n_components = n_components
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.tied_weights = tied_weights
        self.output_activation = output_activation
        self.init = init
        self.preprocessor = preprocessor
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

    # Hooks shared by the MLP autoencoders -----------------------------------
    def _build_encoder(self, n_features):
        return MLP(n_features, self._hidden_layer_sizes(), self.n_components, self.activation)

    def _build_decoder(self, encoder, n_features):
        if self.tied_weights:
            return TiedDecoder(encoder, self.activation)
        return MLP(self.n_components, self._hidden_layer_sizes()[::-1], n_features, self.activation)

    def _build_corruption(self, X):
        return None

    def _build_code_activation(self):
        return None

    def _build_module(self, X):
        n_features = X.shape[1]
        encoder = self._build_encoder(n_features)
        decoder = self._build_decoder(encoder, n_features)
        if self.init == "pca":
            encoder, decoder, _ = pca_autoencoder_maps(
                X,
                self.n_components,
                encoder,
                decoder,
                gate_decoder=self.tied_weights,
                whiten=self._whiten_pca_codes,
            )
            decoder = self._pca_decoder_input(decoder)
        return AutoencoderModule(
            encoder,
            decoder,
            corruption=self._build_corruption(X),
            code_activation=self._build_code_activation(),
        )

    def _pca_decoder_input(self, decoder):
        """Hook: adapt a PCA-initialised decoder to the code activation (see SparseAE)."""
        return decoder

    #: The PCA start decodes PCA's reconstruction (see BaseAutoencoder's guard).
    _start_decodes_pca = True
    #: A linear model of this class is PCA's solution (its loss has no other term).
    _linear_is_pca = True
    #: Whiten the PCA part of the code (for codes matched to an N(0, I) prior).
    _whiten_pca_codes = False

    def _closed_form(self):
        return self.init == "pca" and self.activation == "identity" and self._linear_is_pca

    def _codes_in_input_units(self):
        return self.init == "pca" and not self._whiten_pca_codes
