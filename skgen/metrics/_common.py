"""Input handling shared by the metrics: align tables and encode them."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_array

from ..preprocessing import TabularEncoder
from ..preprocessing._tabular import _column_kind, _temporal_to_int, _temporal_unit

_NUMERIC_KINDS = ("float", "integer", "datetime", "timedelta")
_FAMILIES = {
    "float": "number",
    "integer": "number",
    "datetime": "datetime",
    "timedelta": "timedelta",
    "boolean": "categorical",
    "categorical": "categorical",
}


def _to_frame(data, columns=None):
    """A DataFrame view of ``data`` (arrays get ``columns`` or ``x0, x1, ...``)."""
    if isinstance(data, pd.DataFrame):
        return data
    values = check_array(data, dtype=None, ensure_all_finite="allow-nan")
    if columns is None or len(columns) != values.shape[1]:
        columns = [f"x{i}" for i in range(values.shape[1])]
    return pd.DataFrame(values, columns=columns).infer_objects()


def _prepare(**datasets):
    """Validate and align tables given by keyword (the first is the reference).

    All tables must have the same columns; they are reordered like the
    reference. Categorical columns (booleans, strings, categories) are
    converted to one shared ``category`` dtype over the union of levels, so
    that every table encodes them identically.

    Returns
    -------
    frames : list of DataFrame
        The aligned tables, in the order given.
    kinds : dict
        ``"numeric"`` or ``"categorical"`` for each column.
    """
    names = list(datasets)
    reference = _to_frame(datasets[names[0]])
    frames = [reference]
    for name in names[1:]:
        frame = _to_frame(datasets[name], reference.columns)
        missing = [c for c in reference.columns if c not in frame.columns]
        extra = [c for c in frame.columns if c not in reference.columns]
        if missing or extra:
            raise ValueError(
                f"{name} must have the columns of {names[0]}; missing {missing}, "
                f"unexpected {extra}."
            )
        frames.append(frame[reference.columns])
    for name, frame in zip(names, frames, strict=True):
        if frame.shape[0] == 0 or frame.shape[1] == 0:
            raise ValueError(f"{name} is empty (shape {frame.shape}).")
    frames = [frame.copy(deep=False) for frame in frames]  # copy-on-write: columns get replaced
    kinds = {}
    for column in reference.columns:
        found = {
            _FAMILIES[_column_kind(frame[column], column, "skgen.metrics")]
            for frame in frames
            if frame[column].notna().any()
        }
        if len(found) > 1:
            dtypes = {
                name: str(frame[column].dtype) for name, frame in zip(names, frames, strict=True)
            }
            raise ValueError(f"Column {column!r} has incompatible dtypes across tables: {dtypes}.")
        family = found.pop() if found else "categorical"
        kinds[column] = "categorical" if family == "categorical" else "numeric"
        if family in ("datetime", "timedelta"):  # one unit, so ticks compare
            unit = next(
                _temporal_unit(frame[column].dtype)
                for frame in frames
                if _FAMILIES[_column_kind(frame[column], column, "skgen.metrics")] == family
            )
            for frame in frames:
                if _FAMILIES[_column_kind(frame[column], column, "skgen.metrics")] == family:
                    frame[column] = frame[column].dt.as_unit(unit)
        if family == "number":  # an all-missing column of another dtype becomes float
            for frame in frames:
                empty = not frame[column].notna().any()
                if (
                    empty
                    and _column_kind(frame[column], column, "skgen.metrics") not in _NUMERIC_KINDS
                ):
                    frame[column] = np.nan
    categorical = [column for column, kind in kinds.items() if kind == "categorical"]
    for column in categorical:
        levels = pd.unique(pd.concat([frame[column].dropna().astype(object) for frame in frames]))
        dtype = pd.CategoricalDtype(levels)
        for frame in frames:
            frame[column] = pd.Categorical(frame[column].astype(object), dtype=dtype)
    return frames, kinds


def _numeric_values(series):
    """Float values of a numeric column (temporal ones as integer ticks), NaN if missing."""
    kind = _column_kind(series, series.name)
    if kind in ("datetime", "timedelta"):
        ints, missing = _temporal_to_int(series, kind, _temporal_unit(series.dtype))
        values = ints.astype(np.float64)
        values[missing] = np.nan
        return values
    return series.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)


def _category_codes(series):
    """Integer codes of an aligned categorical column, the missing level last."""
    codes = series.cat.codes.to_numpy().astype(np.intp)
    codes[codes < 0] = len(series.cat.categories)
    return codes


def _encoder():
    """The encoder of the metrics: z-scores and one-hot groups."""
    return TabularEncoder(
        numeric="standard",
        handle_unknown="ignore",
        max_categories_warn=None,
        point_masses=None,
        rounding=None,
    )


def _encode(frames):
    """Encode aligned tables into float matrices with one encoder fitted on all."""
    encoder = _encoder().fit(pd.concat(frames, ignore_index=True))
    return [encoder.transform(frame) for frame in frames]


def _row_hashes(frame, kinds):
    """One 64-bit hash per row; equal rows (missing values included) hash equally."""
    parts = []
    for column, kind in kinds.items():
        if kind == "numeric":
            values = _numeric_values(frame[column])
            missing = np.isnan(values)
            parts += [np.where(missing, 0.0, values) + 0.0, missing]  # + 0.0: -0.0 -> 0.0
        else:
            parts.append(_category_codes(frame[column]))
    table = pd.DataFrame(dict(enumerate(parts)))
    return pd.util.hash_pandas_object(table, index=False).to_numpy()
