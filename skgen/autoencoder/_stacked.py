"""The stacked autoencoder: greedy layer-wise pretraining, then fine-tuning."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import torch

from .._layout import single_block_layout
from ..base import _BaseNeuralEstimator
from ..losses import ReconstructionCriterion, SparsityCriterion
from ..nn._residual import zero_last_layer
from ..nn import CORRUPTIONS, MLP, AutoencoderModule, TiedDecoder, make_activation
from ..utils._param_validation import Interval, StrOptions
from ._denoising import corruption_for
from ._plain import Autoencoder

PRETRAINING = ("denoising", "sparse", "plain")


class _GreedyLayer(_BaseNeuralEstimator):
    """One shallow autoencoder of the greedy pretraining (private).

    Trains a given module and criterion on data that are already in the
    network's space (no preprocessor, no rescaling) through the shared
    machinery of :class:`~skgen.base._BaseNeuralEstimator`.
    """

    preprocessor = None
    callbacks = None
    early_stopping = False
    validation_fraction = 0.1
    verbose = 0

    def __init__(
        self,
        module,
        criterion,
        *,
        layout,
        max_epochs,
        batch_size,
        lr,
        optimizer,
        weight_decay,
        n_iter_no_change,
        tol,
        device,
        random_state,
    ):
        self.module = module
        self.criterion = criterion
        self.layout = layout
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.device = device
        self.random_state = random_state

    def _build_module(self, X):
        return self.module

    def _build_criterion(self):
        return self.criterion

    def _fit_input_scaling(self, X):
        self._fit_dtype = X.dtype
        self.layout_ = tuple(self.layout)
        self._input_offset = np.zeros(X.shape[1])
        self._input_scale = np.ones(X.shape[1])


class StackedAE(Autoencoder):
    r"""Stacked autoencoder: greedy layer-wise pretraining, then fine-tuning.

    Before the deep autoencoder is trained end to end, each of its layers is
    pretrained as a shallow autoencoder on the codes of the layer below
    (the data for the first layer), as in deep belief networks and stacked
    denoising autoencoders. The pretrained weights then initialise the deep
    encoder and its mirrored decoder, which are fine-tuned together on the
    reconstruction loss exactly like an :class:`Autoencoder`.

    Pretraining helps deep, narrow or saturating networks (``"sigmoid"``,
    ``"tanh"``) start from a sensible point; with ReLU networks and Adam
    its advantage is smaller, but it gives each layer a meaning on its own.

    Read more in the :doc:`autoencoders page </autoencoders>`.

    Parameters
    ----------
    n_components : int, default=16
        Size of the code (output of ``transform``).
    pretraining : {"denoising", "sparse", "plain"}, default="denoising"
        Kind of shallow autoencoder each layer is pretrained as:
        ``"denoising"`` corrupts its input with ``noise``/``noise_level``
        (as :class:`DenoisingAE`), ``"sparse"`` adds the L1 code penalty of
        :class:`SparseAE` with ``sparsity_weight``, ``"plain"`` neither.
    pretrain_epochs : int, default=20
        Epochs of pretraining for each layer.
    noise : {"gaussian", "masking", "salt_pepper"}, default="gaussian"
        Corruption of the layers' inputs with ``pretraining="denoising"``
        (see :class:`DenoisingAE`).
    noise_level : float, default=0.2
        Relative noise standard deviation or fraction of corrupted entries.
    sparsity_weight : float, default=0.1
        Weight of the L1 code penalty with ``pretraining="sparse"``.
    hidden_layer_sizes : array-like of int, default=(128, 64)
        Widths of the encoder's hidden layers; the decoder mirrors them.
        One shallow autoencoder is pretrained per hidden layer, plus one for
        the code.
    activation : {"relu", "leaky_relu", "elu", "gelu", "selu", "tanh", "sigmoid", "identity"}, \
            default="relu"
        Activation of the hidden layers (and of the pretrained layers' codes,
        except the last one, which is linear as in the deep model).
    tied_weights : bool, default=False
        If True, the decoder (and each pretrained layer's decoder) uses the
        transposed encoder weights.
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
        Maximum number of fine-tuning epochs.
    batch_size : int or "auto", default="auto"
        Mini-batch size (pretraining and fine-tuning).
    lr : float, default=1e-3
        Learning rate (pretraining and fine-tuning).
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
        Seeds initialisation, shuffling, corruption and splits, pretraining
        included.
    verbose : int, default=0
        ``1`` shows a progress bar per fine-tuning epoch; ``2`` also
        skorch's table.
    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        Extra skorch callbacks (``LRScheduler``, ``GradientNormClipping``,
        ``Checkpoint``, ``EarlyStopping``, ``ProgressBar``, your own), appended
        to skgen's. Each ``fit`` works on deep copies; the trained net's are in
        ``net_.callbacks_``.

    Attributes
    ----------
    pretraining_loss_curves_ : list of ndarray
        Training loss per pretraining epoch, one array per layer (the
        hidden layers in order, then the code layer).
    net_ : skorch.NeuralNet
        The fine-tuned skorch net; ``net_.module_`` is the torch module.
    history_ : skorch.History
        Per-epoch record of the fine-tuning.
    n_iter_ : int
        Number of fine-tuning epochs run.
    loss_curve_ : ndarray of shape (n_iter_,)
        Fine-tuning loss per epoch.
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
    Autoencoder : The same network trained from a random initialisation.
    DenoisingAE, SparseAE : The shallow models used for pretraining.

    Notes
    -----
    With layer sizes :math:`d_0 = ` n_features, :math:`d_1, \dots, d_L =`
    ``n_components``, layer :math:`l` is pretrained as the shallow
    autoencoder :math:`h_l = a_l(W_l \tilde h_{l-1} + b_l)`,
    :math:`\hat h_{l-1} = W'_l h_l + b'_l`, minimising

    .. math:: \tfrac12 \lVert \hat h_{l-1} - h_{l-1} \rVert^2 \;[+\; \lambda
              \textstyle\sum_j |h_{l,j}| \lVert w'_{l,j} \rVert]

    on the codes :math:`h_{l-1}` of the (already trained) layers below,
    where :math:`\tilde h_{l-1}` is the corrupted input (``"denoising"``)
    and the bracket is the sparse penalty (``"sparse"``); :math:`a_l` is
    ``activation`` for hidden layers and the identity for the code, and the
    first layer uses the data's reconstruction loss (squared error or
    cross-entropy). The deep encoder is
    :math:`f = a_L \circ (W_L \cdot) \circ \dots \circ a_1 \circ (W_1 \cdot)`
    and the decoder :math:`g` uses the :math:`W'_l` in reverse order. Then
    :math:`\tfrac12 \lVert g(f(x)) - x \rVert^2` is minimised end to end, on
    clean inputs.

    ``partial_fit`` on an unfitted model runs the whole pretraining, then
    one fine-tuning epoch.

    References
    ----------
    .. [1] Y. Bengio, P. Lamblin, D. Popovici and H. Larochelle, "Greedy
       layer-wise training of deep networks", NIPS 2006.
    .. [2] P. Vincent, H. Larochelle, I. Lajoie, Y. Bengio and
       P.-A. Manzagol, "Stacked denoising autoencoders: learning useful
       representations in a deep network with a local denoising criterion",
       JMLR 11, 2010.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skgen import StackedAE
    >>> X, _ = load_digits(return_X_y=True)
    >>> sae = StackedAE(n_components=8, pretrain_epochs=2, max_epochs=2,
    ...                 random_state=0).fit(X)
    >>> [len(curve) for curve in sae.pretraining_loss_curves_]
    [2, 2, 2]
    >>> sae.transform(X[:3]).shape
    (3, 8)
    """

    _parameter_constraints: dict = {
        **Autoencoder._parameter_constraints,
        "pretraining": [StrOptions(set(PRETRAINING))],
        "pretrain_epochs": [Interval(Integral, 0, None, closed="left")],
        "noise": [StrOptions(set(CORRUPTIONS))],
        "noise_level": [Interval(Real, 0, None, closed="left")],
        "sparsity_weight": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        n_components=16,
        *,
        pretraining="denoising",
        pretrain_epochs=20,
        noise="gaussian",
        noise_level=0.2,
        sparsity_weight=0.1,
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
        self.pretraining = pretraining
        self.pretrain_epochs = pretrain_epochs
        self.noise = noise
        self.noise_level = noise_level
        self.sparsity_weight = sparsity_weight

    # -------------------------------------------------------------- pretraining
    def _layer_module(self, X, n_out, code_activation):
        """A shallow autoencoder module for one layer, fed with ``X``."""
        n_in = X.shape[1]
        encoder = MLP(n_in, (), n_out)
        decoder = TiedDecoder(encoder, "identity") if self.tied_weights else MLP(n_out, (), n_in)
        corruption = None
        if self.pretraining == "denoising" and self.noise_level > 0:
            if self.noise != "gaussian" and self.noise_level > 1:
                raise ValueError(
                    f"noise_level is a fraction of corrupted entries for noise={self.noise!r} "
                    f"and must be in [0, 1]; got {self.noise_level}."
                )
            corruption = corruption_for(X, self.noise, self.noise_level)
        return AutoencoderModule(encoder, decoder, corruption, make_activation(code_activation))

    def _layer_criterion(self, layout):
        if self.pretraining == "sparse":
            return SparsityCriterion(layout, "l1", self.sparsity_weight)
        return ReconstructionCriterion(layout)

    def _before_training(self, net, Xn, y):
        """Greedy layer-wise pretraining, copied into ``net.module_``.

        Runs inside the seeded torch context of ``fit``: the layers' seeds
        are drawn from it, so the whole fit is reproducible.
        """
        sizes = [*self._hidden_layer_sizes(), self.n_components]
        deep = net.module_
        # With init="pca" the layers are those of the residual networks around PCA.
        encoder = getattr(deep.encoder, "residual", deep.encoder)
        decoder = getattr(deep.decoder, "residual", deep.decoder)
        encoder_layers = encoder.linear_layers
        n_layers = len(sizes)
        self.pretraining_loss_curves_ = []
        if self.pretrain_epochs == 0:
            return
        if net.train_split is not None:  # pretrain on the fine-tuning's training rows only
            Xn = net.train_split(self._to_tensor_data(Xn))[0].X.cpu().numpy()
        inputs, layout = Xn, self.layout_
        for i, size in enumerate(sizes):
            code_activation = self.activation if i < n_layers - 1 else "identity"
            module = self._layer_module(inputs, size, code_activation)
            layer = _GreedyLayer(
                module,
                self._layer_criterion(layout),
                layout=layout,
                max_epochs=self.pretrain_epochs,
                batch_size=self.batch_size,
                lr=self.lr,
                optimizer=self.optimizer,
                weight_decay=self.weight_decay,
                n_iter_no_change=self.n_iter_no_change,
                tol=self.tol,
                device=self._device,
                random_state=int(torch.randint(2**31 - 1, ())),
            )._fit(inputs)
            self.pretraining_loss_curves_.append(layer.loss_curve_)
            trained = layer.net_.module_
            with torch.no_grad():
                encoder_layers[i].weight.copy_(trained.encoder[0].weight)
                encoder_layers[i].bias.copy_(trained.encoder[0].bias)
                mirror = n_layers - 1 - i
                if self.tied_weights:
                    decoder.biases[mirror].copy_(trained.decoder.biases[0])
                else:
                    target = decoder.linear_layers[mirror]
                    target.weight.copy_(trained.decoder[0].weight)
                    target.bias.copy_(trained.decoder[0].bias)
            if i < n_layers - 1:
                inputs = layer._run_batches(trained.encode, inputs)
                layout = single_block_layout(inputs.shape[1], "numeric")
        if self.init == "pca":
            # The pretrained hidden layers feed a correction that still starts at zero,
            # so fine-tuning starts at PCA's solution.
            zero_last_layer(encoder)
            if not self.tied_weights:
                zero_last_layer(decoder)

    def _build_corruption(self, X):
        return None
