"""TabularEncoder's per-column rules: discrete supports, point masses, grids, bounds, integers."""

import numpy as np
import pandas as pd
import pytest

from skgen.preprocessing import TabularEncoder


def _round_trip(frame, **params):
    encoder = TabularEncoder(random_state=0, **params).fit(frame)
    back = encoder.inverse_transform(encoder.transform(frame))
    pd.testing.assert_frame_equal(back, frame, check_exact=True)
    return encoder


def _spec(encoder, name):
    return next(spec for spec in encoder.columns_ if spec.name == name)


@pytest.fixture
def crafted():
    rng = np.random.RandomState(0)
    n = 400
    months = rng.choice([12, 24, 36, 48, 60], n).astype(np.int64)
    debt = np.where(rng.rand(n) < 0.6, 0.0, np.round(rng.lognormal(7, 1, n)))
    amount = (np.round(rng.gamma(4, 300, n) / 50) * 50).astype(np.int64) + 50
    rate = np.round(rng.uniform(1, 9, n), 2)
    rate[::9] = np.nan
    return pd.DataFrame({"months": months, "debt": debt, "amount": amount, "rate": rate})


def test_auto_rules_per_column(crafted):
    encoder = _round_trip(crafted)
    months, debt, amount, rate = (_spec(encoder, c) for c in crafted.columns)
    assert months.method == "discrete" and months.categories == (12, 24, 36, 48, 60)
    assert debt.masses.tolist() == [0.0] and debt.minimum >= 1.0  # continuous part is > 0
    assert debt.mode_block.width >= 2  # [mass 0, continuous part (modes)]
    assert amount.step == (50.0, 1.0)
    assert rate.step == (1.0, 100.0) and rate.has_missing
    names = encoder.get_feature_names_out().tolist()
    assert "months_36" in names and "debt__mass0" in names


def test_decoded_values_stay_on_the_learned_support(crafted):
    encoder = TabularEncoder(random_state=0).fit(crafted)
    rng = np.random.RandomState(1)
    noisy = encoder.transform(crafted) + rng.normal(scale=0.3, size=(len(crafted), encoder.n_features_out_))
    back = encoder.inverse_transform(noisy)
    assert set(back["months"]) <= {12, 24, 36, 48, 60} and back["months"].dtype == np.int64
    assert (back["amount"] % 50 == 0).all()
    assert back["amount"].between(crafted["amount"].min(), crafted["amount"].max()).all()
    positive = crafted["debt"][crafted["debt"] > 0]
    decoded = back["debt"][back["debt"] != 0]
    assert decoded.between(positive.min(), positive.max()).all()  # bounds of the continuous part
    cents = back["rate"].dropna() * 100
    np.testing.assert_allclose(cents, np.rint(cents), atol=1e-6)


def test_rules_are_overridable_per_column(crafted):
    encoder = TabularEncoder(
        numeric={"months": "standard", "rate": "discrete"},
        point_masses={"debt": None, "amount": [1250]},
        rounding={"amount": None, "debt": 100},
        random_state=0,
    ).fit(crafted)
    assert _spec(encoder, "months").method == "standard"
    assert _spec(encoder, "rate").method == "discrete"
    assert _spec(encoder, "debt").masses is None and _spec(encoder, "debt").step == (100.0, 1.0)
    amount = _spec(encoder, "amount")
    assert amount.step is None and amount.masses.tolist() == [1250 - crafted["amount"].min()]
    back = encoder.inverse_transform(encoder.transform(crafted))
    pd.testing.assert_series_equal(back["rate"], crafted["rate"])
    with pytest.raises(ValueError, match="rounding names columns that are not in X"):
        TabularEncoder(rounding={"nope": 1}).fit(crafted)
    with pytest.raises(ValueError, match=r"point_masses\['debt'\] must be a list of numbers"):
        TabularEncoder(point_masses={"debt": "zero"}).fit(crafted)


def test_heaped_values_keep_their_roundness():
    rng = np.random.RandomState(0)
    x = rng.lognormal(7, 0.5, 2000).round()
    heaped = rng.rand(2000) < 0.3
    x[heaped] = np.round(x[heaped], -2)  # 30% written to the hundred
    frame = pd.DataFrame({"x": x})
    encoder = _round_trip(frame)
    spec = encoder.columns_[0]
    assert 100.0 in spec.coarse_steps
    noisy = encoder.transform(frame)
    noisy[:, 0] += rng.normal(scale=0.05, size=len(frame))
    back = encoder.inverse_transform(noisy)["x"]
    assert 0.2 < np.mean(back % 100 == 0) < 0.45


def test_big_int64_round_trip_exactly():
    top = np.iinfo(np.int64).max
    near_max = pd.DataFrame({"id": np.array([top, top - 1, top - 7, top - 123456789] * 25, dtype=np.int64)})
    _round_trip(near_max)
    spread = np.r_[np.iinfo(np.int64).min, -(2**60), 0, 2**62 + 1, top].astype(np.int64)
    wide = pd.DataFrame({"n": np.tile(spread, 30), "u": np.tile(spread, 30).view(np.uint64)})
    _round_trip(wide)
    many = pd.DataFrame({"n": top - np.arange(500, dtype=np.int64) * 3})  # continuous: offset
    encoder = _round_trip(many)
    assert encoder.columns_[0].method != "discrete"
    nullable = pd.DataFrame({"n": pd.array([top, None, top - 2, top - 5] * 30, dtype="Int64")})
    _round_trip(nullable)


@pytest.mark.parametrize("numeric", ["standard", "mode", "quantile"])
def test_huge_values_have_finite_codes(numeric):
    rng = np.random.RandomState(0)
    X = rng.randn(80, 3) * 1e200
    encoder = TabularEncoder(numeric=numeric, random_state=0).fit(X)
    Xt = encoder.transform(X)
    assert np.isfinite(Xt).all()
    assert np.unique(Xt[:, 0]).size > 40  # not one code for every row
    back = encoder.inverse_transform(Xt)
    assert np.isfinite(back).all()
    np.testing.assert_allclose(back, X, rtol=1e-6)
    assert np.isfinite(encoder.columns_[0].scale) and encoder.columns_[0].scale > 1e199
