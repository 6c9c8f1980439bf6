"""deepsmote_sk: deep, signal-aware oversampling for imbalanced fault diagnosis.

Public names are imported lazily (PEP 562) so that ``import deepsmote_sk``
stays light and does not load every torch model.
"""

import importlib

from ._version import __version__

_EXPORTS = {
    "cwt": "deepsmote_sk.wavelets",
    "CWTTransformer": "deepsmote_sk.wavelets",
    "NoiseInjector": "deepsmote_sk.noise",
    "DSEASMOTE": "deepsmote_sk.over_sampling",
    "TimeShiftOverSampler": "deepsmote_sk.over_sampling",
    "WDCNNClassifier": "deepsmote_sk.classifiers",
    "ResNet1DClassifier": "deepsmote_sk.classifiers",
    "ScalogramCNNClassifier": "deepsmote_sk.classifiers",
    "ClassBDClassifier": "deepsmote_sk.classifiers",
    "ShapeletNetClassifier": "deepsmote_sk.classifiers",
    "MiniRocketClassifier": "deepsmote_sk.classifiers",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'deepsmote_sk' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
