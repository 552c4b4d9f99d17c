"""The conditional vectors behind sample(n, conditions=...)."""

import numpy as np
import pandas as pd
import pytest
import torch

from skgen._conditions import ColumnConditioner
from skgen.preprocessing import TabularEncoder


@pytest.fixture
def fitted(rng):
    frame = pd.DataFrame(
        {
            "x": rng.randn(60),
            "color": rng.choice(["red", "green", "blue"], 60),
            "ok": rng.rand(60) > 0.5,
        }
    )
    encoder = TabularEncoder(numeric="standard").fit(frame)
    return frame, encoder, ColumnConditioner(encoder.columns_, drop_rate=0.0)


def test_training_vectors_are_the_rows_own_values_in_one_column(fitted):
    frame, encoder, conditioner = fitted
    X = torch.as_tensor(encoder.transform(frame), dtype=torch.float32)
    torch.manual_seed(0)
    cond = conditioner.training_vectors(X)
    assert cond.shape == (60, 3 + 2)
    assert torch.all(cond.sum(dim=1) == 1)  # exactly one column, one category
    onehots = X[:, torch.as_tensor(conditioner._index)]
    assert torch.all((cond == 0) | (onehots == 1))  # never a value the row does not have


def test_drop_rate_gives_empty_conditions(fitted):
    frame, encoder, _ = fitted
    X = torch.as_tensor(encoder.transform(frame), dtype=torch.float32)
    torch.manual_seed(0)
    cond = ColumnConditioner(encoder.columns_, drop_rate=1.0).training_vectors(X)
    assert torch.all(cond == 0)


def test_vectors_and_clamp(fitted):
    frame, encoder, conditioner = fitted
    cond = conditioner.vectors({"color": "green"}, 4)
    offset, categories, block = conditioner.columns["color"]
    assert np.all(cond[:, offset + categories.index("green")] == 1) and cond.sum() == 4
    data = np.random.RandomState(0).rand(4, block.stop + 5)
    clamped = conditioner.clamp(data, {"color": ["red", "blue", "red", "green"]})
    decoded = [categories[i] for i in clamped[:, block.slice].argmax(axis=1)]
    assert decoded == ["red", "blue", "red", "green"]


def test_bad_conditions_are_named(fitted):
    _, _, conditioner = fitted
    with pytest.raises(ValueError, match="categorical columns \\['color', 'ok'\\]"):
        conditioner.vectors({"x": 1.0}, 3)
    with pytest.raises(ValueError, match="Unknown value.*purple.*'color'"):
        conditioner.vectors({"color": "purple"}, 3)
    with pytest.raises(ValueError, match="n_samples=3"):
        conditioner.vectors({"color": ["red", "red"]}, 3)
    with pytest.raises(ValueError, match="non-empty dict"):
        conditioner.vectors({}, 3)


# --------------------------------------------------- conditions as row indices
def _dense_training_vectors(conditioner, X):
    """The former dense formula: the row's value block of one random column, or nothing."""
    index = torch.as_tensor(conditioner._index)
    block_id = torch.as_tensor(conditioner._block_id)
    choice = torch.randint(len(conditioner.columns), (len(X), 1))
    keep = torch.rand(len(X), 1) >= conditioner.drop_rate
    return X[:, index] * ((block_id[None, :] == choice) & keep).to(X.dtype)


@pytest.mark.parametrize("drop_rate", [0.0, 0.5])
def test_training_rows_equal_the_dense_vectors(drop_rate):
    from types import SimpleNamespace

    from skgen._layout import Block

    specs = [
        SimpleNamespace(method="standard", name="x"),
        SimpleNamespace(  # a 4th, "missing" level in the block: no condition for it
            method="onehot", name="a", categories=["u", "v", "w"], value_block=Block("categorical", 1, 5)
        ),
        SimpleNamespace(
            method="onehot", name="b", categories=list("pqrstuvwxyzABC"), value_block=Block("categorical", 5, 19)
        ),
        SimpleNamespace(method="onehot", name="c", categories=[0, 1], value_block=Block("categorical", 19, 21)),
    ]
    conditioner = ColumnConditioner(specs, drop_rate=drop_rate)
    gen = torch.Generator().manual_seed(1)
    X = torch.randn(200, 21, generator=gen)
    for block in (specs[1].value_block, specs[2].value_block, specs[3].value_block):
        codes = torch.randint(block.width, (200,), generator=gen)
        X[:, block.slice] = torch.nn.functional.one_hot(codes, block.width).float()
    torch.manual_seed(3)
    expected = _dense_training_vectors(conditioner, X)
    torch.manual_seed(3)
    rows = conditioner.training_rows(X)
    torch.testing.assert_close(rows.dense(), expected, rtol=0, atol=0)
    torch.manual_seed(3)
    torch.testing.assert_close(conditioner.training_vectors(X), expected, rtol=0, atol=0)
    # the conditional loss from rows equals the dense one
    raw = torch.randn(200, 21, generator=gen)
    torch.testing.assert_close(
        conditioner.condition_loss(raw, rows), conditioner.condition_loss(raw, expected)
    )


def _condition_modules():
    from skgen.nn import MLP, GaussianEncoder
    from skgen.nn._residual import AffineResidual

    torch.manual_seed(0)
    d, c = 7, 5
    mlp = MLP(d + c, [6, 4], 3)
    weight, shift = torch.randn(3, d + c), torch.randn(d + c)
    reads = AffineResidual(weight, torch.randn(3), shift, MLP(d + c, [6], 3), gate=True)
    weight[:, d:] = 0
    shift[d:] = 0
    ignores = AffineResidual(weight, torch.randn(3), shift, MLP(d + c, [6], 3))
    for module in (reads, ignores):  # non-zero residuals (their last layers start at 0)
        for p in module.parameters():
            torch.nn.init.normal_(p)
    encoder = GaussianEncoder(AffineResidual(torch.randn(4, d + c), torch.randn(4), shift, MLP(d + c, [6], 4)), 2)
    other = torch.nn.Sequential(torch.nn.Tanh(), torch.nn.Linear(d + c, 3))  # dense fallback
    return d, c, {"mlp": mlp, "reads": reads, "ignores": ignores, "encoder": encoder, "other": other}


@pytest.mark.parametrize("name", ["mlp", "reads", "ignores", "encoder", "other"])
@pytest.mark.parametrize("empty", [False, True])
def test_conditioned_forward_equals_the_dense_input(name, empty):
    from skgen._conditions import ConditionRows, conditioned_forward

    d, c, modules = _condition_modules()
    module = modules[name]
    gen = torch.Generator().manual_seed(2)
    n = 9
    h = torch.randn(n, d, generator=gen, requires_grad=True)
    rows = ConditionRows(
        torch.randint(c, (n,), generator=gen),
        (torch.rand(n, generator=gen) > 0.3).float(),
        torch.zeros(n, dtype=torch.long),
        c,
    )
    dense = torch.zeros(n, c) if empty else rows.dense()

    def flat(out):
        return torch.cat(out, dim=1) if isinstance(out, tuple) else out

    expected = flat(module(torch.cat([h, dense], dim=1)))
    got = flat(conditioned_forward(module, h, None if empty else rows, c))
    torch.testing.assert_close(got, expected)
    weights = torch.randn(expected.shape, generator=gen)
    params = [h] + [p for p in module.parameters()]
    grads = torch.autograd.grad((expected * weights).sum(), params, allow_unused=True)
    grads_rows = torch.autograd.grad((got * weights).sum(), params, allow_unused=True)
    for a, b in zip(grads_rows, grads):
        if b is None:
            assert a is None or torch.all(a == 0)
        else:
            torch.testing.assert_close(a, b)
    with torch.no_grad():
        torch.testing.assert_close(flat(conditioned_forward(module, h, None if empty else rows, c)), expected)
