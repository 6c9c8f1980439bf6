"""TimeShiftOverSampler: new minority windows as circular time shifts of real ones."""

from numbers import Integral, Real

import numpy as np
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import Substitution
from imblearn.utils._docstring import _random_state_docstring
from scipy import sparse
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, RealNotInt

from ..noise import add_noise
from ..utils._validation import check_image_shape

__all__ = ["TimeShiftOverSampler"]


@Substitution(
    sampling_strategy=BaseOverSampler._sampling_strategy_docstring,
    random_state=_random_state_docstring,
)
class TimeShiftOverSampler(BaseOverSampler):
    """Oversample windows of vibration signals by random circular time shifts.

    Each synthetic row is a real row of the same class rolled circularly
    along time by a random number of samples: the same window seen at
    another phase of the machine's rotation. Optionally its amplitude is
    scaled, its polarity inverted and noise added at a given SNR.

    The real rows of a class are used in turn (a fresh random order for each
    pass over the class), so every real row is the source of the same number
    of synthetic rows, give or take one.

    Two input modes, as in :class:`~deepsmote_sk.DSEASMOTE`:

    * **signal mode** (``image_shape=None``): each row is a 1-D window and
      is rolled as a whole.
    * **image mode** (``image_shape`` given): each row is a flattened image
      whose last axis is time, for example a scalogram of
      :class:`~deepsmote_sk.CWTTransformer` (scales x time); every image row
      (every scale) is rolled by the same shift.

    Read more in the :ref:`User Guide <augmentation>`.

    Parameters
    ----------
    {sampling_strategy}

    {random_state}

        With an int or a RandomState instance, numpy's global random state
        is never used; with None, the draws come from it (as in
        scikit-learn).

    max_shift : int, float or None, default=None
        Largest shift, in either direction. None: any shift of the window,
        from 1 to ``L - 1`` samples for a window (image width) of ``L``
        samples, uniformly. An int is a number of samples (``1``: one
        sample), a float in (0, 1] a fraction of ``L`` (``1.0``: the whole
        window), at least one sample; ``L - 1`` samples or more act as None.
        The shift is never 0, so each synthetic row is a new phase of its
        source.

    scale_range : tuple of (float, float) or None, default=None
        ``(low, high)`` with ``0 < low <= high``: each synthetic row is
        multiplied by a factor drawn uniformly in this range, for example
        ``(0.9, 1.1)``. None: no scaling. After a per-window standardisation
        (:func:`~deepsmote_sk.datasets.standardize_windows`, or the [0, 1]
        scaling of each scalogram) the factor is undone, so it is only
        useful on raw amplitudes.

    flip_sign : bool, default=False
        Invert the polarity of each synthetic row with probability 1/2. Off
        by default: on a fixed sensor mount, the sign of a fault's impulse
        response relative to the accelerometer's axis is physical
        information that a classifier may use; turn it on only when the
        mount or the sensor orientation varies between recordings.

    noise_snr : float or None, default=None
        Add white Gaussian noise to each synthetic row at this SNR in dB,
        relative to the row's own mean power, with
        :func:`~deepsmote_sk.noise.add_noise`. None: no noise. The original
        rows never get noise.

    image_shape : tuple of int or None, default=None
        ``(H, W)`` or ``(C, H, W)`` of the images in image mode (rows
        flattened in row-major order, time along ``W``); None for signal
        mode. ``C * H * W`` must equal the number of features.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of samples to generate for each class.

    source_indices_ : ndarray of shape (n_samples_resampled,)
        The row of ``X`` each output row was made from: ``0 .. n - 1`` for
        the originals, then the source row of each synthetic row. Named
        unlike imbalanced-learn's ``sample_indices_`` on purpose: a synthetic
        row is a shifted copy of its source, not equal to it. Use it to
        carry sample weights or group labels over to the synthetic rows.

    n_features_in_ : int
        Number of features of the input.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when X was a DataFrame with string column names.

    See Also
    --------
    imblearn.over_sampling.RandomOverSampler : copies of real rows, unshifted.
    imblearn.over_sampling.SMOTE : interpolation between neighbours.
    DSEASMOTE : deep oversampling by latent SMOTE.
    deepsmote_sk.noise.add_noise : the noise of ``noise_snr``.

    Notes
    -----
    A window is cut at an arbitrary instant of a rotating machine's
    recording, so its phase relative to the shaft, the gear mesh or the
    bearing's impacts carries no class information: the same window at a
    new phase is a new, realistic window of the same class. For a periodic
    or stationary vibration, the circular shift by ``s`` samples,
    ``x'[t] = x[(t - s) mod L]``, keeps every sample of the real window,
    its magnitude spectrum exactly (the DFT of a circular shift differs by a
    phase factor only) and its impacts with their spacing. What it adds is
    one seam, between the window's last and first samples: a discontinuity
    of one sample pair, the size of one step of the signal when the window
    does not hold a whole number of periods, and for an impulse cut by the
    window's end, the same truncation the real window has at its edge.

    Crop-and-stitch augmentations are not used. Cropping a part of the
    window and stretching it back to ``L`` samples changes the time scale
    and so the fault's characteristic frequencies (BPFO, BPFI, ...), which
    are what a classifier should read; cropping and padding adds a stretch
    of artificial silence; stitching pieces of two windows adds a seam like
    the roll's while mixing two recordings. The roll is the one stitch of a
    window with itself, with the smallest possible seam.

    In image mode the roll applies to the image. For a scalogram it
    differs from the scalogram of the rolled signal near the seam, where
    the continuous wavelet transform's edge effects of the window's two ends
    now meet, over the wavelet's support at each scale. When the scalograms
    are made in the same pipeline, shifting the signals before
    :class:`~deepsmote_sk.CWTTransformer` avoids this.

    With ``noise_snr``, the noise of a row depends only on the seed drawn
    from ``random_state`` and the row's values (see
    :func:`~deepsmote_sk.noise.add_noise`): two synthetic rows made by the
    same shift of the same source, before scaling and flipping, get the same
    noise.

    References
    ----------
    .. [1] T. T. Um et al., "Data augmentation of wearable sensor data for
       Parkinson's disease monitoring using convolutional neural networks",
       Proc. 19th ACM International Conference on Multimodal Interaction
       (ICMI), 2017.
    .. [2] B. K. Iwana and S. Uchida, "An empirical survey of data
       augmentation for time series classification with neural networks",
       PLOS ONE 16(7): e0254841, 2021.
    .. [3] W. Zhang et al., "A new deep learning model for fault diagnosis
       with good anti-noise and domain adaptation ability on raw vibration
       signals", Sensors 17(2): 425, 2017 (overlapping windows: shifted
       cuts of the recording as data augmentation).

    Examples
    --------
    >>> from collections import Counter
    >>> import numpy as np
    >>> from deepsmote_sk.over_sampling import TimeShiftOverSampler
    >>> rng = np.random.RandomState(0)
    >>> t = np.arange(128)
    >>> X = np.vstack([np.sin(0.3 * t + rng.uniform(0, 6, (40, 1))),
    ...                np.sin(1.1 * t + rng.uniform(0, 6, (4, 1)))])
    >>> y = np.array([0] * 40 + [1] * 4)
    >>> sampler = TimeShiftOverSampler(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 40), (1, 40)]
    >>> source = X[sampler.source_indices_[-1]]
    >>> any(np.array_equal(X_res[-1], np.roll(source, s)) for s in range(1, 128))
    True
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "max_shift": [
            Interval(Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0, 1, closed="right"),
            None,
        ],
        "scale_range": [tuple, list, None],
        "flip_sign": ["boolean"],
        "noise_snr": [Interval(Real, None, None, closed="neither"), None],
        "image_shape": [tuple, list, None],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        max_shift=None,
        scale_range=None,
        flip_sign=False,
        noise_snr=None,
        image_shape=None,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.max_shift = max_shift
        self.scale_range = scale_range
        self.flip_sign = flip_sign
        self.noise_snr = noise_snr
        self.image_shape = image_shape

    def _check_X_y(self, X, y, accept_sparse=None):
        X, y, binarize_y = super()._check_X_y(X, y, accept_sparse)
        # Integers become float64: scaled or noisy rows are not integers.
        if X.dtype not in (np.float32, np.float64):
            X = X.astype(np.float64)
        return X, y, binarize_y

    # --------------------------------------------------------------- checks
    def _time_length(self, n_features):
        """Samples along time: the row length, or the image width."""
        length = n_features
        if self.image_shape is not None:
            length = check_image_shape(self.image_shape, n_features)[-1]
        if length < 2:
            raise ValueError(
                "TimeShiftOverSampler needs at least 2 samples along time (the row "
                "length, or the image width in image mode) to shift a window; got "
                f"{length}."
            )
        return length

    def _largest_shift(self, length):
        if self.max_shift is None:
            return length - 1
        if isinstance(self.max_shift, Integral):
            shift = int(self.max_shift)
        else:
            shift = int(self.max_shift * length)
        return min(max(shift, 1), length - 1)

    def _scale_bounds(self):
        low_high = tuple(self.scale_range)
        if not (
            len(low_high) == 2
            and all(isinstance(v, Real) and np.isfinite(v) for v in low_high)
            and 0 < low_high[0] <= low_high[1]
        ):
            raise ValueError(
                "scale_range must be (low, high) with finite 0 < low <= high; got "
                f"{self.scale_range!r}."
            )
        return low_high

    # ----------------------------------------------------------- resampling
    def _fit_resample(self, X, y):
        length = self._time_length(X.shape[1])
        largest = self._largest_shift(length)
        scale_bounds = None if self.scale_range is None else self._scale_bounds()
        rng = check_random_state(self.random_state)

        sources = [np.empty(0, dtype=np.intp)]
        for label, n_new in self.sampling_strategy_.items():
            if n_new == 0:
                continue
            rows = np.flatnonzero(y == label)
            n_passes = -(-n_new // len(rows))
            cycle = [rng.permutation(rows) for _ in range(n_passes)]
            sources.append(np.concatenate(cycle)[:n_new])
        source = np.concatenate(sources)
        self.source_indices_ = np.concatenate([np.arange(len(y)), source])
        if len(source) == 0:
            return X, y

        # Uniform on -largest..-1, 1..largest: never the identity.
        shift = rng.randint(1, 2 * largest + 1, size=len(source))
        shift = np.where(shift > largest, shift - 2 * largest - 1, shift)
        X_new = _roll_rows(X[source], shift, length)
        if scale_bounds is not None:
            X_new *= rng.uniform(*scale_bounds, size=len(source))[:, None]
        if self.flip_sign:
            X_new *= rng.choice([-1.0, 1.0], size=len(source))[:, None]
        if self.noise_snr is not None:
            seed = rng.randint(np.iinfo(np.int32).max)
            X_new = add_noise(X_new, self.noise_snr, random_state=seed)

        if sparse.issparse(X):
            X_res = sparse.vstack([X, sparse.csr_matrix(X_new)], format=X.format)
        else:
            X_res = np.concatenate([X, X_new])
        return X_res, np.concatenate([y, y[source]])


def _roll_rows(rows, shift, length):
    """Each row rolled by its own shift along its last ``length`` samples.

    ``rows`` is (n, n_features), dense or sparse; a row is a stack of
    ``n_features // length`` series of ``length`` samples (one for a
    signal, one per image row for an image), all rolled by the same shift.
    """
    dense = rows.toarray() if sparse.issparse(rows) else rows
    n = len(dense)
    series = dense.reshape(n, -1, length)  # (n, image rows, time)
    time = (np.arange(length) - shift[:, None]) % length  # (n, time)
    rolled = np.take_along_axis(series, time[:, None, :], axis=2)
    return rolled.reshape(n, -1)
