"""skgen: autoencoders and generative models as scikit-learn estimators.

Trained by PyTorch through skorch; every model is a plain scikit-learn
estimator (``clone``, pipelines, grid search, pickling, ``set_output``).
"""

from . import autoencoder as _autoencoder
from . import gan as _gan
from . import metrics, preprocessing  # noqa: F401  (skgen.metrics, skgen.preprocessing)
from ._config import config_context, get_config, set_config
from .autoencoder import *  # noqa: F401,F403
from .exceptions import SkgenError, TrainingDivergedError
from .gan import *  # noqa: F401,F403

__version__ = "0.1.0"

__all__ = sorted(
    [
        *_autoencoder.__all__,
        *_gan.__all__,
        "SkgenError",
        "TrainingDivergedError",
        "config_context",
        "get_config",
        "set_config",
    ]
)
