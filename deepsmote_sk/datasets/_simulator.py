"""Physics-based simulator of rolling-bearing vibration: the embedded default data.

The model is the standard one of the bearing-diagnostics literature
(McFadden & Smith 1984; Antoni & Randall 2002; Randall & Antoni 2011): a
localised fault makes an impact each time a rolling element meets it, at a
rate fixed by the bearing geometry and the shaft speed; each impact rings the
structural resonances between bearing and sensor; the impact strength follows
the load on the rolling element; the rolling elements slip a little, so the
impacts are not exactly periodic.
"""

import math
import numbers
import re

import numpy as np
from scipy.signal import fftconvolve
from sklearn.utils import Bunch, check_random_state
from sklearn.utils._param_validation import Interval, validate_params

__all__ = ["bearing_frequencies", "make_bearing_signals"]

_CLASS_PATTERN = re.compile(r"^(IR|OR|B)(\d+)$")
_HEALTHY = "normal"

#: Peak impact acceleration (g) of a 0.007-inch fault at full load, per
#: location. Inner-race and ball impacts travel through more interfaces to the
#: housing-mounted sensor than outer-race impacts, hence the smaller gains.
_FAULT_GAIN = {"OR": 1.0, "IR": 0.6, "B": 0.4}
_REFERENCE_MILS = 7.0
#: A ball defect strikes the outer and the inner race in turn; the inner-race
#: strike reaches the sensor weaker (same transmission argument as above).
_INNER_RACE_STRIKE = 0.5
#: Relative standard deviation of the impact strength from impact to impact.
_IMPACT_SPREAD = 0.1
#: Amplitudes (g) of the 1x, 2x and 3x shaft-speed components (unbalance,
#: misalignment), present in every class.
_SHAFT_HARMONICS = (0.05, 0.02, 0.01)
#: Standard deviation (g) of the resonances' response to surface roughness
#: (random excitation), present in every class.
_ROUGHNESS_STD = 0.02
#: Knot rate (Hz) of the slow random shaft-speed fluctuation.
_SPEED_KNOTS_HZ = 4.0
#: Load-deflection exponent of a ball bearing (Hertzian point contact).
_LOAD_EXPONENT = 1.5
#: The impulse response is cut where its envelope falls below this fraction.
_RESPONSE_FLOOR = 1e-4


@validate_params(
    {
        "rpm": [Interval(numbers.Real, 0, None, closed="neither")],
        "n_balls": [Interval(numbers.Integral, 1, None, closed="left")],
        "ball_diameter": [Interval(numbers.Real, 0, None, closed="neither")],
        "pitch_diameter": [Interval(numbers.Real, 0, None, closed="neither")],
        "contact_angle": [Interval(numbers.Real, 0, 90, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def bearing_frequencies(rpm, n_balls=9, ball_diameter=0.3126, pitch_diameter=1.537,
                        contact_angle=0.0):
    """Characteristic fault frequencies of a rolling bearing, in Hz.

    Parameters
    ----------
    rpm : float
        Shaft speed in revolutions per minute (inner ring rotating, outer
        ring fixed).
    n_balls : int, default=9
        Number of rolling elements.
    ball_diameter, pitch_diameter : float, default=0.3126 and 1.537
        Rolling-element and pitch diameters, in any common unit (only their
        ratio matters). The defaults are the SKF 6205-2RS JEM drive-end
        bearing of the CWRU test rig, in inches.
    contact_angle : float, default=0.0
        Contact angle in degrees.

    Returns
    -------
    dict
        ``shaft`` (f_r), ``FTF`` (cage), ``BPFO``, ``BPFI`` and ``BSF`` in Hz.

    Notes
    -----
    With :math:`\\rho = (d/D)\\cos\\varphi` (Randall & Antoni 2011, Eq. 1-4):

    .. math::

        f_{FTF} = \\tfrac{f_r}{2}(1 - \\rho), \\quad
        f_{BPFO} = \\tfrac{n f_r}{2}(1 - \\rho), \\quad
        f_{BPFI} = \\tfrac{n f_r}{2}(1 + \\rho), \\quad
        f_{BSF} = \\tfrac{D f_r}{2 d}(1 - \\rho^2).

    References
    ----------
    .. [1] R. B. Randall and J. Antoni, "Rolling element bearing diagnostics
       - A tutorial", Mechanical Systems and Signal Processing 25(2) (2011)
       485-520.

    Examples
    --------
    >>> from deepsmote_sk.datasets import bearing_frequencies
    >>> f = bearing_frequencies(1797)
    >>> round(f["BPFI"] / f["shaft"], 4), round(f["BPFO"] / f["shaft"], 4)
    (5.4152, 3.5848)
    """
    if ball_diameter >= pitch_diameter:
        raise ValueError(
            f"ball_diameter must be smaller than pitch_diameter; got {ball_diameter} "
            f">= {pitch_diameter}."
        )
    fr = rpm / 60.0
    rho = ball_diameter / pitch_diameter * math.cos(math.radians(contact_angle))
    return {
        "shaft": fr,
        "FTF": fr / 2 * (1 - rho),
        "BPFO": n_balls * fr / 2 * (1 - rho),
        "BPFI": n_balls * fr / 2 * (1 + rho),
        "BSF": pitch_diameter * fr / (2 * ball_diameter) * (1 - rho**2),
    }


def _parse_class(name):
    """``"normal"`` -> (None, 0); ``"IR014"`` -> ("IR", 14.0)."""
    if name == _HEALTHY:
        return None, 0.0
    match = _CLASS_PATTERN.match(name) if isinstance(name, str) else None
    if match is None or int(match.group(2)) == 0:
        raise ValueError(
            f"Unknown class {name!r}: expected 'normal' or a fault location IR (inner "
            "race), OR (outer race) or B (ball) followed by the defect diameter in "
            "thousandths of an inch, e.g. 'IR007', 'OR014', 'B021'."
        )
    return match.group(1), float(match.group(2))


def _impulse_response(resonances, fs):
    """Sum of damped sinusoids, one per resonance, scaled to unit peak."""
    res = np.asarray(resonances, dtype=np.float64)
    if res.ndim != 2 or res.shape[1] != 3 or res.shape[0] == 0:
        raise ValueError(
            "resonances must be a non-empty sequence of (frequency_hz, damping_ratio, "
            f"gain) triples; got {resonances!r}."
        )
    freq, zeta, gain = res.T
    if not np.all(np.isfinite(res)):
        raise ValueError(f"resonances must be finite; got {resonances!r}.")
    if np.any(freq <= 0) or np.any(freq >= fs / 2):
        raise ValueError(
            f"resonance frequencies must lie in (0, fs/2) = (0, {fs / 2:g}) Hz; got "
            f"{freq.tolist()}."
        )
    if np.any(zeta <= 0) or np.any(zeta >= 1):
        raise ValueError(f"damping ratios must lie in (0, 1); got {zeta.tolist()}.")
    decay = zeta * 2 * np.pi * freq  # (n_resonances,) envelope decay rates, 1/s
    n_taps = int(math.ceil(math.log(1 / _RESPONSE_FLOOR) / decay.min() * fs)) + 1
    t = np.arange(n_taps)[:, None] / fs  # (taps, 1)
    damped = 2 * np.pi * freq * np.sqrt(1 - zeta**2)
    h = (gain * np.exp(-decay * t) * np.sin(damped * t)).sum(axis=1)  # (taps,)
    peak = np.abs(h).max()
    if peak == 0:
        raise ValueError(f"resonance gains must not all be zero; got {gain.tolist()}.")
    return h / peak


def _load_zone(psi, load_zone):
    """Stribeck load distribution q(psi) / q_max."""
    inside = 1 - (1 - np.cos(psi)) / (2 * load_zone)
    return np.clip(inside, 0, None) ** _LOAD_EXPONENT


def _simulate(location, severity, n, fs, freqs, h, params, rng):
    """One recording of ``n`` samples; the draws from ``rng`` are in a fixed order."""
    t = np.arange(n) / fs
    # Slow speed fluctuation: Gaussian knot values, linearly interpolated.
    n_knots = int(math.ceil(n / fs * _SPEED_KNOTS_HZ)) + 2
    knots = rng.standard_normal(n_knots)
    u = np.interp(t * _SPEED_KNOTS_HZ, np.arange(n_knots), knots)
    fr = freqs["shaft"] * (1 + params["speed_jitter"] * u)
    theta = 2 * np.pi * np.concatenate([[0.0], np.cumsum(fr[:-1])]) / fs  # shaft angle

    phases = rng.uniform(0, 2 * np.pi, len(_SHAFT_HARMONICS))
    x = sum(b * np.cos((m + 1) * theta + p)
            for m, (b, p) in enumerate(zip(_SHAFT_HARMONICS, phases)))
    roughness = fftconvolve(rng.standard_normal(n), h)[:n]
    x = x + roughness * (_ROUGHNESS_STD / np.sqrt(np.sum(h**2)))

    if location is not None:
        rates = {"IR": freqs["BPFI"], "OR": freqs["BPFO"], "B": 2 * freqs["BSF"]}
        rate = rates[location]
        step = 2 * np.pi * freqs["shaft"] / rate  # shaft angle between impacts
        n_events = int(theta[-1] / step * (1 + 10 * params["slip"])) + 2
        spacing = 1 + params["slip"] * rng.standard_normal(n_events - 1)
        angles = step * (rng.uniform() + np.concatenate([[0.0], np.cumsum(spacing)]))
        spread = 1 + _IMPACT_SPREAD * rng.standard_normal(n_events)
        psi0 = rng.uniform(0, 2 * np.pi)
        keep = angles < theta[-1]
        angles, spread = angles[keep], spread[keep]
        if location == "IR":
            psi = angles + psi0  # the fault turns with the shaft through the load zone
        elif location == "B":
            # the ball rides the cage
            psi = freqs["FTF"] / freqs["shaft"] * angles + psi0
        else:
            psi = np.zeros_like(angles)  # fixed at the load-zone centre (6:00)
        amplitude = (_FAULT_GAIN[location] * severity / _REFERENCE_MILS
                     * _load_zone(psi, params["load_zone"]) * np.clip(spread, 0, None))
        if location == "B":
            amplitude[1::2] *= _INNER_RACE_STRIKE
        impulses = np.zeros(n)
        times = np.interp(angles, theta, t)
        index = np.minimum(np.round(times * fs).astype(np.intp), n - 1)
        np.add.at(impulses, index, amplitude)
        x = x + fftconvolve(impulses, h)[:n]
    return x + params["noise_std"] * rng.standard_normal(n)


@validate_params(
    {
        "classes": ["array-like"],
        "duration": [Interval(numbers.Real, 0, None, closed="neither")],
        "fs": [Interval(numbers.Real, 0, None, closed="neither")],
        "rpm": [Interval(numbers.Real, 0, None, closed="neither")],
        "n_balls": [Interval(numbers.Integral, 1, None, closed="left")],
        "ball_diameter": [Interval(numbers.Real, 0, None, closed="neither")],
        "pitch_diameter": [Interval(numbers.Real, 0, None, closed="neither")],
        "contact_angle": [Interval(numbers.Real, 0, 90, closed="left")],
        "resonances": ["array-like"],
        "load_zone": [Interval(numbers.Real, 0, None, closed="neither")],
        "slip": [Interval(numbers.Real, 0, 0.1, closed="both")],
        "speed_jitter": [Interval(numbers.Real, 0, 0.1, closed="both")],
        "noise_std": [Interval(numbers.Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_bearing_signals(classes=("normal", "IR007", "OR007", "B007"), *, duration=10.0,
                         fs=12000, rpm=1797, n_balls=9, ball_diameter=0.3126,
                         pitch_diameter=1.537, contact_angle=0.0,
                         resonances=((2800.0, 0.05, 1.0), (4400.0, 0.04, 0.6)),
                         load_zone=0.5, slip=0.01, speed_jitter=0.005, noise_std=0.03,
                         random_state=None):
    """Simulate drive-end vibration of a healthy and of faulty rolling bearings.

    One recording per class, in units of g, shaped like the CWRU data
    (default: SKF 6205 geometry, 1797 rpm, 12 kHz), so that every command of
    the package runs without downloading anything.

    Parameters
    ----------
    classes : sequence of str, default=("normal", "IR007", "OR007", "B007")
        ``"normal"`` (healthy) and faults named as in the CWRU data: the
        location ``IR`` (inner race), ``OR`` (outer race, centred in the load
        zone) or ``B`` (ball), followed by the defect diameter in thousandths
        of an inch (``"IR007"``, ``"OR014"``, ``"B021"``). The impact
        strength grows in proportion to the defect diameter.
    duration : float, default=10.0
        Seconds per class (10 s at 12 kHz is enough for
        :func:`make_imbalanced_split` with its default counts and 256-sample
        windows).
    fs : float, default=12000
        Sampling rate in Hz.
    rpm : float, default=1797
        Mean shaft speed.
    n_balls : int, default=9
        Number of rolling elements.
    ball_diameter, pitch_diameter, contact_angle : float, \
default=0.3126, 1.537 and 0.0
        Bearing geometry (inches, inches, degrees), see
        :func:`bearing_frequencies`; the defaults are the SKF 6205-2RS JEM of
        the CWRU rig.
    resonances : sequence of (frequency_hz, damping_ratio, gain), \
default=((2800, 0.05, 1.0), (4400, 0.04, 0.6))
        Structural resonances excited by each impact.
    load_zone : float, default=0.5
        Load distribution factor :math:`\\varepsilon`: 0.5 loads half of the
        bearing (the load zone spans +-90 degrees), larger values more.
    slip : float, default=0.01
        Relative standard deviation of the spacing between impacts (rolling
        elements slip by 1-2 % in practice).
    speed_jitter : float, default=0.005
        Relative standard deviation of the slow shaft-speed fluctuation.
    noise_std : float, default=0.03
        Standard deviation (g) of the additive white measurement noise.
    random_state : int, RandomState instance or None, default=None
        Seeds every random draw; the same value gives the same signals.

    Returns
    -------
    data : Bunch
        ``signals`` (class name -> float64 array of ``round(duration * fs)``
        samples), ``fs``, ``class_names`` (list, in the order given),
        ``rpm`` (class name -> mean shaft speed), ``fault_frequencies``
        (see :func:`bearing_frequencies`) and ``DESCR``.

    Raises
    ------
    ValueError
        For an unknown class name, duplicated classes, a resonance at or
        above the Nyquist frequency, or a ball larger than the pitch circle.

    See Also
    --------
    make_imbalanced_split : Turns the recordings into a benchmark split.
    load_cwru : The real recordings this simulator imitates.

    Notes
    -----
    Each recording is

    .. math::

        x(t) = \\sum_k A_k\\, h(t - t_k)
               + \\sum_{m=1}^{3} b_m \\cos(m\\,\\theta(t) + \\phi_m)
               + (h * w)(t) + n(t),

    where the fault impulse train (first term) is absent for ``"normal"``.

    *Shaft speed with jitter.* :math:`f_r(t) = \\bar f_r (1 + \\sigma_v u(t))`
    where :math:`u` interpolates standard normal values drawn at 4 Hz, and the
    shaft angle is :math:`\\theta(t) = 2\\pi\\int_0^t f_r(\\tau)\\,d\\tau`.

    *Impact times.* A fault at frequency :math:`f_c` (BPFI for ``IR``, BPFO
    for ``OR``, :math:`2\\,`BSF for ``B``: a ball defect strikes both races
    once per spin revolution) gives impacts at shaft angles

    .. math::

        \\vartheta_k = \\frac{2\\pi \\bar f_r}{f_c}
            \\Big(U + \\sum_{i<k} (1 + \\sigma_s \\varepsilon_i)\\Big), \\qquad
        \\varepsilon_i \\sim \\mathcal N(0, 1),

    so the spacing jitters by the slip :math:`\\sigma_s` and the phase
    drifts as a random walk (Antoni & Randall 2002), and
    :math:`t_k = \\theta^{-1}(\\vartheta_k)`, rounded to the sampling grid.
    The fault frequencies come from the geometry
    (:func:`bearing_frequencies`).

    *Impact strength and load-zone modulation.* The load on a rolling element
    at angle :math:`\\psi` from the load direction follows Stribeck's
    distribution (Harris)

    .. math::

        q(\\psi) = \\Big[1 - \\frac{1 - \\cos\\psi}{2\\varepsilon}\\Big]_+^{3/2},

    and :math:`A_k = A\\,(s/7)\\,q(\\psi_k)(1 + 0.1\\,\\eta_k)` with the
    defect diameter :math:`s` in mils, :math:`\\eta_k \\sim \\mathcal N(0, 1)`
    and the 0.007-inch peak :math:`A` = 1.0 g (OR), 0.6 g (IR), 0.4 g (B).
    An inner-race fault turns with the shaft,
    :math:`\\psi_k = \\theta(t_k) + \\psi_0`, which modulates its impacts at
    :math:`f_r` (sidebands BPFI :math:`\\pm f_r`, McFadden & Smith 1984); a
    ball rides the cage, :math:`\\psi_k = (f_{FTF}/f_r)\\,\\theta(t_k) +
    \\psi_0`, modulating at the cage frequency, and its inner-race strikes
    (every other impact) reach the sensor at half strength; an outer-race
    fault sits at the load-zone centre, :math:`\\psi_k = 0`.

    *Structural resonances.* Each impact rings the resonances
    :math:`(f_j, \\zeta_j, g_j)`:

    .. math::

        h(t) \\propto \\sum_j g_j\\, e^{-2\\pi\\zeta_j f_j t}
            \\sin\\big(2\\pi f_j\\sqrt{1 - \\zeta_j^2}\\, t\\big), \\quad t \\ge 0,

    scaled to unit peak. The same resonances filter white noise :math:`w`
    (surface roughness, 0.02 g standard deviation) in every class.

    *Shaft components and noise.* Unbalance and misalignment give
    :math:`b_m` = 0.05, 0.02, 0.01 g at 1x, 2x, 3x shaft speed with random
    phases :math:`\\phi_m`; :math:`n(t)` is white Gaussian measurement noise of
    standard deviation ``noise_std``.

    The classes are told apart by their envelope spectra: peaks at BPFI with
    :math:`f_r` sidebands (IR), at BPFO (OR), at BSF and 2 BSF with FTF
    sidebands (B), and none for ``"normal"``.

    References
    ----------
    .. [1] P. D. McFadden and J. D. Smith, "Model for the vibration produced
       by a single point defect in a rolling element bearing", Journal of
       Sound and Vibration 96(1) (1984) 69-82.
    .. [2] J. Antoni and R. B. Randall, "Differential diagnosis of gear and
       bearing faults", Journal of Vibration and Acoustics 124(2) (2002)
       165-171.
    .. [3] R. B. Randall and J. Antoni, "Rolling element bearing diagnostics
       - A tutorial", Mechanical Systems and Signal Processing 25(2) (2011)
       485-520.
    .. [4] T. A. Harris, Rolling Bearing Analysis, 4th ed., Wiley, 2001.

    Examples
    --------
    >>> from deepsmote_sk.datasets import make_bearing_signals
    >>> data = make_bearing_signals(duration=1.0, random_state=0)
    >>> data.class_names
    ['normal', 'IR007', 'OR007', 'B007']
    >>> data.signals["IR007"].shape, data.fs
    ((12000,), 12000)
    >>> round(data.fault_frequencies["BPFI"], 1)
    162.2
    """
    names = [str(c) for c in classes]
    if not names:
        raise ValueError("classes must name at least one class; got an empty sequence.")
    if len(set(names)) != len(names):
        raise ValueError(f"classes must be distinct; got {names}.")
    specs = [_parse_class(name) for name in names]
    n = int(round(duration * fs))
    if n < 2:
        raise ValueError(
            f"duration * fs must give at least 2 samples; got {duration} s at {fs} Hz."
        )
    freqs = bearing_frequencies(rpm, n_balls, ball_diameter, pitch_diameter,
                                contact_angle)
    if 2 * max(freqs["BPFI"], 2 * freqs["BSF"]) >= fs:
        raise ValueError(
            f"fs = {fs} Hz is too low for the fault frequencies {freqs}: fs must "
            "exceed twice the highest of BPFI and 2 BSF."
        )
    h = _impulse_response(resonances, fs)
    params = {"load_zone": load_zone, "slip": slip, "speed_jitter": speed_jitter,
              "noise_std": noise_std}
    rng = check_random_state(random_state)
    seeds = rng.randint(0, np.iinfo(np.int32).max, size=len(names))
    signals = {
        name: _simulate(location, severity, n, fs, freqs, h, params,
                        np.random.RandomState(seed))
        for name, (location, severity), seed in zip(names, specs, seeds)
    }
    return Bunch(
        signals=signals,
        fs=fs,
        class_names=names,
        rpm={name: rpm for name in names},
        fault_frequencies=freqs,
        DESCR=(
            f"Simulated bearing vibration (g), {duration:g} s per class at {fs:g} Hz, "
            f"{rpm:g} rpm; classes {names}; see make_bearing_signals for the model."
        ),
    )
