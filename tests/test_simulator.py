"""The physics-based bearing simulator."""

import numpy as np
import pytest
from scipy.signal import hilbert
from scipy.stats import kurtosis

from deepsmote_sk.datasets import (
    bearing_frequencies,
    make_bearing_signals,
    make_imbalanced_split,
)


def envelope_spectrum(x, fs, band=(2000.0, 5000.0)):
    """Spectrum of the Hilbert envelope of ``x`` band-passed around the resonances."""
    spectrum = np.fft.rfft(x - x.mean())
    freqs = np.fft.rfftfreq(x.size, 1 / fs)
    spectrum[(freqs < band[0]) | (freqs > band[1])] = 0
    envelope = np.abs(hilbert(np.fft.irfft(spectrum, x.size)))
    return freqs, np.abs(np.fft.rfft(envelope - envelope.mean()))


def peak_ratio(freqs, env, f0, tol=0.03):
    """Largest envelope line within +-tol of f0 over the median level 20-400 Hz."""
    baseline = np.median(env[(freqs >= 20) & (freqs <= 400)])
    near = (freqs > f0 * (1 - tol)) & (freqs < f0 * (1 + tol))
    return env[near].max() / baseline


@pytest.fixture(scope="module")
def simulated():
    return make_bearing_signals(duration=4.0, random_state=0)


def test_default_classes_duration_and_units():
    data = make_bearing_signals(random_state=0)
    assert data.class_names == ["normal", "IR007", "OR007", "B007"]
    assert data.fs == 12000
    assert all(sig.shape == (120000,) and sig.dtype == np.float64
               for sig in data.signals.values())
    assert data.rpm == {c: 1797 for c in data.class_names}
    # healthy vibration of the order of the real CWRU baseline (0.07 g)
    assert 0.02 < data.signals["normal"].std() < 0.2


def test_default_output_is_long_enough_for_the_protocol_split():
    data = make_bearing_signals(random_state=0)
    X_tr, y_tr, X_te, _ = make_imbalanced_split(data, "1:100", random_state=0)
    assert X_tr.shape == (2000 + 3 * 20, 256) and X_te.shape == (4 * 500, 256)
    assert np.sum(y_tr == "normal") == 2000


def test_fault_frequencies_match_the_cwru_drive_end_bearing():
    f = bearing_frequencies(1797)
    fr = 1797 / 60
    # multiples of shaft speed published by CWRU for the SKF 6205
    assert f["BPFI"] / fr == pytest.approx(5.4152, abs=1e-3)
    assert f["BPFO"] / fr == pytest.approx(3.5848, abs=1e-3)
    assert f["FTF"] / fr == pytest.approx(0.39828, abs=1e-4)
    assert f["BSF"] / fr == pytest.approx(2.357, abs=2e-3)
    # kinematics: BPFO = n FTF and BPFI = n (f_r - FTF)
    assert f["BPFO"] == pytest.approx(9 * f["FTF"])
    assert f["BPFI"] == pytest.approx(9 * (fr - f["FTF"]))


def test_same_seed_gives_identical_signals_and_other_seeds_differ():
    a = make_bearing_signals(duration=0.5, random_state=7)
    b = make_bearing_signals(duration=0.5, random_state=7)
    c = make_bearing_signals(duration=0.5, random_state=8)
    for name in a.class_names:
        np.testing.assert_array_equal(a.signals[name], b.signals[name])
        assert not np.allclose(a.signals[name], c.signals[name])


def test_seeded_simulation_leaves_global_numpy_state_untouched():
    state = np.random.get_state()[1].copy()
    make_bearing_signals(duration=0.2, random_state=0)
    np.testing.assert_array_equal(np.random.get_state()[1], state)


@pytest.mark.parametrize(
    "name, expected",
    [("IR007", ["BPFI"]), ("OR007", ["BPFO"]), ("B007", ["BSF", "2BSF"])],
)
def test_envelope_spectrum_peaks_at_the_fault_frequency(simulated, name, expected):
    ff = simulated.fault_frequencies
    candidates = {"BPFI": ff["BPFI"], "BPFO": ff["BPFO"], "BSF": ff["BSF"],
                  "2BSF": 2 * ff["BSF"]}
    freqs, env = envelope_spectrum(simulated.signals[name], simulated.fs)
    ratios = {k: peak_ratio(freqs, env, f) for k, f in candidates.items()}
    best = max(ratios, key=ratios.get)
    assert best in expected, ratios
    assert ratios[best] > 8, ratios


def test_healthy_signal_has_no_fault_line_in_its_envelope(simulated):
    ff = simulated.fault_frequencies
    freqs, env = envelope_spectrum(simulated.signals["normal"], simulated.fs)
    for f in (ff["BPFI"], ff["BPFO"], ff["BSF"], 2 * ff["BSF"]):
        assert peak_ratio(freqs, env, f) < 5


def test_inner_race_impacts_are_modulated_by_shaft_rotation(simulated):
    """The load zone gives BPFI +- f_r sidebands for IR, none for a fixed OR fault."""
    ff = simulated.fault_frequencies
    fr = ff["shaft"]
    side = {}
    for name, fc in (("IR007", ff["BPFI"]), ("OR007", ff["BPFO"])):
        freqs, env = envelope_spectrum(simulated.signals[name], simulated.fs)
        side[name] = min(peak_ratio(freqs, env, fc + fr, tol=0.005),
                         peak_ratio(freqs, env, fc - fr, tol=0.005))
    assert side["IR007"] > 5 and side["OR007"] < 5, side


def test_ball_impacts_are_modulated_at_the_cage_frequency(simulated):
    ff = simulated.fault_frequencies
    freqs, env = envelope_spectrum(simulated.signals["B007"], simulated.fs)
    assert peak_ratio(freqs, env, ff["FTF"], tol=0.05) > 5


def test_faults_are_more_impulsive_than_healthy(simulated):
    k = {name: kurtosis(sig) for name, sig in simulated.signals.items()}
    assert abs(k["normal"]) < 1
    assert min(k["IR007"], k["OR007"], k["B007"]) > 1.5, k


def test_larger_defects_hit_harder():
    data = make_bearing_signals(["IR007", "IR021", "OR007", "OR021"], duration=1.0,
                                noise_std=0.0, random_state=0)
    rms = {name: np.sqrt(np.mean(sig**2)) for name, sig in data.signals.items()}
    assert rms["IR021"] > 2 * rms["IR007"] and rms["OR021"] > 2 * rms["OR007"]


def test_ten_cwru_like_classes_can_be_simulated():
    names = ["normal", "IR007", "B007", "OR007", "IR014", "B014", "OR014", "IR021",
             "B021", "OR021"]
    data = make_bearing_signals(names, duration=0.25, fs=10000, rpm=1750,
                                random_state=0)
    assert data.class_names == names
    assert all(sig.size == 2500 for sig in data.signals.values())
    assert data.fault_frequencies["shaft"] == pytest.approx(1750 / 60)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"classes": ["normal", "XR007"]}, "Unknown class 'XR007'"),
        ({"classes": ["normal", "IR000"]}, "Unknown class 'IR000'"),
        ({"classes": ["normal", "normal"]}, "distinct"),
        ({"classes": []}, "at least one class"),
        ({"resonances": [(7000.0, 0.05, 1.0)]}, r"\(0, fs/2\)"),
        ({"resonances": [(3000.0, 1.5, 1.0)]}, "damping"),
        ({"resonances": [(3000.0, 0.05)]}, "triples"),
        ({"ball_diameter": 2.0, "pitch_diameter": 1.0}, "smaller than pitch_diameter"),
        ({"duration": 0.0}, "duration"),
        ({"duration": float("nan")}, "duration"),
        ({"fs": 200.0, "resonances": [(50.0, 0.05, 1.0)]}, "too low"),
        ({"noise_std": -1.0}, "noise_std"),
    ],
)
def test_bad_simulator_arguments_raise_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_bearing_signals(**{"duration": 0.1, **kwargs})
