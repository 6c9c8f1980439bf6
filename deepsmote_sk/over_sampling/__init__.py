"""Oversampling of signals and images: DSEA-SMOTE and circular time shifts."""

from ._dseasmote import DSEASMOTE
from ._time_shift import TimeShiftOverSampler

__all__ = ["DSEASMOTE", "TimeShiftOverSampler"]
