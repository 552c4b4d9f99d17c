"""VAE and BetaVAE: the reparameterised module, quality of reconstructions,
samples and anomaly scores on digits, KL warm-up and the beta pin."""

import numpy as np
import pytest
import torch
from sklearn.decomposition import PCA
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.neighbors import NearestNeighbors

from skgen import VAE, BetaVAE
from skgen.nn import MLP, GaussianEncoder, VariationalAutoencoderModule
from skgen.utils._param_validation import InvalidParameterError

FAST = {"lr": 3e-3, "batch_size": 64, "random_state": 0}


@pytest.fixture(scope="module")
def split(digits):
    X, _ = digits
    return train_test_split(X, test_size=0.25, random_state=0)


@pytest.fixture(scope="module")
def vae(split):
    return VAE(10, max_epochs=40, **FAST).fit(split[0])


def _one_nn_accuracy(A, B):
    """Leave-one-out 1-NN accuracy telling A from B: 0.5 when indistinguishable."""
    Z = np.r_[A, B]
    label = np.r_[np.zeros(len(A)), np.ones(len(B))]
    neighbour = NearestNeighbors(n_neighbors=2).fit(Z).kneighbors(Z)[1][:, 1]
    return np.mean(label[neighbour] == label)


def _mean_nn_distance(A, B):
    return NearestNeighbors(n_neighbors=1).fit(B).kneighbors(A)[0].mean()


def test_sampling_noise_only_in_train_mode():
    torch.manual_seed(0)
    module = VariationalAutoencoderModule(GaussianEncoder(MLP(5, (8,), 6), 3), MLP(3, (8,), 5))
    x = torch.randn(20, 5)
    module.train()
    a, b = module(x), module(x)
    assert not torch.equal(a["code"], b["code"])
    torch.testing.assert_close(a["mean"], b["mean"])
    module.eval()
    out = module(x)
    assert torch.equal(out["code"], out["mean"])
    assert torch.equal(module.encode(x), out["mean"])


def test_vae_reconstructs_better_than_pca_on_held_out_digits(split, vae):
    X_train, X_test = split
    pca = PCA(10).fit(X_train)
    pca_mse = np.mean((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2)
    recon = vae.inverse_transform(vae.transform(X_test))
    assert np.mean((recon - X_test) ** 2) < 0.9 * pca_mse
    np.testing.assert_array_equal(vae.transform(X_test), vae.transform(X_test))
    np.testing.assert_array_equal(vae.score_samples(X_test), vae.score_samples(X_test))
    assert len(vae.active_units_) >= 5


def test_vae_samples_are_closer_to_held_out_data_than_a_pca_gaussian(split, vae):
    X_train, X_test = split
    n = len(X_test)
    pca = PCA(10).fit(X_train)
    Z = pca.transform(X_train)
    rng = np.random.RandomState(0)
    baseline = pca.inverse_transform(rng.multivariate_normal(Z.mean(0), np.cov(Z.T), size=n))
    # probabilistic PCA: the same Gaussian plus its isotropic observation noise
    baseline = baseline + np.sqrt(pca.noise_variance_) * rng.randn(*baseline.shape)
    samples = vae.sample(n, random_state=0)
    assert samples.shape == (n, 64)
    np.testing.assert_array_equal(samples, vae.sample(n, random_state=0))
    # two-sample 1-NN test (0.5 = indistinguishable) and nearest-neighbour
    # distances in both directions (samples -> data: realism; data -> samples: coverage)
    assert _one_nn_accuracy(samples, X_test) < _one_nn_accuracy(baseline, X_test)
    assert _mean_nn_distance(samples, X_test) < 0.97 * _mean_nn_distance(baseline, X_test)
    assert _mean_nn_distance(X_test, samples) < 0.97 * _mean_nn_distance(X_test, baseline)


def test_elbo_ranks_corrupted_and_foreign_rows_below_clean_ones(split, vae):
    _, X_test = split
    rng = np.random.RandomState(0)
    corrupted = X_test.copy()
    mask = rng.rand(*X_test.shape) < 0.2
    corrupted[mask] = rng.randint(0, 17, size=mask.sum())
    foreign = rng.uniform(0, 16, size=X_test.shape)
    clean = vae.score_samples(X_test)
    labels = np.r_[np.ones(len(X_test)), np.zeros(len(X_test))]
    assert roc_auc_score(labels, np.r_[clean, vae.score_samples(corrupted)]) > 0.9
    assert roc_auc_score(labels, np.r_[clean, vae.score_samples(foreign)]) > 0.99
    assert vae.score(X_test) == pytest.approx(clean.mean())


def test_score_samples_is_a_log_density_in_the_units_of_x(rng):
    # Rescaling the data by c shifts every log-density by -n_features * log(c).
    X = rng.randn(200, 3) @ rng.randn(3, 3)
    a = VAE(2, max_epochs=3, random_state=0).fit(X)
    b = VAE(2, max_epochs=3, random_state=0).fit(10.0 * X)
    np.testing.assert_allclose(
        b.score_samples(10.0 * X), a.score_samples(X) - 3 * np.log(10.0), rtol=1e-4, atol=1e-3
    )


def test_kl_warmup_anneals_the_kl_weight(rng):
    X = rng.randn(100, 4)
    vae = VAE(2, kl_warmup=4, max_epochs=3, random_state=0).fit(X)
    kl = vae.history_[:, "train_kl"]
    assert kl[0] == 0.0 and kl[1] > 0  # weight 0, then 1/4
    assert vae.net_.criterion_.kl_scale == pytest.approx(0.5)
    vae.partial_fit(X)
    vae.partial_fit(X)
    assert vae.net_.criterion_.kl_scale == 1.0
    assert len(vae.history_) == 5


def test_larger_beta_gives_a_smaller_kl(split):
    X_train, _ = split
    X_train = X_train[:600]
    kls = []
    for beta in (0.5, 4.0):
        model = BetaVAE(8, beta=beta, max_epochs=15, **FAST).fit(X_train)
        kls.append(model.history_[-1, "train_kl"] / beta)
    assert kls[1] < 0.7 * kls[0]


def test_vae_pins_beta_to_one():
    vae = VAE()
    assert "beta" not in vae.get_params()
    assert vae.beta == 1.0
    assert "beta" not in VAE._parameter_constraints
    with pytest.raises(InvalidParameterError, match="beta"):
        BetaVAE(beta=-1.0).fit(np.zeros((5, 2)))
    with pytest.raises(ValueError, match="beta"):
        VAE().set_params(beta=2.0)


def test_bernoulli_likelihood_for_unit_range_data(rng):
    X = (rng.rand(80, 6) > 0.5).astype(float)
    vae = VAE(2, init="random", max_epochs=3, random_state=0).fit(X)
    assert vae.layout_[0].kind == "binary"
    samples = vae.sample(10, random_state=0)
    assert ((samples >= 0) & (samples <= 1)).all()
    assert np.isfinite(vae.score_samples(X)).all()


def test_default_vae_samples_a_low_dimensional_ring():
    """Regression: with a short KL warm-up the default VAE collapsed onto the ring's centre."""
    angle = np.random.RandomState(0).uniform(0, 2 * np.pi, 1000)
    X = 2.0 * np.c_[np.cos(angle), np.sin(angle)] + 0.1 * np.random.RandomState(1).randn(1000, 2)
    samples = VAE(random_state=0).fit(X).sample(1000, random_state=0)
    radius = np.sqrt((samples**2).sum(axis=1))
    assert 1.5 < radius.mean() < 2.5


def test_default_fit_stops_on_a_plateau_with_a_calibrated_noise():
    """The observation noise is set in closed form after each epoch (its M-step), so the
    validation loss plateaus and the default fit stops before ``max_epochs`` (a learned
    log-variance drifted by ``lr`` per step and kept it improving for 200 epochs), with
    a held-out ELBO above probabilistic PCA's held-out log-likelihood."""
    import warnings

    from sklearn.datasets import load_breast_cancer
    from sklearn.preprocessing import StandardScaler

    from skgen.exceptions import ConvergenceWarning

    X = StandardScaler().fit_transform(load_breast_cancer().data)
    X_train, X_test = train_test_split(X, test_size=0.3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        vae = VAE(2, random_state=0).fit(X_train)
    assert vae.n_iter_ < vae.max_epochs
    assert vae.score(X_test) > PCA(2).fit(X_train).score(X_test)
    # each column's noise is its residual variance (up to the posterior's spread)
    Xn, _ = vae._validate_input(X_train, reset=False)
    with torch.no_grad():
        module = vae.net_.module_
        x = torch.from_numpy(Xn)
        residual = (module.decode(module.encode(x)) - x).pow(2).mean(0).log().numpy()
    assert np.abs(vae._log_noise_var.numpy() - residual).mean() < 0.25


# ------------------------------------------------- sampling="aggregate" (latent mixture)
def _two_cluster_data(n=400):
    rng = np.random.RandomState(0)
    level = rng.randint(2, size=n)
    X = rng.normal(size=(n, 4)) + 4.0 * level[:, None]
    return X, level


TINY = {"n_components": 3, "hidden_layer_sizes": (16,), "max_epochs": 3, "random_state": 0}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("container", ["ndarray", "dataframe"])
def test_aggregate_sampling_is_reproducible_over_chunks_and_pickles(container):
    """``sample(n, random_state=0)`` is the same twice and after a pickle round trip,
    with ``n`` larger than one sampling chunk; the ndarray takes the no-preprocessor
    branch with ``sampling="aggregate"``, the DataFrame (a categorical column) gets it
    from ``"auto"``."""
    import pickle

    import pandas as pd

    X, level = _two_cluster_data()
    if container == "ndarray":
        vae = VAE(sampling="aggregate", **TINY).fit(X)
        assert vae.preprocessor_ is None
    else:
        frame = pd.DataFrame(X, columns=list("abcd")).assign(g=np.array(list("AB"))[level])
        vae = VAE(**TINY).fit(frame)
        assert vae.preprocessor_ is not None
    assert vae._sampling() == "aggregate" and vae._latent_mixture is not None
    n = vae._sample_chunk_rows() + 7
    first = vae.sample(n, random_state=0)
    again = vae.sample(n, random_state=0)
    restored = pickle.loads(pickle.dumps(vae)).sample(n, random_state=0)
    if container == "dataframe":
        pd.testing.assert_frame_equal(first, again)
        pd.testing.assert_frame_equal(first, restored)
        first = first[list("abcd")].to_numpy()
    else:
        np.testing.assert_array_equal(first, again)
        np.testing.assert_array_equal(first, restored)
    # the rows past the first chunk are new draws, not a repeat of the first chunk
    assert not np.allclose(first[-7:], first[:7])
    assert np.isfinite(first).all()


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_latent_mixture_draws_have_the_mixture_moments():
    """Latent draws of ``sampling="aggregate"`` have the mixture's analytical mean and
    covariance (a mixture with unequal weights, distinct means and correlated
    covariances, set on a fitted model)."""
    vae = VAE(sampling="aggregate", **TINY).fit(_two_cluster_data()[0])
    rng = np.random.RandomState(1)
    weights = np.array([0.5, 0.3, 0.2])
    means = np.array([[0.0, 0.0, 0.0], [4.0, -2.0, 1.0], [-3.0, 3.0, 2.0]])
    chol = np.tril(rng.uniform(-1, 1, size=(3, 3, 3))) + 2 * np.eye(3)
    vae._latent_mixture = (weights, means, chol)
    z = vae._draw_latent(200_000, torch.Generator().manual_seed(0)).double().numpy()
    mean = weights @ means
    second = sum(w * (L @ L.T + np.outer(m, m)) for w, m, L in zip(weights, means, chol))
    covariance = second - np.outer(mean, mean)
    np.testing.assert_allclose(z.mean(axis=0), mean, atol=0.03)
    np.testing.assert_allclose(np.cov(z.T), covariance, atol=0.05 * np.abs(covariance).max())
    # same generator seed, same draws
    first, again = (vae._draw_latent(1000, torch.Generator().manual_seed(0)) for _ in range(2))
    torch.testing.assert_close(first, again, rtol=0, atol=0)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_refitting_the_statistics_leaves_the_sampling_stream_alone():
    """The mixture is seeded from ``fit``'s random state, not the sampling stream: a
    refit of the statistics (as the reconstruction guard does) changes neither the
    mixture nor the samples of ``sample(random_state=None)``."""
    import pickle

    X = _two_cluster_data()[0]
    vae = VAE(sampling="aggregate", **TINY).fit(X)
    refit = pickle.loads(pickle.dumps(vae))
    Xn, _ = refit._validate_input(X, reset=False)
    refit._fit_posterior_statistics(Xn)
    for a, b in zip(vae._latent_mixture, refit._latent_mixture):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    np.testing.assert_allclose(vae.sample(20), refit.sample(20), rtol=1e-5)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("Estimator", [VAE, BetaVAE])
def test_pickles_from_before_the_sampling_parameter_load(Estimator):
    """A pickle without ``sampling`` (saved before the parameter existed) loads with
    its default, and ``get_params``, ``clone``, ``repr`` and ``sample`` work."""
    import pickle

    from sklearn.base import clone

    vae = Estimator(**TINY).fit(_two_cluster_data()[0])
    state = vae.__getstate__()
    del state["sampling"]
    del state["_latent_mixture"]
    old = Estimator.__new__(Estimator)
    old.__setstate__(state)
    assert old.get_params()["sampling"] == "auto"
    assert clone(old).get_params() == vae.get_params()
    assert "VAE" in repr(old)
    # without a mixture it samples the prior, as such pickles did
    prior = pickle.loads(pickle.dumps(vae))
    prior._latent_mixture = None
    np.testing.assert_allclose(old.sample(5, random_state=0), prior.sample(5, random_state=0))
