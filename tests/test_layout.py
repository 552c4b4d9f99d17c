"""The compiled (vectorised) layout operations equal the block-by-block loops."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from skgen._conditions import ColumnConditioner
from skgen._layout import Block, CompiledLayout, apply_output_activations, compile_layout
from skgen.losses import reconstruction_loss
from skgen.losses._kl import likelihood_nll, optimal_log_var


def random_layout(rng, n_blocks=None, max_width=12, extra=0):
    n_blocks = rng.randint(1, 15) if n_blocks is None else n_blocks
    blocks, start = [], 0
    for _ in range(n_blocks):
        kind = rng.choice(["numeric", "binary", "categorical"])
        width = 1 if kind == "numeric" and rng.rand() < 0.5 else rng.randint(1, max_width + 1)
        if kind == "categorical" and rng.rand() < 0.1:
            width = rng.randint(40, 120)  # one wide block beside narrow ones
        blocks.append(Block(kind, start, start + width))
        start += width
    return tuple(blocks), start + extra


# ------------------------------------------------------------- loop versions
def activations_loop(raw, layout, hard=False):
    parts = []
    for block in layout:
        chunk = raw[:, block.slice]
        if block.kind == "numeric":
            parts.append(chunk)
        elif block.kind == "binary":
            parts.append(torch.sigmoid(chunk))
        elif hard:
            parts.append(F.one_hot(chunk.argmax(dim=1), block.width).to(raw.dtype))
        else:
            parts.append(torch.softmax(chunk, dim=1))
    return torch.cat(parts, dim=1)


def loss_loop(raw, target, layout):
    total = torch.zeros(len(raw), dtype=raw.dtype)
    for block in layout:
        r, t = raw[:, block.slice], target[:, block.slice]
        if block.kind == "numeric":
            total = total + 0.5 * (r - t).pow(2).sum(dim=1)
        elif block.kind == "binary":
            total = total + F.binary_cross_entropy_with_logits(r, t, reduction="none").sum(dim=1)
        else:
            total = total - (t * F.log_softmax(r, dim=1)).sum(dim=1)
    return total


def target_for(layout, width, rng, n):
    t = torch.from_numpy(rng.randn(n, width))
    for block in layout:
        if block.kind == "binary":
            t[:, block.slice] = torch.from_numpy(rng.rand(n, block.width))
        elif block.kind == "categorical":
            t[:, block.slice] = F.one_hot(
                torch.from_numpy(rng.randint(block.width, size=n)), block.width
            ).double()
    return t


@pytest.mark.parametrize("seed", range(8))
def test_vectorised_ops_equal_loops(seed):
    rng = np.random.RandomState(seed)
    layout, width = random_layout(rng)
    n = 17
    raw = torch.from_numpy(rng.randn(n, width) * 3).requires_grad_(True)
    target = target_for(layout, width, rng, n)
    for hard in (False, True):
        torch.testing.assert_close(
            apply_output_activations(raw, layout, hard=hard), activations_loop(raw, layout, hard)
        )
    loss = reconstruction_loss(raw, target, layout)
    expected = loss_loop(raw, target, layout)
    torch.testing.assert_close(loss, expected)
    (grad,) = torch.autograd.grad(loss.sum(), raw)
    (grad_loop,) = torch.autograd.grad(expected.sum(), raw)
    torch.testing.assert_close(grad, grad_loop)
    assert torch.isfinite(grad).all()


@pytest.mark.parametrize("seed", range(4))
def test_likelihood_nll_equals_loop(seed):
    rng = np.random.RandomState(seed)
    layout, width = random_layout(rng, n_blocks=8)
    raw = torch.from_numpy(rng.randn(9, width))
    target = target_for(layout, width, rng, 9)
    numeric = [c for b in layout if b.kind == "numeric" for c in range(b.start, b.stop)]
    log_var = optimal_log_var(raw, target, layout)
    expected = loss_loop(raw, target, [b for b in layout if b.kind != "numeric"])
    if numeric:
        mse = (raw[:, numeric] - target[:, numeric]).pow(2).mean()
        torch.testing.assert_close(log_var, torch.log(mse.clamp(min=1e-6)))
        sq = (raw[:, numeric] - target[:, numeric]).pow(2) * torch.exp(-log_var)
        expected = expected + 0.5 * (sq + log_var + np.log(2 * np.pi)).sum(dim=1)
    torch.testing.assert_close(likelihood_nll(raw, target, layout, log_var), expected)


def test_gumbel_softmax_blocks():
    rng = np.random.RandomState(0)
    layout, width = random_layout(rng, n_blocks=12)
    compiled = compile_layout(layout)
    raw = torch.from_numpy(rng.randn(50, width)).float()
    out = compiled.gumbel_softmax(raw, tau=0.5)
    for block in layout:
        if block.kind == "categorical":
            torch.testing.assert_close(out[:, block.slice].sum(dim=1), torch.ones(50))
        elif block.kind == "numeric":
            torch.testing.assert_close(out[:, block.slice], raw[:, block.slice])
        else:
            torch.testing.assert_close(out[:, block.slice], torch.sigmoid(raw[:, block.slice]))


def test_compile_layout_is_cached_and_partial_layouts():
    layout = (Block("categorical", 2, 5), Block("categorical", 7, 9))
    assert compile_layout(layout) is compile_layout(layout)
    compiled = CompiledLayout(layout, width=10)
    assert sorted(compiled.categorical_columns) == [2, 3, 4, 7, 8]
    raw = torch.randn(4, 10)
    out = compiled.activate(raw)
    torch.testing.assert_close(out[:, [0, 1, 5, 6, 9]], raw[:, [0, 1, 5, 6, 9]])
    torch.testing.assert_close(out[:, 2:5], torch.softmax(raw[:, 2:5], dim=1))


def test_draw_categorical_frequencies():
    # a 1000-level block beside a 3-level one and a numeric column
    layout = (Block("numeric", 0, 1), Block("categorical", 1, 4), Block("categorical", 4, 1004))
    compiled = compile_layout(layout)
    n = 20_000
    p3 = torch.tensor([0.6, 0.3, 0.1])
    p1000 = torch.zeros(1000)
    p1000[[0, 10, 999]] = torch.tensor([0.5, 0.25, 0.25])
    probs = torch.cat([torch.full((n, 1), 7.0), p3.expand(n, 3), p1000.expand(n, 1000)], dim=1)
    out = compiled.draw_categorical(probs.clone(), torch.Generator().manual_seed(0))
    assert (out[:, 0] == 7).all()
    for block in layout[1:]:
        part = out[:, block.slice]
        assert ((part == 0) | (part == 1)).all()
        assert (part.sum(dim=1) == 1).all()
    torch.testing.assert_close(out[:, 1:4].mean(dim=0), p3, atol=0.015, rtol=0)
    freq = out[:, 4:].mean(dim=0)
    torch.testing.assert_close(freq[[0, 10, 999]], torch.tensor([0.5, 0.25, 0.25]), atol=0.015, rtol=0)
    assert freq.sum() == pytest.approx(1.0)  # nothing drawn outside the support


def test_condition_loss_equals_loop():
    from types import SimpleNamespace

    specs = [
        SimpleNamespace(method="standard", name="x"),
        SimpleNamespace(
            method="onehot", name="a", categories=["u", "v", "w"], value_block=Block("categorical", 1, 5)
        ),  # a 4th, "missing" level in the block
        SimpleNamespace(
            method="onehot", name="b", categories=["p", "q"], value_block=Block("categorical", 5, 7)
        ),
    ]
    conditioner = ColumnConditioner(specs)
    torch.manual_seed(0)
    raw = torch.randn(30, 7)
    X = torch.zeros(30, 7)
    X[torch.arange(30), 1 + torch.randint(3, (30,))] = 1
    X[torch.arange(30), 5 + torch.randint(2, (30,))] = 1
    condition = conditioner.training_vectors(X)
    expected = 0.0
    for offset, categories, block in conditioner.columns.values():
        k = len(categories)
        log_p = torch.log_softmax(raw[:, block.slice], dim=1)[:, :k]
        expected = expected - (condition[:, offset : offset + k] * log_p).sum(dim=1)
    torch.testing.assert_close(conditioner.condition_loss(raw, condition), expected.mean())


def test_gumbel_softmax_draws_follow_the_softmax():
    layout = (Block("categorical", 0, 3), Block("categorical", 3, 5), Block("categorical", 5, 45))
    compiled = compile_layout(layout)
    torch.manual_seed(0)
    logits = torch.randn(1, 45).expand(20_000, 45).contiguous()
    out = compiled.gumbel_softmax(logits, tau=0.2)
    assert torch.isfinite(out).all()
    for block in layout:
        freq = F.one_hot(out[:, block.slice].argmax(dim=1), block.width).float().mean(dim=0)
        expected = torch.softmax(logits[0, block.slice], dim=0)
        torch.testing.assert_close(freq, expected, atol=0.015, rtol=0)


@pytest.mark.parametrize("seed", range(4))
def test_gathers_backward_and_soft_targets_equal_loops(seed):
    # the gathers' own backward (a gather, not autograd's scatter-add) and the fused
    # cross-entropy with soft and all-zero categorical targets
    rng = np.random.RandomState(10 + seed)
    layout, width = random_layout(rng, n_blocks=10, extra=2)
    n = 13
    raw = torch.from_numpy(rng.randn(n, width) * 3).requires_grad_(True)
    weights = torch.from_numpy(rng.randn(n, width))
    out = compile_layout(layout, raw.device, width).activate(raw)
    expected = activations_loop(raw, layout)
    covered = expected.shape[1]
    torch.testing.assert_close(out[:, :covered], expected)
    (grad,) = torch.autograd.grad((out[:, :covered] * weights[:, :covered]).sum(), raw)
    (grad_loop,) = torch.autograd.grad((expected * weights[:, :covered]).sum(), raw)
    torch.testing.assert_close(grad, grad_loop)
    target = torch.from_numpy(rng.rand(n, width))  # soft targets, some blocks all zero
    target[: n // 2, :] *= torch.from_numpy(rng.rand(width) > 0.5)
    loss = reconstruction_loss(raw, target, layout)
    expected = loss_loop(raw, target, layout)
    torch.testing.assert_close(loss, expected)
    (grad,) = torch.autograd.grad((loss * weights[:, 0]).sum(), raw)
    (grad_loop,) = torch.autograd.grad((expected * weights[:, 0]).sum(), raw)
    torch.testing.assert_close(grad, grad_loop)


def test_sample_from_logits_frequencies():
    # the fused sampling path: binary -> probabilities, categorical -> one-hot draws
    layout = (
        Block("numeric", 0, 1),
        Block("categorical", 1, 4),
        Block("binary", 4, 5),
        Block("categorical", 5, 1005),
    )
    compiled = compile_layout(layout)
    n = 20_000
    p3 = torch.tensor([0.6, 0.3, 0.1])
    p1000 = torch.full((1000,), 1e-12)
    p1000[[0, 10, 999]] = torch.tensor([0.5, 0.25, 0.25])
    logits = torch.cat(
        [torch.full((1, 1), 7.0), p3.log()[None] + 3.0, torch.zeros(1, 1), p1000.log()[None]], dim=1
    ).expand(n, -1).contiguous()
    out = compiled.sample_from_logits(logits, torch.Generator().manual_seed(0), chunk_size=7000)
    assert (out[:, 0] == 7).all() and (out[:, 4] == 0.5).all()
    for block in (layout[1], layout[3]):
        part = out[:, block.slice]
        assert ((part == 0) | (part == 1)).all() and (part.sum(dim=1) == 1).all()
    torch.testing.assert_close(out[:, 1:4].mean(dim=0), p3, atol=0.015, rtol=0)
    freq = out[:, 5:].mean(dim=0)
    torch.testing.assert_close(freq[[0, 10, 999]], torch.tensor([0.5, 0.25, 0.25]), atol=0.015, rtol=0)
