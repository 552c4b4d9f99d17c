"""Quality and behaviour of the plain Autoencoder."""

import numpy as np
import pytest
from scipy.linalg import subspace_angles
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from skgen import Autoencoder
from skgen.nn import TiedDecoder


def _correlated(rng, n=400):
    spectrum = np.array([5.0, 4.0, 3.0, 1.0, 0.8, 0.6, 0.4, 0.3, 0.2, 0.1])
    rotation, _ = np.linalg.qr(rng.randn(10, 10))
    return (rng.randn(n, 10) * spectrum) @ rotation.T + 3.0


@pytest.mark.parametrize("tied_weights", [False, True])
def test_linear_autoencoder_recovers_pca_subspace(rng, tied_weights):
    X = _correlated(rng)
    pca = PCA(3).fit(X)
    ae = Autoencoder(
        3,
        hidden_layer_sizes=(),
        activation="identity",
        tied_weights=tied_weights,
        init="random",
        early_stopping=False,
        optimizer="lbfgs",
        lr=1.0,
        batch_size=len(X),
        max_epochs=60,
        random_state=0,
    ).fit(X)
    module = ae.net_.module_
    if tied_weights:
        assert isinstance(module.decoder, TiedDecoder)
        basis = module.encoder.linear_layers[0].weight.detach().numpy().T
    else:
        basis = module.decoder.linear_layers[-1].weight.detach().numpy()
    assert subspace_angles(basis, pca.components_.T).max() < 1e-2
    pca_mse = np.mean((pca.inverse_transform(pca.transform(X)) - X) ** 2)
    ae_mse = -ae.score(X)
    assert ae_mse == pytest.approx(pca_mse, rel=0.03)


@pytest.mark.slow
def test_deep_autoencoder_beats_pca_on_held_out_digits(digits):
    X, _ = digits
    X_train, X_test = train_test_split(X, test_size=0.25, random_state=0)
    for k in (2, 5, 10):
        pca = PCA(k).fit(X_train)
        pca_mse = np.mean((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2)
        ae = Autoencoder(k, max_epochs=120, random_state=0).fit(X_train)
        assert -ae.score(X_test) < 0.8 * pca_mse, k


def test_output_activation_auto_follows_data_range(rng):
    X01 = rng.rand(60, 4)
    ae = Autoencoder(2, init="random", max_epochs=2, random_state=0).fit(X01)
    assert ae.layout_[0].kind == "binary"
    out = ae.inverse_transform(ae.transform(X01))
    assert out.min() >= 0 and out.max() <= 1
    ae = Autoencoder(2, init="random", max_epochs=2, random_state=0).fit(X01 * 5 - 1)
    assert ae.layout_[0].kind == "numeric"
    with pytest.raises(ValueError, match="needs data in \\[0, 1\\]"):
        Autoencoder(2, output_activation="sigmoid", max_epochs=2).fit(X01 * 5 - 1)


def test_reconstruction_round_trip_keeps_dtype(rng):
    X = rng.randn(80, 5).astype(np.float32)
    ae = Autoencoder(2, max_epochs=3, random_state=0).fit(X)
    codes = ae.transform(X)
    assert codes.dtype == np.float32
    assert ae.inverse_transform(codes).dtype == np.float32
    assert ae.transform(X.astype(np.float64)).dtype == np.float64


def test_inverse_transform_checks_code_width(rng):
    ae = Autoencoder(2, max_epochs=2, random_state=0).fit(rng.randn(30, 4))
    with pytest.raises(ValueError, match="expecting 2 features"):
        ae.inverse_transform(np.zeros((3, 4)))


def test_score_is_minus_mean_squared_error(rng):
    X = rng.randn(50, 4)
    ae = Autoencoder(2, max_epochs=5, random_state=0).fit(X)
    recon = ae.inverse_transform(ae.transform(X))
    np.testing.assert_allclose(ae.score_samples(X), -((recon - X) ** 2).mean(axis=1), rtol=1e-4)
    assert ae.score(X) == pytest.approx(ae.score_samples(X).mean())


def test_warns_when_feature_scales_differ_widely(rng):
    X = rng.randn(50, 4) * [1.0, 1.0, 1.0, 1000.0]
    with pytest.warns(UserWarning, match="StandardScaler"):
        Autoencoder(2, max_epochs=1, random_state=0).fit(X)


@pytest.mark.slow
def test_standardised_tabular_data_matches_pca():
    from sklearn.datasets import load_breast_cancer
    from sklearn.preprocessing import StandardScaler

    X, _ = load_breast_cancer(return_X_y=True)
    X_train, X_test = train_test_split(X, random_state=0)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    pca = PCA(5).fit(X_train)
    pca_mse = np.mean((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2)
    ae = Autoencoder(5, random_state=0).fit(X_train)
    assert -ae.score(X_test) < 1.2 * pca_mse
