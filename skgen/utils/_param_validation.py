"""The one place where skgen imports scikit-learn's private validation tools.

scikit-learn does not promise these names publicly; keeping every import here
means a rename upstream is a one-line fix.
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
    validate_params,
)
from sklearn.utils.validation import _check_feature_names_in

__all__ = [
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "Options",
    "StrOptions",
    "_check_feature_names_in",
    "_fit_context",
    "validate_params",
]
