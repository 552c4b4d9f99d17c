"""The sparse autoencoder: L1, KL or k-sparse codes."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from torch import nn

from ..losses import ReconstructionCriterion, SparsityCriterion
from ..nn._residual import Logit, pca_basis
from ..nn import TopK
from ..utils._param_validation import Interval, StrOptions
from ._callbacks import LinearSchedule, with_warmup
from ._plain import Autoencoder

SPARSITY = ("l1", "kl", "k_sparse")
_DEFAULT_WEIGHTS = {"l1": 0.03, "kl": 1.0}


class SparseAE(Autoencoder):
    r"""Sparse autoencoder: a code with few active units per row.

    The code can be as large as, or larger than, the input (an
    *overcomplete* code, ``n_components > n_features``): the sparsity
    constraint, not the size of the bottleneck, keeps the network from
    copying its input, and each row is explained by a few of many learned
    features. Three kinds of sparsity are available:

    * ``"kl"`` (default): sigmoid codes whose mean activation over a batch
      is pulled towards a small target :math:`\rho` (Ng's sparse
      autoencoder); units can be quiet but never die;
    * ``"l1"``: non-negative (ReLU) codes with an L1 penalty, so that many
      units are exactly 0;
    * ``"k_sparse"``: only the ``k`` largest code values of each row are
      kept, so every code has exactly ``k`` non-zero entries (Makhzani and
      Frey). No penalty is needed.

    Read more in the :doc:`autoencoders page </autoencoders>`.

    Parameters
    ----------
    n_components : int, default=16
        Size of the code (output of ``transform``); may exceed the number of
        features.
    sparsity : {"kl", "l1", "k_sparse"}, default="kl"
        Kind of sparsity (see above).
    sparsity_weight : float or None, default=None
        Weight :math:`\lambda` of the sparsity penalty (``"l1"`` and
        ``"kl"``; ignored by ``"k_sparse"``). None uses 0.03 for ``"l1"``
        and 1.0 for ``"kl"``. Larger values give sparser codes and worse
        reconstructions; too large an L1 weight switches every unit off.
    sparsity_target : float, default=0.05
        Target mean activation :math:`\rho` of each code unit (``"kl"``
        only), in (0, 1).
    k : int or None, default=None
        Number of non-zero code values per row (``"k_sparse"`` only).
        None uses ``max(1, n_components // 4)``. Training starts with all
        ``n_components`` units and lowers their number linearly to ``k``
        over the first half of ``max_epochs``, which keeps most units from
        dying early (the k-sparse paper's schedule).
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
        Patience, in epochs (not counting the epochs over which ``k`` is
        lowered).
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
    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_.code_activation`` is the
        ReLU, sigmoid or :class:`~skgen.nn.TopK` module.
    history_ : skorch.History
        Per-epoch record: ``train_loss``, ``train_reconstruction``,
        ``train_sparsity`` (weighted), and ``valid_*`` with early stopping.
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
    Autoencoder : The same network without the sparsity constraint.
    sklearn.decomposition.MiniBatchDictionaryLearning : Linear sparse coding.

    Notes
    -----
    With encoder :math:`f`, decoder :math:`g` and code :math:`h = a(f(x))`,
    training minimises the batch mean of
    :math:`\tfrac12 \lVert g(h) - x \rVert^2` (or the cross-entropy, see
    :class:`Autoencoder`) plus

    * ``"kl"``, :math:`a = \sigma`:
      :math:`\lambda \sum_j \rho \log\frac{\rho}{\hat\rho_j}
      + (1 - \rho) \log\frac{1 - \rho}{1 - \hat\rho_j}`, with
      :math:`\hat\rho_j` the mean of :math:`h_j` over the batch;
    * ``"l1"``, :math:`a = \mathrm{ReLU}`:
      :math:`\lambda \sum_j |h_j| \, \lVert d_j \rVert_2`, where :math:`d_j`
      is the column of the decoder's first weight matrix fed by unit
      :math:`j`. Weighting by :math:`\lVert d_j \rVert` makes the penalty
      invariant to shrinking the code while growing the decoder, which would
      otherwise defeat a plain L1 penalty;
    * ``"k_sparse"``, :math:`a = \mathrm{top}_k`: no penalty.

    Sparsity costs reconstruction: at equal code size a sparse code
    reconstructs worse than a dense one (with ``"kl"`` and a small
    :math:`\rho` most units are near 0 for most rows). Sparse models pay off
    with overcomplete codes, as interpretable parts-based features, or as
    inputs to linear models.

    References
    ----------
    .. [1] A. Ng, "Sparse autoencoder", CS294A lecture notes, Stanford, 2011.
    .. [2] A. Makhzani and B. Frey, "k-Sparse autoencoders", ICLR 2014.
    .. [3] H. Lee, A. Battle, R. Raina and A. Ng, "Efficient sparse coding
       algorithms", NIPS 2006.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from skgen import SparseAE
    >>> X, _ = load_digits(return_X_y=True)
    >>> ae = SparseAE(n_components=100, sparsity="k_sparse", k=10,
    ...               max_epochs=2, random_state=0).fit(X)
    >>> codes = ae.transform(X[:5])
    >>> codes.shape, (codes != 0).sum(axis=1)
    ((5, 100), array([10, 10, 10, 10, 10]))
    """

    _parameter_constraints: dict = {
        **Autoencoder._parameter_constraints,
        "sparsity": [StrOptions(set(SPARSITY))],
        "sparsity_weight": [Interval(Real, 0, None, closed="left"), None],
        "sparsity_target": [Interval(Real, 0, 1, closed="neither")],
        "k": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        n_components=16,
        *,
        sparsity="kl",
        sparsity_weight=None,
        sparsity_target=0.05,
        k=None,
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
        self.sparsity = sparsity
        self.sparsity_weight = sparsity_weight
        self.sparsity_target = sparsity_target
        self.k = k

    # ----------------------------------------------------------------- hooks
    def _resolved_k(self):
        if self.k is None:
            return max(1, self.n_components // 4)
        if self.k > self.n_components:
            raise ValueError(
                f"{type(self).__name__}: k={self.k} exceeds n_components={self.n_components}; "
                "k is the number of non-zero code values per row."
            )
        return int(self.k)

    def _k_schedule(self):
        """(start, epochs) of the schedule lowering k; epochs=0 means none."""
        return self.n_components, self.max_epochs // 2

    def _build_code_activation(self):
        if self.sparsity == "l1":
            # init="pca": soft-thresholding (the proximal map of the L1 norm) keeps the
            # sign of PCA's scores, where a ReLU would zero half of them at the start.
            return nn.Softshrink(0.05) if self.init == "pca" else nn.ReLU()
        if self.sparsity == "kl":
            return nn.Sigmoid()
        return TopK(self._resolved_k())

    _linear_is_pca = False  # the sparsity penalty changes the linear solution

    @property
    def _start_decodes_pca(self):
        # kl: the decoder reads the sigmoid's scores back exactly (Logit); l1's soft
        # threshold and k-sparse's top-k change the scores it reads.
        return self.sparsity == "kl"

    @property
    def _whiten_pca_codes(self):
        # kl: the code is a sigmoid of the scores; whitened scores do not saturate it
        # when the principal variances differ widely (raw tables).
        return self.sparsity == "kl"

    def _build_module(self, X):
        module = super()._build_module(X)
        if self.init == "pca" and self.sparsity == "l1":
            # The soft threshold is a fraction of the noise level of PCA's fit (the root
            # mean discarded variance, probabilistic PCA's sigma), as in wavelet
            # shrinkage: it zeroes scores within the noise, and costs little
            # reconstruction where PCA's residuals are tiny (raw tables dominated by a
            # few features), where a fixed threshold would cost more than PCA's error.
            noise = pca_basis(X, self.n_components).noise_variance
            module.code_activation = nn.Softshrink(min(0.05, 0.05 * float(np.sqrt(noise))))
        return module

    def _codes_in_input_units(self):
        return super()._codes_in_input_units() and self.sparsity != "kl"  # kl: sigmoid codes

    def _pca_decoder_input(self, decoder):
        if self.sparsity == "kl":  # the code is a sigmoid: read the scores back
            return nn.Sequential(Logit(), decoder)
        return decoder

    def _build_criterion(self):
        if self.sparsity == "k_sparse":
            return ReconstructionCriterion(self.layout_)
        weight = self.sparsity_weight
        if weight is None:
            weight = _DEFAULT_WEIGHTS[self.sparsity]
        return SparsityCriterion(self.layout_, self.sparsity, weight, self.sparsity_target)

    def _extra_callbacks(self):
        if self.sparsity != "k_sparse":
            return []
        start, epochs = self._k_schedule()
        schedule = LinearSchedule("module_.code_activation", "k", start, self._resolved_k(), epochs)
        return [("k_schedule", schedule)]

    def _stopping_callbacks(self):
        callbacks = super()._stopping_callbacks()
        if self.sparsity != "k_sparse":
            return callbacks
        return with_warmup(callbacks, self._k_schedule()[1])

    def _set_fitted_attributes(self, net):
        super()._set_fitted_attributes(net)
        if self.sparsity == "k_sparse":
            # transform always keeps exactly k units, even if training ended
            # (max_epochs, partial_fit) before the schedule reached k.
            net.module_.code_activation.k = self._resolved_k()

