"""The one base class of the package's torch fault classifiers.

The training loop lives here once (through :func:`deepsmote_sk._training.train_loop`);
a network only overrides the small hooks ``_build_module``, ``_min_length``,
``_initialize_module``, ``_param_groups`` and ``_loss``.
"""

import copy
import itertools
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.model_selection import train_test_split
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .._training import minibatches, train_loop
from ..utils import check_signals, resolve_device, seeded, torch_seed_from
from ..utils._scaling import mean_std

__all__ = ["BaseTorchClassifier"]


class BaseTorchClassifier(ClassifierMixin, BaseEstimator, metaclass=ABCMeta):
    """Base class of the torch classifiers: fit, predict and predict_proba for all nets.

    Not used directly: a subclass implements :meth:`_build_module` (and,
    when it needs to, the other hooks) and lists the parameters below in its
    own keyword-only ``__init__`` together with its architecture parameters.

    Parameters
    ----------
    max_epochs : int, default=100
        Number of passes over the training data (fewer with early stopping).
        Not used when ``max_steps`` is set.
    max_steps : int or None, default=None
        Train for this many optimisation steps (mini-batches of
        ``batch_size``) instead of ``max_epochs`` epochs, however many rows
        the training set has; the last epoch may be cut short. This is the
        budget to use when comparing training sets of different sizes, for
        example the output of different oversamplers: an epoch budget gives
        a ten times larger resampled set ten times more training.
    batch_size : int, default=64
        Mini-batch size for training and prediction, clipped to the number
        of samples. A training mini-batch never holds a single row, which
        batch normalisation cannot train on: ``batch_size=1`` trains on
        pairs, and a lone last row of an epoch joins the previous batch.
    lr : float, default=1e-3
        Learning rate of the Adam optimiser.
    weight_decay : float, default=0.0
        L2 penalty added by Adam to the gradients (MLPClassifier's ``alpha``).
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the cross-entropy. ``"balanced"`` uses
        ``n_samples / (n_classes * np.bincount(y))``; a dict maps labels to
        weights (missing labels weigh 1).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified
        when every class has two samples or more), stop when the validation
        accuracy has not improved by ``tol`` for ``n_iter_no_change`` epochs
        and keep the weights of the best epoch. Without early stopping all
        ``max_epochs`` epochs run.
    validation_fraction : float, default=0.1
        Share of the training data held out for early stopping.
    n_iter_no_change : int, default=10
        Epochs without improvement before early stopping stops.
    tol : float, default=1e-4
        Smallest improvement of the validation accuracy that counts.
    device : str or torch.device, default="auto"
        ``"auto"`` trains on CUDA when available, else on the CPU.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, dropout, the validation split and the
        mini-batch order. An int gives bit-identical results on the CPU;
        the global numpy and torch random states are never changed.
    verbose : bool or int, default=False
        Show a tqdm progress bar with the running losses.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels, in the order of the columns of :meth:`predict_proba`.
    n_features_in_ : int
        Signal length seen during fit.
    input_mean_ : float
        Mean of all values of the training signals (see Notes).
    input_scale_ : float
        Standard deviation of all values of the training signals (1 when
        they are constant).
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when X was a DataFrame with string column names.
    module_ : torch.nn.Module
        The trained network, in evaluation mode.
    class_weight_ : ndarray of shape (n_classes,)
        Weight of each class in the loss (ones when ``class_weight=None``).
    loss_curve_ : list of float
        Mean training loss of each epoch.
    history_ : list of dict
        Per-epoch means of every loss component (and ``"validation_score"``
        with early stopping).
    n_iter_ : int
        Number of epochs run (a last epoch cut short by ``max_steps``
        included).
    n_steps_ : int
        Number of optimisation steps run.
    validation_scores_ : list of float
        Validation accuracy of each epoch (only with early stopping).
    best_validation_score_ : float
        Best validation accuracy, whose weights were kept (only with early
        stopping).

    Notes
    -----
    **Input scale.** ``fit`` learns one mean and one standard deviation over
    all values of ``X`` (``input_mean_``, ``input_scale_``), and the network
    always sees ``(X - input_mean_) / input_scale_``, in ``fit``, ``predict``
    and ``transform``. Every classifier therefore trains the same on raw
    acquisition counts (int16), volts or m/s^2 as on unit-scale data, and any
    finite input works (the statistics are computed without overflow). The
    scale is one number for the whole training set, not one per window, so
    the relative amplitude of the windows (which can tell a severe fault from
    a mild one) is kept; windows standardised one by one beforehand simply
    get ``input_mean_`` near 0 and ``input_scale_`` near 1.

    Hooks a subclass overrides:

    * ``_build_module(n_features, n_classes)`` (required): the network; its
      ``forward`` maps a float32 tensor ``(batch, n_features)`` of
      standardised signals (see above) to the
      logits ``(batch, n_classes)`` or to a dict with key ``"logits"`` and
      any extra tensors its loss needs.
    * ``_min_length()``: the shortest signal the net accepts (default 1).
    * ``_initialize_module(module, X, y)``: data-dependent initialisation.
    * ``_param_groups(module)``: optimiser parameter groups.
    * ``_loss(module, outputs, X, y, class_weight)``: dict with the total
      ``"loss"`` and optional named components (default: weighted
      cross-entropy).

    A pickled estimator holds its network on the CPU, so a model fitted on a
    GPU can be unpickled on a machine without one; prediction runs on the
    device the network is on.
    """

    _parameter_constraints: dict = {
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "max_steps": [None, Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "class_weight": [None, StrOptions({"balanced"}), dict],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "device": [str, torch.device],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    @abstractmethod
    def __init__(
        self,
        *,
        max_epochs=100,
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
        self.max_epochs = max_epochs
        self.max_steps = max_steps
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.class_weight = class_weight
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ hooks
    @abstractmethod
    def _build_module(self, n_features, n_classes):
        """The network for ``n_features``-sample signals and ``n_classes`` classes."""

    def _min_length(self):
        """Shortest signal length the network accepts."""
        return 1

    def _initialize_module(self, module, X, y):
        """Data-dependent initialisation before training (default: none).

        ``X`` is the float32 tensor of the standardised training signals on
        the device, ``y`` the long tensor of class indices.
        """

    def _param_groups(self, module):
        """Optimiser parameter groups (default: one group at ``lr``)."""
        return [{"params": list(module.parameters()), "lr": self.lr}]

    def _loss(self, module, outputs, X, y, class_weight):
        """Weighted cross-entropy on the logits; returns ``{"loss": tensor}``."""
        return {"loss": F.cross_entropy(_logits(outputs), y, weight=class_weight)}

    # ---------------------------------------------------------------- fitting
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train the network on signals ``X`` with labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            One signal (or flattened image) per row.
        y : array-like of shape (n_samples,)
            Class labels (numbers or strings).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y = validate_data(self, X, y, dtype=[np.float32, np.float64])
        X = check_signals(X, min_length=self._min_length())
        check_classification_targets(y)
        self.classes_, y_index = np.unique(y, return_inverse=True)
        n_classes = len(self.classes_)
        if n_classes < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes; "
                f"got 1 class ({self.classes_[0]!r})."
            )
        self.class_weight_ = compute_class_weight(
            self.class_weight, classes=self.classes_, y=y
        )
        device = resolve_device(self.device)
        seed = torch_seed_from(self.random_state)
        self.input_mean_, self.input_scale_ = mean_std(X)
        if self.input_scale_ == 0:
            self.input_scale_ = 1.0

        train_index, val_index = self._split(y_index, seed)
        X_all = self._standardized_tensor(X, torch.float32, device)
        y_all = torch.as_tensor(y_index, dtype=torch.long, device=device)
        X_train, y_train = X_all[train_index], y_all[train_index]
        weight = None
        if self.class_weight is not None:
            weight = torch.as_tensor(
                self.class_weight_, dtype=torch.float32, device=device
            )

        with seeded(seed, device):
            module = self._build_module(X.shape[1], n_classes).to(device)
            self._initialize_module(module, X_train, y_train)
            optimizer = torch.optim.Adam(
                self._param_groups(module), lr=self.lr, weight_decay=self.weight_decay
            )
            generator = torch.Generator().manual_seed(seed)
            n_train = len(train_index)

            def batches(epoch):
                # Batch normalisation in training mode needs two rows or
                # more: batches of at least two, a lone last row merged.
                order = minibatches(n_train, max(2, self.batch_size), generator)
                if len(order) > 1 and order[-1].numel() == 1:
                    order = order[:-2] + [torch.cat(order[-2:])]
                return [index.to(device) for index in order]

            n_steps = 0

            def step(index):
                nonlocal n_steps
                n_steps += 1
                X_batch, y_batch = X_train[index], y_train[index]
                return self._loss(module, module(X_batch), X_batch, y_batch, weight)

            end_of_epoch = None
            if self.early_stopping:
                end_of_epoch = _EarlyStopping(
                    self, module, X_all[val_index], y_all[val_index]
                )
            history = train_loop(
                step,
                batches,
                optimizer,
                self.max_epochs,
                max_steps=self.max_steps,
                modules=(module,),
                end_of_epoch=end_of_epoch,
                verbose=self.verbose,
                desc=type(self).__name__,
            )

        if self.early_stopping:
            module.load_state_dict(end_of_epoch.best_state)
            self.validation_scores_ = end_of_epoch.scores
            self.best_validation_score_ = end_of_epoch.best_score
        module.eval()
        self.module_ = module
        self.history_ = history
        self.loss_curve_ = [record["loss"] for record in history]
        self.n_iter_ = len(history)
        self.n_steps_ = n_steps
        return self

    def _split(self, y_index, seed):
        """Indices of the training and the early-stopping validation rows."""
        n_samples = len(y_index)
        if not self.early_stopping:
            return np.arange(n_samples), np.arange(0)
        n_val = int(np.ceil(self.validation_fraction * n_samples))
        if n_samples - n_val < 2:
            raise ValueError(
                "early_stopping needs at least 2 training samples besides the "
                f"validation ones; validation_fraction={self.validation_fraction} of "
                f"{n_samples} samples leaves {n_samples - n_val}."
            )
        n_classes = y_index.max() + 1
        counts = np.bincount(y_index)
        stratify = (
            y_index
            if counts.min() >= 2 and min(n_val, n_samples - n_val) >= n_classes
            else None
        )
        return train_test_split(
            np.arange(n_samples),
            test_size=n_val,
            random_state=np.random.RandomState(seed % 2**32),
            stratify=stratify,
        )

    # ------------------------------------------------------------- prediction
    def _forward_logits(self, X):
        """Logits of ``X`` in float64, computed in evaluation mode in batches."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float32, np.float64])
        X = check_signals(X, min_length=self._min_length())
        module = self.module_
        device = next(itertools.chain(module.parameters(), module.buffers())).device
        module.eval()
        chunks = []
        with torch.no_grad():
            for start in range(0, X.shape[0], self.batch_size):
                batch = self._standardized_tensor(
                    X[start : start + self.batch_size], torch.float32, device
                )
                chunks.append(_logits(module(batch)).double().cpu().numpy())
        return np.concatenate(chunks)

    def _standardized_tensor(self, X, dtype, device):
        """``(X - input_mean_) / input_scale_`` as a new tensor (X may be read-only)."""
        # In float64 and in this order, so finite input never overflows.
        Z = np.array(X, dtype=np.float64)
        Z /= self.input_scale_
        Z -= self.input_mean_ / self.input_scale_
        return torch.tensor(Z, dtype=dtype, device=device)

    def predict_proba(self, X):
        """Class probabilities (softmax of the logits).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``.
        """
        logits = self._forward_logits(X)
        logits -= logits.max(axis=1, keepdims=True)
        proba = np.exp(logits)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X):
        """Most probable class of each signal.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
            Labels taken from ``classes_``.
        """
        logits = self._forward_logits(X)
        return self.classes_[np.argmax(logits, axis=1)]

    # ---------------------------------------------------------------- pickling
    def __getstate__(self):
        state = dict(super().__getstate__())
        module = state.get("module_")
        if module is not None and any(
            tensor.device.type != "cpu"
            for tensor in itertools.chain(module.parameters(), module.buffers())
        ):
            state["module_"] = copy.deepcopy(module).cpu()
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if "module_" in state:
            self.module_.eval()


class _EarlyStopping:
    """``end_of_epoch`` callback: validation accuracy, patience and best weights."""

    def __init__(self, estimator, module, X_val, y_val):
        self.estimator = estimator
        self.module = module
        self.X_val = X_val
        self.y_val = y_val
        self.scores = []
        self.best_score = -np.inf
        self.best_state = copy.deepcopy(module.state_dict())
        self.n_bad_epochs = 0

    def __call__(self, epoch, record):
        self.module.eval()
        correct = 0
        batch_size = self.estimator.batch_size
        with torch.no_grad():
            for start in range(0, len(self.y_val), batch_size):
                logits = _logits(self.module(self.X_val[start : start + batch_size]))
                correct += int(
                    (logits.argmax(1) == self.y_val[start : start + batch_size]).sum()
                )
        score = correct / len(self.y_val)
        record["validation_score"] = score
        self.scores.append(score)
        if score < self.best_score + self.estimator.tol:
            self.n_bad_epochs += 1
        else:
            self.n_bad_epochs = 0
        if score > self.best_score:
            self.best_score = score
            self.best_state = copy.deepcopy(self.module.state_dict())
        return self.n_bad_epochs >= self.estimator.n_iter_no_change


def _logits(outputs):
    """The logits of a module's output (a tensor, or a dict with key ``"logits"``)."""
    return outputs["logits"] if isinstance(outputs, dict) else outputs
