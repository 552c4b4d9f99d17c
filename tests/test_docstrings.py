"""Docstrings: examples run, parameters and fitted attributes are documented."""

import doctest
import importlib
import inspect
import pkgutil
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

import skgen
from skgen.utils import all_estimators
from tests._estimators import all_instances

numpydoc_validate = pytest.importorskip("numpydoc.validate")


def _id(estimator):
    return type(estimator).__name__


def _modules_with_examples():
    names = []
    for info in pkgutil.walk_packages(skgen.__path__, "skgen."):
        module = importlib.import_module(info.name)
        if any(">>>" in (getattr(obj, "__doc__", None) or "") for obj in vars(module).values()):
            names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("module_name", _modules_with_examples())
def test_docstring_examples_run(module_name):
    module = importlib.import_module(module_name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for test in finder.find(module, module_name):
            runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} doctest example(s) failed in {module_name}"


def _documented_attributes(cls):
    doc = inspect.getdoc(cls) or ""
    section = re.search(r"^Attributes\n-+\n(.*?)(?:^\w[\w ]*\n-+\n|\Z)", doc, re.S | re.M)
    return set(re.findall(r"^(\w+) : ", section.group(1), re.M)) if section else set()


@pytest.mark.parametrize("estimator", all_instances(max_epochs=1), ids=_id)
def test_fit_docstring_attributes(estimator, rng):
    """Every public fitted attribute is in the class's Attributes section (as in sklearn)."""
    frame = pd.DataFrame(rng.randn(40, 4), columns=["a", "b", "c", "d"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = clone(estimator).fit(frame)
    fitted = {k for k in vars(est) if k.endswith("_") and not k.startswith("_")}
    missing = fitted - _documented_attributes(type(est))
    assert not missing, f"{type(est).__name__}: undocumented fitted attributes {sorted(missing)}"


# numpydoc errors that mean a docstring is wrong rather than terse: a parameter
# missing, unknown or undescribed, a return value undescribed, no docstring at all.
_CHECKED = {"GL08", "PR01", "PR02", "PR07", "RT03"}
_METHODS = (
    "fit",
    "partial_fit",
    "transform",
    "inverse_transform",
    "sample",
    "score",
    "score_samples",
    "get_feature_names_out",
)


def _public_objects():
    names = []
    for _, cls in all_estimators():
        names.append(f"{cls.__module__}.{cls.__qualname__}")
        names += [f"{cls.__module__}.{cls.__qualname__}.{m}" for m in _METHODS if hasattr(cls, m)]
    return names


@pytest.mark.parametrize("name", _public_objects())
def test_numpydoc(name):
    errors = [f"{code}: {msg}" for code, msg in numpydoc_validate.validate(name)["errors"] if code in _CHECKED]
    assert not errors, "\n".join(errors)
