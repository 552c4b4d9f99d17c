"""KL divergences and the likelihoods of the variational autoencoders."""

import math

import numpy as np
import pytest
import torch
from torch.distributions import Bernoulli, Normal, kl_divergence

from skgen._layout import Block, single_block_layout
from skgen.losses import (
    VAECriterion,
    bernoulli_kl,
    gaussian_kl,
    gaussian_nll,
    likelihood_nll,
    optimal_log_var,
)


def test_gaussian_kl_is_zero_for_the_prior():
    mean = torch.zeros(5, 3)
    logvar = torch.zeros(5, 3)
    assert torch.equal(gaussian_kl(mean, logvar), torch.zeros(5))


def test_gaussian_kl_matches_torch_and_monte_carlo():
    gen = torch.Generator().manual_seed(0)
    mean = torch.randn(4, 3, generator=gen, dtype=torch.float64)
    logvar = torch.randn(4, 3, generator=gen, dtype=torch.float64)
    kl = gaussian_kl(mean, logvar)
    q = Normal(mean, torch.exp(0.5 * logvar))
    p = Normal(torch.zeros_like(mean), torch.ones_like(mean))
    torch.testing.assert_close(kl, kl_divergence(q, p).sum(dim=1))
    z = q.sample((200_000,))  # E_q[log q(z) - log p(z)]
    monte_carlo = (q.log_prob(z) - p.log_prob(z)).sum(dim=2).mean(dim=0)
    torch.testing.assert_close(monte_carlo, kl, rtol=0.02, atol=0.02)
    assert (kl > 0).all()


def test_bernoulli_kl_is_zero_at_the_target_and_positive_elsewhere():
    rho = 0.05
    assert bernoulli_kl(rho, torch.full((7,), rho)).item() == pytest.approx(0.0, abs=1e-7)
    rho_hat = torch.tensor([0.01, 0.2, 0.5, 0.9], dtype=torch.float64)
    kl = bernoulli_kl(rho, rho_hat)
    expected = kl_divergence(
        Bernoulli(probs=torch.full_like(rho_hat, rho)), Bernoulli(probs=rho_hat)
    ).sum()
    torch.testing.assert_close(kl, expected)
    # per-unit terms grow with the distance to the target
    terms = [bernoulli_kl(rho, torch.tensor([p])).item() for p in (0.05, 0.1, 0.3, 0.6)]
    assert terms == sorted(terms) and terms[0] < 1e-7


def test_gaussian_nll_matches_normal_log_prob():
    gen = torch.Generator().manual_seed(1)
    mean, target = torch.randn(2, 6, 4, generator=gen, dtype=torch.float64)
    log_var = torch.tensor(-0.7, dtype=torch.float64)
    expected = -Normal(mean, torch.exp(0.5 * log_var)).log_prob(target).sum(dim=1)
    torch.testing.assert_close(gaussian_nll(mean, target, log_var), expected)
    per_feature = torch.tensor([0.1, -0.2, 0.3, 0.0], dtype=torch.float64)
    expected = -Normal(mean, torch.exp(0.5 * per_feature)).log_prob(target).sum(dim=1)
    torch.testing.assert_close(gaussian_nll(mean, target, per_feature), expected)


def test_optimal_log_var_maximises_the_likelihood():
    gen = torch.Generator().manual_seed(2)
    raw, target = torch.randn(2, 50, 5, generator=gen, dtype=torch.float64)
    layout = single_block_layout(5)
    best = optimal_log_var(raw, target, layout)
    assert best.item() == pytest.approx(math.log((raw - target).pow(2).mean().item()))
    nll = [likelihood_nll(raw, target, layout, best + d).mean().item() for d in (-0.1, 0, 0.1)]
    assert nll[1] < nll[0] and nll[1] < nll[2]
    # a perfect reconstruction is floored, not log(0)
    assert torch.isfinite(optimal_log_var(target, target, layout))


def test_likelihood_follows_the_layout():
    gen = torch.Generator().manual_seed(3)
    raw = torch.randn(8, 6, generator=gen, dtype=torch.float64)
    target = torch.cat(
        [
            torch.randn(8, 2, generator=gen, dtype=torch.float64),
            torch.rand(8, 1, generator=gen, dtype=torch.float64).round(),
            torch.eye(3, dtype=torch.float64)[torch.randint(3, (8,), generator=gen)],
        ],
        dim=1,
    )
    layout = (Block("numeric", 0, 2), Block("binary", 2, 3), Block("categorical", 3, 6))
    nll = likelihood_nll(raw, target, layout, 0.0)
    expected = (
        -Normal(raw[:, :2], 1.0).log_prob(target[:, :2]).sum(1)
        - Bernoulli(logits=raw[:, 2]).log_prob(target[:, 2])
        - (target[:, 3:] * torch.log_softmax(raw[:, 3:], dim=1)).sum(1)
    )
    torch.testing.assert_close(nll, expected)


def test_vae_criterion_weights_the_kl_term():
    gen = torch.Generator().manual_seed(4)
    x = torch.randn(10, 3, generator=gen)
    output = {
        "recon": torch.randn(10, 3, generator=gen),
        "mean": torch.randn(10, 2, generator=gen),
        "logvar": torch.randn(10, 2, generator=gen),
    }
    layout = single_block_layout(3)
    kl = gaussian_kl(output["mean"], output["logvar"]).mean()
    crit = VAECriterion(layout, beta=4.0)
    terms = crit(output, x)
    assert set(terms) == {"reconstruction", "kl"}
    torch.testing.assert_close(terms["kl"], 4.0 * kl)
    crit.kl_scale = 0.25
    torch.testing.assert_close(crit(output, x)["kl"], kl)
    np.testing.assert_allclose(
        terms["reconstruction"].item(),
        likelihood_nll(output["recon"], x, layout, optimal_log_var(output["recon"], x, layout))
        .mean()
        .item(),
        rtol=1e-6,
    )
