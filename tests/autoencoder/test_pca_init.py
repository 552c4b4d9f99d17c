"""init="pca": autoencoders start at PCA's solution; scale-aware stopping (issue 8 bars)."""

import warnings

import numpy as np
import pytest
from scipy.linalg import subspace_angles
from sklearn.datasets import load_digits, load_wine
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgen import (
    VAE,
    Autoencoder,
    BetaVAE,
    ContractiveAE,
    ConvAE,
    DenoisingAE,
    SparseAE,
    StackedAE,
    WAE,
)
from skgen.base import ScaledEarlyStopping
from skgen.exceptions import ConvergenceWarning
from skgen.nn import ppca_variational_maps
from skgen.nn._mlp import MLP


@pytest.fixture(scope="module")
def wine():
    X = StandardScaler().fit_transform(load_wine().data)
    return train_test_split(X, test_size=0.3, random_state=0)


def _pca_mse(X_train, X_test, k):
    pca = PCA(k).fit(X_train)
    return np.mean((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2)


@pytest.mark.parametrize("k", [2, 5])
def test_linear_autoencoder_is_pca_with_defaults(wine, k):
    X, _ = wine
    ae = Autoencoder(k, hidden_layer_sizes=(), activation="identity", random_state=0).fit(X)
    pca = PCA(k).fit(X)
    Z = ae.transform(X)
    basis = np.linalg.lstsq(X - X.mean(0), Z, rcond=None)[0]  # code = (X - mean) @ basis
    assert subspace_angles(basis, pca.components_.T).max() < 1e-3
    assert -ae.score(X) == pytest.approx(_pca_mse(X, X, k), rel=1e-3)
    assert ae.n_iter_ == 0  # the closed form: nothing to train
    np.testing.assert_allclose(ae.inverse_transform(Z), pca.inverse_transform(pca.transform(X)), atol=1e-4)


def test_ppca_initialisation_has_ppca_covariance(wine):
    X, _ = wine
    k = 3
    enc, dec, noise = ppca_variational_maps(X, k, MLP(X.shape[1], (8,), 2 * k), MLP(k, (8,), X.shape[1]))
    pca = PCA(k).fit(X)
    assert noise == pytest.approx(pca.noise_variance_, rel=1e-6)
    W = dec.weight.double().numpy()
    model_cov = W @ W.T + noise * np.eye(X.shape[1])
    np.testing.assert_allclose(model_cov, pca.get_covariance(), atol=1e-5)
    # the residuals start at zero: the maps are exactly the affine parts
    import torch

    x = torch.as_tensor(X[:5], dtype=torch.float32)
    np.testing.assert_allclose(enc(x).detach().numpy(), enc.affine(x).numpy(), atol=1e-6)


def test_every_autoencoder_reconstructs_at_least_as_well_as_pca(wine):
    X_train, X_test = wine
    k = 2
    pca_mse = _pca_mse(X_train, X_test, k)
    models = [
        Autoencoder(k),
        DenoisingAE(k),
        SparseAE(k),
        SparseAE(k, sparsity="l1"),
        ContractiveAE(k),
        StackedAE(k, pretrain_epochs=5),
        ConvAE(k, channels=(4,)),
        WAE(k),
    ]
    for model in models:
        model.set_params(random_state=0, max_epochs=60)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X_train)
        mse = np.mean((model.inverse_transform(model.transform(X_test)) - X_test) ** 2)
        assert mse <= 1.001 * pca_mse, type(model).__name__


def test_denoising_pipeline_matches_pca_pipeline_on_digits():
    X, y = load_digits(return_X_y=True)
    X, y = X[:600], y[:600]

    def cv(step):
        return cross_val_score(make_pipeline(step, LogisticRegression(max_iter=3000)), X, y, cv=3).mean()

    assert cv(DenoisingAE(8, max_epochs=60, random_state=0)) >= cv(PCA(8)) - 0.005


def test_codes_are_on_pca_score_scale_for_raw_features_of_different_scales():
    # Raw wine: feature standard deviations from 0.1 to 315. The codes are PCA's scores
    # (not divided by the data's global scale), so a penalised LogisticRegression after
    # them sees PCA's features: the two-step pipeline is as good as PCA's.
    X, y = load_wine(return_X_y=True)
    k = 4
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the heterogeneous-scales warning
        linear = Autoencoder(k, hidden_layer_sizes=(), activation="identity").fit(X)
        Z = linear.transform(X)
        np.testing.assert_allclose(np.abs(Z), np.abs(PCA(k).fit_transform(X)), rtol=1e-3, atol=1e-3 * Z.std())
        np.testing.assert_allclose(linear.inverse_transform(Z), PCA(k).fit(X).inverse_transform(PCA(k).fit_transform(X)), rtol=1e-4, atol=1e-3)

        def cv(step):
            return cross_val_score(make_pipeline(step, LogisticRegression(max_iter=3000)), X, y, cv=3).mean()

        assert cv(DenoisingAE(k, max_epochs=40, random_state=0)) >= cv(PCA(k)) - 1e-9


@pytest.mark.parametrize(
    "model",
    [SparseAE(2), SparseAE(2, sparsity="l1"), WAE(2)],
    ids=["SparseAE-kl", "SparseAE-l1", "WAE"],
)
def test_penalised_autoencoders_reconstruct_raw_tables_as_well_as_pca(model):
    # Raw wine at k=2: PCA explains 99.98 % of the variance (proline dominates), so any
    # reconstruction the penalty buys (sparsity, MMD) costs many times PCA's tiny error;
    # the reconstruction guard keeps the initial PCA model then (last round: 14x, 2.8x, 19x).
    X_train, X_test = train_test_split(load_wine().data, test_size=0.3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.set_params(random_state=0, max_epochs=20).fit(X_train)
    mse = np.mean((model.inverse_transform(model.transform(X_test)) - X_test) ** 2)
    assert mse <= 1.01 * _pca_mse(X_train, X_test, 2)


def test_guard_keeps_pca_itself_when_it_keeps_the_start():
    # Raw wine, SparseAE (kl) at k=2: the guard keeps the PCA start. Its candidate is
    # that start as it stands (the decoder reads the sigmoid codes' scores back), not
    # the start plus an output correction fitted to the sigmoid codes on the training
    # rows, which fitted noise (held-out MSE 1.0018x PCA's with the default fit).
    X_train, X_test = train_test_split(load_wine().data, test_size=0.3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = SparseAE(2, random_state=0, max_epochs=20).fit(X_train)
    assert model._output_correction is None  # the guard kept the start
    mse = np.mean((model.inverse_transform(model.transform(X_test)) - X_test) ** 2)
    assert mse <= (1 + 1e-6) * _pca_mse(X_train, X_test, 2)


def test_scaled_early_stopping_handles_negative_losses():
    stop = ScaledEarlyStopping(threshold=1e-3)
    stop.dynamic_threshold_ = stop._calc_new_threshold(-10.0)
    assert not stop._is_score_improved(-9.999)  # worse: skorch's "rel" mode accepted it
    assert not stop._is_score_improved(-10.005)  # better, but by less than tol * |best|
    assert stop._is_score_improved(-10.02)
    stop.dynamic_threshold_ = stop._calc_new_threshold(1e-6)  # near zero: absolute tol
    assert not stop._is_score_improved(0.0)
    assert stop._is_score_improved(-2e-3)


def test_convergence_warning_only_when_cut_while_improving(wine):
    X = np.vstack([wine[0]] * 3)  # enough rows for the held-out stopping rule
    with pytest.warns(ConvergenceWarning, match="still improving") as record:
        Autoencoder(2, max_epochs=2, random_state=0).fit(X)
    assert len(record) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        # stops on the plateau well before max_epochs: no warning
        Autoencoder(2, max_epochs=500, n_iter_no_change=3, tol=1e-2, random_state=0).fit(X)


def test_beta_vae_and_vae_start_at_ppca(wine):
    X_train, X_test = wine
    for model in (VAE(2, random_state=0), BetaVAE(2, beta=4.0, random_state=0)):
        model.set_params(max_epochs=1, lr=1e-12)
        model.fit(X_train)
        pca = PCA(2).fit(X_train)
        # the decoder's noise is PPCA's (in the units of X) and samples have the data's spread
        noise = np.exp(model._log_noise_var.numpy()) * model._input_scale**2
        np.testing.assert_allclose(noise, pca.noise_variance_, rtol=1e-3)
        samples = model.sample(4000, random_state=0)
        np.testing.assert_allclose(samples.var(0).sum(), X_train.var(0).sum(), rtol=0.1)
