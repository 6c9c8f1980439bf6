"""Deep oversampling of signals and images: DSEA-SMOTE."""

from ._dseasmote import DSEASMOTE

__all__ = ["DSEASMOTE"]
