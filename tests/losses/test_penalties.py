"""Code penalties: sparsity and the contractive Jacobian norm, against brute force."""

import pytest
import torch
from torch import nn

from skgen._layout import single_block_layout
from skgen.losses import (
    ContractiveCriterion,
    SparsityCriterion,
    decoder_column_norms,
    jacobian_frobenius,
    l1_sparsity,
    sigmoid_jacobian_frobenius,
)
from skgen.losses._penalties import layered_jacobian_frobenius, sequential_layers
from skgen.nn import MLP, AutoencoderModule, TiedDecoder


def _brute_force(fn, x):
    """Row-by-row ||J||_F^2 with torch.autograd.functional.jacobian."""
    rows = []
    for xi in x:
        jac = torch.autograd.functional.jacobian(lambda v: fn(v.unsqueeze(0)).squeeze(0), xi)
        rows.append(jac.pow(2).sum())
    return torch.stack(rows)


@pytest.fixture
def encoder():
    torch.manual_seed(0)
    return nn.Sequential(MLP(7, (16, 8), 4, "tanh"), nn.Sigmoid()).double()


def test_exact_jacobian_norm_matches_brute_force(encoder):
    x = torch.randn(6, 7, dtype=torch.float64)
    expected = _brute_force(encoder, x)
    torch.testing.assert_close(jacobian_frobenius(encoder, x), expected)
    layers = sequential_layers(encoder)
    assert layers is not None
    torch.testing.assert_close(layered_jacobian_frobenius(layers, x), expected)


@pytest.mark.parametrize(
    "activation", ["relu", "leaky_relu", "elu", "gelu", "selu", "tanh", "sigmoid", "identity"]
)
def test_layered_jacobian_norm_for_every_activation(activation):
    torch.manual_seed(1)
    enc = MLP(5, (9,), 3, activation).double()
    x = torch.randn(4, 5, dtype=torch.float64)
    torch.testing.assert_close(
        layered_jacobian_frobenius(sequential_layers(enc), x), _brute_force(enc, x)
    )


def test_random_projection_estimate_is_unbiased(encoder):
    x = torch.randn(5, 7, dtype=torch.float64)
    exact = jacobian_frobenius(encoder, x)
    gen = torch.Generator().manual_seed(0)
    estimate = jacobian_frobenius(encoder, x, n_projections=20_000, generator=gen)
    torch.testing.assert_close(estimate, exact, rtol=0.05, atol=0)


def test_sigmoid_closed_form_matches_brute_force():
    torch.manual_seed(2)
    linear = nn.Linear(6, 4).double()
    enc = nn.Sequential(linear, nn.Sigmoid())
    x = torch.randn(5, 6, dtype=torch.float64)
    closed = sigmoid_jacobian_frobenius(enc(x), linear.weight)
    torch.testing.assert_close(closed, _brute_force(enc, x))


def test_penalty_is_differentiable_and_works_without_grad(encoder):
    x = torch.randn(6, 7, dtype=torch.float64)
    for value in (
        jacobian_frobenius(encoder, x),
        layered_jacobian_frobenius(sequential_layers(encoder), x),
    ):
        grads = torch.autograd.grad(value.sum(), list(encoder.parameters()), allow_unused=True)
        assert all(g is not None and torch.isfinite(g).all() for g in grads)
    with torch.no_grad():
        value = jacobian_frobenius(encoder, x)
    assert not value.requires_grad
    torch.testing.assert_close(value, _brute_force(encoder, x))


def _module(hidden, n_features=6, n_components=3):
    torch.manual_seed(3)
    encoder = MLP(n_features, hidden, n_components)
    decoder = MLP(n_components, hidden[::-1], n_features)
    return AutoencoderModule(encoder, decoder, code_activation=nn.Sigmoid())


@pytest.mark.parametrize("hidden", [(), (8,)])
def test_contractive_criterion_matches_brute_force(hidden):
    module = _module(hidden)
    x = torch.randn(10, 6)
    crit = ContractiveCriterion(single_block_layout(6), weight=0.5)
    terms = crit(module(x), x, module=module)
    assert set(terms) == {"reconstruction", "contractive"}
    expected = 0.5 * _brute_force(module.encode, x).mean()
    torch.testing.assert_close(terms["contractive"], expected, rtol=1e-5, atol=1e-6)
    estimate = ContractiveCriterion(single_block_layout(6), 0.5, n_projections=2)
    assert torch.isfinite(estimate(module(x), x, module=module)["contractive"])


def test_l1_penalty_is_invariant_to_rescaling_code_against_decoder():
    torch.manual_seed(4)
    decoder = MLP(4, (), 6)
    code = torch.relu(torch.randn(5, 4))
    before = l1_sparsity(code, decoder_column_norms(decoder))
    with torch.no_grad():
        decoder[0].weight.mul_(0.1)  # shrink the decoder ...
    after = l1_sparsity(10.0 * code, decoder_column_norms(decoder))  # ... grow the code
    torch.testing.assert_close(after, before)
    # the tied decoder's columns are the encoder's last rows
    encoder = MLP(6, (), 4)
    torch.testing.assert_close(
        decoder_column_norms(TiedDecoder(encoder)), encoder[0].weight.norm(dim=1)
    )


def test_kl_sparsity_term_is_zero_at_the_target():
    layout = single_block_layout(3)
    x = torch.zeros(4, 3)
    code = torch.tensor([[0.1, 0.0], [0.0, 0.2], [0.1, 0.0], [0.0, 0.0]])  # unit means 0.05
    output = {"code": code, "recon": torch.zeros(4, 3)}
    terms = SparsityCriterion(layout, "kl", weight=2.0, target=0.05)(output, x)
    assert terms["sparsity"].item() == pytest.approx(0.0, abs=1e-6)
    output["code"] = code + 0.3
    assert SparsityCriterion(layout, "kl", 2.0, 0.05)(output, x)["sparsity"].item() > 0.5
    l1 = SparsityCriterion(layout, "l1", weight=2.0)(output, x)["sparsity"]
    torch.testing.assert_close(l1, 2.0 * (code + 0.3).abs().sum(dim=1).mean())


@pytest.mark.parametrize("activation", ["leaky_relu", "relu", "tanh", "elu"])
@pytest.mark.parametrize("pac", [1, 3])
def test_layered_gradient_penalty_matches_double_backprop(activation, pac):
    """An MLP critic's gradient penalty by an explicit backward pass: same value and
    same parameter gradients as autograd's double backpropagation (the baseline, reached
    through a wrapper the fast path does not recognise)."""
    from skgen.losses import gradient_penalty
    from skgen.losses._penalties import critic_layers
    from skgen.nn import Discriminator

    torch.manual_seed(0)
    critic = Discriminator(7, (16, 16), activation=activation, pac=pac)
    with torch.no_grad():  # steep enough that the one-sided penalty is active
        for p in critic.parameters():
            p.mul_(3.0)
    points = torch.randn(12, 7)
    assert critic_layers(critic) is not None
    assert critic_layers(lambda x: critic(x)) is None
    results = []
    for fn in (critic, lambda x: critic(x)):
        for one_sided in (True, False):
            critic.zero_grad()
            pen = gradient_penalty(fn, points, one_sided=one_sided)
            pen.backward()
            grads = [torch.zeros_like(p) if p.grad is None else p.grad.clone() for p in critic.parameters()]
            results.append((pen.detach(), grads))
    for fast, slow in zip(results[:2], results[2:]):
        assert fast[0].item() > 0
        torch.testing.assert_close(fast[0], slow[0])
        for a, b in zip(fast[1], slow[1]):
            torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)
    with torch.no_grad():  # also without a graph
        torch.testing.assert_close(gradient_penalty(critic, points, one_sided=False), results[1][0])


def test_critics_outside_the_layered_path_keep_double_backprop():
    from skgen.losses._penalties import critic_layers
    from skgen.nn import Discriminator

    assert critic_layers(Discriminator(4, (8,), dropout=0.5)) is None
    assert critic_layers(Discriminator(4, (8,), minibatch_discrimination=True)) is None
    assert critic_layers(Discriminator(4, (8,), n_classes=3)) is None
