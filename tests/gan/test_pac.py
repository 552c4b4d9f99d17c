"""PacGAN packing (Lin et al., 2018): the discriminator scores sets of pac rows."""

import numpy as np
import pytest
import torch

from skgen import GAN, WGANGP
from skgen.losses import gradient_penalty
from skgen.nn import Discriminator


def test_packed_discriminator_scores_concatenated_rows():
    torch.manual_seed(0)
    d = Discriminator(3, hidden_layer_sizes=(8,), pac=4)
    x = torch.randn(8, 3)
    out = d(x)
    assert out.shape == (2,)
    expected = d.head(d.body(x.reshape(2, 12))).squeeze(-1)
    assert torch.allclose(out, expected)
    # real and fake halves in one pass (groups=2) give one score per pack
    assert d(torch.cat([x, x]), groups=2).shape == (4,)


def test_gradient_penalty_takes_one_norm_per_pack():
    w = torch.randn(12)
    w = w / w.norm()  # a 1-Lipschitz linear critic of a pack of 4 rows of 3

    def critic(x):
        return x.reshape(-1, 12) @ w

    points = torch.randn(8, 3)
    assert gradient_penalty(critic, points).item() == pytest.approx(0.0, abs=1e-10)


@pytest.mark.parametrize("Est", [GAN, WGANGP])
def test_pac_fit_resolution_and_errors(Est):
    X = np.random.RandomState(0).normal(size=(103, 3))
    model = Est(pac=5, batch_size=32, max_epochs=2, random_state=0).fit(X)  # 32 rows: 6 packs
    assert model.net_.discriminator_.pac == 5
    assert model.sample(4, random_state=0).shape == (4, 3)
    assert Est(max_epochs=1, batch_size=64).fit(X)._pac == 1
    assert Est(max_epochs=1, batch_size=500).fit(X)._pac == 10
    y = np.arange(103) % 2
    assert Est(max_epochs=1).fit(X, y)._pac == 1
    with pytest.raises(ValueError, match="pac=5"):
        Est(pac=5, max_epochs=1).fit(X, y)


def test_auto_batch_and_pac_grow_with_a_table_only():
    """WGANGP's defaults: CTGAN's large packed batches on large tables; arrays keep 64."""
    import pandas as pd

    rng = np.random.RandomState(0)
    X = rng.normal(size=(2000, 2))
    frame = pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "c": rng.choice(["x", "y"], 2000)})
    table = WGANGP(max_epochs=1, random_state=0).fit(frame)
    assert (table._batch_size, table._pac, table.net_.discriminator_.pac) == (200, 4, 4)
    array = WGANGP(max_epochs=1, random_state=0).fit(X)
    assert (array._batch_size, array._pac) == (64, 1)
    small = WGANGP(max_epochs=1, random_state=0).fit(frame.iloc[:300])
    assert (small._batch_size, small._pac) == (64, 1)
