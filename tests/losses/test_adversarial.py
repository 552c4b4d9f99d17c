"""The math of the adversarial losses, on hand-made tensors."""

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from skgen.losses import (
    BEGANCriterion,
    GANCriterion,
    WGANCriterion,
    WGANGPCriterion,
    bce_discriminator_loss,
    bce_generator_loss,
    clip_weights_,
    dragan_perturb,
    gradient_penalty,
    info_loss,
    interpolate,
    least_squares_discriminator_loss,
    least_squares_generator_loss,
    wasserstein_critic_loss,
)
from skgen.nn import AutoencoderDiscriminator, Discriminator, MinibatchDiscrimination


class LinearCritic(nn.Module):
    """f(x) = w.x + b, with an optional label argument (ignored)."""

    def __init__(self, w, b=0.0):
        super().__init__()
        self.lin = nn.Linear(len(w), 1)
        with torch.no_grad():
            self.lin.weight.copy_(torch.as_tensor(w, dtype=torch.float32)[None])
            self.lin.bias.fill_(b)

    def forward(self, x, y=None, groups=1):
        return self.lin(x).squeeze(-1)


def test_gradient_penalty_of_1_lipschitz_linear_critic_is_zero():
    torch.manual_seed(0)
    w = torch.tensor([0.6, -0.8])  # unit norm: exactly 1-Lipschitz
    critic = LinearCritic(w, b=3.0)
    points = torch.randn(64, 2) * 5
    assert gradient_penalty(critic, points).item() == pytest.approx(0.0, abs=1e-10)
    # and on interpolates, as WGAN-GP evaluates it
    crit = WGANGPCriterion(penalty_weight=10.0)
    pen = crit.penalty(critic, torch.randn(32, 2), torch.randn(32, 2))
    assert pen.item() == pytest.approx(0.0, abs=1e-9)


def test_gradient_penalty_value_and_gradient_for_steeper_critic():
    critic = LinearCritic([3.0, 4.0])  # gradient norm 5 everywhere
    pen = gradient_penalty(critic, torch.randn(16, 2))
    assert pen.item() == pytest.approx(16.0)  # (5 - 1)^2
    pen.backward()  # differentiable w.r.t. the critic's weights: d/dw (|w|-1)^2 = 2(|w|-1) w/|w|
    expected = 2 * (5 - 1) * torch.tensor([3.0, 4.0]) / 5
    torch.testing.assert_close(critic.lin.weight.grad[0], expected)


def test_interpolates_lie_on_segments():
    torch.manual_seed(0)
    real, fake = torch.zeros(100, 3), torch.ones(100, 3)
    x = interpolate(real, fake)
    assert torch.all((x >= 0) & (x <= 1))
    assert torch.allclose(x, x[:, :1].expand_as(x))  # one epsilon per row
    assert x[:, 0].std() > 0.2


def test_dragan_perturbation_is_near_real_data():
    torch.manual_seed(0)
    real = torch.randn(200, 4)
    pert = dragan_perturb(real, scale=0.5)
    delta = pert - real
    assert torch.all(delta >= 0)
    assert torch.all(delta <= 0.5 * real.std() + 1e-6)


def test_clipping_keeps_every_critic_weight_in_range():
    torch.manual_seed(0)
    critic = Discriminator(5, (16, 16), minibatch_discrimination=True, n_classes=3)
    with torch.no_grad():
        for p in critic.parameters():
            p.normal_(0, 1)
    crit = WGANCriterion(clip_value=0.01)
    crit.after_discriminator_step(critic, {})
    for p in critic.parameters():
        assert p.abs().max().item() <= 0.01 + 1e-9
    clip_weights_(critic, 0.001)
    assert max(p.abs().max().item() for p in critic.parameters()) <= 0.001 + 1e-9


def test_label_smoothing_changes_only_real_targets():
    real = torch.tensor([2.0, -1.0, 0.5])
    fake = torch.tensor([-3.0, 0.2, 1.0])
    alpha = 0.1
    plain = bce_discriminator_loss(real, fake)
    smoothed = bce_discriminator_loss(real, fake, label_smoothing=alpha)
    expected_plain = F.binary_cross_entropy_with_logits(real, torch.ones(3)) + F.binary_cross_entropy_with_logits(
        fake, torch.zeros(3)
    )
    expected_smooth = F.binary_cross_entropy_with_logits(
        real, torch.full((3,), 1 - alpha)
    ) + F.binary_cross_entropy_with_logits(fake, torch.zeros(3))
    torch.testing.assert_close(plain, expected_plain)
    torch.testing.assert_close(smoothed, expected_smooth)
    # the fake part is untouched: its gradient is the same with and without smoothing
    f1 = fake.clone().requires_grad_()
    f2 = fake.clone().requires_grad_()
    bce_discriminator_loss(real, f1).backward()
    bce_discriminator_loss(real, f2, label_smoothing=alpha).backward()
    torch.testing.assert_close(f1.grad, f2.grad)
    # and the real gradient now vanishes at logit(1 - alpha), not at +inf
    r = torch.full((1,), math.log((1 - alpha) / alpha), requires_grad=True)
    bce_discriminator_loss(r, torch.zeros(1), label_smoothing=alpha).backward()
    assert abs(r.grad.item()) < 1e-6


def test_minimax_and_non_saturating_generator_losses():
    logits = torch.tensor([-4.0, 0.0, 3.0], requires_grad=True)
    d = torch.sigmoid(logits.detach())
    mm = bce_generator_loss(logits, "minimax")
    torch.testing.assert_close(mm, torch.log1p(-d).mean())
    (g_mm,) = torch.autograd.grad(mm, logits)
    ns = bce_generator_loss(logits, "non_saturating")
    torch.testing.assert_close(ns, -torch.log(d).mean())
    (g_ns,) = torch.autograd.grad(ns, logits)
    # d/dl log(1 - s(l)) = -s(l);  d/dl -log s(l) = -(1 - s(l))   (divided by n for the mean)
    torch.testing.assert_close(g_mm, -d / 3)
    torch.testing.assert_close(g_ns, -(1 - d) / 3)
    # where D confidently rejects the fake (logit -4) the minimax gradient vanishes,
    # the non-saturating one does not
    assert abs(g_mm[0]) < 0.01 < abs(g_ns[0])
    with pytest.raises(ValueError, match="Unknown generator loss"):
        bce_generator_loss(logits, "hinge")


def test_optimal_discriminator_value():
    # at D = 1/2 everywhere (p = p_G) the discriminator's loss is 2 log 2
    zeros = torch.zeros(10)
    assert bce_discriminator_loss(zeros, zeros).item() == pytest.approx(2 * math.log(2))


def test_wasserstein_and_least_squares_losses():
    real = torch.tensor([1.0, 3.0])
    fake = torch.tensor([0.0, -2.0])
    assert wasserstein_critic_loss(real, fake).item() == pytest.approx(-1.0 - 2.0)
    assert least_squares_discriminator_loss(real, fake).item() == pytest.approx(0.5 * (2.0 + 2.0))
    assert least_squares_generator_loss(fake).item() == pytest.approx(0.5 * (1 + 9) / 2)


def test_wgan_criterion_reports_wasserstein_estimate():
    critic = LinearCritic([1.0, 0.0])
    real = torch.tensor([[2.0, 0.0], [4.0, 1.0]])
    fake = torch.tensor([[0.0, 5.0], [1.0, 0.0]])
    terms = WGANCriterion(clip_value=None).discriminator_loss(critic, real, fake)
    assert terms["wasserstein"].item() == pytest.approx(3.0 - 0.5)
    assert terms["discriminator_loss"].item() == pytest.approx(-2.5)


def test_gan_criterion_terms():
    critic = LinearCritic([1.0, 0.0])
    real = torch.tensor([[2.0, 0.0], [4.0, 1.0]])
    fake = torch.tensor([[0.0, 5.0], [-1.0, 0.0]])
    crit = GANCriterion(label_smoothing=0.2)
    terms = crit.discriminator_loss(critic, real, fake)
    expected = bce_discriminator_loss(torch.tensor([2.0, 4.0]), torch.tensor([0.0, -1.0]), 0.2)
    torch.testing.assert_close(terms["discriminator_loss"], expected)
    assert terms["d_real"].item() == pytest.approx(torch.sigmoid(torch.tensor([2.0, 4.0])).mean().item())
    g = crit.generator_loss(critic, fake)["generator_loss"]
    torch.testing.assert_close(g, F.softplus(-torch.tensor([0.0, -1.0])).mean())


def test_began_k_update_and_convergence_measure():
    torch.manual_seed(0)
    disc = AutoencoderDiscriminator(3, (8,), n_components=2)
    crit = BEGANCriterion(gamma=0.5, lambda_k=0.1)
    real, fake = torch.randn(16, 3), torch.randn(16, 3) * 3
    terms = crit.discriminator_loss(disc, real, fake)
    l_real, l_fake = terms["d_real"], terms["d_fake"]
    torch.testing.assert_close(terms["convergence"], l_real + (0.5 * l_real - l_fake).abs())
    torch.testing.assert_close(terms["discriminator_loss"], l_real)  # k_0 = 0
    crit.after_discriminator_step(disc, terms)
    expected = min(max(0.1 * (0.5 * l_real.item() - l_fake.item()), 0.0), 1.0)
    assert crit.k.item() == pytest.approx(expected, abs=1e-7)
    crit.k.fill_(0.5)
    crit.after_discriminator_step(disc, {"d_real": torch.tensor(100.0), "d_fake": torch.tensor(0.0)})
    assert crit.k.item() == 1.0  # clipped to [0, 1]


def test_began_latent_term():
    torch.manual_seed(0)
    disc = AutoencoderDiscriminator(3, (8,), n_components=2)
    fake, latent = torch.randn(16, 3), torch.randn(16, 5)
    plain = BEGANCriterion().generator_loss(disc, fake, latent=latent)
    assert set(plain) == {"generator_loss"}  # latent_weight=0: the original BEGAN
    terms = BEGANCriterion(latent_weight=0.5).generator_loss(disc, fake, latent=latent)
    expected = (disc.encode(fake) - latent[:, :2]).pow(2).mean()  # code width 2 of 5 noise columns
    torch.testing.assert_close(terms["latent_loss"], expected)
    torch.testing.assert_close(terms["generator_loss"], plain["generator_loss"] + 0.5 * expected)


def test_info_loss_categorical_and_continuous():
    codes = torch.tensor([[1.0, 0.0, 0.0, 0.5], [0.0, 0.0, 1.0, -0.5]])
    q = torch.tensor([[2.0, 0.0, 0.0, 0.5], [0.0, 1.0, 0.0, 0.5]])
    loss = info_loss(q, codes, categorical_codes=(3,), n_continuous=1)
    ce = F.cross_entropy(q[:, :3], torch.tensor([0, 2]))
    mse = 0.5 * ((q[:, 3] - codes[:, 3]) ** 2).mean()
    torch.testing.assert_close(loss, ce + mse)


def test_minibatch_discrimination_is_computed_within_groups():
    torch.manual_seed(0)
    layer = MinibatchDiscrimination(4, n_kernels=3, kernel_dim=2)
    a, b = torch.randn(5, 4), torch.randn(5, 4)
    both = layer(torch.cat([a, b]), groups=2)
    torch.testing.assert_close(both[:5], layer(a))
    torch.testing.assert_close(both[5:], layer(b))
    # identical rows are maximally close: each sees the other 4 at distance 0
    same = layer(torch.ones(5, 4))
    torch.testing.assert_close(same[:, 4:], torch.full((5, 3), 4.0))
    # brute-force reference
    M = (a @ layer.T).view(5, 3, 2)
    d = (M[:, None] - M[None]).abs().sum(-1)
    ref = torch.exp(-d).sum(1) - 1
    torch.testing.assert_close(layer(a)[:, 4:], ref)


def test_projection_discriminator_label_enters_only_the_score():
    torch.manual_seed(0)
    disc = Discriminator(3, (8,), n_classes=2, q_features=2, conditioning="projection")
    with torch.no_grad():
        disc.embedding.weight.normal_()
    x = torch.randn(4, 3)
    s0, q0 = disc(x, torch.zeros(4, dtype=torch.long))
    s1, q1 = disc(x, torch.ones(4, dtype=torch.long))
    assert not torch.allclose(s0, s1)
    torch.testing.assert_close(q0, q1)
    torch.testing.assert_close(disc.infer_codes(x), q0)


def test_label_input_discriminator_sees_the_label_in_its_body():
    torch.manual_seed(0)
    disc = Discriminator(3, (8,), n_classes=2)  # conditioning="both"
    x = torch.randn(4, 3)
    s0 = disc(x, torch.zeros(4, dtype=torch.long))
    s1 = disc(x, torch.ones(4, dtype=torch.long))
    assert not torch.allclose(s0, s1)  # the embedding starts at 0: the difference is the input's
    with pytest.raises(ValueError, match="conditional"):
        disc(x)
