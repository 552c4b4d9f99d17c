"""DenoisingAE: corruption in training only, and useful features."""

import numpy as np
import pytest
import torch
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skgen import DenoisingAE
from skgen.nn import Corruption


@pytest.mark.parametrize("kind", ["gaussian", "masking", "salt_pepper"])
def test_corruption_only_in_train_mode(kind):
    x = torch.rand(200, 6)
    corruption = Corruption(kind, 0.3, scale=torch.ones(6), fill=torch.zeros(6))
    corruption.train()
    noisy = corruption(x)
    assert not torch.equal(noisy, x)
    corruption.eval()
    assert torch.equal(corruption(x), x)


def test_masking_and_salt_pepper_rates():
    torch.manual_seed(0)
    x = torch.full((2000, 10), 0.5)
    masked = Corruption("masking", 0.25, fill=torch.zeros(10)).train()(x)
    assert (masked == 0).float().mean().item() == pytest.approx(0.25, abs=0.02)
    sp = Corruption("salt_pepper", 0.2, low=torch.zeros(10), high=torch.ones(10)).train()(x)
    assert (sp == 0).float().mean().item() == pytest.approx(0.1, abs=0.02)
    assert (sp == 1).float().mean().item() == pytest.approx(0.1, abs=0.02)


def test_gaussian_noise_is_relative_to_feature_scale():
    torch.manual_seed(0)
    x = torch.zeros(5000, 2)
    noisy = Corruption("gaussian", 0.5, scale=torch.tensor([1.0, 10.0])).train()(x)
    np.testing.assert_allclose(noisy.std(dim=0).numpy(), [0.5, 5.0], rtol=0.05)


def test_transform_is_deterministic(rng):
    X = rng.randn(60, 5)
    ae = DenoisingAE(2, noise_level=0.5, max_epochs=3, random_state=0).fit(X)
    np.testing.assert_array_equal(ae.transform(X), ae.transform(X))
    np.testing.assert_array_equal(ae.score_samples(X), ae.score_samples(X))


def test_fraction_noise_level_above_one_is_rejected(rng):
    with pytest.raises(ValueError, match="must be in \\[0, 1\\]"):
        DenoisingAE(noise="masking", noise_level=1.5, max_epochs=1).fit(rng.randn(20, 3))


@pytest.mark.slow
def test_digits_pipeline_matches_pca_pipeline(digits):
    X, y = digits
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)

    def accuracy(reducer):
        pipe = Pipeline(
            [("reduce", reducer), ("scale", StandardScaler()), ("clf", LogisticRegression(max_iter=2000))]
        )
        return pipe.fit(X_train, y_train).score(X_test, y_test)

    pca_acc = accuracy(PCA(16, random_state=0))
    ae_acc = accuracy(DenoisingAE(16, random_state=0))
    assert ae_acc >= pca_acc - 0.01, (ae_acc, pca_acc)
