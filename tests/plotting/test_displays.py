"""The plotting displays draw what the data say (matplotlib's Agg backend)."""

import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning

mpl = pytest.importorskip("matplotlib")
mpl.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from skgen import VAE, Autoencoder, WGANGP  # noqa: E402
from skgen.plotting import (  # noqa: E402
    LatentSpaceDisplay,
    LossCurveDisplay,
    MarginalsDisplay,
    SampleGridDisplay,
)
from skgen.plotting._loss_curve import loss_curves  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.RandomState(0)
    centers = np.array([[3, 0, 0, 0], [0, 3, 0, 0], [0, 0, 3, 0]], dtype=float)
    y = np.repeat(np.arange(3), 40)
    return centers[y] + 0.3 * rng.normal(size=(120, 4)), y


@pytest.fixture(scope="module")
def vae(blobs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_epochs=4 on purpose
        return VAE(n_components=2, max_epochs=4, early_stopping=True, random_state=0).fit(blobs[0])


def test_import_is_lazy():
    code = "import sys, skgen.plotting; assert 'matplotlib' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_loss_curves_one_line_per_term_and_split(vae):
    display = LossCurveDisplay.from_estimator(vae)
    keys = {"train_loss", "valid_loss", "train_reconstruction", "valid_reconstruction",
            "train_kl", "valid_kl"}
    assert set(display.lines_) == keys
    assert len(display.ax_.get_lines()) == len(keys)
    np.testing.assert_allclose(display.lines_["train_loss"].get_ydata(), vae.loss_curve_)
    np.testing.assert_allclose(
        display.lines_["valid_kl"].get_ydata(), vae.history_[:, "valid_kl"]
    )
    np.testing.assert_array_equal(display.lines_["train_kl"].get_xdata(), [1, 2, 3, 4])
    # train solid, valid dashed, one colour per term
    assert display.lines_["valid_kl"].get_linestyle() == "--"
    assert display.lines_["train_kl"].get_color() == display.lines_["valid_kl"].get_color()
    assert display.ax_.get_title() == "VAE"
    assert len(display.ax_.get_legend().get_texts()) == len(keys)


def test_loss_curves_of_a_gan_and_term_selection():
    X = np.random.RandomState(0).normal(size=(64, 2))
    gan = WGANGP(max_epochs=2, random_state=0).fit(X)
    _, curves = loss_curves(gan.history_)
    assert {"train_discriminator_loss", "train_generator_loss", "train_penalty"} <= set(curves)
    display = LossCurveDisplay.from_estimator(gan, terms=["penalty", "generator_loss"])
    assert list(display.lines_) == ["train_penalty", "train_generator_loss"]
    with pytest.raises(ValueError, match="Unknown loss terms"):
        LossCurveDisplay.from_estimator(gan, terms=["kl"])


def test_loss_curve_on_given_axes_and_pipeline(blobs):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    ae = Autoencoder(max_epochs=2, early_stopping=False, random_state=0)
    pipe = make_pipeline(StandardScaler(), ae).fit(blobs[0])
    fig, ax = plt.subplots()
    display = LossCurveDisplay.from_estimator(pipe, ax=ax, logy=True)
    assert display.ax_ is ax and display.figure_ is fig
    assert ax.get_yscale() == "log"
    assert set(display.lines_) == {"train_loss", "train_reconstruction"}


def test_latent_space_draws_the_codes_with_class_colours(vae, blobs):
    X, y = blobs
    display = LatentSpaceDisplay.from_estimator(vae, X, y)
    np.testing.assert_allclose(display.scatter_.get_offsets(), vae.transform(X))
    assert [t.get_text() for t in display.legend_.get_texts()] == ["0", "1", "2"]
    np.testing.assert_array_equal(display.scatter_.get_array(), y)
    assert display.colorbar_ is None


def test_latent_space_projects_wide_codes_with_pca(blobs):
    from sklearn.decomposition import PCA

    X, y = blobs
    ae = Autoencoder(n_components=3, max_epochs=2, random_state=0).fit(X)
    values = X[:, 0]  # continuous colours: a colour bar
    display = LatentSpaceDisplay.from_estimator(ae, X, values)
    expected = PCA(n_components=2).fit_transform(ae.transform(X))
    np.testing.assert_allclose(np.abs(display.embedding), np.abs(expected), atol=1e-6)
    assert display.colorbar_ is not None and display.legend_ is None
    assert display.ax_.get_xlabel().startswith("PC1")
    with pytest.raises(ValueError, match="projection"):
        LatentSpaceDisplay.from_estimator(ae, X, projection="umap-please")


def test_sample_grid_tiles_decoded_codes(vae):
    grid = np.array([[a, b] for a in (-1.0, 0.0, 1.0) for b in (-1.0, 1.0)])
    display = SampleGridDisplay.from_estimator(vae, codes=grid, image_shape=(2, 2), n_cols=2)
    decoded = vae.inverse_transform(grid).reshape(6, 2, 2)
    mosaic = display.im_.get_array()
    assert mosaic.shape == (3 * 3 - 1, 2 * 3 - 1)
    np.testing.assert_allclose(mosaic[:2, :2], decoded[0])
    np.testing.assert_allclose(mosaic[3:5, 3:5], decoded[3])
    assert np.isnan(display.mosaic_[2, 0])  # padding


def test_sample_grid_from_samples_and_images():
    X = np.random.RandomState(0).uniform(size=(60, 16))  # 4x4 "images" in [0, 1]
    vae = VAE(n_components=2, max_epochs=2, random_state=0).fit(X)
    display = SampleGridDisplay.from_estimator(vae, n_samples=5, random_state=0)
    np.testing.assert_allclose(
        display.images, vae.sample(5, random_state=0).reshape(5, 4, 4)
    )
    assert display.mosaic_.shape == (2 * 5 - 1, 3 * 5 - 1)  # 3 columns, 2 rows for 5 images
    rgb = np.random.RandomState(1).uniform(size=(4, 3, 5, 6))  # (n, C, H, W)
    display = SampleGridDisplay.from_images(rgb, n_cols=4, padding=0)
    assert display.mosaic_.shape == (5, 24, 3)
    np.testing.assert_allclose(display.mosaic_[:, 6:12], np.moveaxis(rgb[1], 0, -1))
    with pytest.raises(ValueError, match="image_shape"):
        SampleGridDisplay.from_images(np.zeros((2, 15)))


def test_marginals_bars_are_the_frequencies_and_hists_the_densities():
    rng = np.random.RandomState(0)
    real = pd.DataFrame({
        "x": rng.normal(size=200),
        "pet": rng.choice(["cat", "dog", "fish"], size=200, p=[0.5, 0.3, 0.2]),
    })
    real["y"] = 2 * real["x"] + 0.1 * rng.normal(size=200)
    fake = pd.DataFrame({
        "x": rng.normal(size=100),
        "pet": rng.choice(["cat", "dog"], size=100),
        "y": rng.normal(size=100),
    })
    fake.loc[:4, "pet"] = None
    display = MarginalsDisplay.from_data(real, fake, bins=10)
    real_bars, fake_bars = display.artists_["pet"]
    levels = display.marginals["pet"]["levels"]
    assert levels[-1] == "missing"
    expected_real = [np.mean(real["pet"] == level) for level in levels[:-1]] + [0.0]
    expected_fake = [np.mean(fake["pet"] == level) for level in levels[:-1]] + [5 / 100]
    np.testing.assert_allclose([b.get_height() for b in real_bars], expected_real)
    np.testing.assert_allclose([b.get_height() for b in fake_bars], expected_fake)
    real_hist, fake_hist = display.artists_["x"]
    densities, edges = np.histogram(real["x"], bins=display.marginals["x"]["edges"], density=True)
    np.testing.assert_allclose(real_hist.get_data().values, densities)
    assert len(edges) == 11
    # the heat map: the synthetic table lost the x-y correlation (about -0.99)
    heat = display.heatmap_.get_array()
    names = list(display.association_difference.columns)
    assert heat[names.index("x"), names.index("y")] < -0.9
    np.testing.assert_allclose(np.diag(heat), 0)
    assert len(display.axes_) == 3 and display.ax_heatmap_ is not None


def test_marginals_on_arrays_given_axes_and_column_subset():
    rng = np.random.RandomState(0)
    real, fake = rng.normal(size=(50, 3)), rng.normal(size=(40, 3))
    fig, axes = plt.subplots(1, 3)
    display = MarginalsDisplay.from_data(real, fake, columns=["x0", "x2"], ax=axes)
    assert list(display.marginals) == ["x0", "x2"]
    assert display.ax_heatmap_ is axes[2] and display.figure_ is fig
    fig, ax = plt.subplots()
    display = MarginalsDisplay.from_data(real, fake, associations=False, ax=ax)
    assert display.heatmap_ is None and len(display.axes_) == 3
    with pytest.raises(ValueError, match="Unknown columns"):
        MarginalsDisplay.from_data(real, fake, columns=["nope"])
