"""Training on data larger than memory: ``partial_fit`` over chunks.

A source of chunks is a parquet file or directory (read one row group at a time
with pyarrow, ``pip install "skgen[parquet]"``), a dask DataFrame (one partition
at a time, ``pip install "skgen[dask]"``), a callable returning an iterable of
chunks, or a list of arrays/DataFrames.

:func:`partial_fit_chunks` makes two kinds of passes:

1. a first pass draws a uniform sample of rows from *all* chunks (reservoir
   sampling, memory bounded by ``sample_size`` plus one chunk); the estimator is
   initialised on it with one ``partial_fit``, which fits the input statistics
   (the centring and scale of the network's input, a ``TabularEncoder``'s
   categories and quantiles) on rows spread over the whole data set rather than
   on the first chunk, which may be sorted or otherwise unrepresentative;
2. ``n_epochs`` passes call ``partial_fit`` on each chunk in a random order (for
   parquet, the row groups are shuffled), ``chunks_per_step`` chunks at a time
   whose rows are shuffled together.

Peak memory is ``chunks_per_step`` chunks plus the sample plus the model, whatever
the number of rows.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state

__all__ = ["iter_chunks", "partial_fit_chunks", "sample_rows"]


def _parquet_files(path):
    path = Path(path)
    return sorted(path.rglob("*.parquet")) if path.is_dir() else [path]


def iter_chunks(source, *, columns=None, random_state=None):
    """Iterate over the chunks of a source, in a random order if ``random_state`` is given.

    Parameters
    ----------
    source : str, path, dask DataFrame, callable or list
        A parquet file or directory (one chunk per row group), a dask
        DataFrame (one chunk per partition), a callable returning an iterable
        of chunks, or a list of chunks.
    columns : list of str, default=None
        Columns to read from parquet (all by default).
    random_state : int, RandomState instance or None, default=None
        None keeps the stored order; otherwise the parquet row groups, dask
        partitions or list items are visited in a random order.

    Yields
    ------
    chunk : DataFrame or ndarray
    """
    rng = None if random_state is None else check_random_state(random_state)

    def order(n):
        return np.arange(n) if rng is None else rng.permutation(n)

    if isinstance(source, (str, PathLike)):
        try:
            import pyarrow.parquet as pq
        except ImportError as exc:  # pragma: no cover
            raise ImportError(
                'Reading parquet needs pyarrow: pip install "skgen[parquet]".'
            ) from exc
        files = [pq.ParquetFile(f) for f in _parquet_files(source)]
        groups = [(f, g) for f in files for g in range(f.num_row_groups)]
        for i in order(len(groups)):
            file, group = groups[i]
            yield file.read_row_group(group, columns=columns).to_pandas()
    elif hasattr(source, "npartitions") and hasattr(source, "get_partition"):  # dask
        for i in order(source.npartitions):
            yield source.get_partition(int(i)).compute()
    elif callable(source):
        yield from source()
    else:
        chunks = list(source)
        for i in order(len(chunks)):
            yield chunks[i]


def _take(chunk, index):
    return chunk.iloc[index] if hasattr(chunk, "iloc") else np.asarray(chunk)[index]


def _concat(parts):
    if hasattr(parts[0], "iloc"):
        return pd.concat(parts, ignore_index=True)
    return np.concatenate([np.asarray(p) for p in parts])


def sample_rows(source, n_samples, *, columns=None, random_state=None):
    """A uniform sample of rows from all chunks of ``source``, in one pass.

    Each row gets a uniform random key and the ``n_samples`` rows with the
    smallest keys are kept (reservoir sampling): memory stays at
    ``n_samples`` rows plus one chunk.

    Parameters
    ----------
    source : see :func:`iter_chunks`
    n_samples : int
        Rows to keep (all rows if the source has fewer).
    columns : list of str, default=None
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    sample : DataFrame or ndarray
        In the container of the chunks.
    """
    rng = check_random_state(random_state)
    kept, keys = None, np.empty(0)
    for chunk in iter_chunks(source, columns=columns):
        chunk_keys = rng.uniform(size=len(chunk))
        if kept is not None and len(keys) >= n_samples:
            threshold = keys.max()
            candidates = np.flatnonzero(chunk_keys < threshold)
        else:
            candidates = np.arange(len(chunk))
        if not len(candidates):
            continue
        part = _take(chunk, candidates)
        kept = part if kept is None else _concat([kept, part])
        keys = np.concatenate([keys, chunk_keys[candidates]])
        if len(keys) > n_samples:
            best = np.argpartition(keys, n_samples - 1)[:n_samples]
            best.sort()
            kept, keys = _take(kept, best), keys[best]
            if hasattr(kept, "reset_index"):
                kept = kept.reset_index(drop=True)
    if kept is None:
        raise ValueError("The source has no rows.")
    return kept


def partial_fit_chunks(estimator, source, *, n_epochs=1, sample_size=10_000,
                       chunks_per_step=4, columns=None, random_state=None):
    """Train ``estimator`` on chunks of data that need not fit in memory together.

    Parameters
    ----------
    estimator : skgen estimator
        Unfitted (or fitted, to continue training: then no sample is drawn).
    source : str, path, dask DataFrame, callable or list
        See :func:`iter_chunks`.
    n_epochs : int, default=1
        Passes over all chunks after the initialisation.
    sample_size : int, default=10_000
        Rows of the first-pass sample on which the input statistics are fitted.
    chunks_per_step : int, default=4
        Chunks concatenated for each ``partial_fit`` (whose rows it shuffles),
        for mixing when the stored order is not random (a table sorted by time
        drifts from chunk to chunk), at the cost of that many chunks in memory.
        On such a table (``benchmarks/scaling.py stream``), one chunk per step
        ends 1.2 to 22 times worse than an in-memory fit (the model follows the
        last chunks); four chunks per step end within 12% of it.
    columns : list of str, default=None
        Columns read from parquet.
    random_state : int, RandomState instance or None, default=None
        Seeds the sample and the order of the chunks (the estimator keeps its
        own ``random_state`` for weights and batches).

    Returns
    -------
    estimator : the trained estimator
    """
    rng = check_random_state(random_state)
    if not hasattr(estimator, "net_"):
        sample = sample_rows(source, sample_size, columns=columns, random_state=rng)
        estimator.partial_fit(sample)
    for _ in range(n_epochs):
        buffer = []
        for chunk in iter_chunks(source, columns=columns, random_state=rng):
            if len(chunk):
                buffer.append(chunk)
            if len(buffer) == chunks_per_step:
                estimator.partial_fit(_concat(buffer) if len(buffer) > 1 else buffer[0])
                buffer = []
        if buffer:
            estimator.partial_fit(_concat(buffer) if len(buffer) > 1 else buffer[0])
    return estimator
