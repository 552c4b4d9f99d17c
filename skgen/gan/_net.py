"""The private skorch net of the adversarial models.

:class:`AdversarialNet` is a skorch ``NeuralNet`` whose ``module`` is the
generator and which registers a second module, ``discriminator_``, and a
second optimizer, ``discriminator_optimizer_``, in skorch's
``initialize_module``/``initialize_optimizer`` hooks. skorch therefore
handles both networks alike: device moves, train/eval switching, pickling,
re-initialisation and ``set_params`` routing (``discriminator__...``,
``discriminator_optimizer__lr``...).

One training step (one mini-batch of real rows) is ``n_critic``
discriminator updates followed by one generator update:

* every discriminator update draws fresh noise but reuses the same real
  batch (so an epoch is one pass over the data with one generator step per
  batch, whatever ``n_critic``); an MLP generator, which does not change
  during these updates, makes all their fake rows in one pass;
* the criterion supplies the losses (see
  :mod:`skgen.losses._adversarial`): ``discriminator_loss`` plus
  ``penalty``, then ``after_discriminator_step`` (clipping, BEGAN's
  :math:`k_t`), then ``generator_loss``;
* after each backward pass, skorch's ``on_grad_computed`` hook receives the
  parameters of the network about to step, so callbacks such as
  ``GradientNormClipping`` act on both networks;
* with ``ema_decay``, a third module, ``averaged_generator_`` (a copy of the
  generator, never trained, always in eval mode), is moved towards the
  generator after each generator update: an exponential moving average of
  its parameters and float buffers (Yazici et al., 2019), which sampling uses.

Monitored statistics are accumulated on the device (no host sync per batch
beyond skorch's own ``loss.item()``) and written to the history once per
epoch as ``train_<name>``.
"""

from __future__ import annotations

import copy
import math

import torch
from skorch import NeuralNet

from .._skorch import DivergenceCheck, _switch_mode, _TermsMixin, _TwoNetworkMixin
from ..exceptions import TrainingDivergedError
from ..losses import mmd, unroll_discriminator
from ..nn._generator import Generator
from ..nn._mlp import MLP


class AdversarialNet(_TwoNetworkMixin, _TermsMixin, NeuralNet):
    """skorch net training a generator (``module``) against a discriminator.

    Parameters
    ----------
    module : nn.Module class or instance
        The generator, with ``sample_latent(n, device=...)``,
        ``forward(latent, y)`` (raw outputs) and ``activate(raw)``.
    criterion : AdversarialCriterion class or instance
    discriminator : nn.Module class or instance
        Called as ``discriminator(x, y, groups=...)``.
    discriminator_optimizer : torch.optim.Optimizer class, default=None
        None uses ``optimizer``.
    n_critic : int, default=1
        Discriminator updates per generator update.
    conditioner : ColumnConditioner or None, default=None
        Tabular column conditions (see :mod:`skgen._conditions`): each real batch gets
        conditional vectors ``c`` built from its own rows; the generator receives ``c``,
        the discriminator sees ``[x, c]`` for real and fake rows alike, and the
        generator loss gains CTGAN's term, the cross-entropy between the generated
        column and the requested category.
    unrolled_steps : int, default=0
        The generator's loss is taken against the discriminator after this many
        differentiable updates on the current batch (unrolled GAN, see
        :func:`skgen.losses.unroll_discriminator`); 0 uses the discriminator as is.
    unrolled_lr : float or None, default=None
        Step size of the unrolled updates; None uses the discriminator
        optimizer's learning rate.
    ema_decay : float or None, default=None
        Keep ``averaged_generator_``, an exponential moving average of the
        generator's parameters and float buffers, updated after every
        generator step with the decay ``min(ema_decay, (1 + t) / (10 + t))``
        at its ``t``-th update for ``t >= 1`` (the first, ``t = 0``, copies the
        generator; the warm-up of TensorFlow's
        ``ExponentialMovingAverage``: early updates forget the random
        initialisation quickly); None keeps no average.
    **kwargs
        Passed to :class:`skorch.NeuralNet` (``discriminator__*`` and
        ``discriminator_optimizer__*`` are routed to those components).
    """

    def __init__(
        self,
        module,
        criterion,
        discriminator=None,
        discriminator_optimizer=None,
        n_critic=1,
        conditioner=None,
        unrolled_steps=0,
        unrolled_lr=None,
        ema_decay=None,
        **kwargs,
    ):
        self.discriminator = discriminator
        self.discriminator_optimizer = discriminator_optimizer
        self.n_critic = n_critic
        self.conditioner = conditioner
        self.unrolled_steps = unrolled_steps
        self.unrolled_lr = unrolled_lr
        self.ema_decay = ema_decay
        super().__init__(module, criterion, **kwargs)

    # ------------------------------------------------------ averaged generator
    def initialize_module(self):
        super().initialize_module()
        if self.ema_decay is not None:
            averaged = copy.deepcopy(self.module_).requires_grad_(False)
            _switch_mode(averaged, False)
            averaged.n_averaged = 0  # a plain attribute: saved with the module's state
            self.averaged_generator_ = averaged
        return self

    def sampling_module(self):
        """The generator that sampling uses: the averaged one when there is one."""
        averaged = getattr(self, "averaged_generator_", None)
        return self.module_ if averaged is None else averaged

    def _set_training(self, training=True):
        for name in self._modules + self._criteria:
            module = getattr(self, name + "_")
            mode = training and name != "averaged_generator"  # the average: always eval mode
            if isinstance(module, torch.nn.Module) and module.training is not mode:
                _switch_mode(module, mode)

    def _update_average(self):
        """Move ``averaged_generator_`` towards the generator (after a generator step)."""
        averaged = self.averaged_generator_
        t = averaged.n_averaged
        targets = [*averaged.parameters(), *averaged.buffers()]
        sources = [*self.module_.parameters(), *self.module_.buffers()]
        with torch.no_grad():
            if t == 0:  # the first update copies (reference batches included)
                torch._foreach_copy_(targets, sources)
            else:
                weight = 1.0 - min(float(self.ema_decay), (1.0 + t) / (10.0 + t))
                floats = [(a, b) for a, b in zip(targets, sources) if a.is_floating_point()]
                others = [(a, b) for a, b in zip(targets, sources) if not a.is_floating_point()]
                if floats:
                    torch._foreach_lerp_([a for a, _ in floats], [b for _, b in floats], weight)
                if others:
                    torch._foreach_copy_([a for a, _ in others], [b for _, b in others])
        averaged.n_averaged = t + 1

    # ------------------------------------------------------------------ steps
    def _fake(self, n, y, condition=None, dense=None, module=None):
        """Latent draws, generated rows (with ``dense``, the condition, appended) and raw outputs.

        ``condition``: :class:`~skgen._conditions.ConditionRows` (what the generator
        reads) and ``dense`` the same vectors as a matrix (what the discriminator sees).
        ``module``: the generator to run (default: the trained one).
        """
        module = self.module_ if module is None else module
        latent = module.sample_latent(n, device=self.device)
        raw = module(latent, y, condition)
        fake = module.activate(raw)
        if condition is not None:
            fake = torch.cat([fake, dense], dim=1)
        return latent, fake, raw

    def _critic_fakes(self, n, y, condition, dense):
        """``n_critic`` batches of ``(latent, fake)`` for the critic updates (no gradient).

        The generator does not change during the critic updates, so an MLP generator
        (whose rows do not interact) draws all of them in one pass of
        ``n_critic * n`` rows; any other generator (batch normalisation: statistics
        per batch) makes one pass per update.
        """
        k = self.n_critic
        module = self.module_
        rowwise = isinstance(module, Generator) and isinstance(module.mlp, MLP)
        if k == 1 or not rowwise:
            for _ in range(k):
                with torch.no_grad():
                    latent, fake, _ = self._fake(n, y, condition, dense)
                yield latent, fake
            return
        with torch.no_grad():
            yk = None if y is None else y.repeat(k)
            ck = dk = None
            if condition is not None:
                ck = type(condition)(*(t.repeat(k) for t in condition[:3]), condition.width)
                dk = dense.repeat(k, 1)
            latent, fake, _ = self._fake(k * n, yk, ck, dk)
        yield from zip(latent.split(n), fake.split(n))

    def _condition_loss(self, raw, condition):
        """Cross-entropy of the generated categories against the requested ones."""
        return self.conditioner.condition_loss(raw, condition)

    def train_step(self, batch, **fit_params):
        self._set_training(True)
        real, y = batch
        pac = getattr(self.discriminator_, "pac", 1)
        if pac > 1 and len(real) % pac:  # PacGAN: whole packs only
            keep = max(pac, len(real) - len(real) % pac)
            real = real[:keep] if len(real) >= pac else real.repeat(-(-pac // len(real)), 1)[:pac]
            y = None if y is None else y[: len(real)]
        n = len(real)
        condition = dense = None
        if self.conditioner is not None:
            condition = self.conditioner.training_rows(real)
            dense = condition.dense()
            real = torch.cat([real, dense], dim=1)
        crit = self.criterion_
        disc = self.discriminator_
        opt_d, opt_g = self.discriminator_optimizer_, self.optimizer_
        trace = self._trace
        for latent, fake in self._critic_fakes(n, y, condition, dense):
            d_terms = crit.discriminator_loss(disc, real, fake, y, latent)
            loss_d = d_terms["discriminator_loss"]
            penalty = crit.penalty(disc, real, fake, y)
            if torch.is_tensor(penalty):
                loss_d = loss_d + penalty
                d_terms["penalty"] = penalty
                d_terms["discriminator_loss"] = loss_d
            opt_d.zero_grad(set_to_none=True)
            loss_d.backward()
            self._grad_computed(disc, batch)
            opt_d.step()
            crit.after_discriminator_step(disc, d_terms)
            trace.append(loss_d.detach())

        latent, fake, raw = self._fake(n, y, condition, dense)
        g_disc = disc
        if self.unrolled_steps:
            g_disc = unroll_discriminator(
                crit, disc, real, fake, y, latent, steps=self.unrolled_steps, optimizer=opt_d,
                lr=self.unrolled_lr,
            )
        g_terms = crit.generator_loss(g_disc, fake, y, latent)
        loss_g = g_terms["generator_loss"]
        if condition is not None:
            g_terms["condition"] = self._condition_loss(raw, condition)
            loss_g = loss_g + g_terms["condition"]
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        self._grad_computed(self.module_, batch)
        opt_g.step()
        if self.ema_decay is not None:
            self._update_average()
        trace.append(loss_g.detach())

        terms = {**d_terms, **g_terms}
        values = torch.stack([v.detach() for v in terms.values()]) * n
        if self._stat_names is None:
            self._stat_names = list(terms)
            self._stat_sums = values
        else:
            self._stat_sums = self._stat_sums + values
        self._stat_count += n
        return {"loss": loss_g.detach(), "y_pred": fake.detach()}

    def validation_step(self, batch, **fit_params):
        """Held-out loss: MMD² between the batch and as many generated rows."""
        self._set_training(False)
        real, y = batch
        with torch.no_grad():
            _, fake, _ = self._fake(len(real), y, module=self.sampling_module())
            if len(real) < 2:
                loss = real.new_zeros(())
            else:
                loss = mmd(fake, real)
        return {"loss": loss, "y_pred": fake}

    # ---------------------------------------------------------------- history
    def on_epoch_begin(self, net, **kwargs):
        super().on_epoch_begin(net, **kwargs)
        self._stat_names = None
        self._stat_sums = None
        self._stat_count = 0
        self._trace = []

    def on_epoch_end(self, net, **kwargs):
        super().on_epoch_end(net, **kwargs)
        if self._stat_names is not None and self._stat_count:
            means = (self._stat_sums / self._stat_count).tolist()
            for name, value in zip(self._stat_names, means):
                self.history.record(f"train_{name}", value)
        self._stat_sums = None

    def first_diverged(self):
        """The network that diverged this epoch: ``"discriminator"``, ``"generator"`` or None.

        The epoch's losses are scanned in the order they were computed
        (``n_critic`` discriminator losses, then the generator loss, batch
        after batch). Each loss is computed *before* its own network's
        update, so a network that blows up during its update shows up in the
        next loss computed, often the other network's: the culprit is the
        network updated just before the first non-finite loss.
        """
        trace = getattr(self, "_trace", None)
        if not trace:
            return None
        finite = torch.isfinite(torch.stack(trace)).tolist()
        period = self.n_critic + 1

        def network(i):
            return "generator" if i % period == self.n_critic else "discriminator"

        for i, ok in enumerate(finite):
            if not ok:
                if i > 0:
                    return network(i - 1)
                # the previous update was the last generator step of the previous epoch
                return "generator" if len(self.history) > 1 else network(0)
        return None

    def __getstate__(self):
        state = super().__getstate__()
        for key in ("_trace", "_stat_sums", "_stat_names"):
            state.pop(key, None)
        return state


class AdversarialDivergenceCheck(DivergenceCheck):
    """Raise when a loss is not finite, naming the network that diverged.

    The network is found by :meth:`AdversarialNet.first_diverged` (the one
    updated just before the first non-finite loss of the epoch), so the
    error blames the culprit even when the other network's loss broke first.
    """

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        for key in self.keys:
            value = row.get(key)
            if value is None or math.isfinite(value):
                continue
            epoch = row["epoch"]
            network = net.first_diverged() if hasattr(net, "first_diverged") else None
            if network is None:
                network = self.network.get(key, key) if isinstance(self.network, dict) else self.network
            lr, param = net.lr, "lr"
            if network == "discriminator":
                lr = net.get_params_for_optimizer("discriminator_optimizer", [])[1].get("lr", lr)
                param = "discriminator_lr"
            raise TrainingDivergedError(
                f"{self.estimator_name}: training diverged at epoch {epoch}: the {network} "
                f"diverged (after its update the losses became non-finite: {key}={value}). "
                f"Try a lower learning rate for the {network} ({param}={lr:g} now, e.g. "
                f"{param}={lr / 10:g}), scaling the input features, a larger batch_size or, "
                "for critics, a stronger Lipschitz constraint.",
                epoch=epoch,
                network=network,
            )
