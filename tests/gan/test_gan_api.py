"""Behaviour shared by the adversarial generators: determinism, pickling, errors, routing."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from skgen import BEGAN, DRAGAN, GAN, LSGAN, WGAN, WGANGP, InfoGAN, TrainingDivergedError
from skgen.exceptions import SkgenError

ALL = [GAN, WGAN, WGANGP, LSGAN, DRAGAN, BEGAN, InfoGAN]
FAST = dict(max_epochs=2, batch_size=32, hidden_layer_sizes=(16,), random_state=0)


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.RandomState(0)
    X = np.r_[rng.normal(-2, 0.5, size=(60, 3)), rng.normal(2, 0.5, size=(60, 3))]
    y = np.repeat(["a", "b"], 60)
    return X, y


def _history_values(est):
    return [
        {k: v for k, v in row.items() if k.startswith("train_") and isinstance(v, float)}
        for row in est.history_
    ]


@pytest.mark.parametrize("Est", ALL, ids=lambda c: c.__name__)
def test_fit_and_sample_are_deterministic(Est, blobs):
    X, _ = blobs
    a = Est(**FAST).fit(X)
    b = Est(**FAST).fit(X)
    assert _history_values(a) == _history_values(b)
    np.testing.assert_array_equal(a.sample(20, random_state=3), b.sample(20, random_state=3))
    # the default stream is seeded by random_state and advances from call to call
    s1, s2 = a.sample(20), a.sample(20)
    np.testing.assert_array_equal(s1, b.sample(20))
    assert not np.array_equal(s1, s2)
    assert not np.array_equal(a.sample(20, random_state=3), a.sample(20, random_state=4))


@pytest.mark.parametrize("Est", ALL, ids=lambda c: c.__name__)
def test_history_records_both_players(Est, blobs):
    X, _ = blobs
    est = Est(**FAST).fit(X)
    row = est.history_[-1]
    for key in ("train_discriminator_loss", "train_generator_loss", "train_d_real", "train_d_fake"):
        assert np.isfinite(row[key]), key
    assert est.n_iter_ == 2
    np.testing.assert_allclose(est.loss_curve_, est.history_[:, "train_generator_loss"], rtol=1e-6)
    if Est in (WGAN, WGANGP):
        assert row["train_wasserstein"] == pytest.approx(row["train_d_real"] - row["train_d_fake"], abs=1e-5)
    if Est in (WGANGP, DRAGAN):
        assert row["train_penalty"] >= 0
    if Est is BEGAN:
        assert 0 <= row["train_k"] <= 1 and row["train_convergence"] > 0
    if Est is InfoGAN:
        assert row["train_info"] > 0


def test_pickle_round_trip_gives_identical_samples(blobs):
    X, y = blobs
    for est in (WGANGP(**FAST).fit(X), GAN(**FAST).fit(X, y), BEGAN(**FAST).fit(X)):
        restored = pickle.loads(pickle.dumps(est))
        np.testing.assert_array_equal(est.sample(15, random_state=1), restored.sample(15, random_state=1))
        assert est.score(X) == restored.score(X)
    info = InfoGAN(**FAST).fit(X)
    np.testing.assert_array_equal(info.transform(X), pickle.loads(pickle.dumps(info)).transform(X))


def test_caller_rng_untouched_and_clone_unfitted(blobs):
    X, _ = blobs
    torch.manual_seed(123)
    np.random.seed(123)
    expected_t, expected_np = torch.rand(1), np.random.rand()
    torch.manual_seed(123)
    np.random.seed(123)
    est = GAN(**FAST).fit(X)
    est.sample(5)
    assert torch.rand(1).item() == expected_t.item()
    assert np.random.rand() == expected_np
    assert not hasattr(clone(est), "net_")


def test_nan_loss_names_epoch_and_discriminator(blobs):
    X, _ = blobs
    est = GAN(**{**FAST, "max_epochs": 3}, discriminator_lr=1e38)
    with pytest.raises(TrainingDivergedError, match=r"epoch 1: the discriminator diverged") as info:
        est.fit(X)
    assert info.value.network == "discriminator" and info.value.epoch == 1
    assert isinstance(info.value, SkgenError) and isinstance(info.value, ValueError)


def test_nan_loss_names_generator(blobs):
    X, _ = blobs
    est = WGANGP(**{**FAST, "max_epochs": 3}, lr=1e38, discriminator_lr=1e-4)
    with pytest.raises(TrainingDivergedError, match=r"the generator diverged") as info:
        est.fit(X)
    assert info.value.network == "generator"
    assert "learning rate" in str(info.value)


def test_bad_inputs(blobs):
    X, y = blobs
    est = GAN(**FAST).fit(X)
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="n_samples must be a positive integer"):
            est.sample(bad)
    with pytest.raises(ValueError, match="not a conditional model"):
        est.sample(3, y=["a", "a", "a"])
    with pytest.raises(ValueError, match="without class labels"):
        est.partial_fit(X, y)
    with pytest.raises(ValueError, match="expecting 3 features"):
        est.score(X[:, :2])
    cond = GAN(**FAST).fit(X, y)
    with pytest.raises(ValueError, match=r"labels not seen during fit: \['c'\]"):
        cond.sample(2, y=["a", "c"])
    with pytest.raises(ValueError, match="2 labels but 3 rows"):
        cond.sample(3, y=["a", "b"])
    with pytest.raises(ValueError, match="partial_fit needs y"):
        cond.partial_fit(X)
    with pytest.raises(ValueError, match="Unknown label type"):
        GAN(**FAST).fit(X, np.linspace(0, 1, len(X)))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        GAN(**FAST).fit(X, y[:-1])
    with pytest.raises(ValueError, match="betas"):
        GAN(**FAST, betas=(0.5, 1.5)).fit(X)
    with pytest.raises(ValueError, match="at least 2 rows"):
        est.score(X[:1])


def test_conditional_sampling_interface(blobs):
    X, y = blobs
    est = WGANGP(**FAST).fit(X, y)
    np.testing.assert_array_equal(est.classes_, ["a", "b"])
    assert est.sample(4, y="b").shape == (4, 3)
    assert est.sample(4, y=["a", "b", "a", "b"]).shape == (4, 3)
    assert est.sample(7).shape == (7, 3)  # labels drawn at their training frequencies
    np.testing.assert_array_equal(est.sample(5, y="a", random_state=0), est.sample(5, y="a", random_state=0))
    est.partial_fit(X, y)
    assert est.n_iter_ == 3
    assert GAN(**FAST).fit(X).classes_ is None


def test_partial_fit_continues_training(blobs):
    X, _ = blobs
    est = LSGAN(**FAST).partial_fit(X)
    assert est.n_iter_ == 1
    est.partial_fit(X)
    assert est.n_iter_ == 2
    assert len(est.history_) == 2


def test_net_registers_discriminator_and_routes_params(blobs):
    X, _ = blobs
    est = GAN(**FAST).fit(X)
    net = est.net_
    assert "discriminator" in net._modules and "discriminator_optimizer" in net._optimizers
    g_params = {id(p) for p in net.module_.parameters()}
    d_params = {id(p) for p in net.discriminator_.parameters()}
    assert g_params.isdisjoint(d_params)
    opt_d = {id(p) for group in net.discriminator_optimizer_.param_groups for p in group["params"]}
    opt_g = {id(p) for group in net.optimizer_.param_groups for p in group["params"]}
    assert opt_d == d_params and opt_g == g_params
    dev = torch.device(net.device)
    assert all(p.device.type == dev.type for p in net.discriminator_.parameters())
    # skorch routing re-initialises the discriminator and its optimizer
    net.set_params(discriminator__hidden_layer_sizes=(8, 4))
    widths = [m.out_features for m in net.discriminator_.body if isinstance(m, torch.nn.Linear)]
    assert widths == [8, 4]
    assert {id(p) for g in net.discriminator_optimizer_.param_groups for p in g["params"]} == {
        id(p) for p in net.discriminator_.parameters()
    }
    net.set_params(discriminator_optimizer__lr=0.123)
    assert net.discriminator_optimizer_.param_groups[0]["lr"] == 0.123
    assert net.optimizer_.param_groups[0]["lr"] == est.lr
    # train/eval switching covers both networks
    net._set_training(False)
    assert not net.discriminator_.training and not net.module_.training


def test_score_is_deterministic_and_rewards_training():
    X = np.random.RandomState(0).normal(size=(200, 3)) * [1, 2, 0.5] + 5
    short = GAN(**{**FAST, "max_epochs": 1}).fit(X)
    trained = GAN(max_epochs=50, batch_size=32, lr=1e-3, random_state=0).fit(X)
    assert short.score(X) == short.score(X)
    before = trained.sample(3)
    trained.score(X)
    after = trained.sample(3)
    assert not np.array_equal(before, after)  # score does not rewind or reuse the sample stream
    assert trained.score(X) > short.score(X)


def test_grid_search_without_scorer(blobs):
    X, _ = blobs
    search = GridSearchCV(GAN(**FAST), {"lr": [1e-6, 1e-3]}, cv=2).fit(X)
    assert set(search.cv_results_["param_lr"]) == {1e-6, 1e-3}
    assert np.isfinite(search.best_score_)


def test_early_stopping_monitors_held_out_mmd(blobs):
    X, _ = blobs
    est = GAN(**{**FAST, "max_epochs": 30}, early_stopping=True, n_iter_no_change=2, tol=1.0)
    est.fit(X)
    assert est.n_iter_ < 30
    assert est.validation_loss_curve_.shape == (est.n_iter_,)
    # without early stopping training runs to max_epochs: no stopping rule on adversarial losses
    assert GAN(**{**FAST, "max_epochs": 4}).fit(X).n_iter_ == 4


def test_infogan_transform_returns_codes(blobs):
    X, _ = blobs
    est = InfoGAN(categorical_codes=(3, 2), n_continuous_codes=1, **FAST).fit(X)
    codes = est.transform(X)
    assert codes.shape == (len(X), 6) and est.n_codes_ == 6
    np.testing.assert_allclose(codes[:, :3].sum(1), 1, rtol=1e-5)
    np.testing.assert_allclose(codes[:, 3:5].sum(1), 1, rtol=1e-5)
    assert list(est.get_feature_names_out()) == [f"infogan{i}" for i in range(6)]
    assert est.transform(X.astype(np.float32)).dtype == np.float32
    # a conditional InfoGAN still infers codes without labels (projection conditioning)
    conditional = InfoGAN(categorical_codes=(3,), **FAST).fit(X, blobs[1])
    assert conditional.transform(X).shape == (len(X), 5)
    with pytest.raises(ValueError, match="at least one code"):
        InfoGAN(categorical_codes=(), n_continuous_codes=0, **FAST).fit(X)


def test_minibatch_discrimination_flag(blobs):
    X, _ = blobs
    est = GAN(**FAST, minibatch_discrimination=True).fit(X)
    assert est.net_.discriminator_.minibatch is not None
    assert np.isfinite(est.sample(10)).all()


def test_dataframe_and_binary_data_round_trip():
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(rng.rand(50, 3), columns=["a", "b", "c"])
    est = GAN(**FAST).fit(frame)
    assert est.layout_[0].kind == "binary"  # data in [0, 1]: sigmoid outputs
    out = est.sample(6)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == ["a", "b", "c"]
    assert out.shape == (6, 3) and out.to_numpy().min() >= 0 and out.to_numpy().max() <= 1


def test_critic_updates_get_distinct_fakes_from_one_generator_pass(blobs):
    """The n_critic fake batches of a step come from one pass of the (row-wise) MLP
    generator: each is exactly the generator applied to its own latent draws, and the
    batches differ (fresh noise per critic update, as with one pass per update)."""
    X, _ = blobs
    net = WGANGP(max_epochs=1, n_critic=3, random_state=0).fit(X).net_
    module = net.module_
    module.train()
    torch.manual_seed(0)
    fakes = list(net._critic_fakes(16, None, None, None))
    assert len(fakes) == 3
    with torch.no_grad():
        for latent, fake in fakes:
            torch.testing.assert_close(fake, module.activate(module(latent)))
    assert not torch.equal(fakes[0][1], fakes[1][1])
