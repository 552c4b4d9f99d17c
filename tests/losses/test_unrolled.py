"""Unrolled discriminators: gradients flow through the unrolled updates."""

import numpy as np
import pytest
import torch
from torch import nn

from skgen.losses import GANCriterion, WGANGPCriterion, unroll_discriminator
from skgen.nn import Discriminator


def _setup():
    torch.manual_seed(0)
    gen = nn.Linear(3, 2).double()
    disc = Discriminator(2, (8,), activation="tanh").double()
    z = torch.randn(16, 3, dtype=torch.float64)
    real = torch.randn(16, 2, dtype=torch.float64) + 1.0
    return gen, disc, z, real


def _unrolled_generator_loss(gen, disc, z, real, steps, lr=0.5, detach=False):
    crit = GANCriterion()
    fake = gen(z)
    view = unroll_discriminator(
        crit, disc, real, fake.detach() if detach else fake, steps=steps, lr=lr
    )
    return crit.generator_loss(view, fake)["generator_loss"]


def test_zero_steps_is_the_plain_discriminator():
    gen, disc, z, real = _setup()
    fake = gen(z)
    view = unroll_discriminator(GANCriterion(), disc, real, fake, steps=0, lr=0.1)
    assert torch.equal(view(fake), disc(fake))


@pytest.mark.parametrize("steps", [1, 3])
def test_generator_gradient_matches_finite_differences_through_the_updates(steps):
    gen, disc, z, real = _setup()
    loss = _unrolled_generator_loss(gen, disc, z, real, steps)
    (grad,) = torch.autograd.grad(loss, gen.weight)
    numeric = torch.zeros_like(gen.weight)
    eps = 1e-6
    with torch.no_grad():
        for idx in np.ndindex(*gen.weight.shape):
            old = gen.weight[idx].item()
            values = []
            for sign in (1, -1):
                gen.weight[idx] = old + sign * eps
                with torch.enable_grad():
                    values.append(_unrolled_generator_loss(gen, disc, z, real, steps).item())
            gen.weight[idx] = old
            numeric[idx] = (values[0] - values[1]) / (2 * eps)
    torch.testing.assert_close(grad, numeric, rtol=1e-5, atol=1e-7)
    # the second-order term (how D would answer the generator) is not negligible
    first_order = _unrolled_generator_loss(gen, disc, z, real, steps, detach=True)
    (grad_first,) = torch.autograd.grad(first_order, gen.weight)
    assert (grad - grad_first).abs().max() > 1e-3 * grad.abs().max()
    # and the plain generator gradient differs from the unrolled one
    plain = _unrolled_generator_loss(gen, disc, z, real, 0)
    (grad_plain,) = torch.autograd.grad(plain, gen.weight)
    assert not torch.allclose(grad, grad_plain)


def test_unrolling_leaves_the_discriminator_untouched_and_reads_adam_state():
    gen, disc, z, real = _setup()
    opt = torch.optim.Adam(disc.parameters(), lr=0.01)
    crit = WGANGPCriterion()
    for _ in range(2):  # give the optimizer some state
        opt.zero_grad()
        terms = crit.discriminator_loss(disc, real, gen(z).detach())
        (terms["discriminator_loss"] + crit.penalty(disc, real, gen(z).detach())).backward()
        opt.step()
    before = {k: v.clone() for k, v in disc.state_dict().items()}
    state_before = {id(p): s["exp_avg"].clone() for p, s in opt.state.items()}
    view = unroll_discriminator(crit, disc, real, gen(z), steps=2, optimizer=opt)
    moved = [name for name, p in view.params.items() if not torch.equal(p, before[name])]
    assert moved  # the view's parameters did move
    for k, v in disc.state_dict().items():
        assert torch.equal(v, before[k])
    for p, s in opt.state.items():
        assert torch.equal(s["exp_avg"], state_before[id(p)])
    crit.generator_loss(view, gen(z))["generator_loss"].backward()
    assert gen.weight.grad is not None and torch.isfinite(gen.weight.grad).all()
