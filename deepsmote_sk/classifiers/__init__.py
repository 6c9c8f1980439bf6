"""Fault-diagnosis networks as scikit-learn classifiers.

All of them derive from :class:`BaseTorchClassifier`, which owns the
training loop, prediction, validation and pickling; each network only
builds its module and, where its paper asks, its own loss and initialisation.
"""

from ._base import BaseTorchClassifier
from ._classbd import ClassBDClassifier
from ._scalogram_cnn import ScalogramCNNClassifier
from ._shapelet import ShapeletNetClassifier
from ._resnet1d import ResNet1DClassifier
from ._wdcnn import WDCNNClassifier

__all__ = [
    "BaseTorchClassifier",
    "ClassBDClassifier",
    "ScalogramCNNClassifier",
    "ShapeletNetClassifier",
    "ResNet1DClassifier",
    "WDCNNClassifier",
]
