"""Every estimator accepts a mixed-type DataFrame and gives one back."""

import numpy as np
import pandas as pd
import pytest

from skgen import Autoencoder, DenoisingAE
from skgen.preprocessing import TabularEncoder


@pytest.fixture(scope="module")
def penguins():
    palmerpenguins = pytest.importorskip("palmerpenguins")
    return palmerpenguins.load_penguins()


def test_autoencoder_round_trips_a_mixed_frame(penguins):
    ae = Autoencoder(4, max_epochs=60, random_state=0).fit(penguins)
    assert isinstance(ae.preprocessor_, TabularEncoder)
    rec = ae.inverse_transform(ae.transform(penguins))
    assert isinstance(rec, pd.DataFrame)
    assert list(rec.columns) == list(penguins.columns)
    assert (rec.dtypes == penguins.dtypes).all()
    assert set(rec["species"].dropna()) <= set(penguins["species"].dropna())
    assert (rec["species"] == penguins["species"]).mean() > 0.9
    numeric = penguins["flipper_length_mm"]
    ok = numeric.notna()
    corr = np.corrcoef(rec["flipper_length_mm"][ok].astype(float), numeric[ok])[0, 1]
    assert corr > 0.9


def test_score_and_set_output_on_frames(penguins):
    ae = DenoisingAE(3, max_epochs=5, random_state=0).set_output(transform="pandas").fit(penguins)
    codes = ae.transform(penguins)
    assert list(codes.columns) == ["denoisingae0", "denoisingae1", "denoisingae2"]
    assert np.isfinite(ae.score(penguins))
    assert ae.score_samples(penguins).shape == (len(penguins),)


def test_numeric_frame_skips_the_encoder(rng):
    frame = pd.DataFrame(rng.randn(40, 3), columns=["a", "b", "c"])
    ae = Autoencoder(2, max_epochs=2, random_state=0).fit(frame)
    assert ae.preprocessor_ is None
    np.testing.assert_array_equal(ae.feature_names_in_, ["a", "b", "c"])


def test_explicit_preprocessor_is_cloned(rng, penguins):
    encoder = TabularEncoder(numeric="standard")
    ae = Autoencoder(2, preprocessor=encoder, max_epochs=2, random_state=0).fit(penguins)
    assert ae.preprocessor_ is not encoder
    assert not hasattr(encoder, "columns_")


def test_bad_frames_name_the_column(penguins):
    bad = penguins.assign(flipper_length_mm=np.nan)
    with pytest.raises(ValueError, match="flipper_length_mm"):
        Autoencoder(max_epochs=1).fit(bad)
    with pytest.raises(ValueError):
        Autoencoder(max_epochs=1).fit(penguins.iloc[:0])
    fitted = Autoencoder(2, max_epochs=1, random_state=0).fit(penguins)
    with pytest.raises(ValueError):
        fitted.transform(penguins.drop(columns="island"))


@pytest.fixture(scope="module")
def penguin_vae(penguins):
    from skgen import VAE

    return VAE(random_state=0).fit(penguins)


def test_sampled_frame_keeps_schema_and_categories(penguins, penguin_vae):
    sample = penguin_vae.sample(400, random_state=0)
    assert list(sample.columns) == list(penguins.columns)
    assert (sample.dtypes == penguins.dtypes).all()
    for column in ("species", "island", "sex"):
        assert set(sample[column].dropna()) <= set(penguins[column].dropna())
    assert sample["year"].between(penguins["year"].min(), penguins["year"].max()).all()
    # missing values come back at about the learned rate (sex: 11 of 344 missing)
    assert 0.005 < sample["sex"].isna().mean() < 0.08
    # every level is produced at a rate close to the data's
    real = penguins["species"].value_counts(normalize=True)
    fake = sample["species"].value_counts(normalize=True).reindex(real.index, fill_value=0)
    assert (fake - real).abs().max() < 0.1


def test_conditional_sampling_satisfies_conditions(penguins, penguin_vae):
    gentoo = penguin_vae.sample(200, conditions={"species": "Gentoo"}, random_state=0)
    assert len(gentoo) == 200 and (gentoo["species"] == "Gentoo").all()
    # the other columns follow the conditional distribution (Gentoo live on Biscoe, are heavy)
    assert (gentoo["island"] == "Biscoe").mean() > 0.9
    others = penguins.loc[penguins["species"] != "Gentoo", "body_mass_g"].mean()
    assert gentoo["body_mass_g"].mean() > others + 500
    both = penguin_vae.sample(50, conditions={"species": "Adelie", "island": "Dream"}, random_state=0)
    assert ((both["species"] == "Adelie") & (both["island"] == "Dream")).all()
    per_row = penguin_vae.sample(3, conditions={"sex": ["male", "female", "male"]}, random_state=0)
    assert list(per_row["sex"]) == ["male", "female", "male"]


def test_bad_conditions(penguins, penguin_vae, rng):
    with pytest.raises(ValueError, match="Unknown value.*'Emperor'"):
        penguin_vae.sample(5, conditions={"species": "Emperor"})
    with pytest.raises(ValueError, match="categorical columns"):
        penguin_vae.sample(5, conditions={"body_mass_g": 4000})
    from skgen import VAE

    numeric = VAE(max_epochs=2, random_state=0).fit(rng.randn(30, 3))
    with pytest.raises(ValueError, match="nothing to condition on"):
        numeric.sample(5, conditions={"x0": 1})
    with pytest.raises(ValueError, match="n_samples"):
        penguin_vae.sample(0)


@pytest.mark.slow
def test_tabular_vae_fools_a_detector_better_than_a_naive_baseline(penguins):
    from sklearn.model_selection import train_test_split
    from threadpoolctl import threadpool_limits

    from skgen import VAE
    from skgen.metrics import detection_auc

    train, test = train_test_split(penguins, test_size=0.3, random_state=0)
    train, test = train.reset_index(drop=True), test.reset_index(drop=True)
    n = len(test)
    # naive baseline: every column drawn independently from its marginal
    independent = pd.DataFrame(
        {c: train[c].sample(n, replace=True, random_state=i).to_numpy() for i, c in enumerate(train)}
    ).astype(train.dtypes.to_dict())
    vae_rows = VAE(random_state=0).fit(train).sample(n, random_state=0)
    with threadpool_limits(1):
        auc = {
            name: detection_auc(test, rows, random_state=0)
            for name, rows in [("independent", independent), ("vae", vae_rows)]
        }
    # 104 held-out rows: the VAE's AUC moves by +-0.05 with its seed (0.74, 0.74, 0.63 for
    # seeds 0-2 here, vs 0.71, 0.78, 0.73 before the support rules), the baseline's is ~0.88
    assert auc["vae"] < auc["independent"] - 0.1, auc
    # On 104 held-out rows the GMM's AUC moves between ~0.49 and ~0.69 with its sample
    # draw, so the VAE-vs-GMM ranking is left to benchmarks/tabular.py (larger tables).
    assert auc["vae"] < 0.8, auc


def test_tabular_vae_columns_stay_on_the_real_support(penguins):
    """Per column, the VAE's rows are much harder to tell from real ones than a naive model's."""
    from sklearn.model_selection import train_test_split

    from skgen import VAE
    from skgen.metrics import column_detection_auc

    train, test = train_test_split(penguins, test_size=0.3, random_state=0)
    train, test = train.reset_index(drop=True), test.reset_index(drop=True)
    rng = np.random.RandomState(0)
    # naive baseline: a Gaussian per numeric column (off the real support: 4,037.2 g, 2008.3)
    naive = train.sample(len(test), replace=True, random_state=0).reset_index(drop=True)
    for column in train.select_dtypes("number"):
        values = rng.normal(train[column].mean(), train[column].std(), len(naive))
        naive[column] = values
    vae_rows = VAE(random_state=0).fit(train).sample(len(test), random_state=0)
    vae = column_detection_auc(test, vae_rows, random_state=0)
    baseline = column_detection_auc(test, naive, random_state=0)
    assert vae.max() < 0.75, vae.to_dict()
    assert baseline.max() > 0.85, baseline.to_dict()
    assert vae["year"] < 0.6 and baseline["year"] > 0.9  # three values, as integers
    assert (vae_rows["body_mass_g"].dropna() % 25 == 0).all()  # the learned grid


@pytest.mark.parametrize("name", ["WGANGP", "GAN"])
def test_gan_conditional_sampling_on_columns(penguins, name):
    import skgen

    gan = getattr(skgen, name)(max_epochs=60, random_state=0).fit(penguins)
    assert "train_condition" in gan.history_[-1]  # CTGAN's conditional loss term
    gentoo = gan.sample(200, conditions={"species": "Gentoo"}, random_state=0)
    assert (gentoo["species"] == "Gentoo").all()
    # every Gentoo lives on Biscoe (49% of all penguins do); over 12 seeds the
    # share ranges 0.67-0.94 with a mean of 0.80, so 0.65 tests the conditioning,
    # not the seed
    assert (gentoo["island"] == "Biscoe").mean() > 0.65
    sample = gan.sample(100, random_state=0)
    assert list(sample.columns) == list(penguins.columns)
    assert (sample.dtypes == penguins.dtypes).all()
    assert set(sample["island"].dropna()) <= set(penguins["island"].dropna())


def test_tabular_vae_sampling_aggregate_keeps_columns_consistent():
    """Columns that determine each other stay consistent in sampled rows.

    Four well-separated clusters: the category ``g`` fixes the bands of ``v`` and ``w``.
    Prior draws between the clusters of training codes decode to rows that mix
    clusters; ``sampling="aggregate"`` (the default on tables) draws codes from a
    mixture fitted to the training codes. Real rows: 99.7% consistent.
    """
    from skgen import VAE

    rng = np.random.RandomState(0)
    level = rng.randint(4, size=400)
    frame = pd.DataFrame({
        "v": 10 * level + rng.normal(size=400),
        "w": -5 * level + rng.normal(size=400),
        "g": np.array(list("ABCD"))[level],
    })

    def consistent(sampling):
        vae = VAE(sampling=sampling, max_epochs=50, random_state=0).fit(frame)
        rows = vae.sample(1000, random_state=0)
        k = rows["g"].map(dict(zip("ABCD", range(4))))
        return (((rows["v"] - 10 * k).abs() < 3) & ((rows["w"] + 5 * k).abs() < 3)).mean()

    prior, aggregate = consistent("prior"), consistent("aggregate")
    # measured: prior 0.54, aggregate 0.65 (seeds 0-2: 0.51-0.54 vs 0.62-0.65)
    assert aggregate > prior + 0.05, (prior, aggregate)
    assert VAE(max_epochs=2, random_state=0).fit(frame)._sampling() == "aggregate"
    assert VAE(max_epochs=2, random_state=0).fit(rng.randn(50, 3))._sampling() == "aggregate"
