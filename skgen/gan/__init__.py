"""Adversarial generators: scikit-learn estimators with ``fit`` and ``sample``.

=========== ==================================================== ===========
estimator   game                                                 conditional
=========== ==================================================== ===========
``GAN``     cross-entropy (minimax or non-saturating)            yes
``WGAN``    Wasserstein critic, weight clipping                  yes
``WGANGP``  Wasserstein critic, gradient penalty on interpolates yes
``LSGAN``   least squares                                        yes
``DRAGAN``  cross-entropy + gradient penalty around the data     yes
``BEGAN``   autoencoder discriminator, equilibrium control       yes
``InfoGAN`` cross-entropy + mutual information of latent codes   yes
=========== ==================================================== ===========

Every estimator becomes conditional when fitted with class labels,
``fit(X, y)``; ``sample(n, y=labels)`` then generates rows of those classes.
"""

from ._began import BEGAN
from ._dragan import DRAGAN
from ._gan import GAN
from ._infogan import InfoGAN
from ._lsgan import LSGAN
from ._wgan import WGAN, WGANGP

__all__ = ["BEGAN", "DRAGAN", "GAN", "InfoGAN", "LSGAN", "WGAN", "WGANGP"]
