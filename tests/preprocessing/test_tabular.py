"""Tests of skgen.preprocessing.TabularEncoder."""

import itertools
import pickle
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.utils.estimator_checks import (
    check_dataframe_column_names_consistency,
    check_param_validation,
    check_set_output_transform,
    check_transformer_get_feature_names_out,
    parametrize_with_checks,
)

from skgen._layout import BLOCK_KINDS
from skgen.preprocessing import ColumnSpec, TabularEncoder

N_ROWS = 120


def _estimators():
    return [
        TabularEncoder(random_state=0),
        TabularEncoder(numeric="quantile", random_state=0),
        TabularEncoder(numeric="mode", max_modes=2, random_state=0),
    ]


@parametrize_with_checks(_estimators())
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", _estimators(), ids=repr)
@pytest.mark.parametrize(
    "check",
    [
        check_set_output_transform,
        check_transformer_get_feature_names_out,
        check_dataframe_column_names_consistency,
        check_param_validation,
    ],
    ids=lambda check: check.__name__,
)
def test_checks_outside_parametrize_with_checks(estimator, check):
    check(type(estimator).__name__, estimator)


def _every_dtype(n=N_ROWS, seed=0):
    """A frame with one column of every supported dtype, most with missing values."""
    rng = np.random.RandomState(seed)
    every = np.arange(n)
    floats = rng.normal(size=n)
    floats[every % 7 == 0] = np.nan
    strings = rng.choice(["x", "y", "z"], n).astype(object)
    strings[every % 5 == 1] = None
    return pd.DataFrame(
        {
            "float": floats,
            "bimodal": np.r_[rng.normal(-4, 0.5, n // 2), rng.normal(4, 0.5, n - n // 2)],
            "int": rng.randint(-5, 60, size=n),
            "uint8": rng.randint(0, 255, size=n).astype(np.uint8),
            "float32": rng.normal(size=n).astype(np.float32),
            "Int64": pd.array(np.where(every % 5 == 0, None, rng.randint(0, 9, n)), dtype="Int64"),
            "Float64": pd.array(
                np.where(every % 6 == 0, None, rng.normal(size=n)), dtype="Float64"
            ),
            "bool": rng.rand(n) > 0.5,
            "boolean": pd.array(
                np.where(every % 4 == 0, None, rng.rand(n) > 0.5), dtype="boolean"
            ),
            "category": pd.Categorical(
                rng.choice(["b", "a", "c"], n), categories=["c", "b", "a", "unused"], ordered=True
            ),
            "str": pd.Series(strings, dtype="str"),
            "string": pd.Series(strings, dtype="string"),
            "object": pd.Series(strings, dtype=object),
            "datetime": pd.Series(
                pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.randint(0, 10**7, n), unit="s")
            ).where(every % 8 != 0),
            "datetime_tz": pd.Series(
                pd.date_range("2021-03-01", periods=n, freq="h", tz="Europe/Paris", unit="s")
            ),
            "timedelta": pd.to_timedelta(rng.randint(0, 1000, n), unit="min"),
        }
    )


@pytest.fixture(scope="module")
def every_dtype():
    return _every_dtype()


@pytest.fixture(scope="module")
def fitted(every_dtype):
    """An encoder fitted on every dtype, with "auto" (which picks "mode" for one column)."""
    return TabularEncoder(random_state=0).fit(every_dtype)


@pytest.mark.parametrize(
    "numeric, atol", [("standard", 1e-9), ("quantile", 1e-6), ("mode", 1e-6), ("auto", 1e-6)]
)
def test_round_trip_every_dtype(every_dtype, numeric, atol):
    encoder = TabularEncoder(numeric=numeric, random_state=0).fit(every_dtype)
    Xt = encoder.transform(every_dtype)
    assert Xt.dtype == np.float64 and Xt.shape == (N_ROWS, encoder.n_features_out_)
    back = encoder.inverse_transform(Xt)
    # values, dtypes (nullable ones included), categories, units, time zones, missing positions
    pd.testing.assert_frame_equal(back, every_dtype, check_exact=False, rtol=0, atol=atol)
    assert back["category"].cat.categories.tolist() == ["c", "b", "a", "unused"]
    assert back["category"].cat.ordered


def test_auto_picks_mode_for_multimodal_columns_only(fitted):
    methods = {spec.name: spec.method for spec in fitted.columns_}
    assert methods["bimodal"] == "mode"
    assert methods["float"] == "standard"
    assert methods["bool"] == methods["category"] == methods["str"] == "onehot"
    bimodal = next(spec for spec in fitted.columns_ if spec.name == "bimodal")
    assert bimodal.mode_block.width >= 2


def test_auto_keeps_standard_for_few_values():
    rng = np.random.RandomState(0)
    bimodal = np.r_[rng.normal(-4, 0.5, 20), rng.normal(4, 0.5, 20)]
    encoder = TabularEncoder(random_state=0).fit(pd.DataFrame({"x": bimodal}))
    assert encoder.columns_[0].method == "standard"


def test_auto_discrete_for_sparse_repeated_supports():
    rng = np.random.RandomState(0)
    n = 2000
    rate_card = np.round(rng.uniform(5, 30, 50), 2)  # 50 rates, ~40 rows each
    knots = np.arange(1, 41) * 1.15078  # 40 speeds converted from knots
    frame = pd.DataFrame({
        "rate": rng.choice(rate_card, n),
        "speed": rng.choice(knots, n),
        "age": rng.randint(18, 78, n),  # 60 whole years: the grid is full
        # 60 round thousands and three odd amounts: heaped, the fine grid is 1
        "assets": np.where(
            rng.rand(n) < 0.97, 1000 * rng.randint(0, 60, n), rng.choice([777, 1234, 2718], n)
        ),
    })
    encoder = TabularEncoder(random_state=0).fit(frame)
    methods = {spec.name: spec.method for spec in encoder.columns_}
    assert methods["rate"] == methods["speed"] == "discrete"
    assert methods["age"] != "discrete" and methods["assets"] != "discrete"
    back = encoder.inverse_transform(encoder.transform(frame))
    pd.testing.assert_frame_equal(back, frame)


def test_numeric_dict_sets_methods_per_column(every_dtype):
    encoder = TabularEncoder(numeric={"float": "quantile", "int": "mode"}, random_state=0)
    encoder.fit(every_dtype)
    methods = {spec.name: spec.method for spec in encoder.columns_}
    assert methods["float"] == "quantile" and methods["int"] == "mode"
    assert methods["bimodal"] == "mode"  # unnamed columns use "auto"


def test_output_layout_partitions_the_encoded_columns(fitted, every_dtype):
    layout = fitted.output_layout_
    assert layout[0].start == 0 and layout[-1].stop == fitted.n_features_out_
    assert all(a.stop == b.start for a, b in itertools.pairwise(layout))
    assert all(block.kind in BLOCK_KINDS and block.kind != "binary" for block in layout)
    assert [spec.name for spec in fitted.columns_] == list(every_dtype.columns)
    assert tuple(b for spec in fitted.columns_ for b in spec.blocks) == layout
    assert all(b.column == spec.name for spec in fitted.columns_ for b in spec.blocks)
    assert len(fitted.get_feature_names_out()) == fitted.n_features_out_
    Xt = fitted.transform(every_dtype)
    for block in layout:
        if block.kind == "categorical":
            np.testing.assert_array_equal(Xt[:, block.slice].sum(axis=1), 1.0)
            assert set(np.unique(Xt[:, block.slice])) <= {0.0, 1.0}


def test_blocks_per_column(fitted):
    specs = {spec.name: spec for spec in fitted.columns_}
    float_spec = specs["float"]
    assert isinstance(float_spec, ColumnSpec)
    assert [b.kind for b in float_spec.blocks] == ["numeric", "categorical"]
    assert float_spec.missing_block.width == 2 and float_spec.has_missing
    assert float_spec.missing_rate == pytest.approx(np.mean(np.arange(N_ROWS) % 7 == 0))
    assert [b.kind for b in specs["bimodal"].blocks] == ["numeric", "categorical"]
    assert specs["bimodal"].mode_block is not None and specs["bimodal"].missing_block is None
    assert specs["category"].value_block.width == 4  # unobserved level "unused" kept
    assert specs["str"].categories == ("x", "y", "z")
    assert specs["str"].value_block.width == 4  # plus the missing level
    assert specs["bool"].categories == (False, True)
    names = fitted.get_feature_names_out().tolist()
    assert names[:3] == ["float", "float__observed", "float__missing"]
    assert "bimodal__mode0" in names and "category_unused" in names
    assert "str__missing" in names and "bool_True" in names


def _softmax(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_inverse_transform_accepts_soft_one_hot_groups(fitted, every_dtype):
    rng = np.random.RandomState(0)
    Xt = fitted.transform(every_dtype)
    soft = Xt.copy()
    for block in fitted.output_layout_:
        if block.kind == "categorical":
            logits = 3.0 * Xt[:, block.slice] + rng.normal(scale=0.5, size=(N_ROWS, block.width))
            soft[:, block.slice] = _softmax(logits)
    back = fitted.inverse_transform(soft)
    for column in ["bool", "boolean", "category", "str", "object"]:
        pd.testing.assert_series_equal(back[column], every_dtype[column])
    pd.testing.assert_series_equal(back["float"].isna(), every_dtype["float"].isna())


def test_inverse_transform_of_random_outputs_keeps_the_schema(fitted, every_dtype):
    rng = np.random.RandomState(0)
    raw = rng.normal(scale=3.0, size=(50, fitted.n_features_out_))
    for block in fitted.output_layout_:
        if block.kind == "categorical":
            raw[:, block.slice] = _softmax(raw[:, block.slice])
    back = fitted.inverse_transform(raw)
    pd.testing.assert_series_equal(back.dtypes, every_dtype.dtypes)
    for column in ["str", "string", "object"]:
        assert set(back[column].dropna()) <= set(every_dtype[column].dropna())
    assert back["category"].dtype == every_dtype["category"].dtype  # same categories
    for column in ["float", "int", "uint8", "datetime", "timedelta"]:  # clip=True
        observed = every_dtype[column].dropna()
        assert back[column].min() >= observed.min() and back[column].max() <= observed.max()


def test_missing_values_follow_the_indicator():
    rng = np.random.RandomState(0)
    x = rng.normal(size=N_ROWS)
    x[:30] = np.nan
    encoder = TabularEncoder(numeric="standard").fit(pd.DataFrame({"x": x}))
    indicator = encoder.columns_[0].missing_block
    Xt = np.zeros((1000, encoder.n_features_out_))
    missing = rng.rand(1000) < 0.25
    Xt[:, indicator.start] = np.where(missing, 0.3, 0.7)  # soft: P(observed)
    Xt[:, indicator.start + 1] = np.where(missing, 0.7, 0.3)
    back = encoder.inverse_transform(Xt)
    np.testing.assert_array_equal(back["x"].isna().to_numpy(), missing)


@pytest.mark.parametrize("marker", [None, np.nan])
def test_object_columns_keep_their_missing_marker(marker):
    frame = pd.DataFrame({"pet": pd.Series(["cat", marker, "dog", "cat"] * 10, dtype=object)})
    encoder = TabularEncoder().fit(frame)
    back = encoder.inverse_transform(encoder.transform(frame))
    assert back["pet"].dtype == object
    pd.testing.assert_frame_equal(back, frame)
    assert all((v is None) if marker is None else (v != v) for v in back["pet"][1::4])


def test_integers_are_rounded_and_clipped():
    frame = pd.DataFrame({"n": np.array([0, 5, 10], dtype=np.int16)})
    encoder = TabularEncoder(numeric="standard", rounding=None).fit(frame)
    spec = encoder.columns_[0]
    z = (np.array([[2.4], [2.6], [1e6], [-1e6]]) - spec.mean) / spec.scale
    back = encoder.inverse_transform(z)
    assert back["n"].dtype == np.int16
    assert back["n"].tolist() == [2, 3, 10, 0]
    unclipped = TabularEncoder(numeric="standard", rounding=None, clip=False).fit(frame).inverse_transform(z)
    assert unclipped["n"].tolist() == [2, 3, np.iinfo(np.int16).max, np.iinfo(np.int16).min]


@pytest.mark.parametrize("dtype", ["str", "category", "object"])
def test_unknown_categories(dtype):
    train = pd.DataFrame({"pet": pd.Series(["cat", "dog", "dog"], dtype=dtype)})
    test = pd.DataFrame({"pet": pd.Series(["dog", "fish"], dtype=dtype)})
    encoder = TabularEncoder().fit(train)
    Xt = encoder.transform(test)
    np.testing.assert_array_equal(Xt, [[0.0, 1.0], [0.0, 0.0]])
    assert encoder.inverse_transform(Xt)["pet"].tolist() == ["dog", "dog"]  # most frequent
    with pytest.raises(
        ValueError, match=r"TabularEncoder: column 'pet' has values unseen during fit: \['fish'\]"
    ):
        TabularEncoder(handle_unknown="error").fit(train).transform(test)


def test_missing_values_unseen_during_fit():
    train = pd.DataFrame({"x": [1.0, 2.0, 3.0], "pet": ["cat", "dog", "dog"]})
    test = pd.DataFrame({"x": [np.nan, 2.0], "pet": ["cat", None]})
    Xt = TabularEncoder().fit(train).transform(test)
    np.testing.assert_allclose(Xt[:, 0], 0.0, atol=1e-12)  # the median of 1, 2, 3 is the mean
    np.testing.assert_array_equal(Xt[:, 1:], [[1.0, 0.0], [0.0, 0.0]])
    with pytest.raises(
        ValueError, match="TabularEncoder: column 'x' has missing values but had none"
    ):
        TabularEncoder(handle_unknown="error").fit(train).transform(test)


def test_many_categories_warn_naming_the_column():
    frame = pd.DataFrame({"id": [f"user{i}" for i in range(12)]})
    with pytest.warns(UserWarning, match="TabularEncoder: column 'id' has 12 categories"):
        TabularEncoder(max_categories_warn=10).fit(frame)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TabularEncoder(max_categories_warn=None).fit(frame)


@pytest.mark.parametrize(
    "column, message",
    [
        (
            pd.Series([1, "a", 2.5], dtype=object),
            r"TabularEncoder: column 'bad' mixes values of types \['float', 'int', 'str'\]",
        ),
        (
            pd.Series([1, 2, 3], dtype=object),
            "TabularEncoder: column 'bad' holds numbers in an object column",
        ),
        (
            pd.Series([{"a": 1}, {"b": 2}, None], dtype=object),
            "TabularEncoder: column 'bad' holds values of unsupported type",
        ),
        (
            pd.Series([pd.Timestamp("2020-01-01").date()] * 3, dtype=object),
            "TabularEncoder: column 'bad' holds date values in an object column; "
            "convert it with `pd.to_datetime`",
        ),
        (
            pd.Series([1 + 2j, 3j, 1.0]),
            "TabularEncoder: column 'bad' has the unsupported dtype complex128",
        ),
        (
            pd.Series(pd.period_range("2020-01", periods=3, freq="M")),
            "TabularEncoder: column 'bad' has the unsupported dtype",
        ),
        (
            pd.Series([np.nan, np.nan, np.nan]),
            "TabularEncoder: column 'bad' has only missing values",
        ),
        (
            pd.Series([None, None, None], dtype=object),
            "TabularEncoder: column 'bad' has only missing values",
        ),
        (pd.Series([1.0, np.inf, 2.0]), "TabularEncoder: column 'bad' contains infinite values"),
    ],
)
def test_bad_columns_raise_naming_the_column(column, message):
    frame = pd.DataFrame({"good": [1.0, 2.0, 3.0], "bad": column})
    with pytest.raises(ValueError, match=message):
        TabularEncoder().fit(frame)


def test_empty_or_duplicated_frames_raise():
    with pytest.raises(ValueError, match="non-empty DataFrame"):
        TabularEncoder().fit(pd.DataFrame({"x": pd.Series([], dtype=float)}))
    with pytest.raises(ValueError, match="non-empty DataFrame"):
        TabularEncoder().fit(pd.DataFrame(index=range(3)))
    with pytest.raises(ValueError, match="unique column names"):
        TabularEncoder().fit(pd.DataFrame([[1.0, 2.0]], columns=["x", "x"]))


def test_wrong_columns_or_dtypes_at_transform_raise(every_dtype, fitted):
    with pytest.raises(ValueError, match="The feature names should match"):
        fitted.transform(every_dtype.drop(columns=["str"]))
    with pytest.raises(ValueError, match="The feature names should match"):
        fitted.transform(every_dtype[every_dtype.columns[::-1]])
    with pytest.raises(ValueError, match="TabularEncoder: column 'float' was numeric during fit"):
        fitted.transform(every_dtype.assign(float="text"))
    with pytest.raises(
        ValueError, match="TabularEncoder: column 'datetime' was fitted with time zone None"
    ):
        fitted.transform(every_dtype.assign(datetime=every_dtype["datetime_tz"]))
    with pytest.raises(ValueError, match="X has 3 columns, but TabularEncoder encodes to"):
        fitted.inverse_transform(np.zeros((2, 3)))


def test_numeric_dict_errors(every_dtype):
    with pytest.raises(ValueError, match=r"numeric names columns that are not in X: \['nope'\]"):
        TabularEncoder(numeric={"nope": "mode"}).fit(every_dtype)
    with pytest.raises(ValueError, match="numeric maps columns to unknown methods"):
        TabularEncoder(numeric={"float": "minmax"}).fit(every_dtype)
    with pytest.raises(ValueError, match="column 'str', which is categorical"):
        TabularEncoder(numeric={"str": "mode"}).fit(every_dtype)


def test_arrays_in_arrays_out():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    X[::5, 1] = np.nan
    encoder = TabularEncoder(random_state=0).fit(X)
    assert [spec.method for spec in encoder.columns_] == ["standard"] * 3
    assert encoder.get_feature_names_out().tolist() == [
        "x0",
        "x1",
        "x1__observed",
        "x1__missing",
        "x2",
    ]
    back = encoder.inverse_transform(encoder.transform(X))
    assert isinstance(back, np.ndarray) and back.dtype == np.float64
    np.testing.assert_allclose(back, X, atol=1e-12)  # NaN positions included
    out = encoder.set_output(transform="pandas").transform(X)
    assert list(out.columns) == encoder.get_feature_names_out().tolist()


def test_mode_specific_normalisation_encoding():
    rng = np.random.RandomState(0)
    x = np.r_[rng.normal(-10, 1, 100), rng.normal(10, 1, 100)]
    encoder = TabularEncoder(numeric="mode", random_state=0).fit(pd.DataFrame({"x": x}))
    spec = encoder.columns_[0]
    Xt = encoder.transform(pd.DataFrame({"x": x}))
    assert np.abs(Xt[:, 0]).max() < 1.0  # within 4 standard deviations of its mode
    modes = Xt[:, spec.mode_block.slice].argmax(axis=1)
    assert set(modes[:100]).isdisjoint(modes[100:])  # the two humps use different modes
    assert np.all(np.diff(spec.mode_means) > 0)  # modes sorted by mean


def test_pickle_round_trip(fitted, every_dtype):
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.transform(every_dtype), fitted.transform(every_dtype))


def test_deterministic_given_random_state(every_dtype):
    frame = every_dtype[["float", "bimodal", "datetime"]]
    a = TabularEncoder(numeric="mode", random_state=3).fit_transform(frame)
    b = TabularEncoder(numeric="mode", random_state=3).fit_transform(frame)
    np.testing.assert_array_equal(a, b)


def test_not_fitted_error():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        TabularEncoder().transform(pd.DataFrame({"x": [1.0]}))
    with pytest.raises(NotFittedError, match=re.escape("TabularEncoder")):
        TabularEncoder().inverse_transform(np.zeros((1, 1)))


@pytest.mark.parametrize("numeric", ["standard", "quantile", "mode", "auto"])
@pytest.mark.parametrize("X", [np.ones((5, 1)), np.array([[1.0]]), np.array([[1.0], [2.0]])])
def test_tiny_and_constant_columns(numeric, X):
    encoder = TabularEncoder(numeric=numeric, random_state=0).fit(X)
    np.testing.assert_allclose(encoder.inverse_transform(encoder.transform(X)), X)
