r"""Regularisation penalties on the code, and the criteria that add them.

* :func:`l1_sparsity`: :math:`\sum_j |h_j| \, \lVert d_j \rVert`, an L1
  penalty made invariant to rescaling the code against the decoder;
* :func:`jacobian_frobenius`: :math:`\lVert J_f(x) \rVert_F^2` per sample,
  exact (batched autograd) or an unbiased random-projection estimate;
* :func:`layered_jacobian_frobenius`: the same, exactly and faster, for
  stacks of linear and elementwise layers (MLP encoders);
* :func:`sigmoid_jacobian_frobenius`: its closed form for a one-layer
  sigmoid encoder;
* :class:`SparsityCriterion` and :class:`ContractiveCriterion`:
  reconstruction plus a ``"sparsity"`` or ``"contractive"`` term.
"""

from __future__ import annotations

import torch
from torch import nn

from ._kl import bernoulli_kl
from ._reconstruction import ReconstructionCriterion

SPARSITY_PENALTIES = ("l1", "kl")


def l1_sparsity(code, column_norms=None):
    r"""Per-sample L1 norm of the code, each unit weighted by its decoder column norm.

    .. math:: \Omega(h) = \sum_j |h_j| \, \lVert d_j \rVert_2

    where :math:`d_j` is the column of the decoder's first weight matrix fed
    by unit :math:`j`. Without the weights, a plain L1 penalty can be driven
    to zero by shrinking the code and growing the decoder, leaving the code
    as dense as before; with them the penalty is invariant to that rescaling
    (the choice of sparse dictionary learning and of recent sparse
    autoencoders).

    Parameters
    ----------
    code : Tensor of shape (n_samples, n_components)
    column_norms : Tensor of shape (n_components,) or None, default=None
        None gives the plain L1 norm.

    Returns
    -------
    penalty : Tensor of shape (n_samples,)
    """
    a = code.abs()
    if column_norms is not None:
        a = a * column_norms
    return a.sum(dim=1)


def decoder_column_norms(decoder):
    """Norms of the columns of the decoder's first weight matrix, or None.

    Works for :class:`~skgen.nn.MLP` decoders (first ``nn.Linear``) and
    :class:`~skgen.nn.TiedDecoder` (the transposed last encoder layer).
    """
    layers = getattr(decoder, "linear_layers", None)
    if layers:
        return layers[0].weight.norm(dim=0)
    encoder = getattr(decoder, "_encoder", None)
    if encoder:
        return encoder[0].linear_layers[-1].weight.norm(dim=1)
    return None


def jacobian_frobenius(fn, x, n_projections=None, generator=None):
    r"""Squared Frobenius norm of the Jacobian of ``fn`` at each row of ``x``.

    .. math:: \lVert J_f(x) \rVert_F^2 = \sum_{j, i}
              \left(\frac{\partial f_j(x)}{\partial x_i}\right)^2

    ``fn`` must treat rows independently (no batch normalisation), so that
    the gradient of :math:`\sum_n v_n^\top f(x_n)` with respect to ``x``
    gives every row's vector-Jacobian product at once.

    * ``n_projections=None``: exact, with one batched vector-Jacobian
      product per output unit (``torch.autograd.grad(...,
      is_grads_batched=True)``): cheap for the small codes of autoencoders.
    * ``n_projections=m``: the unbiased estimate
      :math:`\frac1m \sum_{r=1}^m \lVert v_r^\top J \rVert^2` with
      :math:`v_r \sim N(0, I)`, since
      :math:`\mathbb{E}\, v^\top J J^\top v = \mathrm{tr}(J J^\top)`.

    The result is differentiable with respect to the parameters of ``fn``
    when gradients are enabled (double backpropagation), so it can be used
    as a training penalty; it also works under ``torch.no_grad()``.

    Parameters
    ----------
    fn : callable
        Maps a Tensor of shape (n_samples, d) to shape (n_samples, k).
    x : Tensor of shape (n_samples, d)
    n_projections : int or None, default=None
    generator : torch.Generator or None, default=None
        Source of the projections (a generator on ``x``'s device).

    Returns
    -------
    penalty : Tensor of shape (n_samples,)
    """
    create_graph = torch.is_grad_enabled()
    with torch.enable_grad():
        x = x.detach().requires_grad_(True)
        h = fn(x)
        n, k = h.shape
        if n_projections is None:
            basis = torch.eye(k, dtype=h.dtype, device=h.device)
            v = basis.unsqueeze(1).expand(k, n, k)
        else:
            v = torch.randn(
                (int(n_projections), n, k), generator=generator, dtype=h.dtype, device=h.device
            )
        (grads,) = torch.autograd.grad(
            h, x, grad_outputs=v, is_grads_batched=True, create_graph=create_graph
        )
    squares = grads.pow(2).sum(dim=2)
    penalty = squares.sum(dim=0) if n_projections is None else squares.mean(dim=0)
    return penalty if create_graph else penalty.detach()


_ELEMENTWISE = (
    nn.ReLU,
    nn.LeakyReLU,
    nn.ELU,
    nn.GELU,
    nn.SELU,
    nn.Tanh,
    nn.Sigmoid,
    nn.Softplus,
    nn.Identity,
)


def sequential_layers(*modules):
    """Flatten ``modules`` into Linear and elementwise layers, or return None.

    ``None`` entries are skipped and ``nn.Sequential`` containers unrolled;
    any other layer type (convolutions, normalisation...) gives None.
    """
    layers = []
    for module in modules:
        if module is None:
            continue
        children = module if isinstance(module, nn.Sequential) else [module]
        for layer in children:
            if isinstance(layer, nn.Sequential):
                nested = sequential_layers(layer)
                if nested is None:
                    return None
                layers.extend(nested)
            elif isinstance(layer, (nn.Linear, *_ELEMENTWISE)):
                layers.append(layer)
            else:
                return None
    return layers


def _activation_derivative(layer, pre, create_graph):
    """``layer(pre)`` and its elementwise derivative (closed form when known)."""
    if isinstance(layer, nn.ReLU):
        return torch.relu(pre), (pre > 0).to(pre.dtype)
    if isinstance(layer, nn.LeakyReLU):
        slope = torch.full_like(pre, layer.negative_slope)
        return layer(pre), torch.where(pre > 0, torch.ones_like(pre), slope)
    if isinstance(layer, nn.Sigmoid):
        out = torch.sigmoid(pre)
        return out, out * (1.0 - out)
    if isinstance(layer, nn.Tanh):
        out = torch.tanh(pre)
        return out, 1.0 - out.pow(2)
    pre = pre if pre.requires_grad else pre.detach().requires_grad_(True)
    out = layer(pre)
    (deriv,) = torch.autograd.grad(out.sum(), pre, create_graph=create_graph)
    return out, deriv


def _layer_factors(layers, x, create_graph):
    """The factors of a stack's Jacobian at ``x``, input side first.

    A forward pass through ``layers`` (``nn.Linear`` and elementwise
    activations) that keeps ``("W", weight)`` for each linear layer and
    ``("D", derivatives)`` of shape ``(n_samples, width)`` for each
    activation, so that the Jacobian is the product of these factors.
    """
    factors = []
    with torch.enable_grad():
        h = x
        for layer in layers:
            if isinstance(layer, nn.Linear):
                h = layer(h)
                factors.append(("W", layer.weight))
            elif not isinstance(layer, nn.Identity):
                h, deriv = _activation_derivative(layer, h, create_graph)
                factors.append(("D", deriv))
    return factors


def layered_jacobian_frobenius(layers, x):
    r"""Exact :math:`\lVert J \rVert_F^2` of a stack of linear and elementwise layers.

    For :math:`f = a_L \circ A_L \circ \dots \circ a_1 \circ A_1` with
    affine maps :math:`A_l(u) = W_l u + b_l` and elementwise activations
    :math:`a_l`, the Jacobian at :math:`x` is
    :math:`J = D_L W_L \cdots D_1 W_1` with
    :math:`D_l = \mathrm{diag}(a_l'(A_l(\cdot)))`. The product is
    accumulated from the output side, as a batch of
    ``(n_components, width)`` matrices, which costs about ``n_components``
    forward passes of matrix products and is differentiable (the
    activations' derivatives are in closed form for ReLU, leaky ReLU,
    sigmoid and tanh, and come from autograd with ``create_graph``
    otherwise).

    Parameters
    ----------
    layers : list of nn.Module
        ``nn.Linear`` and elementwise activations (see
        :func:`sequential_layers`), applied in order.
    x : Tensor of shape (n_samples, n_features)

    Returns
    -------
    penalty : Tensor of shape (n_samples,)
    """
    create_graph = torch.is_grad_enabled()
    factors = _layer_factors(layers, x, create_graph)
    M = None  # (n, k, width), or (k, width) while no derivative has been applied
    pending = None  # derivatives of the last layers, not yet multiplied in
    for kind, value in reversed(factors):
        if kind == "D":
            pending = value if pending is None else pending * value
            continue
        if M is None:
            M = value if pending is None else pending.unsqueeze(-1) * value
        else:
            if pending is not None:
                M = M * pending.unsqueeze(-2)
            M = M @ value
        pending = None
    if pending is not None:  # derivatives applied to the input itself
        M = torch.diag_embed(pending) if M is None else M * pending.unsqueeze(-2)
    if M is None:  # no layer at all: the identity map
        return x.new_full((len(x),), float(x.shape[1]))
    squares = M.pow(2).sum(dim=(-2, -1))
    if squares.dim() == 0:  # a purely linear map: the same for every row
        squares = squares.expand(len(x))
    return squares if create_graph else squares.detach()


def sigmoid_jacobian_frobenius(code, weight):
    r"""Closed-form :math:`\lVert J \rVert_F^2` of a one-layer sigmoid encoder.

    For :math:`h = \sigma(W x + b)`,
    :math:`\partial h_j / \partial x_i = h_j (1 - h_j) W_{ji}`, so

    .. math:: \lVert J \rVert_F^2 = \sum_j \left(h_j (1 - h_j)\right)^2 \sum_i W_{ji}^2

    (Rifai et al., 2011).

    Parameters
    ----------
    code : Tensor of shape (n_samples, n_components)
        The sigmoid activations :math:`h`.
    weight : Tensor of shape (n_components, n_features)

    Returns
    -------
    penalty : Tensor of shape (n_samples,)
    """
    return (code * (1.0 - code)).pow(2) @ weight.pow(2).sum(dim=1)


def _one_layer_sigmoid(module):
    """The weight of a one-layer sigmoid encoder, else None."""
    layers = getattr(module.encoder, "linear_layers", None)
    if (
        layers is not None
        and len(layers) == 1
        and len(module.encoder) == 1
        and isinstance(module.code_activation, nn.Sigmoid)
        and module.corruption is None
    ):
        return layers[0].weight
    return None


class SparsityCriterion(ReconstructionCriterion):
    r"""Reconstruction plus a sparsity term on the code.

    * ``"l1"``: ``"sparsity"`` is :math:`\lambda\,\mathbb{E}_x \sum_j |h_j| \lVert d_j \rVert`
      (:func:`l1_sparsity` with the decoder's column norms);
    * ``"kl"``: ``"sparsity"`` is :math:`\lambda \sum_j \mathrm{KL}(\rho \,\|\, \hat\rho_j)`
      with :math:`\hat\rho_j` the mean activation of unit :math:`j` over the
      batch (:func:`~skgen.losses.bernoulli_kl`); the code must be in (0, 1).

    Parameters
    ----------
    layout : sequence of Block
    sparsity : {"l1", "kl"}
    weight : float
        :math:`\lambda`.
    target : float, default=0.05
        :math:`\rho` (``"kl"`` only).
    """

    def __init__(self, layout, sparsity="l1", weight=1e-3, target=0.05):
        super().__init__(layout)
        if sparsity not in SPARSITY_PENALTIES:
            raise ValueError(
                f"Unknown sparsity {sparsity!r}; expected one of {SPARSITY_PENALTIES}."
            )
        self.sparsity = sparsity
        self.weight = float(weight)
        self.target = float(target)

    def forward(self, output, X, module=None):
        terms = super().forward(output, X, module)
        code = output["code"]
        if self.sparsity == "l1":
            norms = None if module is None else decoder_column_norms(module.decoder)
            penalty = l1_sparsity(code, norms).mean()
        else:
            penalty = bernoulli_kl(self.target, code.mean(dim=0))
        terms["sparsity"] = self.weight * penalty
        return terms


class ContractiveCriterion(ReconstructionCriterion):
    r"""Reconstruction plus :math:`\lambda \lVert J_f(x) \rVert_F^2` (term ``"contractive"``).

    The Jacobian is that of the code :math:`h = f(x)` (``module.encode``)
    with respect to the input. A one-layer sigmoid encoder uses the closed
    form (:func:`sigmoid_jacobian_frobenius`); an MLP encoder (linear and
    elementwise layers) the exact product of its layers' Jacobians
    (:func:`layered_jacobian_frobenius`); any other encoder the exact
    batched autograd computation or, with ``n_projections``, the unbiased
    estimate of :func:`jacobian_frobenius`.

    Parameters
    ----------
    layout : sequence of Block
    weight : float
        :math:`\lambda`.
    n_projections : int or None, default=None
    """

    def __init__(self, layout, weight=0.1, n_projections=None):
        super().__init__(layout)
        self.weight = float(weight)
        self.n_projections = n_projections

    def penalty(self, output, module):
        """Per-sample :math:`\\lVert J_f(x) \\rVert_F^2`."""
        weight = _one_layer_sigmoid(module)
        if weight is not None:
            return sigmoid_jacobian_frobenius(output["code"], weight)
        if self.n_projections is None:
            layers = sequential_layers(module.encoder, module.code_activation)
            if layers is not None:
                return layered_jacobian_frobenius(layers, output["input"])
        return jacobian_frobenius(module.encode, output["input"], self.n_projections)

    def forward(self, output, X, module=None):
        terms = super().forward(output, X, module)
        if self.weight == 0:
            terms["contractive"] = output["code"].new_zeros(())
        else:
            terms["contractive"] = self.weight * self.penalty(output, module).mean()
        return terms


def critic_layers(critic, y=None):
    """The layers of an MLP critic as ``(layers, head, pac)``, or None.

    For a :class:`~skgen.nn.Discriminator` whose score is ``head(body(x))``
    with a body of linear and elementwise layers (no minibatch features, class
    labels, Q head or dropout), so that :func:`layered_input_gradient_norm`
    applies; None for any other critic.
    """
    from ..nn._discriminator import Discriminator

    if type(critic) is not Discriminator or y is not None or critic.label_input:
        return None
    if critic.minibatch is not None or critic.q_head is not None or critic._structured_body:
        return None
    layers = sequential_layers(critic.body)
    if layers is None:
        return None
    return layers, critic.head, getattr(critic, "pac", 1)


def layered_input_gradient_norm(layers, head, x):
    r"""Per-row :math:`\lVert \nabla_x f(x) \rVert_2` of ``f = head ∘ layers``, by an explicit backward pass.

    For :math:`f = w^\top a_L(A_L(\dots a_1(A_1 x)))` (affine maps
    :math:`A_l(u) = W_l u + b_l`, elementwise activations :math:`a_l`), the
    gradient at :math:`x` is
    :math:`W_1^\top D_1 W_2^\top D_2 \cdots W_L^\top D_L w` with
    :math:`D_l = \mathrm{diag}(a_l'(\cdot))`: a forward pass that keeps the
    activations' derivatives and a few matrix products. The result is
    differentiable with respect to the parameters by ordinary (first-order)
    backpropagation and gives the same gradients as differentiating
    ``torch.autograd.grad(f(x).sum(), x, create_graph=True)`` (double
    backpropagation) at a lower cost; for piecewise-linear activations (ReLU,
    leaky ReLU) the :math:`D_l` are constants.

    Parameters
    ----------
    layers : list of nn.Module
        ``nn.Linear`` and elementwise activations (see :func:`sequential_layers`).
    head : nn.Linear
        The output layer (one unit).
    x : Tensor of shape (n_samples, n_features)

    Returns
    -------
    norms : Tensor of shape (n_samples,)
    """
    create_graph = torch.is_grad_enabled()
    factors = _layer_factors(layers, x, create_graph)
    with torch.enable_grad():
        g = head.weight  # (1, width): the same for every row until a derivative applies
        for kind, value in reversed(factors):
            g = g * value if kind == "D" else g @ value
        norms = torch.linalg.vector_norm(g, dim=1).expand(len(x))
    return norms if create_graph else norms.detach()
