"""Neural blind deconvolution, the building blocks of ClassBD.

Each concept of the ClassBD paper (Liu et al., Sec. 3) is one module or one
function here:

* :class:`QuadraticConv1d`: Fan's quadratic convolution (Eq. 8) with the
  ReLinear initialisation (Eq. 9);
* :class:`TimeDomainFilter`: the symmetric 1 -> 16 -> 1 quadratic filter
  (Sec. 3.1, the "T-filter");
* :class:`FrequencyDomainFilter`: FFT -> linear layer -> inverse FFT
  (Eq. 18-20, the "F-filter");
* :func:`analytic_signal` and :func:`envelope_spectrum`: the Hilbert
  transform and the envelope spectrum in torch (Eq. 21-24);
* :func:`kurtosis_loss` (Eq. 10) and :func:`envelope_sparsity_loss`
  (Eq. 25): the two blind-deconvolution objectives, as bounded positive
  surrogates;
* :class:`UncertaintyWeightedLoss`: the uncertainty-weighted joint loss
  (Eq. 31) with learnable log-variances.

Everything is differentiable, so the objectives train the filters through
autograd (the authors' public code detaches them; see the package's design
notes).
"""

import math

import torch
from scipy.fft import next_fast_len
from torch import nn

__all__ = [
    "QuadraticConv1d",
    "TimeDomainFilter",
    "FrequencyDomainFilter",
    "analytic_signal",
    "envelope_spectrum",
    "kurtosis_loss",
    "envelope_sparsity_loss",
    "UncertaintyWeightedLoss",
]

#: Guards the ratios of the objectives against an all-zero signal.
_TINY = 1e-12


class QuadraticConv1d(nn.Module):
    r"""Fan's quadratic convolution, ClassBD Eq. (8), ReLinear-initialised (Eq. 9).

    .. math::

        y = (W_1 * x + b_1) \odot (W_2 * x + b_2) + W_3 * (x \odot x) + b_3

    The activation :math:`\sigma` of Eq. (8) is left to the caller
    (:class:`TimeDomainFilter` applies it between its two layers only).

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int
        Odd, so that the zero padding is symmetric and the output keeps the
        input length.

    Attributes
    ----------
    w1, w2, w3 : torch.nn.Parameter of shape (out_channels, in_channels, kernel_size)
    b1, b2, b3 : torch.nn.Parameter of shape (out_channels,)
        The paper's :math:`W_i` and :math:`b_i`.

    Notes
    -----
    ReLinear (Eq. 9) starts the neuron as a linear one: :math:`W_2 = W_3 = 0`,
    :math:`b_2 = 1`, :math:`b_3 = 0`, :math:`W_1 \sim N(0, 1/(32 k_n))` and
    :math:`b_1 \sim U(-1/\sqrt{k_n}, 1/\sqrt{k_n})`. The paper calls
    :math:`k_n` the kernel size of :math:`W_1`; we read it as the kernel's
    fan-in (``in_channels * kernel_size``), which is the kernel size for the
    one-channel first layer and keeps the output scale independent of the
    channel count in the second layer (the bias bound is then PyTorch's
    default one). The second-order parameters (:meth:`quadratic_parameters`)
    are meant to be trained with a smaller learning rate.

    The three convolutions are the zero-padded cross-correlations of
    :class:`torch.nn.Conv1d` (``padding="same"``), computed through one FFT
    of :math:`x` and one of :math:`x^2`: for 16 channels and 31 taps this is
    several times faster on a CPU than direct convolution, above all in the
    backward pass.

    Examples
    --------
    >>> import torch
    >>> from deepsmote_sk.classifiers._blind_deconvolution import QuadraticConv1d
    >>> layer = QuadraticConv1d(1, 16, 31)
    >>> layer(torch.randn(4, 1, 100)).shape
    torch.Size([4, 16, 100])
    """

    def __init__(self, in_channels, out_channels, kernel_size):
        super().__init__()
        if kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(
                f"kernel_size must be a positive odd integer; got {kernel_size}."
            )
        shape = (out_channels, in_channels, kernel_size)
        self.w1, self.w2, self.w3 = (nn.Parameter(torch.empty(shape)) for _ in range(3))
        self.b1, self.b2, self.b3 = (
            nn.Parameter(torch.empty(out_channels)) for _ in range(3)
        )
        self.reset_parameters()

    def reset_parameters(self):
        """Apply the ReLinear initialisation (Eq. 9)."""
        _, in_channels, kernel_size = self.w1.shape
        fan_in = in_channels * kernel_size
        with torch.no_grad():
            nn.init.normal_(self.w1, 0.0, math.sqrt(1.0 / (32.0 * fan_in)))
            bound = math.sqrt(1.0 / fan_in)
            nn.init.uniform_(self.b1, -bound, bound)
            nn.init.zeros_(self.w2)
            nn.init.ones_(self.b2)
            nn.init.zeros_(self.w3)
            nn.init.zeros_(self.b3)

    def quadratic_parameters(self):
        """Parameters of the second-order terms (:math:`W_2, b_2, W_3, b_3`)."""
        return [self.w2, self.b2, self.w3, self.b3]

    def forward(self, x):
        out_channels, _, kernel_size = self.w1.shape
        length = x.shape[-1]
        n_fft = next_fast_len(length + kernel_size - 1)
        # Correlation is convolution with the flipped kernel; the full
        # convolution has length + kernel_size - 1 samples, "same" keeps the
        # centred ones.
        kernels = torch.cat([self.w1, self.w2, self.w3]).flip(-1)
        kernels = torch.fft.rfft(kernels, n=n_fft)  # (3 * out, in, freq)
        linear = torch.einsum(
            "bif,oif->bof", torch.fft.rfft(x, n=n_fft), kernels[: 2 * out_channels]
        )  # (batch, 2 * out, freq)
        power = torch.einsum(
            "bif,oif->bof", torch.fft.rfft(x * x, n=n_fft), kernels[2 * out_channels :]
        )  # (batch, out, freq)
        same = slice(kernel_size // 2, kernel_size // 2 + length)
        first, second = torch.fft.irfft(linear, n=n_fft)[..., same].split(
            out_channels, dim=1
        )  # (batch, out, time) each
        power = torch.fft.irfft(power, n=n_fft)[..., same]  # (batch, out, time)
        return (
            (first + self.b1[:, None]) * (second + self.b2[:, None])
            + power
            + self.b3[:, None]
        )


class TimeDomainFilter(nn.Module):
    r"""The time-domain quadratic blind-deconvolution filter (ClassBD Sec. 3.1).

    Two symmetric quadratic convolution layers: the first maps the signal to
    ``n_channels`` (16 in the paper), the second fuses them back into one
    signal of the input length.

    Parameters
    ----------
    n_channels : int, default=16
    kernel_size : int, default=31
        Odd filter length. The paper does not state it; 31 taps is a usual
        blind-deconvolution filter length.

    Notes
    -----
    The paper leaves the activation of Eq. (8) open. Between the layers we
    use a ReLU; the second layer has no activation, because a deconvolved
    signal must keep its sign.

    With Eq. (9)'s weight scale each layer shrinks the signal about
    :math:`\sqrt{32}`-fold, which the batch normalisation of a backbone
    then meets with badly mismatched running statistics. :meth:`calibrate`
    rescales each layer on training signals so that its output has unit
    RMS (a data-dependent initialisation in the manner of LSUV, Mishkin and
    Matas, 2016), keeping the ReLinear structure.

    Examples
    --------
    >>> import torch
    >>> from deepsmote_sk.classifiers._blind_deconvolution import TimeDomainFilter
    >>> TimeDomainFilter()(torch.randn(4, 256)).shape
    torch.Size([4, 256])
    """

    def __init__(self, n_channels=16, kernel_size=31):
        super().__init__()
        self.expand = QuadraticConv1d(1, n_channels, kernel_size)
        self.activation = nn.ReLU()
        self.fuse = QuadraticConv1d(n_channels, 1, kernel_size)

    def quadratic_parameters(self):
        """Second-order parameters of both layers."""
        return self.expand.quadratic_parameters() + self.fuse.quadratic_parameters()

    @torch.no_grad()
    def calibrate(self, x):
        """Rescale both layers so that each output has unit RMS on the signals ``x``.

        Parameters
        ----------
        x : torch.Tensor of shape (batch, time)
            Training signals.
        """
        hidden = x.unsqueeze(1)  # (batch, 1, time)
        for layer in (self.expand, self.fuse):
            rms = float(layer(hidden).square().mean().sqrt())
            if rms > 0:
                # Scaling W1, b1, W3 and b3 scales Eq. (8)'s output exactly.
                for param in (layer.w1, layer.b1, layer.w3, layer.b3):
                    param /= rms
            hidden = self.activation(layer(hidden))  # (batch, channels, time)

    def forward(self, x):
        hidden = self.activation(self.expand(x.unsqueeze(1)))  # (batch, channels, time)
        return self.fuse(hidden).squeeze(1)  # (batch, time)


class FrequencyDomainFilter(nn.Module):
    r"""The frequency-domain linear filter (ClassBD Eq. 18-20).

    :math:`\hat X = \mathcal F(\hat x)`, :math:`\hat Y = W_f \hat X + b_f`,
    :math:`\hat y = \mathcal F^{-1}(\hat Y)`.

    Parameters
    ----------
    n_samples : int
        Signal length; the layer acts on its ``n_samples // 2 + 1``
        non-negative-frequency bins (the real FFT), so the output is real
        and has the input length.

    Notes
    -----
    Eq. (19) is a fully-connected layer over frequency bins. We apply one
    real weight matrix to the complex spectrum (to its real and imaginary
    parts alike) and add a complex bias. The paper gives no initialisation;
    we start from the identity with a zero bias, so the filter begins as a
    pass-through, in the spirit of ReLinear, instead of scrambling the
    spectrum with random weights.

    Examples
    --------
    >>> import torch
    >>> from deepsmote_sk.classifiers._blind_deconvolution import FrequencyDomainFilter
    >>> x = torch.randn(2, 64)
    >>> torch.allclose(FrequencyDomainFilter(64)(x), x, atol=1e-5)
    True
    """

    def __init__(self, n_samples):
        super().__init__()
        self.n_samples = int(n_samples)
        n_bins = self.n_samples // 2 + 1
        self.weight = nn.Parameter(torch.eye(n_bins))
        self.bias = nn.Parameter(torch.zeros(2, n_bins))

    def forward(self, x):
        spectrum = torch.fft.rfft(x, dim=-1)  # (batch, bins) complex
        filtered = torch.complex(
            spectrum.real @ self.weight.T + self.bias[0],
            spectrum.imag @ self.weight.T + self.bias[1],
        )
        return torch.fft.irfft(filtered, n=self.n_samples, dim=-1)  # (batch, time)


def analytic_signal(x):
    r"""Analytic signal :math:`z = x + j\,\mathcal H(x)` on the last axis (Eq. 21-23).

    The Hilbert transform is taken in the frequency domain,
    :math:`\mathcal F(\mathcal H x) = -j\,\mathrm{sgn}(f)\,\mathcal F(x)`
    (Eq. 22), so :math:`\mathcal F(z) = (1 + \mathrm{sgn} f)\,\mathcal F(x)`:
    positive frequencies doubled, negative ones removed, DC (and Nyquist)
    kept. Matches :func:`scipy.signal.hilbert` and is differentiable.

    Parameters
    ----------
    x : torch.Tensor of shape (..., n)
        Real signals.

    Returns
    -------
    torch.Tensor of shape (..., n), complex
    """
    n = x.shape[-1]
    gain = torch.zeros(n, dtype=x.dtype, device=x.device)
    gain[0] = 1.0
    gain[1 : (n + 1) // 2] = 2.0
    if n % 2 == 0:
        gain[n // 2] = 1.0
    return torch.fft.ifft(torch.fft.fft(x, dim=-1) * gain, dim=-1)


def envelope_spectrum(x):
    r"""Envelope spectrum :math:`ES(f) = |\mathcal F(|z(n)|)|` (ClassBD Eq. 24).

    Parameters
    ----------
    x : torch.Tensor of shape (..., n)
        Real signals.

    Returns
    -------
    torch.Tensor of shape (..., n // 2 + 1)
        Magnitude of the one-sided spectrum of the Hilbert envelope.

    Notes
    -----
    The envelope's mean is removed before the transform, so the DC bin is
    zero. Otherwise that bin (the mean envelope amplitude) dwarfs every
    cyclic frequency and the sparsity objective (Eq. 25) would be best met by
    a flat envelope, the opposite of what blind deconvolution seeks. Only
    the non-negative frequencies are kept: the spectrum of a real envelope is
    symmetric.

    Examples
    --------
    >>> import math, torch
    >>> from deepsmote_sk.classifiers._blind_deconvolution import envelope_spectrum
    >>> t = torch.arange(1024) / 1024.0
    >>> am = (1 + torch.cos(2 * math.pi * 8 * t)) * torch.cos(2 * math.pi * 200 * t)
    >>> int(envelope_spectrum(am).argmax())  # the 8-cycle modulation
    8
    """
    envelope = analytic_signal(x).abs()  # (..., n)
    envelope = envelope - envelope.mean(dim=-1, keepdim=True)
    return torch.fft.rfft(envelope, dim=-1).abs()  # (..., n // 2 + 1)


def kurtosis_loss(y):
    r"""Time-domain blind-deconvolution objective (ClassBD Eq. 10), as ``1 / kurtosis``.

    .. math::

        \mathcal L_t = \frac{\left(\sum_n y(n)^2\right)^2}{N \sum_n y(n)^4}
        = \frac{1}{N\,\mathcal K(y)}

    with :math:`\mathcal K` the paper's Eq. (3). Minimising it maximises the
    kurtosis, as Eq. (10) does, but the value is positive and bounded,
    :math:`1/N \le \mathcal L_t \le 1` (about 1/3 for Gaussian noise), so an
    uncertainty weight cannot drive the joint loss to minus infinity (Eq. 10
    itself is negative). The factor :math:`N` makes it the usual kurtosis,
    independent of the signal length.

    Parameters
    ----------
    y : torch.Tensor of shape (batch, n)

    Returns
    -------
    torch.Tensor of shape (batch,)
        0 for an all-zero signal.
    """
    power = y * y
    return power.sum(dim=-1) ** 2 / (
        y.shape[-1] * (power * power).sum(dim=-1)
    ).clamp_min(_TINY)


def envelope_sparsity_loss(spectrum):
    r"""Envelope-spectrum sparsity objective (ClassBD Eq. 25), the squared l2/l4 ratio.

    .. math::

        \mathcal L_f = \frac{\sum_f ES(f)^2}{\sqrt{M \sum_f ES(f)^4}}

    Eq. (25) divided by :math:`\sqrt M` (:math:`M` bins), so that
    :math:`1/\sqrt M \le \mathcal L_f \le 1` whatever the length: positive,
    bounded, smaller for a sparser envelope spectrum (energy on a few cyclic
    frequencies).

    Parameters
    ----------
    spectrum : torch.Tensor of shape (batch, M)
        Envelope spectrum, e.g. from :func:`envelope_spectrum`.

    Returns
    -------
    torch.Tensor of shape (batch,)
        0 for an all-zero spectrum.
    """
    power = spectrum * spectrum
    fourth = (spectrum.shape[-1] * (power * power).sum(dim=-1)).clamp_min(_TINY)
    return power.sum(dim=-1) / fourth.sqrt()


class UncertaintyWeightedLoss(nn.Module):
    r"""Uncertainty-weighted joint loss (ClassBD Eq. 31, after Kendall et al.).

    .. math::

        \mathcal L = \sum_i \frac{1}{\sigma_i^2}\,\mathcal L_i + \log \sigma_i

    with one learnable variance per task, created once with the module and
    trained with the network.

    Parameters
    ----------
    n_tasks : int, default=3
        Cross-entropy, time-domain and frequency-domain objectives in ClassBD.
    init_log_variance : float, default=-0.5
        Initial :math:`\log \sigma_i^2`. The paper initialises "each
        :math:`\sigma`" at -0.5, which can only be a logarithm.
    min_variance : float, default=0.01
        Floor of every :math:`\sigma_i^2`.

    Attributes
    ----------
    raw_variance : torch.nn.Parameter of shape (n_tasks,)
        :math:`\sigma_i^2 = \text{min\_variance} + \exp(\text{raw\_variance}_i)`.

    Notes
    -----
    Eq. (31) is bounded below only if every loss is and every variance is
    kept away from zero: a term that can reach 0 (the cross-entropy on
    separable training data) otherwise lets :math:`\log \sigma_i` run to
    minus infinity. With non-negative losses and the variance floor,
    :math:`\mathcal L \ge \tfrac{n}{2} \log(\text{min\_variance})`
    (:attr:`lower_bound`). The floor caps each task weight at
    ``1 / min_variance``.

    Examples
    --------
    >>> import torch
    >>> from deepsmote_sk.classifiers import _blind_deconvolution as bd
    >>> weighting = bd.UncertaintyWeightedLoss(2)
    >>> total = weighting(torch.tensor(1.0), torch.tensor(0.5))
    >>> bool(total > weighting.lower_bound)
    True
    """

    def __init__(self, n_tasks=3, *, init_log_variance=-0.5, min_variance=0.01):
        super().__init__()
        if not 0 < min_variance < math.exp(init_log_variance):
            raise ValueError(
                f"min_variance must be in (0, exp(init_log_variance)) = "
                f"(0, {math.exp(init_log_variance):.4g}); got {min_variance}."
            )
        self.min_variance = float(min_variance)
        raw = math.log(math.exp(init_log_variance) - min_variance)
        self.raw_variance = nn.Parameter(torch.full((int(n_tasks),), raw))

    @property
    def variances(self):
        r"""Current :math:`\sigma_i^2` (a tensor of shape (n_tasks,))."""
        return self.min_variance + self.raw_variance.exp()

    @property
    def lower_bound(self):
        """The loss never goes below this value when every task loss is >= 0."""
        return 0.5 * self.raw_variance.numel() * math.log(self.min_variance)

    def forward(self, *losses):
        if len(losses) != self.raw_variance.numel():
            raise ValueError(
                f"expected {self.raw_variance.numel()} losses; got {len(losses)}."
            )
        variances = self.variances
        stacked = torch.stack([torch.as_tensor(loss).reshape(()) for loss in losses])
        return (stacked / variances + 0.5 * variances.log()).sum()
