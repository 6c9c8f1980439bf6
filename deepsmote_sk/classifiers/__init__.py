"""Fault-diagnosis classifiers with the scikit-learn interface.

The networks derive from :class:`BaseTorchClassifier`, which owns the
training loop, prediction, validation and pickling; each network only
builds its module and, where its paper asks, its own loss and initialisation.
:class:`MiniRocketClassifier` is the non-deep one: MiniRocket features and a
ridge classifier (needs the optional ``aeon`` package).
"""

from ._base import BaseTorchClassifier
from ._classbd import ClassBDClassifier
from ._minirocket import MiniRocketClassifier
from ._scalogram_cnn import ScalogramCNNClassifier
from ._shapelet import ShapeletNetClassifier
from ._resnet1d import ResNet1DClassifier
from ._wdcnn import WDCNNClassifier

__all__ = [
    "BaseTorchClassifier",
    "ClassBDClassifier",
    "MiniRocketClassifier",
    "ScalogramCNNClassifier",
    "ShapeletNetClassifier",
    "ResNet1DClassifier",
    "WDCNNClassifier",
]
