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
