r"""Adversarial losses and penalties, and the criteria of the GAN family.

Pure functions act on discriminator outputs (logits or critic values) and
return scalar tensors; the criteria (:class:`AdversarialCriterion` and its
subclasses) combine them into the interface that
``skgen.gan``'s training loop calls:

* ``discriminator_loss(discriminator, real, fake, y=None, latent=None)`` and
  ``generator_loss(discriminator, fake, y=None, latent=None)`` return a dict of
  scalar tensors: the objective (``"discriminator_loss"`` or
  ``"generator_loss"``) and monitored statistics (``"d_real"``, ``"d_fake"``,
  ``"wasserstein"``, ...) that are logged per epoch;
* ``penalty(discriminator, real, fake, y=None)`` is added to the
  discriminator's objective (0 by default: no penalty);
* ``after_discriminator_step(discriminator, terms)`` runs after each
  discriminator update (weight clipping, BEGAN's :math:`k_t` update).

A variant is one small subclass, not a copy of the training loop.
"""

from __future__ import annotations

from abc import ABCMeta, abstractmethod

import torch
import torch.nn.functional as F
from torch import nn

from ._penalties import critic_layers, layered_input_gradient_norm

__all__ = [
    "AdversarialCriterion",
    "BEGANCriterion",
    "DRAGANCriterion",
    "GANCriterion",
    "InfoGANCriterion",
    "LSGANCriterion",
    "WGANCriterion",
    "WGANGPCriterion",
    "bce_discriminator_loss",
    "bce_generator_loss",
    "clip_weights_",
    "dragan_perturb",
    "gradient_penalty",
    "info_loss",
    "interpolate",
    "least_squares_discriminator_loss",
    "least_squares_generator_loss",
    "wasserstein_critic_loss",
    "wasserstein_generator_loss",
]

GENERATOR_LOSSES = ("minimax", "non_saturating")
PENALTIES = ("one_sided", "two_sided")


# --------------------------------------------------------------- pure losses
def bce_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    r"""Binary cross-entropy of the discriminator, with one-sided label smoothing.

    .. math::

        \mathcal{L}_D = -\mathbb{E}_x[(1-\alpha)\log D(x) + \alpha \log(1 - D(x))]
                        -\mathbb{E}_z[\log(1 - D(G(z)))]

    with :math:`D = \sigma(\text{logit})`. Only the real targets are smoothed
    (to :math:`1-\alpha`); fake targets stay 0, as Salimans et al. (2016)
    recommend: smoothing fakes would reward the generator for staying put.

    Parameters
    ----------
    real_logits, fake_logits : Tensor of shape (n,)
    label_smoothing : float, default=0.0
        :math:`\alpha` in [0, 1).

    Returns
    -------
    loss : scalar Tensor
    """
    # BCE(l, t) = t * softplus(-l) + (1 - t) * softplus(l)
    real = F.softplus(-real_logits)
    if label_smoothing:
        real = (1.0 - label_smoothing) * real + label_smoothing * F.softplus(real_logits)
    return real.mean() + F.softplus(fake_logits).mean()


def bce_generator_loss(fake_logits, loss="non_saturating"):
    r"""Generator loss of the original GAN.

    * ``"minimax"``: :math:`\mathbb{E}_z \log(1 - D(G(z)))`, the game's value
      (its gradient vanishes when the discriminator rejects the fakes);
    * ``"non_saturating"``: :math:`-\mathbb{E}_z \log D(G(z))`, same fixed
      point, strong gradients early in training (Goodfellow et al., 2014).

    Parameters
    ----------
    fake_logits : Tensor of shape (n,)
    loss : {"minimax", "non_saturating"}, default="non_saturating"

    Returns
    -------
    loss : scalar Tensor
    """
    if loss == "non_saturating":
        return F.softplus(-fake_logits).mean()  # -log sigmoid(l)
    if loss == "minimax":
        return -F.softplus(fake_logits).mean()  # log(1 - sigmoid(l))
    raise ValueError(f"Unknown generator loss {loss!r}; expected one of {GENERATOR_LOSSES}.")


def wasserstein_critic_loss(real_scores, fake_scores):
    r"""Critic loss of WGAN: :math:`\mathbb{E} f(G(z)) - \mathbb{E} f(x)`.

    Its negative is the critic's estimate of the Wasserstein-1 distance
    (up to the Lipschitz constant of :math:`f`).
    """
    return fake_scores.mean() - real_scores.mean()


def wasserstein_generator_loss(fake_scores):
    r"""Generator loss of WGAN: :math:`-\mathbb{E} f(G(z))`."""
    return -fake_scores.mean()


def least_squares_discriminator_loss(real_out, fake_out, real_target=1.0, fake_target=0.0):
    r"""LSGAN discriminator loss :math:`\tfrac12\mathbb{E}(D(x)-b)^2 + \tfrac12\mathbb{E}(D(G(z))-a)^2`."""
    return 0.5 * ((real_out - real_target).pow(2).mean() + (fake_out - fake_target).pow(2).mean())


def least_squares_generator_loss(fake_out, target=1.0):
    r"""LSGAN generator loss :math:`\tfrac12\mathbb{E}(D(G(z))-c)^2`."""
    return 0.5 * (fake_out - target).pow(2).mean()


def interpolate(real, fake):
    r"""Random points on the segments between paired real and fake rows.

    :math:`\hat x = \epsilon x + (1-\epsilon)\tilde x`, :math:`\epsilon \sim U[0, 1]`
    drawn per row (Gulrajani et al., 2017).
    """
    eps = torch.rand(len(real), 1, device=real.device, dtype=real.dtype)
    return torch.lerp(fake, real, eps)


def dragan_perturb(real, scale=0.5):
    r"""Points near the real data, as DRAGAN penalises the gradient there.

    :math:`\hat x = x + \epsilon\, c\, \sigma_X u`, with :math:`u \sim U[0,1]^d`
    per entry, :math:`\epsilon \sim U[0, 1]` per row, :math:`c` = ``scale``
    and :math:`\sigma_X` the batch's overall standard deviation (Kodali et
    al., 2017, reference implementation).
    """
    std = real.std() if real.numel() > 1 else real.new_ones(())
    noise = torch.rand_like(real) * (scale * std)
    eps = torch.rand(len(real), 1, device=real.device, dtype=real.dtype)
    return real + eps * noise


def gradient_penalty(critic, points, y=None, target=1.0, one_sided=False):
    r"""Gradient penalty :math:`\mathbb{E}_{\hat x}(\lVert\nabla_{\hat x} f(\hat x)\rVert_2 - 1)^2`.

    A differentiable function is 1-Lipschitz iff its gradient norm is at
    most 1 everywhere; the optimal WGAN critic has norm 1 almost everywhere
    between the two distributions. The two-sided penalty (Gulrajani et al.,
    2017) pushes the norm towards 1; the one-sided one,
    :math:`\mathbb{E}\max(0, \lVert\nabla f\rVert - 1)^2`, only penalises
    violations of the constraint (Petzka et al., 2018). The two-sided form
    penalises a gradient on its way through 0, which is a barrier when the
    critic must flip the sign of its slope (always so in one dimension).

    Parameters
    ----------
    critic : callable
        ``critic(points, y)`` (or ``critic(points)`` when ``y`` is None)
        returning one score per row.
    points : Tensor of shape (n, d)
        Where to evaluate the gradient (interpolates for WGAN-GP, perturbed
        reals for DRAGAN). Need not require grad.
    y : Tensor of shape (n,) or None, default=None
        Class labels passed to a conditional critic.
    target : float, default=1.0
        Target gradient norm.
    one_sided : bool, default=False
        Penalise only norms above ``target``.

    Returns
    -------
    penalty : scalar Tensor
        Differentiable with respect to the critic's parameters.

    Notes
    -----
    For an MLP :class:`~skgen.nn.Discriminator` (linear layers and elementwise
    activations) the gradient is written out layer by layer
    (:func:`~skgen.losses._penalties.layered_input_gradient_norm`) instead of
    double backpropagation: the same values and parameter gradients, fewer
    operations.
    """
    points = points.detach()
    structure = critic_layers(critic, y)
    if structure is not None:  # an MLP critic: explicit backward pass, no double backprop
        layers, head, pac = structure
        norms = layered_input_gradient_norm(layers, head, points.reshape(len(points) // pac, -1))
    else:
        points = points.requires_grad_(True)
        scores = critic(points) if y is None else critic(points, y)
        (grad,) = torch.autograd.grad(scores.sum(), points, create_graph=True)
        # one norm per score: a packed critic (PacGAN) scores pac rows at once
        norms = grad.reshape(len(scores), -1).norm(2, dim=1)
    excess = norms - target
    if one_sided:
        excess = F.relu(excess)
    return excess.pow(2).mean()


@torch.no_grad()
def clip_weights_(module, clip_value):
    """Clamp every parameter of ``module`` to ``[-clip_value, clip_value]`` in place.

    The crude Lipschitz constraint of the original WGAN.
    """
    params = [p for p in module.parameters()]
    if not params:
        return
    try:
        torch._foreach_clamp_min_(params, -clip_value)
        torch._foreach_clamp_max_(params, clip_value)
    except (AttributeError, RuntimeError):  # pragma: no cover - old torch
        for p in params:
            p.clamp_(-clip_value, clip_value)


def info_loss(q_out, codes, categorical_codes=(), n_continuous=0):
    r"""Negative variational lower bound of the mutual information, up to H(c).

    For each categorical code the cross-entropy between the code (one-hot) and
    :math:`Q(c \mid x)` (logits); for the continuous codes the Gaussian
    negative log-likelihood with unit variance, :math:`\tfrac12 (c - \mu)^2`
    summed over the codes.

    Parameters
    ----------
    q_out : Tensor of shape (n, sum(categorical_codes) + n_continuous)
        Q-head output: logits of each categorical code, then the means of the
        continuous codes.
    codes : Tensor of the same shape
        The codes fed to the generator (one-hot blocks, then continuous).
    categorical_codes : sequence of int
        Number of categories of each categorical code.
    n_continuous : int

    Returns
    -------
    loss : scalar Tensor
    """
    total = q_out.new_zeros(())
    start = 0
    for k in categorical_codes:
        logits = q_out[:, start : start + k]
        target = codes[:, start : start + k]
        total = total - (target * F.log_softmax(logits, dim=1)).sum(1).mean()
        start += k
    if n_continuous:
        total = total + 0.5 * (q_out[:, start:] - codes[:, start:]).pow(2).sum(1).mean()
    return total


# ------------------------------------------------------------------ criteria
def _call(discriminator, x, y=None, groups=1):
    return discriminator(x, y, groups=groups)


def _real_fake(discriminator, real, fake, y):
    """One discriminator pass on real and fake rows (minibatch features per group)."""
    n = len(real)
    if len(fake) != n:
        return _call(discriminator, real, y), _call(discriminator, fake, y)
    yy = None if y is None else torch.cat([y, y])
    out = _call(discriminator, torch.cat([real, fake]), yy, groups=2)
    # half of the scores each (a packed critic scores n / pac rows per half)
    if isinstance(out, tuple):  # e.g. (logits, q_out) of an InfoGAN discriminator
        m = len(out[0]) // 2
        return tuple(o[:m] for o in out), tuple(o[m:] for o in out)
    m = len(out) // 2
    return out[:m], out[m:]


class AdversarialCriterion(nn.Module, metaclass=ABCMeta):
    """Base class of the adversarial criteria (see the module docstring).

    Subclasses implement :meth:`discriminator_loss` and
    :meth:`generator_loss`; :meth:`penalty` defaults to 0 and
    :meth:`after_discriminator_step` to nothing.
    """

    #: Whether the discriminator is a critic (unbounded scores whose gap
    #: estimates a Wasserstein distance).
    is_critic = False

    @abstractmethod
    def discriminator_loss(self, discriminator, real, fake, y=None, latent=None):
        """The discriminator's loss terms: a dict with ``"discriminator_loss"`` and statistics."""

    @abstractmethod
    def generator_loss(self, discriminator, fake, y=None, latent=None):
        """The generator's loss terms: a dict with ``"generator_loss"`` and statistics."""

    def penalty(self, discriminator, real, fake, y=None):
        """Regulariser added to the discriminator's loss; 0 (none) by default."""
        return 0.0

    def after_discriminator_step(self, discriminator, terms):
        """Hook run after each discriminator update (clipping, state)."""

    def forward(self, *args, **kwargs):  # pragma: no cover - not called
        raise TypeError(
            f"{type(self).__name__} is used through discriminator_loss/generator_loss, "
            "not called directly."
        )


class GANCriterion(AdversarialCriterion):
    """The original GAN: binary cross-entropy on the discriminator's logits.

    Parameters
    ----------
    loss : {"non_saturating", "minimax"}, default="non_saturating"
        Generator loss (see :func:`bce_generator_loss`).
    label_smoothing : float, default=0.0
        One-sided smoothing of the real targets to ``1 - label_smoothing``.
    """

    def __init__(self, loss="non_saturating", label_smoothing=0.0):
        super().__init__()
        if loss not in GENERATOR_LOSSES:
            raise ValueError(f"Unknown generator loss {loss!r}; expected one of {GENERATOR_LOSSES}.")
        self.loss = loss
        self.label_smoothing = label_smoothing

    def _logits(self, out):
        return out

    def discriminator_loss(self, discriminator, real, fake, y=None, latent=None):
        real_out, fake_out = _real_fake(discriminator, real, fake, y)
        real_logits, fake_logits = self._logits(real_out), self._logits(fake_out)
        loss = bce_discriminator_loss(real_logits, fake_logits, self.label_smoothing)
        return {
            "discriminator_loss": loss,
            "d_real": torch.sigmoid(real_logits).mean(),
            "d_fake": torch.sigmoid(fake_logits).mean(),
        }

    def generator_loss(self, discriminator, fake, y=None, latent=None):
        logits = self._logits(_call(discriminator, fake, y))
        return {"generator_loss": bce_generator_loss(logits, self.loss)}


class DRAGANCriterion(GANCriterion):
    """GAN loss plus a gradient penalty around the real data (DRAGAN).

    Parameters
    ----------
    loss, label_smoothing : see :class:`GANCriterion`
    penalty_weight : float, default=10.0
    perturbation : float, default=0.5
        Scale of the perturbation, in units of the data's standard deviation.
    penalty : {"one_sided", "two_sided"}, default="one_sided"
        See :func:`gradient_penalty`.
    """

    def __init__(
        self,
        loss="non_saturating",
        label_smoothing=0.0,
        penalty_weight=10.0,
        perturbation=0.5,
        penalty="one_sided",
    ):
        super().__init__(loss, label_smoothing)
        if penalty not in PENALTIES:
            raise ValueError(f"Unknown penalty {penalty!r}; expected one of {PENALTIES}.")
        self.penalty_weight = penalty_weight
        self.perturbation = perturbation
        self.one_sided = penalty == "one_sided"

    def penalty(self, discriminator, real, fake, y=None):
        if not self.penalty_weight:
            return 0.0
        points = dragan_perturb(real, self.perturbation)
        return self.penalty_weight * gradient_penalty(discriminator, points, y, one_sided=self.one_sided)


class WGANCriterion(AdversarialCriterion):
    """Wasserstein GAN with weight clipping.

    Parameters
    ----------
    clip_value : float or None, default=0.01
        Every critic parameter is clamped to ``[-clip_value, clip_value]``
        after each critic step; None disables clipping.
    """

    is_critic = True

    def __init__(self, clip_value=0.01):
        super().__init__()
        self.clip_value = clip_value

    def discriminator_loss(self, discriminator, real, fake, y=None, latent=None):
        real_out, fake_out = _real_fake(discriminator, real, fake, y)
        d_real, d_fake = real_out.mean(), fake_out.mean()
        return {
            "discriminator_loss": d_fake - d_real,
            "d_real": d_real,
            "d_fake": d_fake,
            "wasserstein": d_real - d_fake,
        }

    def generator_loss(self, discriminator, fake, y=None, latent=None):
        return {"generator_loss": wasserstein_generator_loss(_call(discriminator, fake, y))}

    def after_discriminator_step(self, discriminator, terms):
        if self.clip_value is not None:
            clip_weights_(discriminator, self.clip_value)


class WGANGPCriterion(WGANCriterion):
    """Wasserstein GAN with a gradient penalty on interpolates (WGAN-GP).

    Parameters
    ----------
    penalty_weight : float, default=10.0
        :math:`\\lambda`.
    penalty : {"one_sided", "two_sided"}, default="one_sided"
        See :func:`gradient_penalty`.
    """

    def __init__(self, penalty_weight=10.0, penalty="one_sided"):
        super().__init__(clip_value=None)
        if penalty not in PENALTIES:
            raise ValueError(f"Unknown penalty {penalty!r}; expected one of {PENALTIES}.")
        self.penalty_weight = penalty_weight
        self.one_sided = penalty == "one_sided"

    def penalty(self, discriminator, real, fake, y=None):
        if not self.penalty_weight:
            return 0.0
        points = interpolate(real, fake)
        return self.penalty_weight * gradient_penalty(discriminator, points, y, one_sided=self.one_sided)


class LSGANCriterion(AdversarialCriterion):
    """Least-squares GAN with the 0-1 coding (a=0, b=1, c=1)."""

    def discriminator_loss(self, discriminator, real, fake, y=None, latent=None):
        real_out, fake_out = _real_fake(discriminator, real, fake, y)
        return {
            "discriminator_loss": least_squares_discriminator_loss(real_out, fake_out),
            "d_real": real_out.mean(),
            "d_fake": fake_out.mean(),
        }

    def generator_loss(self, discriminator, fake, y=None, latent=None):
        return {"generator_loss": least_squares_generator_loss(_call(discriminator, fake, y))}


class BEGANCriterion(AdversarialCriterion):
    r"""Boundary equilibrium GAN: an autoencoder discriminator.

    With :math:`\mathcal{L}(v) = \mathbb{E}\,\overline{|v - D(v)|}` (mean
    absolute reconstruction error),

    .. math::

        \mathcal{L}_D = \mathcal{L}(x) - k_t \mathcal{L}(G(z)), \quad
        \mathcal{L}_G = \mathcal{L}(G(z)), \quad
        k_{t+1} = \mathrm{clip}_{[0,1]}\big(k_t + \lambda_k(\gamma\mathcal{L}(x) - \mathcal{L}(G(z)))\big)

    and the convergence measure
    :math:`\mathcal{M} = \mathcal{L}(x) + |\gamma\mathcal{L}(x) - \mathcal{L}(G(z))|`.
    :math:`k_t` is a buffer (state that moves with the device and is
    pickled), updated in place without leaving the device.

    Parameters
    ----------
    gamma : float, default=0.5
        Diversity ratio :math:`\gamma = \mathbb{E}\mathcal{L}(G(z)) / \mathbb{E}\mathcal{L}(x)`
        targeted at equilibrium.
    lambda_k : float, default=0.001
        Proportional gain of the :math:`k_t` controller.
    latent_weight : float, default=0.0
        Weight :math:`\alpha` of the latent-consistency term added to the
        generator's loss, :math:`\alpha\,\overline{(E(G(z)) - z_{:c})^2}`
        with :math:`E` the discriminator's encoder (``encode``) and :math:`c`
        its code size: samples from different noise must keep different
        codes, which rules out the collapse to one point that the
        equilibrium alone allows.
    """

    def __init__(self, gamma=0.5, lambda_k=0.001, latent_weight=0.0):
        super().__init__()
        self.gamma = gamma
        self.lambda_k = lambda_k
        self.latent_weight = latent_weight
        self.register_buffer("k", torch.zeros(()))

    @staticmethod
    def _recon_error(v, recon):
        return (v - recon).abs().mean()

    def discriminator_loss(self, discriminator, real, fake, y=None, latent=None):
        real_rec, fake_rec = _real_fake(discriminator, real, fake, y)
        l_real = self._recon_error(real, real_rec)
        l_fake = self._recon_error(fake, fake_rec)
        balance = self.gamma * l_real - l_fake
        return {
            "discriminator_loss": l_real - self.k * l_fake,
            "d_real": l_real,
            "d_fake": l_fake,
            "convergence": l_real + balance.abs(),
            "k": self.k.clone(),
        }

    def generator_loss(self, discriminator, fake, y=None, latent=None):
        loss = self._recon_error(fake, _call(discriminator, fake, y))
        if not self.latent_weight or latent is None or not hasattr(discriminator, "encode"):
            return {"generator_loss": loss}
        code = discriminator.encode(fake, y)
        width = min(code.shape[1], latent.shape[1])
        latent_loss = (code[:, :width] - latent[:, :width]).pow(2).mean()
        return {"generator_loss": loss + self.latent_weight * latent_loss, "latent_loss": latent_loss}

    @torch.no_grad()
    def after_discriminator_step(self, discriminator, terms):
        balance = self.gamma * terms["d_real"] - terms["d_fake"]
        self.k.add_(self.lambda_k * balance).clamp_(0.0, 1.0)


class InfoGANCriterion(GANCriterion):
    r"""GAN loss plus :math:`\lambda` times the InfoGAN mutual-information term.

    The discriminator returns ``(logits, q_out)``; the information loss
    (:func:`info_loss`) of the codes in ``latent[:, n_noise:]`` is added to
    both players' objectives, so Q (and the discriminator body it shares)
    learns to recover the codes and the generator learns to make them
    recoverable.

    Parameters
    ----------
    n_noise : int
        Width of the incompressible noise at the start of the latent vector.
    categorical_codes : sequence of int, default=(10,)
    n_continuous : int, default=2
    info_weight : float, default=1.0
        :math:`\lambda`.
    loss, label_smoothing : see :class:`GANCriterion`
    """

    def __init__(
        self,
        n_noise,
        categorical_codes=(10,),
        n_continuous=2,
        info_weight=1.0,
        loss="non_saturating",
        label_smoothing=0.0,
    ):
        super().__init__(loss, label_smoothing)
        self.n_noise = n_noise
        self.categorical_codes = tuple(categorical_codes)
        self.n_continuous = n_continuous
        self.info_weight = info_weight

    def _info(self, q_out, latent):
        codes = latent[:, self.n_noise :]
        return info_loss(q_out, codes, self.categorical_codes, self.n_continuous)

    def discriminator_loss(self, discriminator, real, fake, y=None, latent=None):
        real_out, fake_out = _real_fake(discriminator, real, fake, y)
        (real_logits, _), (fake_logits, fake_q) = real_out, fake_out
        adv = bce_discriminator_loss(real_logits, fake_logits, self.label_smoothing)
        info = self._info(fake_q, latent)
        return {
            "discriminator_loss": adv + self.info_weight * info,
            "d_real": torch.sigmoid(real_logits).mean(),
            "d_fake": torch.sigmoid(fake_logits).mean(),
            "info": info,
        }

    def generator_loss(self, discriminator, fake, y=None, latent=None):
        logits, q = _call(discriminator, fake, y)
        return {"generator_loss": bce_generator_loss(logits, self.loss) + self.info_weight * self._info(q, latent)}
