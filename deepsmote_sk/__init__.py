"""deepsmote_sk: deep, signal-aware oversampling for imbalanced fault diagnosis."""
from .cwt import cwt
__all__ = ["cwt"]
