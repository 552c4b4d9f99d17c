"""Issue 8, bar 2: default samples of VAE, BetaVAE and WAE against probabilistic PCA.

On standardised breast cancer (the issue's case, latent size 5), samples of each
default model are closer to held-out rows than samples of probabilistic PCA with
the same latent size, on the RBF-MMD² and on a classifier two-sample test; the
VAE's ``score_samples`` stays an ELBO above PPCA's held-out log-likelihood.

The bar is the issue's (below PPCA on both), not a margin tuned to this split: the
MMD² ratio to PPCA is 0.1-0.6 over splits 0-2 (round-5 review). ``BetaVAE(beta=4)``
keeps its PPCA start on these splits (``_kept_initial_model``), so its case tests
the latent mixture and residual noise on PPCA's decoder rather than a trained network.
At 66853f3 (prior draws, no noise) all three fail: MMD² 0.020-0.022 vs PPCA's 0.008.
"""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.decomposition import PCA
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.preprocessing import StandardScaler

from skgen import VAE, WAE, BetaVAE

K = 5


@pytest.fixture(scope="module")
def split():
    X = StandardScaler().fit_transform(load_breast_cancer().data)
    return train_test_split(X, test_size=0.3, random_state=0)


@pytest.fixture(scope="module")
def reference(split):
    """The RBF bandwidth and PPCA's mean MMD² and C2ST accuracy over two draws."""
    X_train, X_test = split
    d = ((X_test[:, None] - X_test[None]) ** 2).sum(-1)
    bandwidth = np.median(d[d > 0])
    ppca = [_ppca_samples(X_train, len(X_test), seed) for seed in range(2)]
    mmd = np.mean([_mmd2(S, X_test, bandwidth) for S in ppca])
    return bandwidth, mmd, np.mean([_c2st(S, X_test) for S in ppca])


def _ppca_samples(X_train, n, seed):
    """Probabilistic PCA: PCA's Gaussian in its k-D subspace plus isotropic noise."""
    pca = PCA(K).fit(X_train)
    rng = np.random.RandomState(seed)
    z = rng.randn(n, K) * np.sqrt(np.clip(pca.explained_variance_ - pca.noise_variance_, 0, None))
    return z @ pca.components_ + pca.mean_ + np.sqrt(pca.noise_variance_) * rng.randn(n, X_train.shape[1])


def _mmd2(A, B, bandwidth):
    def kernel(P, Q):
        return np.exp(-((P[:, None] - Q[None]) ** 2).sum(-1) / bandwidth)

    n, m = len(A), len(B)
    Kaa, Kbb = kernel(A, A), kernel(B, B)
    return ((Kaa.sum() - np.trace(Kaa)) / (n * (n - 1)) + (Kbb.sum() - np.trace(Kbb)) / (m * (m - 1))
            - 2 * kernel(A, B).mean())


def _c2st(samples, real):
    """Cross-validated accuracy of a classifier telling samples from real rows (0.5: indistinguishable)."""
    X = np.r_[samples, real]
    y = np.r_[np.zeros(len(samples)), np.ones(len(real))]
    clf = HistGradientBoostingClassifier(max_iter=50, random_state=0)
    return cross_val_score(clf, X, y, cv=StratifiedKFold(3, shuffle=True, random_state=0)).mean()


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "model", [VAE(K, random_state=0), BetaVAE(K, beta=4.0, random_state=0), WAE(K, random_state=0)],
    ids=["VAE", "BetaVAE", "WAE"],
)
def test_default_samples_beat_probabilistic_pca(split, reference, model):
    X_train, X_test = split
    bandwidth, mmd_ppca, c2st_ppca = reference
    model.fit(X_train)
    n = len(X_test)
    ours = [model.sample(n, random_state=seed) for seed in range(2)]
    # same random_state, same samples
    np.testing.assert_array_equal(ours[0], model.sample(n, random_state=0))
    mmd_ours = np.mean([_mmd2(S, X_test, bandwidth) for S in ours])
    c2st_ours = np.mean([_c2st(S, X_test) for S in ours])
    # measured: MMD² 0.0008-0.0011 vs PPCA 0.0080; C2ST VAE 0.61, BetaVAE 0.74, WAE 0.71 vs 0.77
    assert mmd_ours < mmd_ppca and c2st_ours < c2st_ppca, (mmd_ours, mmd_ppca, c2st_ours, c2st_ppca)
    if not isinstance(model, WAE):  # the ELBO stays a calibrated bound, above PPCA's likelihood
        assert model.score(X_test) > PCA(K).fit(X_train).score(X_test)
