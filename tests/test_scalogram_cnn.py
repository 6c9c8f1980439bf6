"""ScalogramCNNClassifier: the 2-D CNN / VGG for image-mode data."""

import numpy as np
import pytest
import torch
from sklearn.utils.estimator_checks import parametrize_with_checks

from deepsmote_sk import ScalogramCNNClassifier as TopLevelScalogramCNNClassifier
from deepsmote_sk.classifiers import ScalogramCNNClassifier
from deepsmote_sk.classifiers._scalogram_cnn import ScalogramCNN


# The estimator checks feed 1 to 10 features, most of them not perfect
# squares, so the default image_shape=None (square images) would rightly
# refuse them; (1, -1) reads every row as a one-pixel-high image and
# exercises the same network and contract.
@parametrize_with_checks(
    [
        ScalogramCNNClassifier(
            image_shape=(1, -1),
            width=0.25,
            n_hidden=16,
            max_epochs=5,
            batch_size=32,
            lr=0.01,
            device="cpu",
            random_state=0,
        )
    ]
)
def test_passes_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


def tiny(**params):
    defaults = dict(
        width=0.25,
        n_hidden=16,
        max_epochs=8,
        batch_size=16,
        lr=0.01,
        device="cpu",
        random_state=0,
    )
    return ScalogramCNNClassifier(**{**defaults, **params})


def make_images(n_per_class=20, shape=(8, 8), seed=0):
    """Noise images; class 1 has a brighter upper half (a fault band in a scalogram)."""
    rng = np.random.RandomState(seed)
    images = rng.rand(2 * n_per_class, *shape)
    images[n_per_class:, : shape[0] // 2] += 1.0
    return images.reshape(2 * n_per_class, -1), np.repeat(
        ["normal", "fault"], n_per_class
    )


def test_is_exported_at_the_top_level():
    assert TopLevelScalogramCNNClassifier is ScalogramCNNClassifier


def test_square_images_are_inferred_and_learned():
    X, y = make_images()
    clf = tiny().fit(X, y)
    assert clf.image_shape_ == (8, 8)
    X_test, y_test = make_images(seed=1)
    assert clf.score(X_test, y_test) > 0.9


def test_non_square_features_without_image_shape_get_a_clear_error():
    X, y = make_images(shape=(4, 6))
    with pytest.raises(
        ValueError, match="24 features, which is not a perfect square; pass image_shape"
    ):
        tiny().fit(X, y)


def test_image_shape_with_minus_one_is_inferred():
    X, y = make_images(shape=(4, 6))
    assert tiny(image_shape=(4, -1), max_epochs=1).fit(X, y).image_shape_ == (4, 6)
    assert tiny(image_shape=[-1, 6], max_epochs=1).fit(X, y).image_shape_ == (4, 6)


@pytest.mark.parametrize(
    "image_shape, message",
    [
        ((5, 5), r"image_shape=\(5, 5\) does not fit X with 24 features"),
        ((5, -1), r"image_shape=\(5, -1\) does not fit X with 24 features"),
        ((4, 6, 1), "must be None or \\(height, width\\)"),
        ((0, 24), "must be None or \\(height, width\\)"),
        ((-1, -1), "must be None or \\(height, width\\)"),
        ((4.0, 6), "must be None or \\(height, width\\)"),
    ],
)
def test_wrong_image_shape_gets_a_clear_error(image_shape, message):
    X, y = make_images(shape=(4, 6))
    with pytest.raises(ValueError, match=message):
        tiny(image_shape=image_shape).fit(X, y)


@pytest.mark.parametrize(
    "architecture, n_convolutions, output_shape",
    [
        ("small", 3, (4, 4)),
        ("vgg11", 8, (1, 1)),
        ("vgg13", 10, (1, 1)),
        ("vgg16", 13, (1, 1)),
    ],
)
def test_architectures_follow_their_configurations_on_32x32_scalograms(
    architecture, n_convolutions, output_shape
):
    net = ScalogramCNN((32, 32), 10, architecture=architecture, width=0.125).eval()
    convolutions = [m for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
    assert len(convolutions) == n_convolutions
    assert net.output_shape == output_shape
    assert net(torch.randn(2, 32 * 32)).shape == (2, 10)


def test_vgg_channels_double_up_to_512():
    net = ScalogramCNN((32, 32), 2, architecture="vgg11")
    channels = [m.out_channels for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
    assert channels == [64, 128, 256, 256, 512, 512, 512, 512]


def test_pooling_skips_axes_of_one_pixel():
    net = ScalogramCNN((1, 9), 3, architecture="vgg11", width=0.125).eval()
    assert net.output_shape == (1, 1)
    assert net(torch.randn(2, 9)).shape == (2, 3)


def test_vgg_classifier_trains_on_images():
    X, y = make_images(n_per_class=16, shape=(16, 16))
    clf = tiny(architecture="vgg11", width=0.125, max_epochs=6).fit(X, y)
    assert clf.n_iter_ == 6
    assert clf.score(X, y) > 0.9


def test_unknown_architecture_is_rejected():
    X, y = make_images()
    with pytest.raises(ValueError, match="architecture"):
        tiny(architecture="resnet").fit(X, y)
