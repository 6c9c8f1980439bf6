"""The paper's building blocks of DSEASMOTE, one by one."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from deepsmote_sk.wavelets import default_scales
from deepsmote_sk.over_sampling._afc import (
    AuxiliaryFeatureClassifier,
    afc_loss,
    distance_loss,
    scale_gradient,
)
from deepsmote_sk.over_sampling._blocks import (
    ImageStem,
    SignalHead,
    SignalStem,
    level_sizes,
)
from deepsmote_sk.over_sampling._generator import DSEAGenerator
from deepsmote_sk.over_sampling._latent_smote import LatentSMOTE
from deepsmote_sk.over_sampling._presets import PRESETS, resolve_preset
from deepsmote_sk.over_sampling._quality_filter import (
    QualityFilter,
    pearson_to_nearest,
    standardize_rows,
)
from deepsmote_sk.over_sampling._sea import SqueezeAxialAttention


# ------------------------------------------------------------------- SEA
def test_sea_keeps_the_map_shape_and_is_differentiable():
    torch.manual_seed(0)
    sea = SqueezeAxialAttention(8, height=6, width=5, n_heads=2)
    x = torch.randn(3, 8, 6, 5, requires_grad=True)
    out = sea(x)
    assert out.shape == x.shape
    out.square().sum().backward()
    assert x.grad.abs().sum() > 0
    assert all(p.grad is not None for p in sea.parameters())


def test_sea_output_is_the_detail_map_gated_by_a_sigmoid():
    # Eq. 5: O = sigmoid(Y) * E, so |O| <= |E| elementwise and O / E in (0, 1).
    torch.manual_seed(0)
    sea = SqueezeAxialAttention(4, height=4, width=4, n_heads=1)
    x = torch.randn(2, 4, 4, 4)
    q, k, v = sea.to_q(x), sea.to_k(x), sea.to_v(x)
    detail = sea.detail(torch.cat([q, k, v], dim=1))
    gate = sea(x) / detail
    assert ((gate > 0) & (gate < 1)).all()


def test_sea_attends_along_both_axes():
    # A change in one cell reaches cells in other rows and columns through
    # the squeezed row and column attention, not only its 3x3 neighbourhood.
    torch.manual_seed(0)
    sea = SqueezeAxialAttention(4, height=8, width=8, n_heads=2).eval()
    x = torch.randn(1, 4, 8, 8)
    moved = x.clone()
    moved[0, :, 0, 0] += 3.0
    delta = (sea(moved) - sea(x)).abs().sum(dim=1)[0]  # (H, W)
    assert delta[7, 7] > 0 and delta[7, 0] > 0 and delta[0, 7] > 0


def test_sea_positional_embeddings_tell_rows_apart():
    # Without positional embeddings squeezed axial attention is permutation
    # equivariant along the rows; the learned embeddings break that.
    torch.manual_seed(0)
    sea = SqueezeAxialAttention(4, height=4, width=4, n_heads=1)
    with torch.no_grad():
        sea.pos_q_row.normal_(0, 3)
        sea.pos_k_row.normal_(0, 3)
    x = torch.randn(1, 4, 4, 4)
    flip = torch.flip(x, dims=[2])
    assert not torch.allclose(torch.flip(sea(flip), dims=[2]), sea(x), atol=1e-5)


# ---------------------------------------------------------------- blocks
@pytest.mark.parametrize("length", [2, 20, 64, 257, 4096])
def test_signal_stem_and_head_handle_any_length(length):
    image_size = (1, min(32, length))
    stem = SignalStem(length, image_size, channels=4, use_scalogram=False)
    h = stem(torch.randn(3, length))
    assert h.shape == (3, 4) + stem.size
    out = SignalHead(length, stem.size[0], 4, stem.patch)(h)
    assert out.shape == (3, length)


def test_signal_stem_adds_the_patch_embedding_to_every_scalogram_row():
    stem = SignalStem(256, (32, 32), channels=4, use_scalogram=True)
    h = stem(torch.randn(2, 256), torch.rand(2, 32, 32))
    assert h.shape == (2, 4, 16, 16) and stem.patch == 16


def test_level_sizes_halve_large_axes_only():
    assert level_sizes((32, 32), 3) == [(32, 32), (16, 16), (8, 8), (4, 4)]
    assert level_sizes((1, 20), 3) == [(1, 20), (1, 10), (1, 5), (1, 5)]


# ------------------------------------------------------------------- AFC
def test_afc_returns_class_logits_and_realism_from_features():
    stem = ImageStem((1, 8, 8), 4)
    afc = AuxiliaryFeatureClassifier(stem, (4, 8), 3, realism=True)
    x = torch.randn(5, 64)
    features = afc.features(x)
    assert afc(x).shape == (5, 3) and afc.realism(features).shape == (5,)
    stem = ImageStem((1, 8, 8), 4)
    assert AuxiliaryFeatureClassifier(stem, (4,), 3, realism=False).realism_head is None


def test_frozen_features_pass_gradients_to_the_input_only():
    stem = ImageStem((1, 8, 8), 4)
    afc = AuxiliaryFeatureClassifier(stem, (4, 8), 3, realism=True)
    x = torch.randn(5, 64, requires_grad=True)
    frozen = afc.frozen_features(x)
    assert torch.allclose(frozen, afc.features(x))
    afc.realism(frozen).sum().backward()
    assert x.grad.abs().sum() > 0
    assert all(p.grad is None for p in afc.body.parameters())
    assert afc.realism_head.weight.grad is not None


def test_afc_loss_is_cross_entropy_on_logits_for_real_and_generated():
    torch.manual_seed(0)
    real, gen = torch.randn(4, 3), torch.randn(6, 3)
    y_real, y_gen = torch.tensor([0, 1, 2, 0]), torch.tensor([1, 1, 2, 0, 0, 2])
    expected = -(
        torch.log_softmax(real, 1)[range(4), y_real].mean()
        + torch.log_softmax(gen, 1)[range(6), y_gen].mean()
    )
    assert torch.isclose(afc_loss(real, y_real, gen, y_gen), expected)


def test_distance_loss_is_eq7_cross_entropy():
    d_real, d_gen = torch.tensor([2.0, -1.0]), torch.tensor([0.5, -3.0])
    expected = -(
        torch.log(torch.sigmoid(d_real)).mean()
        + torch.log(1 - torch.sigmoid(d_gen)).mean()
    )
    assert torch.isclose(distance_loss(d_real, d_gen), expected)


@pytest.mark.parametrize("factor", [-1.0, 0.1, 0.0])
def test_scale_gradient_scales_the_gradient_only(factor):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = scale_gradient(x, factor)
    assert torch.equal(y, x)
    (3 * y).sum().backward()
    assert torch.equal(x.grad, torch.tensor([3.0 * factor, 3.0 * factor]))


# --------------------------------------------------------- latent SMOTE
def test_latent_smote_interpolates_between_a_code_and_one_of_its_neighbours():
    codes = np.array(
        [[0.0, 0.0], [1.0, 0.0], [10.0, 10.0], [11.0, 10.0]], dtype=np.float32
    )
    smote = LatentSMOTE(
        codes, k_neighbors=1, noise_std=0.0, random_state=np.random.RandomState(0)
    )
    new = smote.sample(200)
    # With k=1 each code pairs with its nearest neighbour: new codes lie on
    # the segment [0, 1] x {0} or [10, 11] x {10}, never between the pairs.
    low = (new[:, 1] == 0) & (new[:, 0] >= 0) & (new[:, 0] <= 1)
    high = (new[:, 1] == 10) & (new[:, 0] >= 10) & (new[:, 0] <= 11)
    assert (low | high).all() and low.any() and high.any()
    assert len(np.unique(new[:, 0])) > 150


def test_latent_smote_clips_k_and_falls_back_to_noise_for_one_code():
    two = LatentSMOTE(
        np.zeros((2, 3)),
        k_neighbors=5,
        noise_std=0.1,
        random_state=np.random.RandomState(0),
    )
    assert two.k == 1
    one = LatentSMOTE(
        np.ones((1, 3)),
        k_neighbors=5,
        noise_std=0.1,
        random_state=np.random.RandomState(0),
    )
    new = one.sample(500)
    assert new.shape == (500, 3)
    np.testing.assert_allclose(new.mean(axis=0), 1.0, atol=0.03)
    np.testing.assert_allclose(new.std(axis=0), 0.1, rtol=0.15)


def test_latent_smote_is_reproducible():
    codes = np.random.RandomState(1).standard_normal((10, 4)).astype(np.float32)
    a = LatentSMOTE(codes, 3, 0.1, np.random.RandomState(7)).sample(20)
    b = LatentSMOTE(codes, 3, 0.1, np.random.RandomState(7)).sample(20)
    np.testing.assert_array_equal(a, b)


# --------------------------------------------------------- quality filter
def test_pearson_to_nearest_matches_numpy():
    rng = np.random.RandomState(0)
    cand, ref = rng.standard_normal((5, 30)), rng.standard_normal((7, 30))
    expected = np.corrcoef(cand, ref)[:5, 5:].max(axis=1)
    got = pearson_to_nearest(
        torch.as_tensor(cand), standardize_rows(torch.as_tensor(ref))
    )
    np.testing.assert_allclose(got.numpy(), expected, atol=1e-12)


def test_standardize_rows_maps_a_constant_row_to_zeros():
    rows = standardize_rows(torch.tensor([[1.0, 1.0, 1.0], [1.0, 2.0, 3.0]]))
    assert torch.equal(rows[0], torch.zeros(3))
    assert torch.isclose(rows[1].norm(), torch.tensor(1.0))


class _FakeGenerator:
    """Candidates numbered 0, 1, 2, ...; a candidate passes when its number is odd."""

    def __init__(self):
        self.count = 0
        self.drawn = []

    def draw(self, n):
        rows = torch.arange(self.count, self.count + n, dtype=torch.float64)[:, None]
        self.count += n
        self.drawn.append(n)
        return rows

    @staticmethod
    def score(rows):
        number = rows[:, 0]
        odd = number % 2 == 1
        pcc = torch.where(odd, 0.9, 0.5 - number / 1e4)
        return pcc, torch.full_like(pcc, 0.95), torch.ones_like(odd)


def test_filter_accepts_per_sample_and_redraws_until_the_count_is_met():
    fake = _FakeGenerator()
    rows, report = QualityFilter(0.6, enabled=True, max_rounds=5).run(
        fake.draw, fake.score, 10
    )
    assert (rows[:, 0] % 2 == 1).all() and len(rows) == 10
    assert report["n_accepted"] == 10 and report["n_filled"] == 0
    assert fake.drawn[0] == 10 and len(fake.drawn) > 1  # a second round was needed
    assert report["acceptance_rate"] == pytest.approx(0.5, abs=0.1)
    assert report["mean_pcc"] == pytest.approx(0.9) and report[
        "mean_confidence"
    ] == pytest.approx(0.95)


def test_filter_rejects_the_wrong_class_and_a_low_pcc_not_a_low_confidence():
    def score(rows):
        n = len(rows)
        pcc = torch.tensor([0.9, 0.9, 0.9, 0.5, 0.9])[:n]
        conf = torch.tensor([0.9, 0.3, 0.9, 0.9, 0.9])[:n]
        assigned = torch.tensor([True, True, False, True, True])[:n]
        return pcc, conf, assigned

    def draw(n):
        return torch.arange(5, dtype=torch.float64)[:n, None]

    rows, report = QualityFilter(0.6, enabled=True, max_rounds=1).run(draw, score, 5)
    # Row 1 is assigned to its class with a PCC above beta: accepted although
    # the judge's probability (0.3) is below beta.
    assert report["n_accepted"] == 3 and report["n_filled"] == 2
    assert rows[:3, 0].tolist() == [0.0, 1.0, 4.0]
    # Fill: the reject the judge assigns to the class (3) before the one it does not (2).
    assert rows[3:, 0].tolist() == [3.0, 2.0]


def test_filter_fills_from_the_best_rejects_after_max_rounds():
    def score(rows):
        return rows[:, 0] / 100, None, None  # PCC grows with the number, all below 0.6

    counter = iter(range(10**6))

    def draw(n):
        return torch.tensor([[float(next(counter))] for _ in range(n)])

    rows, report = QualityFilter(0.6, enabled=True, max_rounds=3).run(draw, score, 5)
    assert report["n_accepted"] == 0 and report["n_filled"] == 5
    assert report["n_drawn"] == 5 + 10 + 10  # rounds of at most twice the missing count
    assert rows[:, 0].tolist() == [24.0, 23.0, 22.0, 21.0, 20.0]
    assert np.isnan(report["mean_confidence"])


def test_disabled_filter_keeps_the_first_draws():
    fake = _FakeGenerator()
    rows, report = QualityFilter(0.6, enabled=False, max_rounds=5).run(
        fake.draw, fake.score, 6
    )
    assert rows[:, 0].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert report["n_drawn"] == 6 and report["n_filled"] == 0


# ------------------------------------------------------------- generator
def _generator(**overrides):
    params = dict(
        n_features=64,
        n_classes=3,
        image_shape=None,
        scales=default_scales(64, n_scales=8),
        wavelet="cmor1.5-1.0",
        use_cwt=True,
        channels=(4, 8),
        latent_dim=5,
        n_heads=2,
        image_size=16,
        use_sea=True,
        use_afc=True,
        realism=True,
        loc=0.5,
        scale=2.0,
    )
    params.update(overrides)
    torch.manual_seed(0)
    return DSEAGenerator(**params)


def test_generator_signal_mode_round_trip_shapes_and_gradients():
    net = _generator()
    x = torch.randn(4, 64, requires_grad=True)
    z = net.encode(x)
    out = net.decode(z)
    assert z.shape == (4, 5) and out.shape == (4, 64)
    # The time-frequency loss back-propagates through the torch CWT.
    F.mse_loss(net.front_end(out), net.front_end(x.detach())).backward()
    assert x.grad.abs().sum() > 0
    assert net.predict_proba(x).shape == (4, 3)


def test_generator_image_mode_has_no_cwt():
    net = _generator(
        n_features=3 * 8 * 6, image_shape=(3, 8, 6), scales=None, use_cwt=False
    )
    x = torch.randn(4, 144)
    assert net.decode(net.encode(x)).shape == (4, 144)
    assert net.front_end(x) is None and net.quality_view(x) is x


@pytest.mark.parametrize(
    "use_sea, use_afc, has_sea, has_afc",
    [
        (True, True, True, True),
        (False, True, False, True),
        (True, False, True, False),
        (False, False, False, False),
    ],
    ids=["full", "M1", "M2", "M3"],
)
def test_ablation_switches_remove_the_modules(use_sea, use_afc, has_sea, has_afc):
    net = _generator(use_sea=use_sea, use_afc=use_afc)
    names = {type(m).__name__ for m in net.modules()}
    assert ("SqueezeAxialAttention" in names) is has_sea
    assert ("AuxiliaryFeatureClassifier" in names) is has_afc


def test_generator_without_cwt_reads_one_row_but_filters_on_scalograms():
    net = _generator(use_cwt=False)
    x = torch.randn(2, 64)
    assert net.front_end(x) is None
    assert net.encoder.stem.size[0] == 1
    assert net.quality_view(x).shape == (2, 8 * 16)


# --------------------------------------------------------------- presets
def test_presets_resolve_with_overrides():
    assert resolve_preset("paper")["channels"] == (64, 128, 256, 512)
    assert (
        resolve_preset("paper")["max_epochs"] == 1500 and PRESETS["paper"]["lr"] == 5e-4
    )
    config = resolve_preset("fast", channels=[8], max_epochs=3, lr=None)
    assert config["channels"] == (8,) and config["max_epochs"] == 3
    assert config["lr"] == PRESETS["fast"]["lr"]
    with pytest.raises(ValueError, match="channels"):
        resolve_preset("fast", channels=(8, 0))


def test_pcc_of_a_row_with_itself_never_exceeds_one():
    rows = torch.randn(50, 129, dtype=torch.float32) * 1e3 + 7.0
    pcc = pearson_to_nearest(rows, standardize_rows(rows))
    assert (pcc <= 1.0).all() and torch.allclose(pcc, torch.ones(50), atol=1e-5)
