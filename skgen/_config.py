"""Global configuration of skgen (scikit-learn's ``set_config`` idiom).

Only one setting today: ``n_threads``, the intra-op threads of PyTorch (and of
NumPy's BLAS) while an skgen estimator fits, transforms or samples.

Why skgen chooses them: PyTorch starts as many intra-op threads as there are
cores. The networks skgen trains on tables are small (tens of thousands of
parameters, batches of a hundred rows): a matrix product takes microseconds,
and splitting it over threads gains little on an idle machine but costs a
great deal on a busy one, since every operation waits at a barrier for its
slowest thread and a thread that lost its core to another process stalls them
all (a VAE fit on 3,000 rows took 15 times longer than with one thread beside
other work). With ``n_threads="auto"`` (the default) skgen therefore uses one
thread for small networks and grows with the work of one optimiser step, never
beyond the cores this process may run on. The count depends only on the work and the cores available to the
process (never on the machine's current load), so a fixed ``random_state`` gives
the same result from run to run. The caller's
``torch.get_num_threads()`` is restored when the method returns or raises.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from numbers import Integral

import torch

__all__ = ["config_context", "get_config", "set_config"]

_global_config = {"n_threads": "auto"}
_local = threading.local()

# One more thread per this many floating-point operations of one step
# (forward and backward of a batch: about 6 * batch_size * n_parameters).
# A conservative choice, not a tuned one: a step of 2e8 operations takes about
# 10-20 ms on one core, long enough for a second thread to pay for its
# synchronisation; skgen's default networks on tables (tens of thousands of
# parameters, batches of 64-128) stay far below it, i.e. on one thread.
# Raised to 5e9 after measuring that ParametricTSNE/ParametricUMAP (about 1e9
# operations per step of 1,024 edges) gave results differing by ~1e-6 between two
# fits with the same random_state when they ran on two threads: reproducibility
# comes first, so only networks far larger than skgen's defaults get more threads.
FLOPS_PER_THREAD = 5e9


def _get_threadlocal_config():
    if not hasattr(_local, "config"):
        _local.config = _global_config.copy()
    return _local.config


def get_config():
    """Retrieve the current skgen configuration.

    Returns
    -------
    config : dict
        Keys are the parameter names of :func:`set_config`.

    See Also
    --------
    config_context : Context manager for the configuration.
    set_config : Set the configuration.

    Examples
    --------
    >>> import skgen
    >>> skgen.get_config()["n_threads"]
    'auto'
    """
    return _get_threadlocal_config().copy()


def _check_n_threads(n_threads):
    if n_threads == "auto" or n_threads is None:
        return "auto"
    if isinstance(n_threads, Integral) and not isinstance(n_threads, bool) and (
        n_threads >= 1 or n_threads == -1
    ):
        return int(n_threads)
    raise ValueError(
        "n_threads must be 'auto', a positive integer or -1 (all available cores); "
        f"got {n_threads!r}."
    )


def set_config(n_threads=None):
    """Set the global skgen configuration.

    Parameters
    ----------
    n_threads : "auto", int or None, default=None
        Intra-op threads of PyTorch (and threads of NumPy's BLAS) while skgen
        estimators fit, transform and sample; the caller's settings are restored
        afterwards.

        - ``"auto"`` (the initial value): one thread for small networks, more as
          the work of one step grows (about one per 5e9 floating-point operations),
          never more than the cores available to this process (not
          the machine's load, so results do not depend on what else runs);
        - a positive integer: that many threads;
        - ``-1``: every core available to this process.

        None leaves the setting unchanged.

    See Also
    --------
    config_context : Context manager for the configuration.
    get_config : Retrieve the current configuration.

    Examples
    --------
    >>> import skgen
    >>> skgen.set_config(n_threads=1)
    >>> skgen.get_config()["n_threads"]
    1
    >>> skgen.set_config(n_threads="auto")
    """
    config = _get_threadlocal_config()
    if n_threads is not None:
        config["n_threads"] = _check_n_threads(n_threads)


@contextlib.contextmanager
def config_context(*, n_threads=None):
    """Context manager for the global skgen configuration.

    Parameters
    ----------
    n_threads : "auto", int or None, default=None
        See :func:`set_config`. None leaves the setting unchanged.

    Yields
    ------
    None.

    See Also
    --------
    set_config : Set the global configuration.
    get_config : Retrieve the current configuration.

    Examples
    --------
    >>> import skgen
    >>> with skgen.config_context(n_threads=2):
    ...     skgen.get_config()["n_threads"]
    2
    >>> skgen.get_config()["n_threads"]
    'auto'
    """
    old = get_config()
    set_config(n_threads=n_threads)
    try:
        yield
    finally:
        set_config(**old)


# ------------------------------------------------------------------ threads
def available_cores():
    """Cores this process may run on (its CPU affinity where the platform has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def auto_threads(flops):
    """Threads for one step of ``flops`` floating-point operations under ``"auto"``."""
    wanted = int(flops // FLOPS_PER_THREAD)
    if wanted <= 1:
        return 1  # the common case: no need to look at the machine
    # Not the load average: the thread count changes float32 reductions, and the same
    # random_state must give the same result on the same machine whatever else runs.
    return max(1, min(wanted, available_cores()))


def _requested_threads(flops):
    n_threads = get_config()["n_threads"]
    if n_threads == "auto":
        return auto_threads(flops)
    if n_threads == -1:
        return available_cores()
    return n_threads


def _set_num_threads(n):
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)


@contextlib.contextmanager
def thread_scope(flops=0.0):
    """Run a block with skgen's intra-op threads; restore the caller's on exit.

    Nested scopes (``fit_transform`` calling ``fit`` then ``transform``) keep
    the outermost caller's setting to restore. Inside a scope,
    :func:`use_threads_for` adjusts the threads once the work is known.
    """
    depth = getattr(_local, "depth", 0)
    caller = torch.get_num_threads() if depth == 0 else None
    _local.depth = depth + 1
    try:
        n_threads = _requested_threads(flops)
        _set_num_threads(n_threads)
        # NumPy's BLAS too (skgen's SVDs, mixtures, input statistics): a BLAS pool of
        # one thread per core stalls as badly as torch's on a busy machine.
        with _blas_limit(n_threads) if depth == 0 else contextlib.nullcontext():
            yield
    finally:
        _local.depth = depth
        if caller is not None:
            _set_num_threads(caller)


_CONTROLLER = []


def _blas_limit(n_threads):
    """Limit the BLAS libraries' threads (threadpoolctl), restored on exit."""
    if not _CONTROLLER:
        try:
            from threadpoolctl import ThreadpoolController

            _CONTROLLER.append(ThreadpoolController())
        except Exception:  # no threadpoolctl or an unusual platform: leave BLAS alone
            _CONTROLLER.append(None)
    controller = _CONTROLLER[0]
    if controller is None:
        return contextlib.nullcontext()
    return controller.limit(limits=n_threads, user_api="blas")


def use_threads_for(flops):
    """Inside a :func:`thread_scope`: set the threads for steps of ``flops`` operations."""
    if getattr(_local, "depth", 0):
        _set_num_threads(_requested_threads(flops))


def step_flops(modules, batch_size, passes=3):
    """Floating-point operations of one step: about ``2 * passes * batch * params``.

    ``passes=3`` counts a forward and a backward pass (two products each way
    but one), ``passes=1`` a forward pass only.
    """
    n_params = sum(p.numel() for m in modules if m is not None for p in m.parameters())
    return 2.0 * passes * batch_size * n_params


def threaded(method):
    """Decorate an estimator method to run it in a :func:`thread_scope`.

    The scope starts with the threads for the fitted networks (``net_``) at the
    estimator's inference batch size, or one thread before the first fit;
    ``_fit`` adjusts it once the networks are built.
    """

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with thread_scope(_estimator_flops(self)):
            return method(self, *args, **kwargs)

    wrapper.__skgen_threaded__ = True
    return wrapper


def _estimator_flops(estimator):
    net = estimator.__dict__.get("net_")
    if net is None:
        return 0.0
    try:
        modules = [getattr(net, name + "_", None) for name in net._modules]
        batch_size = estimator.__dict__.get("_batch_size") or 128
        return step_flops(modules, batch_size)
    except Exception:  # an unusual net: fall back to the small-network setting
        return 0.0


def accumulation_dtype(device):
    """float64 for sums accumulated on ``device``, float32 where it has no float64 (Apple's mps)."""
    return torch.float32 if torch.device(device).type == "mps" else torch.float64
