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
