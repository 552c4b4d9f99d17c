"""Sample quality on problems with known answers (seeded, a few seconds each on a CPU)."""

import numpy as np
import pytest
from scipy.stats import ks_2samp, wasserstein_distance
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from skgen import BEGAN, DRAGAN, GAN, WGANGP

RADIUS, SIGMA, N_MODES = 2.0, 0.1, 8


def ring(n, seed):
    rng = np.random.RandomState(seed)
    theta = 2 * np.pi * rng.randint(N_MODES, size=n) / N_MODES
    return RADIUS * np.c_[np.cos(theta), np.sin(theta)] + SIGMA * rng.randn(n, 2)


def ring_metrics(samples):
    """Modes covered (>= 20 of the samples within 3 sigma) and the high-quality fraction."""
    theta = 2 * np.pi * np.arange(N_MODES) / N_MODES
    centres = RADIUS * np.c_[np.cos(theta), np.sin(theta)]
    dist = np.linalg.norm(samples[:, None] - centres[None], axis=2)
    good = dist.min(axis=1) < 3 * SIGMA
    counts = np.bincount(dist.argmin(axis=1)[good], minlength=N_MODES)
    return int((counts >= 20).sum()), float(good.mean())


def test_ring_metrics_sanity():
    modes, quality = ring_metrics(ring(2500, 5))
    assert modes == 8 and quality > 0.98
    one_mode = ring(2500, 5)
    one_mode = one_mode[np.arctan2(one_mode[:, 1], one_mode[:, 0]).__abs__() < 0.3]
    assert ring_metrics(one_mode)[0] == 1


@pytest.mark.slow
@pytest.mark.parametrize(
    "est",
    [
        GAN(n_critic=2, max_epochs=50, random_state=0),
        WGANGP(n_critic=2, max_epochs=40, random_state=0),
    ],
    ids=["GAN-non-saturating", "WGANGP"],
)
def test_ring_of_gaussians_modes_are_covered(est):
    X = ring(2000, 0)
    samples = est.fit(X).sample(2500, random_state=1)
    modes, quality = ring_metrics(samples)
    # a single Gaussian fitted to the ring covers every mode thinly, at low quality
    baseline = np.random.RandomState(0).multivariate_normal(X.mean(0), np.cov(X.T), 2500)
    _, baseline_quality = ring_metrics(baseline)
    assert modes >= 7, (modes, quality)
    assert quality >= 0.4 and quality > 4 * baseline_quality, (quality, baseline_quality)


def bimodal(n, rng):
    left = rng.rand(n) < 0.5
    return np.where(left, rng.normal(-2.0, 0.4, n), rng.normal(2.0, 0.4, n))[:, None]


@pytest.mark.slow
@pytest.mark.parametrize(
    "est",
    [
        GAN(max_epochs=30, random_state=0),
        WGANGP(n_critic=2, max_epochs=30, random_state=0),
        DRAGAN(max_epochs=30, random_state=0),
    ],
    ids=["GAN", "WGANGP", "DRAGAN"],
)
def test_bimodal_mixture_beats_single_gaussian(est):
    rng = np.random.RandomState(0)
    X, X_test = bimodal(1000, rng), bimodal(2000, rng)
    baseline = rng.normal(X.mean(), X.std(), size=2000)
    samples = est.fit(X).sample(2000, random_state=0)[:, 0]
    w_gan = wasserstein_distance(samples, X_test[:, 0])
    w_base = wasserstein_distance(baseline, X_test[:, 0])
    ks_gan = ks_2samp(samples, X_test[:, 0]).statistic
    ks_base = ks_2samp(baseline, X_test[:, 0]).statistic
    assert w_gan < 0.6 * w_base, (w_gan, w_base)
    assert ks_gan < ks_base, (ks_gan, ks_base)
    # both modes are populated, with little mass in between
    assert 0.3 < (samples < 0).mean() < 0.7
    assert (np.abs(samples) < 0.8).mean() < 0.1


@pytest.fixture(scope="module")
def digits_classifier():
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    return X, y, LogisticRegression(max_iter=2000).fit(X, y)


@pytest.mark.slow
@pytest.mark.parametrize(
    "est",
    [
        GAN(discriminator_lr=2e-4, max_epochs=30, random_state=0),
        WGANGP(n_critic=1, max_epochs=30, random_state=0),
    ],
    ids=["GAN", "WGANGP"],
)
def test_conditional_samples_are_classified_as_their_class(est, digits_classifier):
    X, y, clf = digits_classifier
    est.fit(X, y)
    labels = np.repeat(np.arange(10), 30)
    samples = est.sample(len(labels), y=labels, random_state=0)
    assert samples.min() >= 0 and samples.max() <= 1  # sigmoid outputs for data in [0, 1]
    accuracy = (clf.predict(samples) == labels).mean()
    assert accuracy > 0.8, accuracy
    # every class is generated when asked for, not only the easy ones
    per_class = (clf.predict(samples) == labels).reshape(10, 30).mean(axis=1)
    assert (per_class > 0.3).all(), per_class


@pytest.mark.slow
def test_began_latent_term_prevents_collapse_on_digits():
    # the original BEGAN (latent_weight=0) collapses onto one digit class here; the
    # default latent-consistency term keeps the samples spread over the classes
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    clf = LogisticRegression(max_iter=2000).fit(X, y)

    def class_entropy(est):
        counts = np.bincount(clf.predict(est.fit(X[:600]).sample(500, random_state=0)), minlength=10)
        p = counts[counts > 0] / counts.sum()
        return float(-(p * np.log(p)).sum())

    default = class_entropy(BEGAN(max_epochs=40, random_state=0))
    collapsed = class_entropy(BEGAN(latent_weight=0.0, max_epochs=40, random_state=0))
    assert default > 1.5 and default > collapsed + 1.0, (default, collapsed)
