import numpy as np
import pytest
import pywt

from deepsmote_sk import cwt


@pytest.mark.parametrize("wavelet", ["morl", "mexh", "cmor1.5-1.0", "gaus1", "gaus8"])
@pytest.mark.parametrize("length", [64, 257])
def test_cwt_matches_pywt(wavelet, length, rng):
    x = rng.standard_normal((3, length))
    scales = np.geomspace(1, length / 8, 9)
    coefs, freqs = cwt(x, scales, wavelet)
    ref, ref_freqs = pywt.cwt(x, scales, wavelet, axis=-1)
    ref = np.moveaxis(ref, 0, 1)
    assert coefs.shape == ref.shape == (3, 9, length)
    assert np.abs(coefs - ref).max() <= 1e-4 * np.abs(ref).max()
    np.testing.assert_allclose(freqs, ref_freqs)
