"""Continuous wavelet transform: the fast torch CWT and the scalogram transformer.

The transform itself is also available as :func:`deepsmote_sk.cwt`, the
name ``pywt`` users look for.
"""

from ._cwt import cwt, effective_support, frequencies_to_scales
from ._output_memory import empty_cache
from ._scalogram import default_scales, scalogram
from ._transformer import CWTTransformer

__all__ = [
    "CWTTransformer",
    "cwt",
    "default_scales",
    "effective_support",
    "empty_cache",
    "frequencies_to_scales",
    "scalogram",
]
