"""The ``callbacks`` parameter: skorch's callbacks work on every estimator."""

import numpy as np
import pytest
import torch
from sklearn.base import clone
from skorch.callbacks import Callback, EarlyStopping, GradientNormClipping, LRScheduler

from skgen import VAE, WGANGP, Autoencoder
from tests._estimators import all_instances


def _id(estimator):
    return type(estimator).__name__


class _Recorder(Callback):
    """A user-written callback: counts epochs and batches, records gradient norms."""

    def initialize(self):
        self.epochs = 0
        self.batches = 0
        self.grad_calls = 0
        self.max_grad_norm = 0.0
        return self

    def on_epoch_end(self, net, **kwargs):
        self.epochs += 1

    def on_batch_end(self, net, **kwargs):
        self.batches += 1

    def on_grad_computed(self, net, named_parameters, **kwargs):
        self.grad_calls += 1
        grads = [p.grad.norm() for _, p in named_parameters if p.grad is not None]
        if grads:
            norm = float(torch.linalg.vector_norm(torch.stack(grads)))
            self.max_grad_norm = max(self.max_grad_norm, norm)


@pytest.mark.parametrize("estimator", all_instances(max_epochs=2, batch_size=32), ids=_id)
def test_user_callback_runs_and_parameter_is_not_mutated(estimator, rng):
    recorder = _Recorder()
    est = clone(estimator).set_params(callbacks=[("recorder", recorder)]).fit(rng.randn(64, 4))
    used = dict(est.net_.callbacks_)["recorder"]
    assert used is not recorder and not hasattr(recorder, "epochs")  # fit works on a copy
    assert used.epochs == est.n_iter_ >= 1
    assert used.batches >= 2 * est.n_iter_ - 1
    assert used.grad_calls >= used.batches  # every network's step notifies


def test_gradient_norm_clipping_reaches_both_gan_networks(rng):
    X = rng.randn(64, 3) * 50
    # a recorder after the clipping sees the clipped gradients of both networks
    est = WGANGP(max_epochs=2, batch_size=32, random_state=0, callbacks=[
        GradientNormClipping(gradient_clip_value=1e-3),
        ("recorder", _Recorder()),
    ]).fit(X)
    recorder = dict(est.net_.callbacks_)["recorder"]
    assert recorder.grad_calls == est.n_iter_ * 2 * (1 + est.n_critic)
    assert recorder.max_grad_norm <= 1e-3 * 1.001
    free = WGANGP(max_epochs=2, batch_size=32, random_state=0, callbacks=[("recorder", _Recorder())]).fit(X)
    assert dict(free.net_.callbacks_)["recorder"].max_grad_norm > 1e-2


def test_lr_scheduler_on_an_autoencoder(rng):
    X = rng.randn(64, 4)
    scheduler = LRScheduler(policy=torch.optim.lr_scheduler.StepLR, step_size=1, gamma=0.5)
    est = Autoencoder(2, max_epochs=3, lr=1e-2, random_state=0, callbacks=[scheduler]).fit(X)
    assert est.net_.optimizer_.param_groups[0]["lr"] == pytest.approx(1e-2 * 0.5**3)


def test_skorch_early_stopping_stops_without_an_interrupt(rng):
    X = rng.randn(64, 4)
    stop = EarlyStopping(monitor="train_loss", patience=1, threshold=10.0, sink=lambda *a: None)
    est = VAE(2, max_epochs=50, random_state=0, callbacks=[stop]).fit(X)  # no KeyboardInterrupt escapes
    assert est.n_iter_ < 50 and len(est.loss_curve_) == est.n_iter_


def test_reserved_callback_names_are_rejected(rng):
    with pytest.raises(ValueError, match="used by skgen"):
        Autoencoder(max_epochs=1, callbacks=[("divergence", _Recorder())]).fit(rng.randn(20, 3))
    with pytest.raises(ValueError, match="callbacks must hold"):
        Autoencoder(max_epochs=1, callbacks=[("a", _Recorder(), 1)]).fit(rng.randn(20, 3))


def test_callbacks_survive_clone_and_grid_search(rng):
    from sklearn.model_selection import GridSearchCV

    X = rng.randn(60, 4)
    est = Autoencoder(max_epochs=2, random_state=0, callbacks=[("recorder", _Recorder())])
    search = GridSearchCV(est, {"n_components": [1, 2]}, cv=2).fit(X)
    assert dict(search.best_estimator_.net_.callbacks_)["recorder"].epochs == 2
    assert np.isfinite(search.best_score_)


def test_wae_gan_encodes_once_per_step_and_notifies_both_networks(rng):
    from skgen import WAE

    X = rng.randn(64, 4)
    est = WAE(2, penalty="gan", max_epochs=1, batch_size=32, random_state=0, callbacks=[("recorder", _Recorder())])
    est.fit(X)
    recorder = dict(est.net_.callbacks_)["recorder"]
    assert recorder.grad_calls == 2 * recorder.batches  # discriminator and autoencoder
    calls = []
    # training passes only (after training, partial_fit also encodes in eval mode)
    est.net_.module_.encoder.register_forward_hook(lambda m, *args: calls.append(1) if m.training else None)
    est.partial_fit(X)
    assert len(calls) == 2  # one encoder pass per batch of 32
