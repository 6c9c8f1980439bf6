"""Shared test fixtures (the thread setting lives in the root conftest.py)."""

import os

import numpy as np
import pytest

CWRU_PATH = os.environ.get(
    "DEEPSMOTE_SK_CWRU",
    os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "cwru_12k_de_0hp.npz"),
)


@pytest.fixture
def cwru_path():
    """Path of the real CWRU npz; skips the test with a reason when absent."""
    if not os.path.exists(CWRU_PATH):
        pytest.skip(f"CWRU data not found at {CWRU_PATH} (set DEEPSMOTE_SK_CWRU)")
    return CWRU_PATH


@pytest.fixture
def rng():
    return np.random.default_rng(0)
