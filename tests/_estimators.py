"""Instances of every public estimator for the shared tests (tiny and fast)."""

from sklearn.base import TransformerMixin

from skgen.utils import all_estimators

# Constructor arguments some estimators need beyond the defaults.
EXTRA_PARAMS = {
    "StackedAE": {"pretrain_epochs": 2},
    "ParametricTSNE": {"pretrain_epochs": 2, "layout_epochs": 10},
    "ParametricUMAP": {"pretrain_epochs": 2, "layout_epochs": 10},
}


def make_instance(cls, **params):
    kwargs = {"max_epochs": 2, "random_state": 0, **EXTRA_PARAMS.get(cls.__name__, {}), **params}
    return cls(**kwargs)


def all_instances(**params):
    return [make_instance(cls, **params) for _, cls in all_estimators()]


def transformer_instances(**params):
    return [est for est in all_instances(**params) if isinstance(est, TransformerMixin)]


def sampler_instances(**params):
    return [est for est in all_instances(**params) if hasattr(est, "sample")]
