"""Reading CWRU data: the project's npz and folders of original .mat files."""

import numpy as np
import pytest
from scipy.io import savemat

from deepsmote_sk.datasets import CWRU_12K_DRIVE_END, load_cwru, make_imbalanced_split


def _write_mat(folder, number, n=500, seed=0, rpm=True, channels=("DE", "FE"),
               prefix=None):
    """A small file in the CWRU layout: X097_DE_time (n, 1), X097RPM (1, 1)."""
    rng = np.random.RandomState(seed)
    prefix = prefix or f"X{number:03d}"
    contents = {f"{prefix}_{ch}_time": rng.randn(n, 1) for ch in channels}
    if rpm:
        contents[f"{prefix}RPM"] = np.array([[1790 + seed]])
    savemat(str(folder / f"{number}.mat"), contents)
    return contents


def _write_npz(path, classes=("normal", "IR007"), drop=()):
    rng = np.random.RandomState(0)
    arrays = {c: rng.randn(300).astype(np.float32) for c in classes}
    arrays.update(class_names=np.array(classes), fs=np.int32(12000),
                  rpm=np.array([1796, 1797][: len(classes)], dtype=np.int16),
                  cwru_file_number=np.array([97, 105][: len(classes)], dtype=np.int16))
    for key in drop:
        arrays.pop(key)
    np.savez(path, **arrays)
    return arrays


def test_standard_record_numbers_follow_the_cwru_table():
    assert list(CWRU_12K_DRIVE_END) == [
        "normal", "IR007", "B007", "OR007", "IR014", "B014", "OR014", "IR021", "B021",
        "OR021",
    ]
    at_0hp = [v[0] for v in CWRU_12K_DRIVE_END.values()]
    assert at_0hp == [97, 105, 118, 130, 169, 185, 197, 209, 222, 234]
    at_2hp = [v[2] for v in CWRU_12K_DRIVE_END.values()]
    assert at_2hp[1:] == [107, 120, 132, 171, 187, 199, 211, 224, 236]


def test_mat_folder_returns_named_signals_rpm_and_record_numbers(tmp_path):
    written = {97: _write_mat(tmp_path, 97, seed=1),
               105: _write_mat(tmp_path, 105, seed=2)}
    data = load_cwru(tmp_path, classes=["IR007", "normal"])
    assert data.class_names == ["IR007", "normal"]
    assert data.fs == 12000
    normal = data.signals["normal"]
    np.testing.assert_array_equal(normal, written[97]["X097_DE_time"][:, 0])
    np.testing.assert_array_equal(data.signals["IR007"],
                                  written[105]["X105_DE_time"][:, 0])
    assert normal.dtype == np.float64 and normal.ndim == 1
    assert data.rpm == {"IR007": 1792, "normal": 1791}
    assert data.file_numbers == {"IR007": 105, "normal": 97}


def test_mat_folder_load_selects_the_records_of_that_load(tmp_path):
    _write_mat(tmp_path, 99)
    _write_mat(tmp_path, 236)
    data = load_cwru(tmp_path, classes=["normal", "OR021"], load=2)
    assert data.file_numbers == {"normal": 99, "OR021": 236}


def test_mat_folder_reads_the_requested_channel(tmp_path):
    written = _write_mat(tmp_path, 97)
    data = load_cwru(tmp_path, classes=["normal"], channel="FE")
    np.testing.assert_array_equal(data.signals["normal"], written["X097_FE_time"][:, 0])


def test_mat_folder_accepts_a_name_to_record_mapping(tmp_path):
    _write_mat(tmp_path, 3001)
    data = load_cwru(tmp_path, classes={"custom": 3001})
    assert data.class_names == ["custom"] and data.file_numbers == {"custom": 3001}


def test_mat_file_with_renamed_variable_is_read(tmp_path):
    """Copies of CWRU files sometimes hold another record's variable names."""
    written = _write_mat(tmp_path, 105, prefix="X056")
    data = load_cwru(tmp_path, classes=["IR007"])
    np.testing.assert_array_equal(data.signals["IR007"], written["X056_DE_time"][:, 0])


def test_mat_file_without_rpm_gets_the_nominal_speed_of_its_load(tmp_path):
    _write_mat(tmp_path, 98, rpm=False)
    assert load_cwru(tmp_path, classes=["normal"], load=1).rpm == {"normal": 1772}


def test_missing_mat_file_names_the_expected_file(tmp_path):
    _write_mat(tmp_path, 97)
    with pytest.raises(FileNotFoundError,
                       match=r"record 105 for class 'IR007'.*105\.mat"):
        load_cwru(tmp_path, classes=["normal", "IR007"])


def test_folder_without_mat_files_says_so(tmp_path):
    (tmp_path / "notes.txt").write_text("not a record")
    with pytest.raises(FileNotFoundError, match=r"holds no \.mat files"):
        load_cwru(tmp_path)


def test_unreadable_mat_file_is_rejected_with_its_name(tmp_path):
    (tmp_path / "97.mat").write_bytes(b"x" * 200)
    with pytest.raises(ValueError, match=r"97\.mat' is not a readable CWRU \.mat file"):
        load_cwru(tmp_path, classes=["normal"])


def test_a_file_that_is_not_an_npz_is_rejected_clearly(tmp_path):
    (tmp_path / "d.npz").write_text("hello")
    with pytest.raises(ValueError, match="neither a folder of CWRU .mat files nor an npz"):
        load_cwru(tmp_path / "d.npz")
    np.save(tmp_path / "a.npy", np.ones(3))
    with pytest.raises(ValueError, match="single array, not a CWRU npz"):
        load_cwru(tmp_path / "a.npy")


def test_missing_variable_lists_what_the_file_holds(tmp_path):
    _write_mat(tmp_path, 97, channels=("DE",))
    with pytest.raises(ValueError, match=r"no variable 'X097_BA_time'.*X097_DE_time"):
        load_cwru(tmp_path, classes=["normal"], channel="BA")


def test_non_numeric_or_2d_variable_is_rejected(tmp_path):
    savemat(str(tmp_path / "97.mat"), {"X097_DE_time": np.zeros((10, 3))})
    with pytest.raises(ValueError, match="not a 1-D numeric signal"):
        load_cwru(tmp_path, classes=["normal"])


def test_nan_in_a_record_is_rejected(tmp_path):
    savemat(str(tmp_path / "97.mat"), {"X097_DE_time": np.array([[0.0], [np.nan]])})
    with pytest.raises(ValueError, match="NaN or infinity"):
        load_cwru(tmp_path, classes=["normal"])


def test_npz_returns_signals_in_class_name_order(tmp_path):
    arrays = _write_npz(tmp_path / "d.npz")
    data = load_cwru(tmp_path / "d.npz")
    assert data.class_names == ["normal", "IR007"]
    np.testing.assert_array_equal(data.signals["IR007"], arrays["IR007"])
    assert data.signals["IR007"].dtype == np.float64
    assert data.fs == 12000
    assert data.rpm == {"normal": 1796, "IR007": 1797}
    assert data.file_numbers == {"normal": 97, "IR007": 105}


def test_npz_class_subset(tmp_path):
    _write_npz(tmp_path / "d.npz")
    data = load_cwru(str(tmp_path / "d.npz"), classes=["IR007"])
    assert data.class_names == ["IR007"]


def test_npz_without_required_keys_is_rejected(tmp_path):
    _write_npz(tmp_path / "d.npz", drop=("class_names",))
    with pytest.raises(ValueError, match=r"lacks the key\(s\) \['class_names'\]"):
        load_cwru(tmp_path / "d.npz")


def test_npz_listing_a_class_without_its_array_is_rejected(tmp_path):
    _write_npz(tmp_path / "d.npz", drop=("IR007",))
    with pytest.raises(ValueError, match=r"no array for them"):
        load_cwru(tmp_path / "d.npz")


def test_npz_only_has_the_drive_end_channel(tmp_path):
    _write_npz(tmp_path / "d.npz")
    with pytest.raises(ValueError, match="drive-end channel only"):
        load_cwru(tmp_path / "d.npz", channel="FE")


def test_unknown_class_is_rejected(tmp_path):
    _write_npz(tmp_path / "d.npz")
    with pytest.raises(ValueError, match=r"Unknown classes \['IR099'\]"):
        load_cwru(tmp_path / "d.npz", classes=["IR099"])
    with pytest.raises(ValueError, match=r"Unknown classes \['IR099'\]"):
        load_cwru(tmp_path, classes=["IR099"])


def test_missing_path_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_cwru(tmp_path / "nowhere.npz")


def test_path_defaults_to_the_environment_variable(tmp_path, monkeypatch):
    _write_npz(tmp_path / "d.npz")
    monkeypatch.setenv("DEEPSMOTE_SK_CWRU", str(tmp_path / "d.npz"))
    assert load_cwru().class_names == ["normal", "IR007"]
    monkeypatch.delenv("DEEPSMOTE_SK_CWRU")
    with pytest.raises(ValueError, match="DEEPSMOTE_SK_CWRU is not set"):
        load_cwru()


def test_bad_load_and_channel_values_are_rejected(tmp_path):
    with pytest.raises(ValueError, match="load"):
        load_cwru(tmp_path, load=4)
    with pytest.raises(ValueError, match="channel"):
        load_cwru(tmp_path, channel="XX")


@pytest.mark.slow
def test_real_cwru_npz_loads_ten_classes_and_builds_the_protocol_split(cwru_path):
    data = load_cwru(cwru_path)
    assert data.class_names == list(CWRU_12K_DRIVE_END)
    assert data.fs == 12000
    assert data.signals["normal"].shape == (243938,)
    assert data.signals["IR007"].shape == (121265,)
    assert data.file_numbers == {c: v[0] for c, v in CWRU_12K_DRIVE_END.items()}
    assert set(data.rpm.values()) <= {1796, 1797}
    X_tr, y_tr, X_te, y_te, info = make_imbalanced_split(data, "1:100", random_state=0,
                                                         return_info=True)
    assert X_tr.shape == (2000 + 9 * 20, 256) and X_te.shape == (5000, 256)
    for name in data.class_names:
        assert info.train_starts[name].max() + 256 <= info.boundary[name]
        assert info.test_starts[name].min() >= info.boundary[name]
