"""WGANGP's ``max_epochs="auto"``: a default fit on a table draws a bounded number of rows."""

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp

from skgen import WGANGP
from skgen.gan import _base as gan_base
from skgen.preprocessing import TabularEncoder


def banded_table(n, seed):
    """A category fixes the band of ``x``; ``z`` is noise: one dependence to learn."""
    rng = np.random.RandomState(seed)
    c = rng.choice(["lo", "hi"], size=n, p=[0.3, 0.7])
    x = np.where(c == "lo", -2.0, 2.0) + 0.4 * rng.randn(n)
    return pd.DataFrame({"c": c, "x": x, "z": rng.randn(n)})


def test_auto_epochs_bound_the_rows_drawn_by_a_table_fit():
    # one epoch (partial_fit) resolves the defaults without paying for the fit
    cheap = TabularEncoder(numeric="standard")
    small = WGANGP(preprocessor=cheap, random_state=0).partial_fit(banded_table(1000, 0))
    assert (small._max_epochs, small._batch_size) == (100, 100)
    large = WGANGP(preprocessor=cheap, random_state=0).partial_fit(banded_table(6000, 0))
    assert (large._max_epochs, large._batch_size, large._pac) == (42, 250, 5)  # ceil(250k / 6000)
    array = WGANGP(random_state=0).partial_fit(np.random.RandomState(0).randn(6000, 3))
    assert (array._max_epochs, array._batch_size) == (100, 64)  # arrays: unchanged
    fixed = WGANGP(max_epochs=3, preprocessor=cheap, random_state=0)
    assert fixed.partial_fit(banded_table(6000, 0))._max_epochs == 3


def test_budgeted_table_fit_learns_the_dependence(monkeypatch):
    """A fit cut by the row budget (here 60,000 rows: 20 epochs of 12 batches of 250) still learns
    which band each category takes, unlike independent columns or one Gaussian."""
    monkeypatch.setattr(gan_base, "_TABLE_ROWS_PER_FIT", 60_000)
    train, test = banded_table(3000, 0), banded_table(3000, 1)
    model = WGANGP(preprocessor=TabularEncoder(numeric="standard"), random_state=0).fit(train)
    assert model.n_iter_ == 20
    fake = model.sample(3000, random_state=0)
    rng = np.random.RandomState(2)
    # baselines: each column resampled on its own (exact marginals, no dependence) and
    # one Gaussian for x
    indep = pd.DataFrame({k: rng.permutation(train[k].to_numpy()) for k in train})
    gauss = rng.normal(train["x"].mean(), train["x"].std(), 3000)

    def consistent(frame):  # rows whose band agrees with their category
        return float(((frame["c"] == "hi") == (frame["x"] > 0)).mean())

    assert consistent(indep) < 0.65 and consistent(fake) > 0.75, consistent(fake)
    assert abs((fake["c"] == "lo").mean() - 0.3) < 0.08
    ks_fake, ks_gauss = (ks_2samp(v, test["x"]).statistic for v in (fake["x"], gauss))
    assert ks_fake < ks_gauss, (ks_fake, ks_gauss)
    assert ks_2samp(fake["z"], test["z"]).statistic < 0.1
