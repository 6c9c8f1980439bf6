"""The benchmark grid: its cells, and the methods and classifiers by CLI name.

A *cell* is one (dataset, balance ratio, method, classifier, seed) run of the
protocol of ``PROTOCOL.md``; it is one row of the results table. Cells that
share everything but the classifier also share their resampled training set,
so the runner resamples once per *group* and trains every classifier of the
group on the same rows.
"""

import hashlib
import importlib
import json
import re
from dataclasses import asdict, dataclass, field

import numpy as np

__all__ = [
    "CLASSIFIERS",
    "DEFAULT_RATIOS",
    "DEFAULT_STEPS",
    "METHODS",
    "Cell",
    "ClassifierSpec",
    "MethodSpec",
    "make_grid",
    "parse_ratio",
]

#: The balance ratios of the paper's Table I, hardest first.
RATIOS = ("1:400", "1:200", "1:100", "1:50", "1:25", "1:10", "1:5")

#: The ratios run when none are given (paper, Fig. 4-5).
DEFAULT_RATIOS = ("1:400", "1:100", "1:25", "1:5")

#: Optimisation steps (mini-batches of 64) of every downstream classifier in a
#: cell, whatever the size of the resampled set (PROTOCOL.md's one training
#: budget). On CWRU 0 hp, the default classifier trained on the balanced
#: reference set (2000 windows a class, seed 0) has converged well within
#: it: test accuracy 0.988 after 250 steps, 0.990 after 500, 0.988 after
#: 1000 and 0.986 after 2000.
DEFAULT_STEPS = 1000

_RATIO = re.compile(r"^\s*1\s*:\s*(\d+)\s*$")


def parse_ratio(ratio):
    """Imbalance factor ``N`` of a balance ratio written ``"1:N"``.

    Parameters
    ----------
    ratio : str or int
        ``"1:400"`` (minority : majority) or the integer ``400``. ``N`` must
        lie between 1 and 400, the range of the paper's Table I.

    Returns
    -------
    int

    Examples
    --------
    >>> from deepsmote_sk.benchmark import parse_ratio
    >>> parse_ratio("1:400")
    400
    """
    if isinstance(ratio, (int, np.integer)) and not isinstance(ratio, bool):
        factor = int(ratio)
    else:
        match = _RATIO.match(str(ratio))
        if match is None:
            raise ValueError(
                f"A balance ratio must be written '1:N' such as '1:400'; got {ratio!r}."
            )
        factor = int(match.group(1))
    if not 1 <= factor <= 400:
        raise ValueError(f"A balance ratio '1:N' needs 1 <= N <= 400; got {ratio!r}.")
    return factor


def _k_neighbors(n_min):
    """Neighbours of the SMOTE family for a class of ``n_min`` rows.

    imbalanced-learn needs ``k_neighbors < n_min``; at BR 1:400 a fault class
    holds 5 windows, so the default of 5 is clipped to ``n_min - 1``.
    """
    if n_min < 2:
        raise ValueError(
            f"The smallest class has {n_min} training row(s); interpolating "
            "oversamplers need at least 2 (raise n_majority or use a milder ratio)."
        )
    return min(5, n_min - 1)


def _imblearn(name, neighbours_param):
    def build(n_min, random_state, params, image_shape, device):
        module = importlib.import_module("imblearn.over_sampling")
        kwargs = {"random_state": random_state}
        if neighbours_param is not None:
            kwargs[neighbours_param] = _k_neighbors(n_min)
        return getattr(module, name)(**kwargs)

    return build


def _smote_variants(oversampler, neighbours_param="n_neighbors"):
    """Builder of a ``smote-variants`` peer (:class:`._peers.SmoteVariantsSampler`).

    Raises the ImportError that names the ``peers`` extra when
    ``smote_variants`` is missing, so the cell is recorded as failed with it.
    """

    def build(n_min, random_state, params, image_shape, device):
        from ._peers import SmoteVariantsSampler, import_smote_variants

        import_smote_variants()
        k = _k_neighbors(n_min)
        return SmoteVariantsSampler(
            oversampler,
            {neighbours_param: k} if neighbours_param else {},
            random_state=random_state,
        )

    return build


#: The best-ranked oversamplers of smote-variants' comparative study (its
#: documentation's ranking page, from Kovács, Applied Soft Computing 2019),
#: by benchmark name: (smote-variants class, neighbours parameter, note).
#: SMOBD (5th) is left out: its OPTICS radius ``max_eps=1`` finds no
#: neighbours among standardised windows, and it then returns its input.
_PEERS = {
    "polynom_fit_SMOTE": (
        "polynom_fit_SMOTE_star",
        None,
        "star topology, ranked 1st",
    ),
    "ProWSyn": ("ProWSyn", "n_neighbors", "ranked 2nd"),
    "SMOTE_IPF": ("SMOTE_IPF", "n_neighbors", "ranked 3rd"),
    "Lee": ("Lee", "n_neighbors", "ranked 4th"),
    "G_SMOTE": ("G_SMOTE", "n_neighbors", "ranked 6th"),
}

#: Peers whose resampling takes minutes on the study's data (SMOTE_IPF: 94 s
#: at BR 1:400, 507 s at 1:100 on two cores).
_SLOW_PEERS = {"SMOTE_IPF"}


def _time_shift(n_min, random_state, params, image_shape, device):
    cls = importlib.import_module("deepsmote_sk.over_sampling").TimeShiftOverSampler
    return cls(random_state=random_state, image_shape=image_shape)


#: Description and constructor switches of :class:`~deepsmote_sk.DSEASMOTE`
#: for the ablations of the paper's Section VII, explicit for both modules so that they mean the
#: same whatever the preset's default: M0 keeps SEA and the AFC (the paper's
#: full model), M1 drops SEA, M2 the AFC, M3 both. With the ``"fast"``
#: preset, whose default has no AFC, ``DSEASMOTE`` is M2.
_ABLATIONS = {
    "DSEASMOTE": ("DSEASMOTE", {}),
    "M0": (
        "DSEASMOTE with SEA and the AFC (the paper's full model)",
        {"use_sea": True, "use_afc": True},
    ),
    "M1": (
        "DSEASMOTE with the AFC, without SEA (ablation M1)",
        {"use_sea": False, "use_afc": True},
    ),
    "M2": (
        "DSEASMOTE with SEA, without the AFC (ablation M2)",
        {"use_sea": True, "use_afc": False},
    ),
    "M3": (
        "DSEASMOTE without SEA and AFC (ablation M3)",
        {"use_sea": False, "use_afc": False},
    ),
}


#: Where DSEASMOTE lives (its source enters the cache key of its cells).
_DSEASMOTE_CODE = "deepsmote_sk.over_sampling"


def _dseasmote(name):
    def build(n_min, random_state, params, image_shape, device):
        cls = importlib.import_module("deepsmote_sk.over_sampling").DSEASMOTE
        kwargs = {
            "device": device,
            **params,
            **_ABLATIONS[name][1],
            "random_state": random_state,
        }
        if image_shape is not None:
            kwargs["image_shape"] = image_shape
        return cls(**kwargs)

    return build


@dataclass(frozen=True)
class MethodSpec:
    """A way to handle the imbalance, by its command-line name.

    Attributes
    ----------
    name : str
    description : str
    build : callable or None
        ``build(n_min, random_state, params, image_shape, device) ->
        sampler``, where ``n_min`` is the smallest class size, ``params``
        the user's DSEASMOTE parameters, ``image_shape`` the image shape in
        image mode (None for signals) and ``device`` the torch device.
        None for methods that do not resample.
    class_weight : str or None
        ``class_weight`` handed to the classifier.
    generates : bool
        Whether the sampler creates new rows (generation metrics apply).
    code : str or None
        The package's subpackage that implements the sampler, when it is
        still changing (DSEASMOTE and its ablations): a digest of its source
        enters the cell's cache key, so a cell of an older DSEASMOTE is
        never read back as a result of the current one.
    slow : bool
        Resampling takes tens of seconds or more (a network to train, or
        SMOTE_IPF's filtering): the runner dispatches these groups first,
        so that parallel workers finish together (longest jobs first).
    """

    name: str
    description: str
    build: object = None
    class_weight: object = None
    generates: bool = False
    code: object = None
    slow: bool = False


METHODS = {
    spec.name: spec
    for spec in (
        MethodSpec("none", "no resampling"),
        MethodSpec(
            "class_weight",
            "class-weighted loss (class_weight='balanced')",
            class_weight="balanced",
        ),
        MethodSpec(
            "RandomOverSampler",
            "imblearn RandomOverSampler",
            _imblearn("RandomOverSampler", None),
        ),
        MethodSpec(
            "SMOTE", "imblearn SMOTE", _imblearn("SMOTE", "k_neighbors"), generates=True
        ),
        MethodSpec(
            "BorderlineSMOTE",
            "imblearn BorderlineSMOTE",
            _imblearn("BorderlineSMOTE", "k_neighbors"),
            generates=True,
        ),
        MethodSpec(
            "ADASYN",
            "imblearn ADASYN",
            _imblearn("ADASYN", "n_neighbors"),
            generates=True,
        ),
        MethodSpec(
            "TimeShift",
            "deepsmote_sk TimeShiftOverSampler: random circular time shifts of "
            "the real minority windows (along time in image mode)",
            _time_shift,
            generates=True,
        ),
        *(
            MethodSpec(
                name,
                description,
                _dseasmote(name),
                generates=True,
                code=_DSEASMOTE_CODE,
                slow=True,
            )
            for name, (description, _) in _ABLATIONS.items()
        ),
        *(
            MethodSpec(
                name,
                f"smote-variants {oversampler} ({note})",
                _smote_variants(oversampler, neighbours),
                generates=True,
                slow=name in _SLOW_PEERS,
            )
            for name, (oversampler, neighbours, note) in _PEERS.items()
        ),
    )
}


#: The grid's settings a benchmark classifier may take, by parameter name.
_SETTINGS = ("class_weight", "random_state", "device")


@dataclass(frozen=True)
class ClassifierSpec:
    """A downstream classifier, by its command-line name.

    Attributes
    ----------
    name : str
    class_name : str
        Estimator of :mod:`deepsmote_sk.classifiers`.
    mode : {"signal", "image"}
        ``"image"`` classifiers read flattened scalogram images made by
        :class:`~deepsmote_sk.CWTTransformer`; the samplers then resample
        images (DSEASMOTE in image mode).
    accepts : tuple of str
        The grid's settings (``"class_weight"``, ``"random_state"``,
        ``"device"``) the estimator has parameters for; :meth:`build` passes
        only these. The torch nets take all three; an estimator that runs on
        the CPU only has no ``device``.
    budget : {"steps"} or None
        How the estimator's training is bounded. ``"steps"``: a torch net
        trained by mini-batch optimisation, for which the protocol fixes one
        number of optimisation steps per cell whatever the size of the
        resampled set (PROTOCOL.md, "one training budget"). None: trained in
        closed form (MiniRocket's ridge), so it has no budget to equalise.
    params : dict
        Fixed parameters of the estimator that make this classifier what it
        is (``vgg16``: ``architecture="vgg16"``); the grid's classifier
        parameters come on top.
    """

    name: str
    class_name: str
    mode: str = "signal"
    accepts: tuple = _SETTINGS
    budget: object = "steps"
    params: dict = field(default_factory=dict)

    def build(self, params, *, class_weight, random_state, device, image_shape=None):
        """A fresh estimator with the grid's settings it accepts."""
        cls = getattr(
            importlib.import_module("deepsmote_sk.classifiers"), self.class_name
        )
        settings = {
            "class_weight": class_weight,
            "random_state": random_state,
            "device": device,
        }
        kwargs = {**params, **{name: settings[name] for name in self.accepts}}
        if image_shape is not None:
            kwargs["image_shape"] = image_shape
        return cls(**kwargs)


CLASSIFIERS = {
    spec.name: spec
    for spec in (
        ClassifierSpec("resnet1d", "ResNet1DClassifier"),
        ClassifierSpec("wdcnn", "WDCNNClassifier"),
        ClassifierSpec("scalogram_cnn", "ScalogramCNNClassifier", mode="image"),
        ClassifierSpec(
            "vgg16",
            "ScalogramCNNClassifier",
            mode="image",
            params={"architecture": "vgg16"},
        ),
        ClassifierSpec("classbd", "ClassBDClassifier"),
        ClassifierSpec("shapelet", "ShapeletNetClassifier"),
        ClassifierSpec(
            "minirocket",
            "MiniRocketClassifier",
            accepts=("class_weight", "random_state"),
            budget=None,
        ),
    )
}


def _canonical(params):
    """Parameters as a sorted JSON string (hashable, stable across runs)."""
    return json.dumps(dict(params or {}), sort_keys=True, default=str)


@dataclass(frozen=True)
class Cell:
    """One run of the protocol: one row of the results table.

    Every field but ``data`` (where the data lives) and ``device`` (where the
    computation runs) enters :attr:`key`, the name of the cell's cache file.
    The data enter through ``data_hash``, a digest of the signals themselves,
    so a moved file keeps its cache and an edited one does not; ``classes``
    is the comma-separated subset of the data's classes the cell uses
    (empty: all). ``steps`` is the training budget of the classifier in
    optimisation steps, the same for every method of the grid (None: each
    classifier's epochs). ``code`` is a digest of the source of a method
    the package is still changing (:attr:`MethodSpec.code`; empty for the
    others, and then left out of :meth:`config`).
    """

    dataset: str
    data_hash: str
    window: int
    ratio: str
    method: str
    classifier: str
    seed: int
    snr: object = None
    n_majority: int = 2000
    n_test: int = 500
    classes: str = ""
    classifier_params: str = "{}"
    sampler_params: str = "{}"
    steps: object = None
    code: str = ""
    data: object = field(default=None, compare=False)
    device: str = field(default="cpu", compare=False)

    @property
    def imbalance(self):
        """``N`` of the balance ratio ``1:N``."""
        return parse_ratio(self.ratio)

    @property
    def mode(self):
        return CLASSIFIERS[self.classifier].mode

    def config(self):
        """The fields that define the cell's result."""
        config = asdict(self)
        del config["data"], config["device"]
        if not config["code"]:  # keeps the keys of cells from before the field
            del config["code"]
        return config

    @property
    def key(self):
        """Hex digest of :meth:`config`: the cell's cache file name."""
        blob = json.dumps(self.config(), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:20]

    @property
    def group(self):
        """Cells with the same group share one resampled training set."""
        return (
            self.data_hash,
            self.classes,
            self.window,
            self.ratio,
            self.method,
            self.seed,
            self.snr,
            self.n_majority,
            self.n_test,
            self.sampler_params,
            self.mode,
        )


def _code_digest(package):
    """Digest of the Python source of ``package`` (empty for None)."""
    if package is None:
        return ""
    import importlib.util
    from pathlib import Path

    folder = Path(importlib.util.find_spec(package).origin).parent
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _check_names(values, registry, what):
    values = list(values)
    unknown = [v for v in values if v not in registry]
    if unknown:
        raise ValueError(f"Unknown {what} {unknown}; choose from {list(registry)}.")
    if not values:
        raise ValueError(
            f"At least one {what[:-1] if what.endswith('s') else what} is needed."
        )
    return list(dict.fromkeys(values))


def make_grid(
    *,
    dataset,
    data_hash,
    data=None,
    window=256,
    ratios=DEFAULT_RATIOS,
    methods=tuple(METHODS),
    classifiers=("resnet1d",),
    seeds=3,
    snr=None,
    n_majority=2000,
    n_test=500,
    classes=None,
    classifier_params=None,
    sampler_params=None,
    steps=None,
    device="cpu",
):
    """All cells of a benchmark, seed by seed.

    Seeds vary slowest, so an interrupted run has every method at the first
    seeds rather than some methods at every seed.

    Parameters
    ----------
    seeds : int or sequence of int
        ``3`` means seeds ``0, 1, 2``.
    classes : sequence of str, optional
        Subset of the data's classes (None: all).
    steps : int, optional
        Optimisation steps of every classifier trained by steps (None:
        their epochs).

    Returns
    -------
    list of Cell
    """
    ratios = [f"1:{parse_ratio(r)}" for r in ratios]
    if not ratios:
        raise ValueError("At least one balance ratio is needed.")
    ratios = list(dict.fromkeys(ratios))
    methods = _check_names(methods, METHODS, "methods")
    classifiers = _check_names(classifiers, CLASSIFIERS, "classifiers")
    if isinstance(seeds, (int, np.integer)):
        if seeds < 1:
            raise ValueError(f"seeds must be a positive number of seeds; got {seeds}.")
        seeds = range(int(seeds))
    seeds = [int(s) for s in seeds]
    if steps is not None and (
        isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1
    ):
        raise ValueError(f"steps must be a positive number of steps; got {steps!r}.")
    clf_params, smp_params = _canonical(classifier_params), _canonical(sampler_params)
    return [
        Cell(
            dataset=dataset,
            data_hash=data_hash,
            window=int(window),
            ratio=ratio,
            method=method,
            classifier=classifier,
            seed=seed,
            snr=None if snr is None else float(snr),
            n_majority=int(n_majority),
            n_test=int(n_test),
            classes=",".join(classes or ()),
            classifier_params=clf_params,
            sampler_params=smp_params if method in _ABLATIONS else "{}",
            steps=None if steps is None else int(steps),
            code=_code_digest(METHODS[method].code),
            data=data,
            device=device,
        )
        for seed in seeds
        for ratio in ratios
        for method in methods
        for classifier in classifiers
    ]
