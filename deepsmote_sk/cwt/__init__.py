"""Continuous wavelet transform: the fast torch CWT and the scalogram transformer.

``deepsmote_sk.cwt`` names both this subpackage and its function
:func:`cwt`. Importing a submodule makes Python bind the *module* to the
parent package's attribute, which would shadow the function for users who
write ``from deepsmote_sk import cwt`` after anything imported
``deepsmote_sk.cwt`` (DSEASMOTE does). The module is therefore callable and
forwards calls to :func:`cwt`, so both spellings work in any import order.
"""

import sys
import types

from ._cwt import cwt, effective_support, frequencies_to_scales
from ._scalogram import default_scales, scalogram
from ._transformer import CWTTransformer

__all__ = [
    "CWTTransformer",
    "cwt",
    "default_scales",
    "effective_support",
    "frequencies_to_scales",
    "scalogram",
]


class _CallableModule(types.ModuleType):
    def __call__(self, *args, **kwargs):
        return cwt(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
