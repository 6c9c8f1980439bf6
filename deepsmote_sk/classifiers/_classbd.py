"""ClassBD: classifier-guided neural blind deconvolution (Liu et al.)."""

import copy
from numbers import Integral, Real

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.base import TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data
from torch import nn

from ..utils import check_signals
from ._base import BaseTorchClassifier
from ._blind_deconvolution import (
    FrequencyDomainFilter,
    TimeDomainFilter,
    UncertaintyWeightedLoss,
    envelope_sparsity_loss,
    envelope_spectrum,
    kurtosis_loss,
)
from ._resnet1d import ResNet1D
from ._wdcnn import WDCNN

__all__ = ["ClassBD", "ClassBDClassifier"]

#: Backbone classifiers ClassBD can put behind its filters (Sec. 5.3).
_BACKBONES = {"wdcnn": WDCNN, "resnet": ResNet1D}

#: About this many training signals calibrate the time filter's scale.
_CALIBRATION_ROWS = 512


class ClassBD(nn.Module):
    """ClassBD network: time filter, frequency filter, backbone classifier (Fig. 1).

    Parameters
    ----------
    n_features : int
        Signal length (the frequency filter is sized from it).
    n_classes : int
    backbone : {"wdcnn", "resnet"}, default="wdcnn"
    width : float, default=1.0
        Channel multiplier of the backbone.
    filter_channels : int, default=16
        Channels of the time-domain quadratic filter.
    filter_kernel_size : int, default=31
        Length (odd) of the quadratic convolution kernels.

    Attributes
    ----------
    time_filter : TimeDomainFilter
    frequency_filter : FrequencyDomainFilter
    backbone : torch.nn.Module
    loss_weighting : UncertaintyWeightedLoss
        The learnable task variances of Eq. (31), part of the network so that
        they are trained, saved and pickled with it.

    Examples
    --------
    >>> import torch
    >>> from deepsmote_sk.classifiers._classbd import ClassBD
    >>> out = ClassBD(256, 4)(torch.randn(8, 256))
    >>> out["logits"].shape, out["denoised"].shape
    (torch.Size([8, 4]), torch.Size([8, 256]))
    """

    def __init__(
        self,
        n_features,
        n_classes,
        *,
        backbone="wdcnn",
        width=1.0,
        filter_channels=16,
        filter_kernel_size=31,
    ):
        super().__init__()
        self.time_filter = TimeDomainFilter(filter_channels, filter_kernel_size)
        self.frequency_filter = FrequencyDomainFilter(n_features)
        self.backbone = _BACKBONES[backbone](n_features, n_classes, width=width)
        self.loss_weighting = UncertaintyWeightedLoss(3)

    def denoise(self, x):
        """Deconvolved signals ``(batch, time)``: the T-filter, then the F-filter."""
        return self.frequency_filter(self.time_filter(x))

    def forward(self, x):
        time_filtered = self.time_filter(x)  # (batch, time)
        denoised = self.frequency_filter(time_filtered)  # (batch, time)
        return {
            "logits": self.backbone(denoised),  # (batch, classes)
            "time_filtered": time_filtered,
            "denoised": denoised,
        }


class ClassBDClassifier(TransformerMixin, BaseTorchClassifier):
    """ClassBD fault classifier: deconvolution filters trained with the classifier.

    A time-domain filter of two quadratic convolution layers (Eq. 8-9,
    1 -> 16 -> 1 channels) and a frequency-domain linear filter (Eq. 18-20)
    deconvolve each signal; a backbone classifier (WDCNN by default) reads
    the result. The filters are trained jointly with the classifier on the
    uncertainty-weighted sum (Eq. 31) of the cross-entropy, a kurtosis
    objective on the time filter's output (Eq. 10) and an envelope-spectrum
    sparsity objective on the frequency filter's output (Eq. 21-25).

    Parameters
    ----------
    backbone : {"wdcnn", "resnet"}, default="wdcnn"
        Classifier behind the filters: WDCNN (the paper's choice) or a small
        1-D ResNet.
    width : float, default=1.0
        Channel multiplier of the backbone.
    filter_channels : int, default=16
        Channels of the quadratic time filter (16 in the paper).
    filter_kernel_size : int, default=31
        Odd kernel length of the quadratic convolutions (not given in the
        paper).
    quadratic_lr_ratio : float, default=0.1
        Learning rate of the quadratic terms (:math:`W_2, b_2, W_3, b_3` of
        Eq. 8) as a fraction of ``lr``; the ReLinear scheme trains them more
        slowly than the linear term so the filter departs gradually from the
        linear filter it starts as.
    max_epochs : int, default=50
        Number of passes over the training data.
    max_steps : int or None, default=None
        Train for this many mini-batches instead of ``max_epochs`` epochs,
        whatever the number of rows (the budget for comparing resampled sets
        of different sizes).
    batch_size : int, default=64
        Mini-batch size for training, prediction and :meth:`transform`.
    lr : float, default=1e-3
        Adam learning rate.
    weight_decay : float, default=0.0
        L2 penalty (not applied to the uncertainty weights).
    class_weight : dict, "balanced" or None, default=None
        Class weights of the cross-entropy.
    early_stopping : bool, default=False
        Stop on the accuracy of a held-out ``validation_fraction``.
    validation_fraction : float, default=0.1
        Share held out for early stopping.
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.
    tol : float, default=1e-4
        Smallest validation improvement that counts.
    device : str or torch.device, default="auto"
        ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.
    random_state : int, RandomState instance or None, default=None
        Seed of initialisation, batch order and validation split.
    verbose : bool or int, default=False
        Show a tqdm progress bar.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Signal length seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of a DataFrame input with string column names.
    module_ : ClassBD
        The trained network.
    class_weight_ : ndarray of shape (n_classes,)
        Weight of each class in the cross-entropy.
    loss_curve_ : list of float
        Mean joint loss (Eq. 31) per epoch.
    history_ : list of dict
        Per epoch: ``"loss"`` and its parts ``"cross_entropy"``,
        ``"kurtosis"`` (:math:`\\mathcal L_t`) and ``"envelope"``
        (:math:`\\mathcal L_f`).
    loss_variances_ : ndarray of shape (3,)
        Learned task variances :math:`\\sigma^2` of the cross-entropy, time and
        frequency objectives.
    n_iter_ : int
        Epochs run.
    n_steps_ : int
        Optimisation steps run.
    validation_scores_ : list of float
        Validation accuracy per epoch (early stopping only).
    best_validation_score_ : float
        Best validation accuracy (early stopping only).

    See Also
    --------
    WDCNNClassifier : The same backbone without the deconvolution filters.
    ShapeletNetClassifier : Multi-scale shapelet network.

    Notes
    -----
    Departures from the paper, and readings of what it leaves open:

    * Adam (the package's optimiser) instead of SGD with cosine annealing.
    * The objectives are bounded positive surrogates that the optimiser
      minimises: :math:`\\mathcal L_t = 1/\\text{kurtosis}` in :math:`[1/N, 1]`
      and :math:`\\mathcal L_f` the squared :math:`l_2/l_4` ratio of the
      envelope spectrum, scaled to :math:`(0, 1]`; the envelope's mean is
      removed before its spectrum. Their variances in Eq. (31) have a floor
      (0.01), so the joint loss is bounded below (by :math:`1.5 \\log 0.01`).
    * Between the two quadratic layers a ReLU; the time filter is rescaled on
      the training signals before training so that each layer's output has
      unit RMS (:meth:`TimeDomainFilter.calibrate`); the frequency filter
      starts as the identity.

    The authors' public code detaches both physics losses and re-creates the
    uncertainty weights at each step; here both objectives back-propagate
    into the filters and the weights are parameters of the network.

    :meth:`transform` returns the deconvolved signals, so a fitted
    ``ClassBDClassifier`` is also the feature extractor of the paper's
    Sec. 5.4: ``make_pipeline(ClassBDClassifier(), SVC())`` trains ClassBD
    on ``(X, y)`` and the SVM on its output.

    Signals of any length are accepted (one sample or more).

    References
    ----------
    .. [1] C. Liu, Q. Ma, Y. Zhang, J. Shi and J. Fan, "Classifier-guided
       neural blind deconvolution: a physics-informed denoising module for
       bearing fault diagnosis under noisy conditions", Mechanical Systems
       and Signal Processing, 2025.

    Examples
    --------
    >>> import numpy as np
    >>> from deepsmote_sk.classifiers import ClassBDClassifier
    >>> rng = np.random.RandomState(0)
    >>> t = np.arange(128)
    >>> X = np.vstack([np.sin(0.1 * t) + 0.3 * rng.randn(20, 128),
    ...                np.sin(0.9 * t) + 0.3 * rng.randn(20, 128)])
    >>> y = np.repeat(["inner", "outer"], 20)
    >>> clf = ClassBDClassifier(width=0.25, max_epochs=10, batch_size=10,
    ...                         random_state=0).fit(X, y)
    >>> clf.predict(X[[0, -1]])
    array(['inner', 'outer'], dtype='<U5')
    >>> clf.transform(X).shape
    (40, 128)
    """

    _parameter_constraints: dict = {
        **BaseTorchClassifier._parameter_constraints,
        "backbone": [StrOptions(set(_BACKBONES))],
        "width": [Interval(Real, 0, None, closed="neither")],
        "filter_channels": [Interval(Integral, 1, None, closed="left")],
        "filter_kernel_size": [Interval(Integral, 1, None, closed="left")],
        "quadratic_lr_ratio": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        *,
        backbone="wdcnn",
        width=1.0,
        filter_channels=16,
        filter_kernel_size=31,
        quadratic_lr_ratio=0.1,
        max_epochs=50,
        max_steps=None,
        batch_size=64,
        lr=1e-3,
        weight_decay=0.0,
        class_weight=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        device="auto",
        random_state=None,
        verbose=False,
    ):
        super().__init__(
            max_epochs=max_epochs,
            max_steps=max_steps,
            batch_size=batch_size,
            lr=lr,
            weight_decay=weight_decay,
            class_weight=class_weight,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            device=device,
            random_state=random_state,
            verbose=verbose,
        )
        self.backbone = backbone
        self.width = width
        self.filter_channels = filter_channels
        self.filter_kernel_size = filter_kernel_size
        self.quadratic_lr_ratio = quadratic_lr_ratio

    def _build_module(self, n_features, n_classes):
        if self.filter_kernel_size % 2 == 0:
            raise ValueError(
                f"filter_kernel_size must be odd (the filters keep the signal length); "
                f"got {self.filter_kernel_size}."
            )
        return ClassBD(
            n_features,
            n_classes,
            backbone=self.backbone,
            width=self.width,
            filter_channels=self.filter_channels,
            filter_kernel_size=self.filter_kernel_size,
        )

    def _initialize_module(self, module, X, y):
        # Evenly spaced rows: training sets often come sorted by class.
        module.time_filter.calibrate(X[:: max(1, len(X) // _CALIBRATION_ROWS)])

    def _param_groups(self, module):
        quadratic = module.time_filter.quadratic_parameters()
        weighting = list(module.loss_weighting.parameters())
        special = {id(p) for p in quadratic + weighting}
        rest = [p for p in module.parameters() if id(p) not in special]
        return [
            {"params": rest, "lr": self.lr},
            {"params": quadratic, "lr": self.lr * self.quadratic_lr_ratio},
            # A decay would pull the log-variances towards one arbitrary value.
            {"params": weighting, "lr": self.lr, "weight_decay": 0.0},
        ]

    def _loss(self, module, outputs, X, y, class_weight):
        cross_entropy = F.cross_entropy(outputs["logits"], y, weight=class_weight)
        time_loss = kurtosis_loss(outputs["time_filtered"]).mean()
        frequency_loss = envelope_sparsity_loss(
            envelope_spectrum(outputs["denoised"])
        ).mean()
        return {
            "loss": module.loss_weighting(cross_entropy, time_loss, frequency_loss),
            "cross_entropy": cross_entropy,
            "kurtosis": time_loss,
            "envelope": frequency_loss,
        }

    @property
    def loss_variances_(self):
        """Learned variances of Eq. (31): cross-entropy, time, frequency objective."""
        check_is_fitted(self)
        return self.module_.loss_weighting.variances.detach().cpu().double().numpy()

    def transform(self, X):
        """Deconvolved signals: the output of the time and frequency filters.

        The filters read the signals standardised by the fitted input scale,
        ``(X - input_mean_) / input_scale_``, as the network does in
        training, so the output is in those standardised units.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_features)
            Same float dtype as ``X`` (float32 unless ``X`` is float64);
            computed in float64, so a row's output does not depend on the
            other rows passed with it.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float32, np.float64])
        X = check_signals(X, min_length=self._min_length())
        # float64 makes each row's output independent of the batch it is in
        # (float32 convolutions pick batch-size dependent algorithms).
        filters = copy.deepcopy(
            nn.Sequential(self.module_.time_filter, self.module_.frequency_filter)
        ).double()
        device = next(filters.parameters()).device
        chunks = []
        with torch.no_grad():
            for start in range(0, X.shape[0], self.batch_size):
                batch = self._standardized_tensor(
                    X[start : start + self.batch_size], torch.float64, device
                )
                chunks.append(filters(batch).cpu().numpy())
        return np.concatenate(chunks).astype(X.dtype, copy=False)
