"""ResNet1DClassifier: the shift-invariant default downstream of the benchmark."""

import numpy as np
import torch
from sklearn.utils.estimator_checks import parametrize_with_checks

from deepsmote_sk import ResNet1DClassifier as TopLevelResNet1DClassifier
from deepsmote_sk.classifiers import ResNet1DClassifier
from deepsmote_sk.classifiers._resnet1d import ResNet1D


@parametrize_with_checks(
    [
        ResNet1DClassifier(
            width=0.25, max_epochs=5, batch_size=32, lr=0.01, device="cpu", random_state=0
        )
    ]
)
def test_passes_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


def test_is_exported_at_the_top_level():
    assert TopLevelResNet1DClassifier is ResNet1DClassifier


def test_features_are_invariant_to_a_circular_shift_by_the_total_stride():
    # Stem stride 2 and two stages of stride 2: a shift by 8 samples moves
    # every feature map by whole positions, and global pooling forgets where.
    net = ResNet1D(256, 3).eval()
    x = torch.randn(4, 256)
    with torch.no_grad():
        a = net.features(x)
        b = net.features(torch.roll(x, 8, dims=1))
    # Only the zero-padded borders differ.
    assert torch.allclose(a, b, rtol=0.1, atol=0.05)


def test_learns_a_class_from_few_windows_at_random_phases():
    rng = np.random.RandomState(0)

    def impulses(period, n):
        rows = []
        for _ in range(n):
            phase = rng.randint(period)
            x = 0.2 * rng.randn(256)
            for start in range(phase, 256, period):
                x[start : start + 6] += np.exp(-np.arange(len(x[start : start + 6])))
            rows.append(x)
        return np.array(rows)

    X = np.vstack([impulses(20, 8), impulses(37, 8)])
    y = np.repeat([0, 1], 8)
    X_test = np.vstack([impulses(20, 50), impulses(37, 50)])
    y_test = np.repeat([0, 1], 50)
    clf = ResNet1DClassifier(max_steps=60, batch_size=16, random_state=0)
    clf.fit(X, y)
    assert clf.n_steps_ == 60
    assert clf.score(X_test, y_test) > 0.9
