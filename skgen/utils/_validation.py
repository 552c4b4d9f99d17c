"""Input and output checks shared by the estimators (private).

* columns: a fitted DataFrame's column list (any name type) and, for numeric
  frames, its columns and dtypes, so outputs in data space come back in the
  container seen in ``fit``;
* numbers: scales computed without overflow, and outputs that are never
  silently non-finite.
"""

from __future__ import annotations

import numpy as np

from ..exceptions import NonFiniteOutputError

# Beyond these magnitudes the naive variance over- or underflows float64.
_SAFE_RANGE = (1e-100, 1e100)


def _is_frame(X):
    return hasattr(X, "columns") and hasattr(X, "dtypes") and hasattr(X, "iloc")


def _column_list(X):
    """The column names of a DataFrame as a plain list, else None."""
    if not _is_frame(X):
        return None
    return list(X.columns.tolist())


def _frame_spec(X):
    """``(columns, dtypes)`` of a DataFrame (dtypes as strings, plain data), else None."""
    if not _is_frame(X):
        return None
    return (list(X.columns.tolist()), [str(dtype) for dtype in X.dtypes])


def _to_frame(X, columns, dtypes):
    """An ndarray in data space -> DataFrame with the fitted columns and dtypes.

    Integer columns are rounded and clipped to their dtype's range.
    """
    import pandas as pd

    series = {}
    for j, dtype in enumerate(dtypes):
        values = np.asarray(X[:, j], dtype=np.float64)
        dtype = pd.api.types.pandas_dtype(dtype)
        if pd.api.types.is_integer_dtype(dtype):
            numpy_dtype = np.dtype(getattr(dtype, "numpy_dtype", dtype))
            info = np.iinfo(numpy_dtype)
            high = float(info.max)
            if high > info.max:  # 2**63 and 2**64 are not representable
                high = np.nextafter(high, 0.0)
            values = np.clip(np.rint(values), float(info.min), high).astype(numpy_dtype)
        series[j] = pd.Series(values).astype(dtype)
    frame = pd.DataFrame(series)
    frame.columns = pd.Index(columns)
    return frame


def _check_has_features(estimator, X):
    """A 2-D input with no column gets a clear error (not numpy's concatenation one)."""
    shape = getattr(X, "shape", None)
    if shape is not None and len(shape) == 2 and shape[1] == 0:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={tuple(shape)}) while a minimum of 1 is "
            f"required by {type(estimator).__name__}."
        )


def _has_non_numeric_values(X, exc):
    """Whether a conversion error comes from non-numeric values (strings, dates...)."""
    if _is_frame(X):
        import pandas as pd

        return any(
            not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
            for dtype in X.dtypes
        )
    dtype = getattr(X, "dtype", None)
    if dtype is not None and dtype.kind in "USMmV":
        return True
    return "could not convert" in str(exc) or "DType" in type(exc).__name__


def _row_chunks(X, elements=1 << 16):
    """Slices of rows of ``X`` holding about ``elements`` values each (at least one row).

    Full-size temporaries (a float64 copy, a centred copy) are then a few MB
    whatever the size of ``X``.
    """
    n = len(X)
    width = int(np.prod(X.shape[1:])) if X.ndim > 1 else 1
    step = max(1, elements // max(width, 1))
    return [slice(start, start + step) for start in range(0, n, step)]


def _stable_moments(X):
    """Per-feature mean, root mean variance and per-feature std, without overflow.

    Values beyond about 1e154 overflow a naive variance (and below 1e-154 it
    underflows to 0): the data are then divided by their largest magnitude
    first. Within a safe range the naive formulas are used unchanged. Computed
    in float64 by chunks of rows (no full-size copy of ``X``).
    """
    X = np.asarray(X)
    chunks = _row_chunks(X)
    peak = max((float(np.abs(X[c]).max()) for c in chunks), default=0.0) if X.size else 0.0
    divisor = 1.0 if peak == 0.0 or _SAFE_RANGE[0] <= peak <= _SAFE_RANGE[1] else peak
    n = max(len(X), 1)
    total = np.zeros(X.shape[1:])
    for c in chunks:
        total += (np.asarray(X[c], dtype=np.float64) / divisor).sum(axis=0)
    mean = total / n
    squares = np.zeros(X.shape[1:])
    for c in chunks:
        part = np.array(X[c], dtype=np.float64)
        part /= divisor
        part -= mean
        part *= part
        squares += part.sum(axis=0)
        del part  # freed before the next chunk is allocated
    var = squares / n
    if len(X) == 0:
        mean, var = np.full(X.shape[1:], np.nan), np.full(X.shape[1:], np.nan)
    with np.errstate(over="ignore"):
        return mean * divisor, float(np.sqrt(var.mean()) * divisor), np.sqrt(var) * divisor


def _all_finite(values):
    """``np.isfinite(values).all()`` by chunks of rows (no boolean array of the whole).

    Each chunk's sum is checked first (NaN and inf propagate to it); only a chunk whose
    sum is not finite, which can also be an overflow of finite values, is checked
    value by value.
    """
    if values.ndim == 0:
        return bool(np.isfinite(values))
    for rows in _row_chunks(values):
        chunk = values[rows]
        with np.errstate(over="ignore", invalid="ignore"):
            if np.isfinite(chunk.sum()):
                continue
        if not np.isfinite(chunk).all():
            return False
    return True


def _check_finite_output(estimator, values, what="outputs"):
    """Raise :class:`NonFiniteOutputError` rather than return NaN or inf."""
    values = np.asarray(values)
    if values.dtype.kind in "fc" and not _all_finite(values):
        scale = getattr(estimator, "_input_scale", None)
        scale = "" if scale is None or not len(scale) else f" (input scale {float(np.max(scale)):g})"
        raise NonFiniteOutputError(
            f"{type(estimator).__name__}: the {what} are not finite: they overflow float64 in "
            f"the units of X{scale}. Rescale the training data (e.g. StandardScaler, or "
            "divide by a constant) and fit again."
        )
    return values
