r"""Unrolled discriminators (Metz et al., 2016).

A generator trained against the current discriminator :math:`D_{\theta}`
can put all its mass where :math:`D_\theta` is most fooled, then the
discriminator moves and the generator jumps: min-max is not max-min. The
unrolled GAN gives the generator the loss
:math:`f_K(\theta_G, \theta_D) = f(\theta_G, \theta_D^K)` with

.. math::

    \theta_D^0 = \theta_D, \qquad
    \theta_D^{k+1} = \theta_D^k - \eta\, \mathrm{step}\!\left(
        \nabla_{\theta_D^k} \mathcal{L}_D(\theta_G, \theta_D^k)\right),

differentiated *through* the :math:`K` updates (``create_graph=True``), so
the generator accounts for how the discriminator would react to it. Only the
generator sees the unrolled parameters: the discriminator itself keeps its
ordinary update.

:func:`unroll_discriminator` returns a callable with the discriminator's
signature that evaluates it at :math:`\theta_D^K` through
:func:`torch.func.functional_call`, so any criterion's ``generator_loss``
works with it unchanged.
"""

from __future__ import annotations

import torch
from torch.func import functional_call

__all__ = ["FunctionalModule", "unroll_discriminator"]

_TINY = 1e-16


class FunctionalModule:
    """``module`` evaluated with other parameters (and buffers): a stateless view.

    Parameters
    ----------
    module : nn.Module
    params : dict of str to Tensor
        Replaces ``module``'s parameters (may be non-leaf tensors that carry
        a graph).
    buffers : dict of str to Tensor
        Replaces its buffers (running statistics updated in training mode go
        to these copies, not to the module).
    """

    def __init__(self, module, params, buffers):
        self.module = module
        self.params = params
        self.buffers = buffers

    def __call__(self, *args, **kwargs):
        return functional_call(self.module, {**self.buffers, **self.params}, args, kwargs)

    def __getattr__(self, name):  # attributes such as n_classes come from the module
        return getattr(self.__dict__["module"], name)


def _adam_state(optimizer, params):
    """The optimizer's Adam moments of ``params`` (zeros where it has none yet)."""
    group = optimizer.param_groups[0]
    b1, b2 = group.get("betas", (0.9, 0.999))
    state = []
    for p in params:
        st = optimizer.state.get(p, {})
        m = st.get("exp_avg")
        v = st.get("exp_avg_sq")
        step = st.get("step", 0)
        step = float(step.item() if torch.is_tensor(step) else step)
        state.append(
            [
                torch.zeros_like(p) if m is None else m.detach().clone(),
                torch.zeros_like(p) if v is None else v.detach().clone(),
                step,
            ]
        )
    return (b1, b2, group.get("eps", 1e-8)), state


def unroll_discriminator(
    criterion, discriminator, real, fake, y=None, latent=None, *, steps, optimizer=None, lr=None
):
    r"""The discriminator after ``steps`` differentiable updates on ``(real, fake)``.

    Each step computes the criterion's discriminator loss (plus its
    penalty) at the current parameters, takes
    ``torch.autograd.grad(..., create_graph=True)`` and moves the
    parameters:

    * if ``optimizer`` is :class:`torch.optim.Adam` or ``AdamW``, by an Adam
      step that starts from the optimizer's current moments (both moments
      stay in the graph, as in Metz et al.'s implementation);
    * otherwise by a plain gradient step of size ``lr`` (the optimizer's
      learning rate when ``lr`` is None).

    ``fake`` should carry its graph to the generator: the returned view's
    outputs then depend on the generator through the updates (the second
    order term of Metz et al.).

    Parameters
    ----------
    criterion : AdversarialCriterion
    discriminator : nn.Module
    real, fake : Tensor of shape (n, d)
    y, latent : Tensor or None
        Passed to the criterion.
    steps : int
        :math:`K`; 0 returns a view at the current parameters.
    optimizer : torch.optim.Optimizer or None, default=None
        The discriminator's optimizer (read, never stepped).
    lr : float or None, default=None

    Returns
    -------
    view : FunctionalModule
        Callable like ``discriminator`` at :math:`\theta_D^K`.
    """
    names = [name for name, p in discriminator.named_parameters() if p.requires_grad]
    leaves = [p for name, p in discriminator.named_parameters() if p.requires_grad]
    params = dict(zip(names, leaves))
    buffers = {name: b.clone() for name, b in discriminator.named_buffers()}
    if lr is None:
        if optimizer is None:
            raise ValueError("unroll_discriminator needs lr or the discriminator's optimizer.")
        lr = optimizer.param_groups[0]["lr"]
    adam = isinstance(optimizer, (torch.optim.Adam, torch.optim.AdamW))
    if adam:
        (b1, b2, eps), state = _adam_state(optimizer, leaves)
    for _ in range(int(steps)):
        view = FunctionalModule(discriminator, params, buffers)
        terms = criterion.discriminator_loss(view, real, fake, y, latent)
        loss = terms["discriminator_loss"]
        penalty = criterion.penalty(view, real, fake, y)
        if torch.is_tensor(penalty):
            loss = loss + penalty
        values = list(params.values())
        grads = torch.autograd.grad(loss, values, create_graph=True, allow_unused=True)
        new = {}
        for i, (name, p, g) in enumerate(zip(names, values, grads)):
            if g is None:
                new[name] = p
                continue
            if adam:
                m, v, t = state[i]
                t += 1
                m = b1 * m + (1 - b1) * g
                v = b2 * v + (1 - b2) * g.pow(2)
                state[i] = [m, v, t]
                m_hat = m / (1 - b1**t)
                v_hat = v / (1 - b2**t)
                # sqrt(v + tiny): a finite derivative where a parameter never had a gradient
                new[name] = p - lr * m_hat / ((v_hat + _TINY).sqrt() + eps)
            else:
                new[name] = p - lr * g
        params = new
    return FunctionalModule(discriminator, params, buffers)
