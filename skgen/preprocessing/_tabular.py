"""Reversible encoding of mixed-type tables for neural generative models."""

from __future__ import annotations

import warnings
from collections.abc import Hashable
from dataclasses import dataclass, replace
from numbers import Integral, Real

import numpy as np
import pandas as pd
from scipy.signal import find_peaks
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import BayesianGaussianMixture
from sklearn.preprocessing import QuantileTransformer
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from .._layout import Block
from ..utils._param_validation import (
    Interval,
    StrOptions,
    _check_feature_names_in,
    _fit_context,
)

__all__ = ["ColumnSpec", "TabularEncoder"]

NUMERIC_METHODS = ("auto", "standard", "quantile", "mode", "discrete")
"""Values accepted by ``TabularEncoder(numeric=...)`` (globally or per column)."""

_SUBSAMPLE = 5000  # rows used to choose "auto" and to fit a mixture
_AUTO_MIN_VALUES = 50  # fewer observed values: "auto" keeps "standard"
_AUTO_PROMINENCE = 0.1  # peak prominence, relative to the highest density
_AUTO_GRID = 256  # points on which the density is evaluated
_MODE_MIN_WEIGHT = 0.005  # mixture components lighter than this are dropped
_MODE_SCALE = 4.0  # CTGAN's (x - mu_k) / (4 sigma_k)
_MAX_SEED = np.iinfo(np.int32).max
_DISCRETE_MAX_VALUES = 20  # "auto": at most this many distinct values -> "discrete" ...
_DISCRETE_MIN_COUNT = 5  # ... when each value is seen this many times on average
_SPARSE_MAX_VALUES = 255  # "auto": up to this many distinct values -> "discrete" too ...
_SPARSE_MIN_COUNT = 10  # ... when each is seen this many times on average ...
_SPARSE_MAX_FILL = 0.25  # ... and they fill at most a quarter of their rounding grid ...
_SPARSE_MAX_ROUND = 0.5  # ... and most of them are not heaped on round grids
_MASS_MIN_SHARE = 0.05  # "auto" point masses: values holding at least 5% of the rows ...
_MAX_MASSES = 5  # ... the five most frequent at most
_GRID_DIGITS = 10  # "auto" rounding: grids of at most 10 significant digits
_GRID_MANTISSAS = (5.0, 2.5, 2.0, 1.0)  # grid steps m * 10**k, tried from the largest
_TEMPORAL = ("datetime", "timedelta")


@dataclass(frozen=True, eq=False)
class ColumnSpec:
    """What :class:`TabularEncoder` learned about one input column.

    Parameters
    ----------
    name : hashable
        The column label (``"x0"``, ``"x1"``, ... for array input).
    dtype : dtype
        The column's dtype during ``fit``; ``inverse_transform`` restores it.
    kind : {"float", "integer", "datetime", "timedelta", "boolean", "categorical"}
        How the values are interpreted.
    method : {"standard", "quantile", "mode", "discrete", "onehot"}
        The encoding; ``"onehot"`` for boolean and categorical columns,
        ``"discrete"`` for a numeric column one-hot encoded over its observed
        values (``categories``).
    value_block : Block
        The scalar (``"numeric"``) block of a numeric column, or the one-hot
        (``"categorical"``) block of a categorical column.
    mode_block : Block or None
        The one-hot block of the component of each value: the point masses
        (``masses``) first, then the mixture modes (``method="mode"``) or the
        one continuous part. None for a ``"standard"`` or ``"quantile"``
        column without point masses.
    missing_block : Block or None
        The ``[observed, missing]`` block of a numeric column that had missing
        values during ``fit``. A categorical column with missing values has
        an extra last level in ``value_block`` instead.
    categories : tuple or None
        The levels of a categorical or ``"discrete"`` column, in one-hot order
        (the missing level excluded); the original values for a
        ``"discrete"`` column.
    has_missing : bool
        Whether ``fit`` saw missing values in the column.
    missing_rate : float
        The fraction of missing values seen by ``fit``.
    missing_value : object
        The missing marker a plain ``object`` column held at ``fit`` (``None``
        or ``NaN``, the first one seen); decoded missing values get it back.
    mean, scale : float
        The standardisation ``(x - mean) / scale`` of the continuous part
        applied before the numeric methods (``"quantile"`` excepted).
    minimum, maximum : float
        The observed range of the continuous part (the values that are not
        point masses), in the numeric representation (``x - offset``).
    fill : float
        The value (the observed median) that stands in for a missing value in
        the numeric blocks.
    offset : int
        Integer and temporal columns: the minimum (an integer, in ``unit``
        for temporal columns) subtracted before the conversion to float, so
        that large integers keep their precision.
    unit : str or None
        Temporal columns: the resolution of the dtype (``"s"``, ``"ns"`` ...).
    tz : tzinfo or None
        Datetime columns: the time zone of the dtype.
    mode_weights, mode_means, mode_stds : ndarray or None
        The active mixture components (``method="mode"``), on the
        standardised scale.
    quantile_transformer : QuantileTransformer or None
        The fitted transformer of a ``"quantile"`` column.
    most_frequent : int
        Categorical columns: the index of the most frequent level, the
        inverse of an all-zero one-hot group (an unknown category).
    masses : ndarray or None
        The point masses of a continuous column (values, in the numeric
        representation, that are encoded as their own component).
    step : tuple of (float, float) or None
        The learned grid ``(numerator, denominator)``: decoded values are
        rounded to multiples of ``numerator / denominator``.
    precision_block : Block or None
        The one-hot block of the precision of each value: the coarsest of
        ``coarse_steps`` it is a multiple of, or (last) only ``step``.
    coarse_steps : tuple of float
        Round grids (``1000``, ``50`` ...) holding at least 5% of the values
        each, from the coarsest; see Notes of :class:`TabularEncoder`.
    """

    name: Hashable
    dtype: object
    kind: str
    method: str
    value_block: Block
    mode_block: Block | None = None
    missing_block: Block | None = None
    categories: tuple | None = None
    has_missing: bool = False
    missing_rate: float = 0.0
    missing_value: object = None
    mean: float = 0.0
    scale: float = 1.0
    minimum: float = -np.inf
    maximum: float = np.inf
    fill: float = 0.0
    offset: int = 0
    unit: str | None = None
    tz: object = None
    mode_weights: np.ndarray | None = None
    mode_means: np.ndarray | None = None
    mode_stds: np.ndarray | None = None
    quantile_transformer: QuantileTransformer | None = None
    most_frequent: int = 0
    masses: np.ndarray | None = None
    step: tuple | None = None
    precision_block: Block | None = None
    coarse_steps: tuple = ()

    @property
    def blocks(self):
        """The blocks of the column, in output order."""
        blocks = (self.value_block, self.mode_block, self.precision_block, self.missing_block)
        return tuple(block for block in blocks if block is not None)

    def feature_names(self, name):
        """The output feature names of the column, prefixed with ``name``."""
        if self.method in ("onehot", "discrete"):
            names = [f"{name}_{category}" for category in self.categories]
            if self.has_missing:
                names.append(f"{name}__missing")
            return names
        names = [str(name)]
        if self.mode_block is not None:
            n_masses = 0 if self.masses is None else self.masses.size
            names += [f"{name}__mass{k}" for k in range(n_masses)]
            names += [f"{name}__mode{k}" for k in range(self.mode_block.width - n_masses)]
        if self.precision_block is not None:
            names += [f"{name}__step{step:g}" for step in self.coarse_steps]
            names.append(f"{name}__step_fine")
        if self.missing_block is not None:
            names += [f"{name}__observed", f"{name}__missing"]
        return names


def _column_kind(series, name, owner=None):
    """Classify a column, raising a ``ValueError`` naming it when unsupported.

    Returns one of ``"float"``, ``"integer"``, ``"datetime"``, ``"timedelta"``,
    ``"boolean"`` and ``"categorical"``. Error messages start with ``owner``.
    """
    prefix = f"{owner}: column" if owner else "Column"
    api = pd.api.types
    dtype = series.dtype
    if isinstance(dtype, pd.SparseDtype):
        raise ValueError(
            f"{prefix} {name!r} has the sparse dtype {dtype}; convert it with "
            "`.sparse.to_dense()` first."
        )
    if isinstance(dtype, pd.CategoricalDtype):
        return "categorical"
    if api.is_bool_dtype(dtype):
        return "boolean"
    if api.is_integer_dtype(dtype):
        return "integer"
    if api.is_float_dtype(dtype):
        return "float"
    if api.is_datetime64_any_dtype(dtype):
        return "datetime"
    if api.is_timedelta64_dtype(dtype):
        return "timedelta"
    if api.is_object_dtype(dtype):
        inferred = api.infer_dtype(series, skipna=True)
        if inferred in ("string", "empty"):
            return "categorical"
        if inferred == "boolean":
            return "boolean"
        if inferred in ("integer", "floating", "mixed-integer-float"):
            raise ValueError(
                f"{prefix} {name!r} holds numbers in an object column; convert it to a "
                "numeric dtype (e.g. `.astype('float64')`), or to 'category' to one-hot "
                "encode it."
            )
        for kinds, convert in (
            (("datetime", "datetime64", "date"), "pd.to_datetime"),
            (("timedelta", "timedelta64"), "pd.to_timedelta"),
        ):
            if inferred in kinds:
                raise ValueError(
                    f"{prefix} {name!r} holds {inferred} values in an object column; "
                    f"convert it with `{convert}`."
                )
        types = sorted({type(value).__name__ for value in series[series.notna()]})
        if inferred.startswith("mixed") and len(types) > 1:
            raise ValueError(
                f"{prefix} {name!r} mixes values of types {types} in one object column; "
                "convert it to a single type (e.g. `.astype(str)` or `.astype('category')`)."
            )
        raise ValueError(
            f"{prefix} {name!r} holds values of unsupported type {types} (inferred "
            f"{inferred!r}); supported are numbers, booleans, strings, categories, "
            "datetimes and timedeltas."
        )
    if api.is_string_dtype(dtype):
        return "categorical"
    raise ValueError(
        f"{prefix} {name!r} has the unsupported dtype {dtype}; supported are numeric, "
        "boolean, string, object (strings or booleans), category, datetime64 and "
        "timedelta64 dtypes."
    )


def _stable_moments(values):
    """Mean and standard deviation without overflow (values up to 1.8e308).

    The values are divided by their largest absolute value first, so that
    squares stay finite (``np.std`` overflows from about 1.3e154).
    """
    peak = float(np.abs(values).max())
    if peak == 0.0:
        return 0.0, 0.0
    unit = values / peak
    return float(unit.mean()) * peak, float(unit.std()) * peak


def _integer_offset(ints, offset):
    """``ints - offset`` as float64, exact for differences below 2**53.

    The subtraction wraps in uint64, which is exact for any two values of a
    64-bit integer dtype (the difference of values >= ``offset`` lies in
    [0, 2**64)); only then the (small) difference becomes a float.
    """
    unsigned = ints.astype(np.int64).view(np.uint64) if ints.dtype.kind == "i" else ints
    return (unsigned.astype(np.uint64) - np.uint64(offset % 2**64)).astype(np.float64)


def _restore_integers(values, offset, dtype):
    """Inverse of :func:`_integer_offset`: rounded floats >= 0 back to ``dtype``."""
    diffs = np.clip(np.rint(values), 0.0, np.nextafter(2.0**64, 0.0)).astype(np.uint64)
    unsigned = diffs + np.uint64(offset % 2**64)  # wraps like the encoder did
    ints = unsigned.view(np.int64) if np.dtype(dtype).kind == "i" else unsigned
    return ints.astype(dtype)


def _on_grid(values, numerator, denominator):
    ratio = values * (denominator / numerator)
    return bool(np.all(np.abs(ratio - np.rint(ratio)) <= 1e-6))


def _find_grid(values, integer):
    """The coarsest grid ``m * 10**k`` (``m`` in 5, 2.5, 2, 1) all values sit on.

    Returns ``(numerator, denominator)`` with ``step = numerator / denominator``
    (the denominator is a power of ten, so that decimal values such as 0.3 are
    restored exactly), or None when no grid of at most ``_GRID_DIGITS``
    significant digits fits (or the values are all zero).
    """
    peak = float(np.abs(values).max()) if values.size else 0.0
    if peak == 0.0 or not np.isfinite(peak):
        return None
    top = int(np.floor(np.log10(peak)))
    bottom = 0 if integer else top - _GRID_DIGITS
    for k in range(top, bottom - 1, -1):
        for m in _GRID_MANTISSAS:
            if integer and k == 0 and m == 2.5:
                continue
            numerator, denominator = (m * 10.0**k, 1.0) if k >= 0 else (m, 10.0**-k)
            if _on_grid(values, numerator, denominator):
                return float(numerator), float(denominator)
    return None


def _has_discrete_support(values, distinct, kind):
    """Whether the "auto" rule models a numeric column as ``"discrete"``.

    Either few values, each seen ``_DISCRETE_MIN_COUNT`` times on average, or
    up to ``_SPARSE_MAX_VALUES`` heavily repeated values (``_SPARSE_MIN_COUNT``
    times on average) that fill at most ``_SPARSE_MAX_FILL`` of the points of
    their rounding grid between the minimum and the maximum, unless most of
    them sit on coarser round grids (heaped amounts such as 1000, 500: rule 3
    of the class docstring models those): a support no continuous density
    rounded to a grid can reproduce (interest rates from a rate card, speeds
    converted from knots), unlike ages in whole years or amounts in round
    thousands.
    """
    if distinct.size <= _DISCRETE_MAX_VALUES:
        return values.size >= _DISCRETE_MIN_COUNT * distinct.size
    if distinct.size > _SPARSE_MAX_VALUES or values.size < _SPARSE_MIN_COUNT * distinct.size:
        return False
    grid = _find_grid(values, integer=kind != "float")
    if grid is None:  # no decimal grid at all: the support is as sparse as it gets
        return True
    points = (distinct[-1] - distinct[0]) * grid[1] / grid[0] + 1
    if distinct.size > _SPARSE_MAX_FILL * points:
        return False
    # amounts heaped on round numbers (most values multiples of 1000, 500, ...) are
    # rule 3's business: a continuous part decoded to round grids keeps their order
    coarse_steps = _coarse_steps(values, grid)
    on_round_grid = _precision_level(values, coarse_steps) < len(coarse_steps)
    return on_round_grid.mean() < _SPARSE_MAX_ROUND


def _coarse_steps(values, step):
    """Round grids coarser than ``step`` that hold many of the values (heaping).

    Candidates are ``m * 10**k`` (``m`` in 5, 2.5, 2, 1) multiples of ``step``,
    from the coarsest; a candidate is kept when at least 5% of the values (and
    twice as many as chance would put there) are multiples of it and of no
    coarser kept grid (at most four grids; none below 50 values).
    """
    if step is None or values.size == 0:
        return ()
    peak = float(np.abs(values).max())
    base = step[0] / step[1]
    if values.size < _AUTO_MIN_VALUES or peak == 0.0 or not np.isfinite(peak) or peak < 2 * base:
        return ()
    kept, left = [], np.ones(values.size, dtype=bool)
    for k in range(int(np.floor(np.log10(peak))), -1 - _GRID_DIGITS, -1):
        for m in _GRID_MANTISSAS:
            candidate = m * 10.0**k
            ratio = candidate / base
            if candidate <= base * (1 + 1e-9) or abs(ratio - round(ratio)) > 1e-6:
                continue
            on = np.abs(values / candidate - np.rint(values / candidate)) <= 1e-6
            hits, chance = np.count_nonzero(on & left), np.count_nonzero(left) / ratio
            if hits >= max(_MASS_MIN_SHARE * values.size, 2 * chance):
                kept.append(float(candidate))
                left &= ~on
                if len(kept) == 4:
                    return tuple(kept)
    return tuple(kept)


def _precision_level(values, coarse_steps):
    """Index of the coarsest of ``coarse_steps`` each value is a multiple of (else len)."""
    level = np.full(values.size, len(coarse_steps))
    for index in range(len(coarse_steps) - 1, -1, -1):
        ratio = values / coarse_steps[index]
        level[np.abs(ratio - np.rint(ratio)) <= 1e-6] = index
    return level


def _round_to_grid(values, step):
    numerator, denominator = step
    return np.rint(values * (denominator / numerator)) * numerator / denominator


def _numpy_dtype(dtype):
    """The numpy dtype of a (possibly nullable) pandas integer or float dtype."""
    return np.dtype(getattr(dtype, "numpy_dtype", dtype))


def _nearest_level(levels, values):
    """Index of the level (sorted array) nearest to each value; ties go down."""
    right = np.clip(np.searchsorted(levels, values), 0, levels.size - 1)
    left = np.clip(right - 1, 0, levels.size - 1)
    exact = levels[right] == values
    as_float = values.astype(np.float64)
    closer_left = np.abs(levels[left].astype(np.float64) - as_float) <= np.abs(
        levels[right].astype(np.float64) - as_float
    )
    return np.where(exact, right, np.where(closer_left, left, right))


def _temporal_unit(dtype):
    """Resolution of a datetime64/timedelta64 dtype (tz-aware included)."""
    return np.datetime_data(getattr(dtype, "base", dtype))[0]


def _temporal_to_int(series, kind, unit):
    """Integers in ``unit`` (UTC for tz-aware datetimes) and the NaT mask."""
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_convert("UTC").dt.tz_localize(None)
    base = "datetime64" if kind == "datetime" else "timedelta64"
    values = series.to_numpy(dtype=f"{base}[{unit}]")
    return values.view(np.int64), np.isnat(values)


def _is_multimodal(z):
    """Whether a standardised sample has at least two clear density peaks.

    A Gaussian kernel density estimate with Silverman's bandwidth (never
    narrower than the smallest gap between distinct values, so that integer
    lattices do not count as modes) is evaluated on a grid; the sample is
    multimodal when two peaks have a prominence of at least
    ``_AUTO_PROMINENCE`` times the highest density.
    """
    distinct = np.unique(z)
    if distinct.size < 3:
        return False
    q75, q25 = np.percentile(z, [75, 25])
    spread = min(z.std(), (q75 - q25) / 1.34) or z.std()
    bandwidth = max(0.9 * spread * z.size**-0.2, np.diff(distinct).min())
    grid = np.linspace(z.min() - 3 * bandwidth, z.max() + 3 * bandwidth, _AUTO_GRID)
    density = np.empty(_AUTO_GRID)
    step = max(1, (1 << 16) // max(z.size, 1))  # grid points per chunk: temporaries of ~0.5 MB
    for start in range(0, _AUTO_GRID, step):
        part = grid[start : start + step, None]
        density[start : start + step] = np.exp(-0.5 * ((part - z[None, :]) / bandwidth) ** 2).sum(axis=1)
    density = np.concatenate([[0.0], density / density.max(), [0.0]])
    peaks, _ = find_peaks(density, prominence=_AUTO_PROMINENCE)
    return peaks.size >= 2


def _category_codes(series, categories):
    """Position of each value in ``categories``; -1 for missing or unknown values."""
    index = pd.Index(list(categories), dtype=object)
    if isinstance(series.dtype, pd.CategoricalDtype):
        # Map the (few) categories, then the integer codes: no object array of the rows.
        lookup = np.append(index.get_indexer(series.cat.categories.to_numpy(dtype=object)), -1)
        codes = series.cat.codes.to_numpy()
        return lookup[np.where(codes < 0, len(lookup) - 1, codes)].astype(np.intp)
    return index.get_indexer(series.to_numpy(dtype=object)).astype(np.intp)


def _mode_log_density(z, spec):
    """Unnormalised log posterior of each active mode, shape (n, n_modes)."""
    diff = (z[:, None] - spec.mode_means[None, :]) / spec.mode_stds[None, :]
    return np.log(spec.mode_weights) - np.log(spec.mode_stds) - 0.5 * diff**2


class _KeptColumns:
    """Some encoded columns of a matrix, indexed by their encoded position.

    ``X[:, j]`` and ``X[:, a:b]`` (within the kept columns) read ``data``; the
    decoders never ask for the columns left out (their codes are given).
    """

    def __init__(self, data, keep, width):
        self.data = data
        self.position = np.full(width, -1, dtype=np.intp)
        self.position[np.asarray(keep)] = np.arange(len(keep))
        self.shape = (len(data), width)

    def __len__(self):
        return len(self.data)

    def __getitem__(self, key):
        rows, cols = key
        if isinstance(cols, slice):
            where = self.position[cols]
            if not len(where) or where.min() < 0 or (np.diff(where) != 1).any():
                raise IndexError(f"columns {cols} are not among the kept columns.")
            return self.data[rows, where[0] : where[-1] + 1]
        where = self.position[cols]
        if where < 0:
            raise IndexError(f"column {cols} is not among the kept columns.")
        return self.data[rows, where]


def _argmax_rows(group, chunk_size=8192):
    """``group.argmax(axis=1)`` by chunks of rows.

    On a column block of a wide matrix (a strided view) NumPy copies the whole
    block first: by chunks that copy stays small (6x faster for 100,000 x 1,000).
    """
    if len(group) <= chunk_size:
        return group.argmax(axis=1)
    out = np.empty(len(group), dtype=np.intp)
    for start in range(0, len(group), chunk_size):
        out[start : start + chunk_size] = group[start : start + chunk_size].argmax(axis=1)
    return out


class TabularEncoder(TransformerMixin, BaseEstimator):
    """Reversibly encode a mixed-type table into a numeric matrix.

    Numeric columns become one scaled value (and, with mode-specific
    normalisation, a one-hot mode indicator); boolean, string, object and
    category columns become one-hot groups; integer, datetime and timedelta
    columns are numeric and come back with their dtype; missing values get an
    indicator and come back as missing. :meth:`inverse_transform` turns an
    encoded matrix, or a decoder's soft output (probabilities instead of
    one-hot vectors), back into a table with the fitted columns, order,
    dtypes and categories.

    The layout of the encoded matrix is :attr:`output_layout_`: the blocks the
    neural models use to choose their output heads and per-block losses.

    Parameters
    ----------
    numeric : {"auto", "standard", "quantile", "mode", "discrete"} or dict, \
default="auto"
        How numeric (float, integer, datetime, timedelta) columns are encoded:

        - ``"standard"``: the z-score ``(x - mean) / std``;
        - ``"quantile"``: a :class:`~sklearn.preprocessing.QuantileTransformer`
          to a standard normal distribution;
        - ``"mode"``: mode-specific normalisation (CTGAN): a Bayesian Gaussian
          mixture is fitted to the column; a value becomes the scalar
          :math:`(x - \\mu_k) / (4 \\sigma_k)` for its most probable mode
          :math:`k`, followed by the one-hot vector of :math:`k`;
        - ``"discrete"``: one-hot over the observed values (float and integer
          columns), which come back exactly; an unseen value is encoded as
          the nearest observed one;
        - ``"auto"``: ``"discrete"`` for columns with few values, else
          ``"mode"`` for clearly multimodal columns and ``"standard"``
          otherwise (see Notes).

        A dict maps column names (``"x0"``, ``"x1"``, ... for arrays) to one
        of these methods; columns it does not name use ``"auto"``.
    max_modes : int, default=10
        Number of mixture components fitted per ``"mode"`` column; the
        components with a weight above 0.005 are kept.
    handle_unknown : {"ignore", "error"}, default="ignore"
        What :meth:`transform` does with a category unseen during ``fit``, or
        a missing value in a column that had none: ``"ignore"`` encodes an
        unknown category as an all-zero one-hot group and a missing number as
        the median without indicator; ``"error"`` raises a ``ValueError``.
    max_categories_warn : int or None, default=50
        Warn (``UserWarning``) when a categorical column has more levels than
        this, since each level is one output column. ``None`` never warns.
    point_masses : "auto", dict or None, default="auto"
        Values of a continuous numeric column that get their own component
        (a mixed encoding, as in CTAB-GAN+): the zeros of a zero-inflated
        amount, a sentinel, a heaped value. ``"auto"`` takes the (at most
        five) values that hold at least 5% of the observed rows; None takes
        none; a dict maps columns to a list of values (or ``"auto"``/None),
        unnamed columns use ``"auto"``.
    rounding : "auto", dict or None, default="auto"
        The precision of decoded numbers. ``"auto"`` learns, per numeric
        column, the coarsest grid ``m * 10**k`` (``m`` in 5, 2.5, 2, 1) that
        every value sits on (whole numbers, cents, multiples of 50) and the
        coarser round grids that hold at least 5% of the values each
        (heaping: amounts written to the thousand); see Notes. None does not
        round (integers are still whole); a dict maps columns to a step (a
        positive number) or ``"auto"``/None, unnamed columns use ``"auto"``.
    clip : bool, default=True
        Whether :meth:`inverse_transform` clips numeric values to the range
        observed during ``fit`` (of the continuous part: the values that are
        not point masses). Integers are always clipped to the range of their
        dtype.
    random_state : int, RandomState instance or None, default=None
        Seeds the subsampling, the mixtures and the quantile transformers.
    dtype : {"float64", "float32"}, default="float64"
        The dtype of :meth:`transform`'s output. skgen's models use
        ``"float32"`` (the precision of their networks): the encoded matrix is
        then built once, at half the memory, and not copied again.

    Attributes
    ----------
    columns_ : list of ColumnSpec
        What was learned about each input column, in input order: the kind,
        the method, the blocks, the categories and the fitted parameters.
    output_layout_ : tuple of Block
        Blocks partitioning the columns of the encoded matrix, in order, with
        ``column`` set to the input column name. Per input column: the value
        block (``"numeric"``, or ``"categorical"`` for a one-hot column), then
        the mode block (``"categorical"``), then the missing-indicator block
        (``"categorical"`` of width 2). There are no ``"binary"`` blocks.
    n_features_out_ : int
        Number of columns of the encoded matrix.
    n_features_in_ : int
        Number of features seen during :term:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    sklearn.preprocessing.OneHotEncoder : One-hot encoding of categorical features.
    sklearn.preprocessing.QuantileTransformer : Map features to a normal distribution.
    sklearn.compose.ColumnTransformer : Per-column transformers, without inverse.

    Notes
    -----
    **Column kinds.** ``bool``/``boolean`` columns and object columns of
    booleans are one-hot encoded with the levels ``(False, True)``; ``category``
    columns with their dtype's categories in dtype order (unobserved ones
    included); ``str``/``string`` columns and object columns of strings with
    the sorted observed values. Object columns of numbers, of mixed types or
    of other Python objects, complex, period, interval and sparse columns are
    rejected with a ``ValueError`` naming the column. A plain array is treated
    as a table of float columns ``x0, x1, ...``.

    **Datetimes and timedeltas** are integers in the dtype's unit (UTC for
    time-zone aware datetimes), offset by their minimum, then encoded like any
    numeric column; they come back rounded to the unit, with the unit and the
    time zone of the fitted dtype.

    **Missing values** (``NaN``, ``None``, ``pd.NA``, ``NaT``). A numeric
    column that had some during ``fit`` is encoded with its median in the
    value (and mode) block plus a ``"categorical"`` block
    ``[observed, missing]``; a categorical column gets an extra last level
    ``missing`` in its one-hot group. :meth:`inverse_transform` returns a
    missing value where the missing column has the largest value, so data
    generated by a model reproduce the learned missing rate.

    **Numeric columns: the automatic rules**, in order (each overridable per
    column by a dict in ``numeric``, ``point_masses`` or ``rounding``):

    1. *Discrete support.* A float or integer column with at most 20 distinct
       values, each seen 5 times on average, is ``"discrete"``: one
       ``"categorical"`` block over its values, decoded to exactly these
       values in the original dtype. So is a column of at most 255 distinct
       values seen 10 times each on average that fill at most a quarter of
       their rounding grid (rule 3) between their minimum and maximum, most
       of them off coarser round grids: a sparse set of heavily repeated
       values (rates from a rate card, speeds converted from knots) that a
       continuous part rounded to a grid would miss, while ages in whole
       years or amounts heaped on round thousands stay continuous.
    2. *Point masses.* Values holding at least 5% of the observed rows (at
       most five) become components of their own: the column gets a
       ``"categorical"`` block ``[mass_0, ..., mass_m, continuous modes]``
       (``name__mass<k>``, ``name__mode<k>``) and a mass row has the scalar 0.
       The continuous part (the other values) is encoded as below and
       clipped to its own range, so a zero-inflated amount decodes either to
       exactly 0 or to an amount within the observed non-zero range.
    3. *Precision.* The coarsest grid ``m * 10**k`` (``m`` in 5, 2.5, 2, 1, at
       most 10 significant digits; relative to the minimum for integers)
       that every value sits on is learned, and decoded values are rounded to
       it. Coarser round grids (multiples of the first) that hold at least 5%
       of the values each, twice the share chance would give, and of no
       coarser kept grid (at most four, from 50 values on; e.g.
       1000, 100 and 50 for amounts), add a ``"categorical"`` block of the
       precision of each value (``name__step<grid>``, ``name__step_fine``):
       a model learns which values are written round, and the decoded value
       is rounded to the grid its block selects.
    4. *Bounds.* With ``clip=True`` decoded values stay within the observed
       range.

    Every rule keeps the round trip exact: ``inverse_transform(transform(X))``
    gives back ``X`` for values on the learned grid.

    **Integers** are encoded relative to their minimum (the difference is
    computed in 64-bit integer arithmetic, then converted to float), and
    decoded by rounding and adding the minimum back in integer arithmetic:
    values near the int64 and uint64 limits come back exactly whenever the
    column's range is below 2**53 (and always for ``"discrete"`` columns).
    Means and variances are computed on values divided by their largest
    absolute value, so columns of magnitude up to 1e308 have finite codes.

    **Choice of "auto"** for the continuous part. It uses ``"mode"`` when it has at least
    50 observed values and a Gaussian kernel density estimate of (at most
    5000 subsampled) standardised values, with Silverman's bandwidth but never
    narrower than the smallest gap between distinct values, has at least two
    peaks whose prominence is at least 10% of the highest density; otherwise
    ``"standard"``. This costs one density evaluation on a 256-point grid per
    column; only the ``"mode"`` columns then fit a mixture, on at most 5000
    subsampled rows.

    **Inverse of soft values.** One-hot groups are decoded by argmax (an
    all-zero group, the encoding of an unknown category, gives the most
    frequent level), so softmax probabilities are valid input; the decoded
    categories are always fitted ones. Integers are rounded, numbers are
    rounded to their learned grid, and clipped to the fitted range when
    ``clip=True``.

    References
    ----------
    .. [1] L. Xu, M. Skoularidou, A. Cuesta-Infante and K. Veeramachaneni,
       "Modeling Tabular data using Conditional GAN", NeurIPS 2019.

    Examples
    --------
    >>> import pandas as pd
    >>> from skgen.preprocessing import TabularEncoder
    >>> df = pd.DataFrame({
    ...     "age": [23, 35, None, 51],
    ...     "species": pd.Categorical(["Adelie", "Gentoo", "Adelie", "Chinstrap"]),
    ...     "alive": [True, False, True, True],
    ... })
    >>> encoder = TabularEncoder().fit(df)
    >>> encoder.get_feature_names_out().tolist()
    ['age', 'age__observed', 'age__missing', 'species_Adelie', 'species_Chinstrap', \
'species_Gentoo', 'alive_False', 'alive_True']
    >>> [(b.kind, b.start, b.stop) for b in encoder.output_layout_]
    [('numeric', 0, 1), ('categorical', 1, 3), ('categorical', 3, 6), ('categorical', 6, 8)]
    >>> back = encoder.inverse_transform(encoder.transform(df))
    >>> back.dtypes.astype(str).tolist()
    ['float64', 'category', 'bool']
    >>> back["age"].tolist()
    [23.0, 35.0, nan, 51.0]
    """

    _parameter_constraints: dict = {
        "numeric": [StrOptions(set(NUMERIC_METHODS)), dict],
        "max_modes": [Interval(Integral, 1, None, closed="left")],
        "handle_unknown": [StrOptions({"error", "ignore"})],
        "max_categories_warn": [Interval(Integral, 1, None, closed="left"), None],
        "point_masses": [StrOptions({"auto"}), dict, None],
        "rounding": [StrOptions({"auto"}), dict, None],
        "clip": ["boolean"],
        "random_state": ["random_state"],
        "dtype": [StrOptions({"float64", "float32"})],
    }

    def __init__(
        self,
        numeric="auto",
        *,
        max_modes=10,
        handle_unknown="ignore",
        max_categories_warn=50,
        point_masses="auto",
        rounding="auto",
        clip=True,
        random_state=None,
        dtype="float64",
    ):
        self.numeric = numeric
        self.max_modes = max_modes
        self.handle_unknown = handle_unknown
        self.max_categories_warn = max_categories_warn
        self.point_masses = point_masses
        self.rounding = rounding
        self.clip = clip
        self.random_state = random_state
        self.dtype = dtype

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    # ------------------------------------------------------------------ input
    def _as_frame(self, X, *, reset):
        """Validate ``X`` and return it as a DataFrame with the fitted columns."""
        if reset:
            self._frame_input = isinstance(X, pd.DataFrame)
        if isinstance(X, pd.DataFrame) and self._frame_input:
            validate_data(self, X, skip_check_array=True, reset=reset)
            if reset:
                self._check_frame(X)
            return X
        if self._frame_input:  # fitted on a DataFrame, given something else
            validate_data(self, X, skip_check_array=True, reset=False)
            values = X if isinstance(X, np.ndarray) else np.asarray(X, dtype=object)
            return pd.DataFrame(values, columns=self._columns).infer_objects()
        X = validate_data(self, X, dtype=np.float64, ensure_all_finite="allow-nan", reset=reset)
        if reset:
            self._columns = pd.Index([f"x{i}" for i in range(X.shape[1])])
        return pd.DataFrame(X, columns=self._columns, copy=False)

    def _check_frame(self, X):
        name = type(self).__name__
        if X.shape[1] == 0 or X.shape[0] == 0:
            raise ValueError(f"{name} needs a non-empty DataFrame; got shape {X.shape}.")
        if not X.columns.is_unique:
            duplicated = X.columns[X.columns.duplicated()].unique().tolist()
            raise ValueError(f"{name} needs unique column names; duplicated: {duplicated}.")
        self._columns = X.columns

    def _column_error(self, column, problem):
        """A ``ValueError`` naming the estimator and the column."""
        return ValueError(f"{type(self).__name__}: column {column!r} {problem}")

    def _numeric_methods(self):
        """The requested method of each column (``"auto"`` unresolved)."""
        if isinstance(self.numeric, str):
            return dict.fromkeys(self._columns, self.numeric)
        unknown = [key for key in self.numeric if key not in self._columns]
        if unknown:
            raise ValueError(
                f"numeric names columns that are not in X: {unknown}; the columns are "
                f"{list(self._columns)}."
            )
        invalid = {k: v for k, v in self.numeric.items() if v not in NUMERIC_METHODS}
        if invalid:
            raise ValueError(
                f"numeric maps columns to unknown methods {invalid}; use one of "
                f"{list(NUMERIC_METHODS)}."
            )
        return {column: self.numeric.get(column, "auto") for column in self._columns}

    def _column_rules(self, name, value):
        """``{column: rule}`` for ``point_masses`` or ``rounding`` (unnamed: "auto")."""
        if not isinstance(value, dict):
            return dict.fromkeys(self._columns, value)
        unknown = [key for key in value if key not in self._columns]
        if unknown:
            raise ValueError(
                f"{name} names columns that are not in X: {unknown}; the columns are "
                f"{list(self._columns)}."
            )
        for column, rule in value.items():
            if rule is None or (isinstance(rule, str) and rule == "auto"):
                continue
            if name == "rounding":
                valid = isinstance(rule, Real) and not isinstance(rule, bool) and rule > 0
                expected = "a positive number, 'auto' or None"
            else:
                valid = not isinstance(rule, str) and np.ndim(rule) == 1
                valid = valid and all(isinstance(v, Real) for v in rule)
                expected = "a list of numbers, 'auto' or None"
            if not valid:
                raise ValueError(f"{name}[{column!r}] must be {expected}; got {rule!r}.")
        return {column: value.get(column, "auto") for column in self._columns}

    # -------------------------------------------------------------------- fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the encoding of every column of `X`.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The table. Arrays are treated as float columns.
        y : None
            Ignored.

        Returns
        -------
        self : TabularEncoder
            The fitted encoder.
        """
        frame = self._as_frame(X, reset=True)
        methods = self._numeric_methods()
        masses = self._column_rules("point_masses", self.point_masses)
        rounding = self._column_rules("rounding", self.rounding)
        rng = check_random_state(self.random_state)
        specs, start = [], 0
        for position, column in enumerate(self._columns):
            series = frame.iloc[:, position]
            kind = _column_kind(series, column, type(self).__name__)
            named = not isinstance(self.numeric, str) and column in self.numeric
            if named and kind in ("boolean", "categorical"):
                raise ValueError(
                    f"numeric sets a method for column {column!r}, which is {kind}, not numeric."
                )
            missing = series.isna().to_numpy()
            if missing.all():
                raise self._column_error(column, "has only missing values; drop it or fill it.")
            if kind in ("boolean", "categorical"):
                spec = self._fit_categorical(series, column, kind, missing, start)
            else:
                seed = rng.randint(_MAX_SEED)
                rules = (methods[column], masses[column], rounding[column])
                spec = self._fit_numeric(series, column, kind, rules, missing, start, seed)
            specs.append(spec)
            start = spec.blocks[-1].stop
        self.columns_ = specs
        self.output_layout_ = tuple(block for spec in specs for block in spec.blocks)
        self.n_features_out_ = start
        return self

    def _fit_categorical(self, series, column, kind, missing, start):
        dtype = series.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            categories = tuple(dtype.categories.tolist())
        elif kind == "boolean":
            categories = (False, True)
        else:
            categories = tuple(sorted(pd.unique(series[~missing]).tolist()))
        if self.max_categories_warn is not None and len(categories) > self.max_categories_warn:
            warnings.warn(
                f"{type(self).__name__}: column {column!r} has {len(categories)} categories "
                f"(more than max_categories_warn={self.max_categories_warn}); it becomes as many "
                "one-hot columns. Group rare levels or drop the column if memory runs out.",
                UserWarning,
                stacklevel=3,
            )
        has_missing = bool(missing.any())
        codes = _category_codes(series, categories)
        counts = np.bincount(codes[codes >= 0], minlength=len(categories))
        width = len(categories) + has_missing
        return ColumnSpec(
            name=column,
            dtype=dtype,
            kind=kind,
            method="onehot",
            value_block=Block("categorical", start, start + width, column),
            categories=categories,
            has_missing=has_missing,
            missing_rate=float(missing.mean()),
            missing_value=series[missing].iloc[0] if has_missing and dtype == object else None,
            most_frequent=int(counts.argmax()),
        )

    def _fit_numeric(self, series, column, kind, rules, missing, start, seed):
        method, mass_rule, step_rule = rules
        params = {}
        if kind in _TEMPORAL:
            unit = _temporal_unit(series.dtype)
            ints, _ = _temporal_to_int(series, kind, unit)
            offset = int(ints[~missing].min())
            values = (ints[~missing] - offset).astype(np.float64)
            params.update(offset=offset, unit=unit, tz=getattr(series.dtype, "tz", None))
        elif kind == "integer":
            ints = series[~missing].to_numpy(dtype=_numpy_dtype(series.dtype))
            params["offset"] = offset = int(ints.min())
            values = _integer_offset(ints, offset)
        else:
            values = series.to_numpy(dtype=np.float64, na_value=np.nan)[~missing]
        if not np.isfinite(values).all():
            raise self._column_error(
                column, "contains infinite values; replace them, e.g. by NaN."
            )
        if method == "discrete" and kind in _TEMPORAL:
            raise self._column_error(column, f"is {kind}; 'discrete' is for numbers.")
        distinct = np.unique(values)
        if method == "auto" and kind not in _TEMPORAL and _has_discrete_support(values, distinct, kind):
            method = "discrete"
        if method == "discrete":
            return self._fit_discrete(series, column, kind, missing, start)
        rng = np.random.RandomState(seed)
        masses = self._point_masses(values, distinct, mass_rule, params.get("offset", 0))
        continuous = values[~np.isin(values, masses)] if masses.size else values
        if continuous.size == 0:  # every value is a point mass
            masses, continuous = np.empty(0), values
        sample = continuous
        if continuous.size > _SUBSAMPLE:
            sample = continuous[rng.choice(continuous.size, _SUBSAMPLE, replace=False)]
        mean, std = _stable_moments(continuous)
        scale = std if std > 0 else 1.0
        if method == "auto":
            multimodal = continuous.size >= _AUTO_MIN_VALUES and _is_multimodal(
                (sample - mean) / scale
            )
            method = "mode" if multimodal else "standard"
        if method == "quantile":
            transformer = QuantileTransformer(
                n_quantiles=min(1000, continuous.size),
                output_distribution="normal",
                random_state=rng.randint(_MAX_SEED),
            )
            params["quantile_transformer"] = transformer.fit(continuous[:, None])
        stop = start + 1
        value_block = Block("numeric", start, stop, column)
        n_components = 1
        if method == "mode":
            params.update(self._fit_modes((sample - mean) / scale, rng.randint(_MAX_SEED)))
            n_components = params["mode_means"].size
        mode_block = None
        if method == "mode" or masses.size:
            mode_block = Block("categorical", stop, stop + masses.size + n_components, column)
            stop = mode_block.stop
        if step_rule == "auto":
            params["step"] = _find_grid(values, integer=kind != "float")
            offset = params.get("offset", 0)
            if kind in ("float", "integer") and abs(offset) < 2**53:
                params["coarse_steps"] = _coarse_steps(continuous + offset, params["step"])
        elif step_rule is not None:
            params["step"] = (float(step_rule), 1.0)
        if params.get("coarse_steps"):
            width = len(params["coarse_steps"]) + 1
            params["precision_block"] = Block("categorical", stop, stop + width, column)
            stop += width
        has_missing = bool(missing.any())
        missing_block = Block("categorical", stop, stop + 2, column) if has_missing else None
        return ColumnSpec(
            name=column,
            dtype=series.dtype,
            kind=kind,
            method=method,
            value_block=value_block,
            mode_block=mode_block,
            missing_block=missing_block,
            has_missing=has_missing,
            missing_rate=float(missing.mean()),
            mean=mean,
            scale=scale,
            minimum=float(continuous.min()),
            maximum=float(continuous.max()),
            fill=float(np.median(values)),
            masses=masses if masses.size else None,
            **params,
        )

    def _point_masses(self, values, distinct, rule, offset):
        """The point masses of a column (sorted, in the numeric representation)."""
        if rule is None:
            return np.empty(0)
        if isinstance(rule, str):  # "auto": the values holding at least 5% of the rows
            counts = np.unique(values, return_counts=True)[1]
            heavy = np.flatnonzero(counts >= _MASS_MIN_SHARE * values.size)
            heavy = heavy[np.argsort(-counts[heavy], kind="stable")][:_MAX_MASSES]
            return np.sort(distinct[heavy])
        return np.unique(np.asarray(rule, dtype=np.float64) - offset)

    def _fit_discrete(self, series, column, kind, missing, start):
        """A numeric column with few values: one-hot over its observed values."""
        observed = series[~missing]
        if kind == "integer":
            levels = np.unique(observed.to_numpy(dtype=_numpy_dtype(series.dtype)))
        else:
            levels = np.unique(observed.to_numpy(dtype=np.float64))
        codes = _nearest_level(levels, observed.to_numpy(dtype=levels.dtype))
        counts = np.bincount(codes, minlength=levels.size)
        has_missing = bool(missing.any())
        width = levels.size + has_missing
        return ColumnSpec(
            name=column,
            dtype=series.dtype,
            kind=kind,
            method="discrete",
            value_block=Block("categorical", start, start + width, column),
            categories=tuple(levels.tolist()),
            has_missing=has_missing,
            missing_rate=float(missing.mean()),
            minimum=float(levels[0]),
            maximum=float(levels[-1]),
            most_frequent=int(counts.argmax()),
        )

    def _fit_modes(self, z, seed):
        """Fit the Bayesian Gaussian mixture of a ``"mode"`` column."""
        n_distinct = np.unique(z).size
        if n_distinct < 2:  # a constant column: one mode, nothing to fit
            return {
                "mode_weights": np.ones(1),
                "mode_means": z[:1].copy(),
                "mode_stds": np.ones(1),
            }
        n_components = min(self.max_modes, n_distinct)
        mixture = BayesianGaussianMixture(
            n_components=n_components,
            weight_concentration_prior_type="dirichlet_process",
            weight_concentration_prior=1e-3,
            max_iter=100,
            random_state=seed,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            mixture.fit(z[:, None])
        active = np.flatnonzero(mixture.weights_ > _MODE_MIN_WEIGHT)
        if active.size == 0:
            active = np.array([mixture.weights_.argmax()])
        active = active[np.argsort(mixture.means_[active, 0])]
        weights = mixture.weights_[active]
        return {
            "mode_weights": weights / weights.sum(),
            "mode_means": mixture.means_[active, 0].copy(),
            "mode_stds": np.sqrt(mixture.covariances_[active].reshape(-1)),
        }

    # -------------------------------------------------------------- transform
    def transform(self, X):
        """Encode `X` into a float matrix laid out as :attr:`output_layout_`.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            A table with the columns seen during ``fit``.

        Returns
        -------
        Xt : ndarray of shape (n_samples, n_features_out_)
            The encoded data, of dtype :attr:`dtype`.
        """
        check_is_fitted(self)
        frame = self._as_frame(X, reset=False)
        out = np.zeros((frame.shape[0], self.n_features_out_), dtype=self.dtype)
        for position, spec in enumerate(self.columns_):
            series = frame.iloc[:, position]
            if spec.method == "onehot":
                self._encode_categorical(series, spec, out)
            elif spec.method == "discrete":
                self._encode_discrete(series, spec, out)
            else:
                self._encode_numeric(series, spec, out)
        return out

    def _encode_categorical(self, series, spec, out):
        missing = series.isna().to_numpy()
        codes = _category_codes(series, spec.categories)
        unknown = (codes < 0) & ~missing
        if spec.has_missing:
            codes[missing] = len(spec.categories)
        else:
            unknown |= missing
        if unknown.any() and self.handle_unknown == "error":
            values = pd.unique(series[unknown])[:5].tolist()
            raise self._column_error(
                spec.name,
                f"has values unseen during fit: {values}; "
                "set handle_unknown='ignore' to encode them as all zeros.",
            )
        rows = np.flatnonzero(~unknown)
        out[rows, spec.value_block.start + codes[rows]] = 1.0

    def _numeric_input(self, series, spec):
        """Values of a numeric column in its numeric representation, and the missing mask."""
        if spec.kind in _TEMPORAL:
            if (getattr(series.dtype, "tz", None) is None) != (spec.tz is None):
                raise self._column_error(
                    spec.name, f"was fitted with time zone {spec.tz} but has dtype {series.dtype}."
                )
            if _column_kind(series, spec.name, type(self).__name__) != spec.kind:
                raise self._column_error(
                    spec.name, f"was {spec.kind} during fit but has dtype {series.dtype}."
                )
            ints, missing = _temporal_to_int(series, spec.kind, spec.unit)
            return (ints - spec.offset).astype(np.float64), missing
        kind = _column_kind(series, spec.name, type(self).__name__)
        if kind not in ("float", "integer"):
            raise self._column_error(
                spec.name, f"was numeric during fit but has dtype {series.dtype}."
            )
        missing = series.isna().to_numpy()
        if kind == "integer" and spec.kind == "integer":
            ints = series.to_numpy(dtype=_numpy_dtype(series.dtype), na_value=0)
            return _integer_offset(ints, spec.offset), missing
        values = series.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
        if np.isinf(values).any():
            raise self._column_error(
                spec.name, "contains infinite values; replace them, e.g. by NaN."
            )
        return values - spec.offset if spec.offset else values, missing

    def _check_missing(self, missing, spec):
        if missing.any() and not spec.has_missing and self.handle_unknown == "error":
            raise self._column_error(
                spec.name,
                "has missing values but had none during fit; "
                "refit on data with missing values or set handle_unknown='ignore'.",
            )

    def _encode_discrete(self, series, spec, out):
        missing = series.isna().to_numpy()
        self._check_missing(missing, spec)
        levels = np.asarray(spec.categories, dtype=_numpy_dtype(spec.dtype))
        observed = series[~missing].to_numpy()
        if levels.dtype.kind in "iu" and observed.dtype.kind not in "iu":
            levels = levels.astype(np.float64)
        if observed.dtype.kind == "f" and np.isinf(observed).any():
            raise self._column_error(
                spec.name, "contains infinite values; replace them, e.g. by NaN."
            )
        codes = np.full(len(series), spec.most_frequent, dtype=np.intp)
        codes[~missing] = _nearest_level(levels, observed.astype(levels.dtype, copy=False))
        rows = np.arange(len(series))
        if spec.has_missing:
            codes[missing] = len(spec.categories)
        out[rows, spec.value_block.start + codes] = 1.0

    def _encode_numeric(self, series, spec, out):
        values, missing = self._numeric_input(series, spec)
        self._check_missing(missing, spec)
        values[missing] = spec.fill
        raw = values
        n_masses = 0 if spec.masses is None else spec.masses.size
        component = np.full(len(values), n_masses)
        if n_masses:
            position = np.clip(np.searchsorted(spec.masses, values), 0, n_masses - 1)
            is_mass = spec.masses[position] == values
            component[is_mass] = position[is_mass]
            values = np.where(is_mass, spec.mean, values)  # the scalar of a mass is 0
        column = spec.value_block.start
        if spec.method == "quantile":
            out[:, column] = spec.quantile_transformer.transform(values[:, None])[:, 0]
        elif spec.method == "mode":
            z = values / spec.scale - spec.mean / spec.scale
            mode = _mode_log_density(z, spec).argmax(axis=1)
            out[:, column] = (z - spec.mode_means[mode]) / (_MODE_SCALE * spec.mode_stds[mode])
            component = np.where(component < n_masses, component, n_masses + mode)
        else:
            out[:, column] = values / spec.scale - spec.mean / spec.scale
        if n_masses:
            out[component < n_masses, column] = 0.0
        rows = np.arange(len(values))
        if spec.mode_block is not None:
            out[rows, spec.mode_block.start + component] = 1.0
        if spec.precision_block is not None:
            level = _precision_level(raw + spec.offset, spec.coarse_steps)
            out[rows, spec.precision_block.start + level] = 1.0
        if spec.missing_block is not None:
            out[:, spec.missing_block.start] = ~missing
            out[:, spec.missing_block.start + 1] = missing

    # ------------------------------------------------------ inverse_transform
    def inverse_transform(self, X):
        """Decode an encoded (or softly encoded) matrix back into a table.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_out_)
            Encoded data, e.g. the output of :meth:`transform`, or a decoder's
            output after its activations: one-hot groups may hold
            probabilities (they are decoded by argmax).

        Returns
        -------
        X_original : DataFrame or ndarray of shape (n_samples, n_features_in_)
            A DataFrame with the fitted columns, order, dtypes and categories
            when ``fit`` saw a DataFrame; a float64 array otherwise.
        """
        check_is_fitted(self)
        X = check_array(X, dtype=[np.float64, np.float32])  # no float64 copy of wide codes
        if X.shape[1] != self.n_features_out_:
            raise ValueError(
                f"X has {X.shape[1]} columns, but {type(self).__name__} encodes to "
                f"{self.n_features_out_}."
            )
        return self._decode_columns(X)

    def _inverse_transform_codes(self, X, keep, codes):
        """:meth:`inverse_transform` of a matrix without some one-hot blocks, given their codes.

        ``X`` holds the encoded columns ``keep`` (in order; finite, unchecked) and
        ``codes`` maps the start of each missing block (the value block of a categorical
        or discrete column) to the index of every row's level in it (the missing
        level last), e.g. drawn from a model's softmax: no one-hot matrix of a
        thousand-level column is needed.
        """
        check_is_fitted(self)
        return self._decode_columns(_KeptColumns(X, keep, self.n_features_out_), codes)

    def _decode_columns(self, X, codes=None):
        codes = codes or {}
        decoders = {"onehot": self._decode_categorical, "discrete": self._decode_discrete}
        columns = []
        for spec in self.columns_:
            if spec.value_block.start in codes:
                columns.append(decoders[spec.method](X, spec, codes[spec.value_block.start]))
            else:
                columns.append(decoders.get(spec.method, self._decode_numeric)(X, spec))
        if not self._frame_input:
            return np.column_stack(columns).astype(np.float64, copy=False)
        frame = pd.DataFrame(dict(enumerate(columns)))
        frame.columns = self._columns
        return frame

    @staticmethod
    def _value_codes(X, spec, codes):
        """The level index of every row: ``codes`` when given, else the block's argmax."""
        if codes is not None:
            return np.array(codes, dtype=np.intp)
        group = X[:, spec.value_block.slice]
        codes = _argmax_rows(group)
        codes[~group.any(axis=1)] = spec.most_frequent
        return codes

    def _decode_categorical(self, X, spec, codes=None):
        codes = self._value_codes(X, spec, codes)
        missing = codes == len(spec.categories)
        if isinstance(spec.dtype, pd.CategoricalDtype):
            codes[missing] = -1
            return pd.Series(pd.Categorical.from_codes(codes, dtype=spec.dtype))
        levels = np.empty(len(spec.categories) + 1, dtype=object)
        levels[:-1] = spec.categories
        levels[-1] = spec.missing_value  # None or NaN as fit saw them; NA in extension arrays
        values = levels[codes]
        if spec.dtype == object:
            return pd.Series(values, dtype=object)
        return pd.Series(pd.array(values, dtype=spec.dtype))

    def _decode_discrete(self, X, spec, codes=None):
        codes = self._value_codes(X, spec, codes)
        missing = codes == len(spec.categories)
        codes[missing] = 0
        levels = np.asarray(spec.categories, dtype=_numpy_dtype(spec.dtype))
        values = levels[codes]
        if not self._frame_input:
            values = values.astype(np.float64)
            values[missing] = np.nan
            return values
        series = pd.Series(values).astype(spec.dtype)
        return series.mask(missing) if missing.any() else series

    def _decode_numeric(self, X, spec):
        scalar = X[:, spec.value_block.start].astype(np.float64)
        n_masses = 0 if spec.masses is None else spec.masses.size
        component = None
        if spec.mode_block is not None:
            component = _argmax_rows(X[:, spec.mode_block.slice])
        if spec.method == "quantile":
            values = spec.quantile_transformer.inverse_transform(scalar[:, None])[:, 0]
        elif spec.method == "mode":
            mode = np.clip(component - n_masses, 0, None)
            z = scalar * _MODE_SCALE * spec.mode_stds[mode] + spec.mode_means[mode]
            values = z * spec.scale + spec.mean
        else:
            values = scalar * spec.scale + spec.mean
        if self.clip:
            values = np.clip(values, spec.minimum, spec.maximum)
        if spec.precision_block is not None:
            level = _argmax_rows(X[:, spec.precision_block.slice])
            for index, step in enumerate(spec.coarse_steps):
                rows = level == index
                coarse = np.rint((values[rows] + spec.offset) / step) * step - spec.offset
                values[rows] = np.clip(coarse, spec.minimum, spec.maximum) if self.clip else coarse
        if spec.step is not None:
            values = _round_to_grid(values, spec.step)
        if n_masses:
            is_mass = component < n_masses
            values = np.where(is_mass, spec.masses[np.clip(component, 0, n_masses - 1)], values)
        missing = np.zeros(len(values), dtype=bool)
        if spec.missing_block is not None:
            missing = _argmax_rows(X[:, spec.missing_block.slice]) == 1
        if not self._frame_input:
            values[missing] = np.nan
            return values
        if spec.kind in _TEMPORAL:
            return self._temporal_series(values, missing, spec)
        if spec.kind == "integer":
            values = self._integers(values, spec)
        series = pd.Series(values).astype(spec.dtype)
        return series.mask(missing) if missing.any() else series

    @staticmethod
    def _integers(values, spec):
        """Offset floats back to the integer dtype, exactly (int64 extremes included)."""
        dtype = _numpy_dtype(spec.dtype)
        info = np.iinfo(dtype)
        lower, upper = float(info.min - spec.offset), float(info.max - spec.offset)
        values = np.clip(np.rint(values), lower, np.nextafter(upper, -np.inf))
        base = min(0, int(values.min())) if values.size else 0  # below the offset (clip=False)
        return _restore_integers(values - base, spec.offset + base, dtype)

    def _temporal_series(self, values, missing, spec):
        ints = np.rint(values)
        ints = np.clip(ints, -(2.0**62), 2.0**62).astype(np.int64) + spec.offset
        base = "datetime64" if spec.kind == "datetime" else "timedelta64"
        stamps = ints.view(f"{base}[{spec.unit}]")
        stamps[missing] = np.array("NaT", dtype=stamps.dtype)
        series = pd.Series(stamps)
        if spec.tz is not None:
            series = series.dt.tz_localize("UTC").dt.tz_convert(spec.tz)
        return series.astype(spec.dtype)

    def __getstate__(self):
        """Plain data only (column labels as a list, dtypes by name), so skops can load it."""
        from ..utils._persistence import encode_dtype, to_plain

        state = dict(super().__getstate__())
        if isinstance(state.get("_columns"), pd.Index):
            state["_columns"] = {"labels": to_plain(state["_columns"].tolist()),
                                 "dtype": encode_dtype(state["_columns"].dtype)}
        if state.get("columns_") is not None:
            state["columns_"] = [replace(spec, dtype=encode_dtype(spec.dtype)) for spec in state["columns_"]]
        return state

    def __setstate__(self, state):
        from ..utils._persistence import decode_dtype

        state = dict(state)
        state.setdefault("dtype", "float64")  # encoders pickled before the parameter existed
        if isinstance(state.get("_columns"), dict):
            columns = state["_columns"]
            state["_columns"] = pd.Index(columns["labels"], dtype=decode_dtype(columns["dtype"]))
        if state.get("columns_") is not None:
            state["columns_"] = [replace(spec, dtype=decode_dtype(spec.dtype)) for spec in state["columns_"]]
        super().__setstate__(state)

    def get_feature_names_out(self, input_features=None):
        """Get the names of the encoded columns.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names; by default ``feature_names_in_``, or
            ``x0, x1, ...`` when ``fit`` saw no names.

        Returns
        -------
        feature_names_out : ndarray of str objects
            ``name`` for a numeric value, ``name__mode<k>`` for mixture modes,
            ``name__observed``/``name__missing`` for missing indicators,
            ``name_<level>`` for one-hot levels and ``name__missing`` for the
            missing level of a categorical column.
        """
        check_is_fitted(self)
        names = _check_feature_names_in(self, input_features)
        out = [
            feature
            for name, spec in zip(names, self.columns_, strict=True)
            for feature in spec.feature_names(name)
        ]
        return np.asarray(out, dtype=object)
