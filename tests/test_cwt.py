"""The torch CWT: agreement with pywt.cwt, autograd, devices and bad input."""

import threading
import warnings

import numpy as np
import pytest
import pywt
import torch

from deepsmote_sk.wavelets import (
    _cwt,
    _output_memory,
    cwt,
    effective_support,
    empty_cache,
    frequencies_to_scales,
)
from deepsmote_sk.utils import torch_threads

WAVELETS = [
    "morl",
    "mexh",
    "cmor1.5-1.0",
    "cmor0.5-2.0",
    "gaus1",
    "gaus2",
    "gaus3",
    "gaus4",
    "gaus5",
    "gaus6",
    "gaus7",
    "gaus8",
    "cgau2",
    "shan1.5-1.0",
    "fbsp2-1.5-1.0",
]


def pywt_reference(x, scales, wavelet):
    ref, freqs = pywt.cwt(np.asarray(x, dtype=np.float64), scales, wavelet, axis=-1)
    return np.moveaxis(ref, 0, -2), freqs  # (..., scales, L)


def relative_error(ours, ref):
    return np.abs(ours - ref).max() / np.abs(ref).max()


def largest_scale(wavelet, length):
    """Largest scale whose effective support fits in ``length`` samples."""
    width = _cwt._support_width(pywt.ContinuousWavelet(wavelet).name, 12)
    return length / width * 0.999


@pytest.mark.parametrize("wavelet", WAVELETS)
@pytest.mark.parametrize("length", [48, 257])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cwt_matches_pywt(wavelet, length, dtype, rng):
    x = rng.standard_normal((3, length)).astype(dtype)
    scales = np.geomspace(0.8, largest_scale(wavelet, length), 9)
    coefs, freqs = cwt(x, scales, wavelet)
    ref, ref_freqs = pywt_reference(x, scales, wavelet)
    assert coefs.shape == ref.shape == (3, 9, length)
    assert np.iscomplexobj(coefs) == np.iscomplexobj(ref)
    assert relative_error(coefs, ref) <= 1e-4
    if dtype == np.float64:
        # Not an approximation: the same arithmetic up to rounding.
        assert relative_error(coefs, ref) <= 1e-10
    np.testing.assert_allclose(freqs, ref_freqs)


@pytest.mark.parametrize(
    "scales",
    [
        np.arange(1, 33),  # the classic integer scales
        np.array([20.0, 1.0, 7.5, 7.5, 3.0, 60.0]),  # unsorted, repeated
        np.array([0.3]),  # below one sample
    ],
)
def test_cwt_matches_pywt_for_any_scale_order(scales, rng):
    x = rng.standard_normal((2, 256))
    coefs, _ = cwt(x, scales, "cmor1.5-1.0")
    ref, _ = pywt_reference(x, scales, "cmor1.5-1.0")
    assert relative_error(coefs, ref) <= 1e-10


@pytest.mark.parametrize("length", [64, 255, 256, 300])
def test_shortest_alias_free_fft_length_is_exact_and_one_less_is_not(
    length, rng, monkeypatch
):
    # The FFT length bound L + reach is tight: at exactly that length the
    # result is exact, one sample shorter folds the filter onto the output.
    x = rng.standard_normal((2, length))
    scales = np.geomspace(1, largest_scale("morl", length), 12)
    ref, _ = pywt_reference(x, scales, "morl")
    for shrink, exact in [(0, True), (1, False)]:
        monkeypatch.setattr(_cwt, "_fft_length", lambda n, reach: n + reach - shrink)
        _cwt._plan.cache_clear()
        coefs, _ = cwt(x, scales, "morl")
        assert (relative_error(coefs, ref) <= 1e-10) == exact
    _cwt._plan.cache_clear()


def test_cwt_of_one_signal_is_scales_by_time(rng):
    x = rng.standard_normal(100)
    coefs, _ = cwt(x, [1, 2, 4], "morl")
    ref, _ = pywt.cwt(x, [1, 2, 4], "morl")
    assert coefs.shape == (3, 100)
    np.testing.assert_allclose(coefs, ref, atol=1e-12)


@pytest.mark.parametrize(
    "dtype, wavelet, expected",
    [
        (np.float32, "morl", np.float32),
        (np.float32, "cmor1.5-1.0", np.complex64),
        (np.float64, "cmor1.5-1.0", np.complex128),
        (np.int64, "morl", np.float64),
        (np.float16, "mexh", np.float64),
    ],
)
def test_cwt_output_dtype_follows_input(dtype, wavelet, expected):
    coefs, _ = cwt(np.ones((2, 64), dtype=dtype), [1, 2], wavelet)
    assert isinstance(coefs, np.ndarray)
    assert coefs.dtype == expected


def test_cwt_keeps_tensor_dtype_and_device():
    coefs, freqs = cwt(torch.randn(2, 64, dtype=torch.float64), [1, 2], "cmor1.5-1.0")
    assert isinstance(coefs, torch.Tensor) and coefs.dtype == torch.complex128
    assert coefs.device.type == "cpu"
    assert isinstance(freqs, np.ndarray)
    half, _ = cwt(torch.randn(2, 64).half(), [1, 2], "morl")
    assert half.dtype == torch.float32


def test_numpy_result_is_a_writable_array_and_tensor_result_a_plain_tensor(rng):
    # numpy input gets numpy-allocated memory (huge-page backed, reusable);
    # tensor input must stay an ordinary tensor, which torch can resize.
    x = rng.standard_normal((3, 64)).astype(np.float32)
    coefs, _ = cwt(x, [1, 2, 4], "cmor1.5-1.0")
    assert coefs.flags.c_contiguous and coefs.flags.writeable
    coefs[...] = 0
    assert not np.shares_memory(coefs, cwt(x, [1, 2, 4], "cmor1.5-1.0")[0])
    tensor_coefs, _ = cwt(torch.from_numpy(x), [1, 2, 4], "cmor1.5-1.0")
    tensor_coefs.resize_(2 * tensor_coefs.numel())
    assert tensor_coefs.numel() == 2 * 3 * 3 * 64


@pytest.fixture
def output_memory():
    """The module that keeps released outputs, emptied before and after."""
    empty_cache()
    yield _output_memory
    empty_cache()


def _address(array):
    return array.__array_interface__["data"][0]


def _big_batch(rng, n=200):
    # 200 x 16 scales x 256 complex64 = 6.5 MB, above the 4 MiB threshold.
    return rng.standard_normal((n, 256)).astype(np.float32)


SCALES16 = np.geomspace(1, 16, 16)


def test_released_output_memory_is_reused_with_exact_results(rng, output_memory):
    x1, x2 = _big_batch(rng), _big_batch(rng)
    first, _ = cwt(x1, SCALES16, "cmor1.5-1.0")
    address, nbytes = _address(first), first.nbytes
    del first
    second, _ = cwt(x2, SCALES16, "cmor1.5-1.0")
    assert _address(second) == address
    # The tensor path never reuses memory; both paths compute identically.
    expected = cwt(torch.from_numpy(x2), SCALES16, "cmor1.5-1.0")[0].numpy()
    np.testing.assert_array_equal(second, expected)
    assert second.flags.c_contiguous and second.flags.writeable
    del second
    assert empty_cache() == nbytes
    assert empty_cache() == 0


@pytest.mark.parametrize(
    "hold",
    [
        lambda a: a[0],
        lambda a: a.real,
        lambda a: a.reshape(-1),
        lambda a: torch.from_numpy(a),
        lambda a: memoryview(a),
    ],
    ids=["row", "real-part", "reshape", "torch.from_numpy", "memoryview"],
)
def test_memory_still_referenced_is_never_reused(rng, output_memory, hold):
    first, _ = cwt(_big_batch(rng), SCALES16, "cmor1.5-1.0")
    kept = hold(first)
    view = kept.numpy() if isinstance(kept, torch.Tensor) else np.asarray(kept)
    snapshot = view.copy()
    del first
    second, _ = cwt(_big_batch(rng), SCALES16, "cmor1.5-1.0")
    np.testing.assert_array_equal(view, snapshot)
    assert not np.shares_memory(second, view)


def test_concurrent_calls_never_share_an_output(rng, output_memory):
    batches = [_big_batch(rng, 100 + 20 * i) for i in range(4)]
    expected = [cwt(torch.from_numpy(x), SCALES16, "morl")[0].numpy() for x in batches]
    errors = []

    def worker(i):
        for _ in range(4):
            got, _ = cwt(batches[i], SCALES16, "morl")
            if not np.array_equal(got, expected[i]):
                errors.append(i)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_only_outputs_of_a_bounded_size_are_kept(rng, output_memory, monkeypatch):
    small, _ = cwt(rng.standard_normal((3, 64)), [1, 2, 4], "morl")
    del small
    assert empty_cache() == 0
    monkeypatch.setattr(output_memory, "MAX_BYTES", 5 * 2**20)
    large, _ = cwt(_big_batch(rng), SCALES16, "cmor1.5-1.0")  # 6.5 MB
    del large
    assert empty_cache() == 0


def test_a_much_larger_released_buffer_is_not_used_for_a_small_output(
    rng, output_memory
):
    large, _ = cwt(_big_batch(rng, 500), SCALES16, "cmor1.5-1.0")  # 16.4 MB
    large_address = _address(large)
    del large
    small, _ = cwt(_big_batch(rng, 200), SCALES16, "cmor1.5-1.0")  # 6.5 MB
    assert _address(small) != large_address
    nbytes = small.nbytes
    del small
    # The most recently released buffer replaces the one kept before.
    assert empty_cache() == nbytes


def test_thread_runner_processes_every_item_once_and_reraises():
    seen, lock = [], threading.Lock()

    def record(item):
        with lock:
            seen.append(item)

    with torch_threads(2):
        _cwt._run_in_threads(record, range(100), 3)
        assert sorted(seen) == list(range(100))

        def fail(item):
            if item == 7:
                raise RuntimeError("chunk 7 failed")

        with pytest.raises(RuntimeError, match="chunk 7 failed"):
            _cwt._run_in_threads(fail, range(100), 2)
        assert torch.get_num_threads() == 2


def test_cwt_gradients_flow_to_the_signal():
    x = torch.randn(3, 64, requires_grad=True)
    coefs, _ = cwt(x, np.geomspace(1, 8, 6), "cmor1.5-1.0", chunk_size=2)
    coefs.abs().sum().backward()
    assert x.grad.shape == (3, 64)
    assert torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0


@pytest.mark.parametrize("wavelet", ["morl", "cmor1.5-1.0"])
def test_cwt_passes_gradcheck(wavelet):
    x = torch.randn(2, 16, dtype=torch.float64, requires_grad=True)

    def transform(signal):
        coefs, _ = cwt(signal, [1.0, 2.5, 4.0], wavelet, chunk_size=1)
        return torch.view_as_real(coefs) if coefs.is_complex() else coefs

    assert torch.autograd.gradcheck(transform, (x,))


def test_chunking_gives_identical_results(rng):
    x = rng.standard_normal((7, 128)).astype(np.float32)
    scales = np.geomspace(1, 30, 16)
    whole, _ = cwt(x, scales, "cmor1.5-1.0", chunk_size=7)
    for chunk in (1, 3):
        part, _ = cwt(x, scales, "cmor1.5-1.0", chunk_size=chunk)
        np.testing.assert_array_equal(part, whole)
    # A row's coefficients do not depend on the other rows of its chunk.
    alone, _ = cwt(x[4:5], scales, "cmor1.5-1.0")
    np.testing.assert_array_equal(alone[0], whole[4])


def test_worker_threads_give_identical_results_and_restore_thread_count(rng):
    x = rng.standard_normal((9, 128)).astype(np.float32)
    scales = np.geomspace(1, 30, 16)
    single, _ = cwt(x, scales, "cmor1.5-1.0", chunk_size=2)
    with torch_threads(2):
        threaded, _ = cwt(x, scales, "cmor1.5-1.0", chunk_size=2)
        assert torch.get_num_threads() == 2
    np.testing.assert_array_equal(threaded, single)


def test_inference_mode_is_supported_with_worker_threads(rng):
    x = torch.from_numpy(rng.standard_normal((6, 64)))
    expected, _ = cwt(x, [1, 2, 4], "morl")
    with torch_threads(2), torch.inference_mode():
        coefs, _ = cwt(x, [1, 2, 4], "morl", chunk_size=1)
    assert coefs.is_inference()
    torch.testing.assert_close(coefs, expected, rtol=0, atol=0)


@pytest.mark.parametrize("n_threads", [1, 2])
def test_no_grad_output_has_no_graph_with_any_thread_count(n_threads):
    x = torch.randn(4, 64, requires_grad=True)
    with torch_threads(n_threads), torch.no_grad():
        coefs, _ = cwt(x, [1, 2], "cmor1.5-1.0", chunk_size=1)
    assert not coefs.requires_grad


def test_frequency_range_gives_geometric_frequencies_from_fmax_to_fmin(rng):
    fs = 12000.0
    x = rng.standard_normal((2, 512))
    coefs, freqs = cwt(
        x, wavelet="morl", sampling_period=1 / fs, frequencies=(200, 4000), n_scales=10
    )
    np.testing.assert_allclose(freqs, np.geomspace(4000, 200, 10))
    scales = pywt.frequency2scale("morl", freqs / fs)
    ref, _ = pywt_reference(x, scales, "morl")
    assert coefs.shape == (2, 10, 512)
    assert relative_error(coefs, ref) <= 1e-10


def test_explicit_frequencies_are_analysed_as_given():
    freqs_in = [3000.0, 1000.0, 500.0]
    x = np.ones((1, 256))
    _, freqs = cwt(x, wavelet="morl", frequencies=freqs_in, sampling_period=1e-4)
    np.testing.assert_allclose(freqs, freqs_in)
    _, pair = cwt(x, frequencies=[2000, 1000], n_scales=None, sampling_period=1e-4)
    np.testing.assert_allclose(pair, [2000, 1000])


def test_strongest_scale_is_the_tone_frequency():
    fs, f0 = 12000.0, 1500.0
    t = np.arange(1024) / fs
    x = np.sin(2 * np.pi * f0 * t)
    coefs, freqs = cwt(x, frequencies=(200, 5000), n_scales=40, sampling_period=1 / fs)
    peak = freqs[np.abs(coefs).mean(axis=1).argmax()]
    assert abs(peak - f0) / f0 < 0.1


def test_frequencies_to_scales_matches_pywt():
    freqs = np.array([0.05, 0.1, 0.3])
    np.testing.assert_allclose(
        frequencies_to_scales(freqs, "cmor1.5-1.0"),
        pywt.frequency2scale("cmor1.5-1.0", freqs),
    )
    with pytest.raises(ValueError, match="positive"):
        frequencies_to_scales([-1.0], "morl")


def test_frequencies_above_nyquist_are_rejected_and_nyquist_itself_accepted():
    with pytest.raises(ValueError, match=r"Nyquist frequency .* = 0.5; got 0.9"):
        frequencies_to_scales([0.2, 0.9], "morl")
    with pytest.raises(ValueError, match=r"Nyquist frequency .* = 6000; got 8000"):
        cwt(np.ones((1, 256)), frequencies=(1000, 8000), sampling_period=1 / 12000)
    _, freqs = cwt(np.ones((1, 256)), frequencies=(1000, 6000), sampling_period=1 / 12000)
    assert freqs.max() == pytest.approx(6000)


def test_effective_support_grows_with_scale():
    assert effective_support("morl", 1) < effective_support("morl", 10)
    assert effective_support("morl", 10) == pytest.approx(
        10 * effective_support("morl", 100) / 100, abs=1
    )


def test_read_only_arrays_are_accepted_without_warning(rng):
    x = rng.standard_normal((2, 64))
    x.flags.writeable = False
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        coefs, _ = cwt(x, [1, 2], "morl")
    assert coefs.shape == (2, 2, 64)


def test_public_cwt_is_the_function_of_the_wavelets_subpackage():
    import deepsmote_sk
    from deepsmote_sk import cwt as public_cwt

    assert public_cwt is cwt and deepsmote_sk.cwt is cwt
    x = np.ones((1, 64))
    expected, _ = cwt(x, [1, 2], "morl")
    np.testing.assert_array_equal(public_cwt(x, [1, 2], "morl")[0], expected)


@pytest.mark.parametrize(
    "data, match",
    [
        (np.array([[1.0, np.nan] * 40]), "NaN or infinity"),
        (np.array([[1.0, np.inf] * 40]), "NaN or infinity"),
        (np.ones((2, 3, 80)), r"got an array of shape \(2, 3, 80\)"),
        (np.array([["a", "b"] * 40]), "numeric"),
        (np.array([[object()] * 80]), "numeric"),
        (np.ones((2, 80)) * 1j, "real-valued"),
        (np.ones((2, 0)), "length 0"),
    ],
)
def test_bad_data_raises_clear_value_error(data, match):
    with pytest.raises(ValueError, match=match):
        cwt(data, [1, 2], "morl")


def test_finite_data_whose_sum_overflows_is_accepted():
    # The finiteness check first looks at the sum; an overflowing sum of
    # finite values must fall back to the element-wise check, not raise.
    x = np.full((2, 64), 3e38, dtype=np.float32)
    assert not torch.isfinite(torch.from_numpy(x).sum())
    coefs, _ = cwt(x, [1, 2], "morl")
    assert coefs.shape == (2, 2, 64)
    with pytest.raises(ValueError, match="NaN or infinity"):
        cwt(np.where(np.arange(64) == 5, -np.inf, x), [1, 2], "morl")


@pytest.mark.parametrize("scales", [[1, 0], [-2, 1], [np.nan], []])
def test_non_positive_or_missing_scales_raise(scales):
    with pytest.raises(ValueError, match="scales"):
        cwt(np.ones((1, 64)), scales, "morl")


def test_unknown_wavelet_raises_and_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"Unknown continuous wavelet 'morlet'.*morl"):
        cwt(np.ones((1, 64)), [1], "morlet")
    with pytest.raises(ValueError, match="wavelet must be"):
        cwt(np.ones((1, 64)), [1], 3)


def test_too_short_signal_message_states_the_needed_length():
    needed = effective_support("morl", 40)
    with pytest.raises(ValueError, match=rf"at least {needed} samples are needed"):
        cwt(np.ones((1, needed - 1)), [1, 40], "morl")
    coefs, _ = cwt(np.ones((1, needed)), [1, 40], "morl")
    assert coefs.shape == (1, 2, needed)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"sampling_period": 0.0}, "sampling_period"),
        ({"sampling_period": float("nan")}, "sampling_period"),
        ({"chunk_size": 0}, "chunk_size"),
        ({"scales": None}, "scales"),
        ({"scales": [1.0], "frequencies": [0.1]}, "either scales or frequencies"),
        ({"scales": None, "frequencies": (0.0, 0.2)}, "positive"),
        ({"scales": None, "frequencies": (0.1, 0.2), "n_scales": 0}, "n_scales"),
    ],
)
def test_bad_arguments_raise_clear_value_error(kwargs, match):
    kwargs = {"scales": [1.0, 2.0], **kwargs}
    with pytest.raises(ValueError, match=match):
        cwt(np.ones((1, 64)), wavelet="morl", **kwargs)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="CUDA is not available")
def test_cwt_on_cuda_matches_cpu_and_stays_on_the_device(rng):
    x = torch.from_numpy(rng.standard_normal((4, 256)))
    scales = np.geomspace(1, 64, 16)
    cpu, _ = cwt(x, scales, "cmor1.5-1.0")
    gpu, _ = cwt(x.cuda().requires_grad_(), scales, "cmor1.5-1.0")
    assert gpu.device.type == "cuda" and gpu.requires_grad
    torch.testing.assert_close(gpu.detach().cpu(), cpu)
