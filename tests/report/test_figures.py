"""Fig. 3: which slices it shows and how many panels it draws."""
import numpy as np
from conftest import phantom, write_nifti

from cyclemedgan.report.figures import DPI, PANEL_IN, comparison_figure, pick_slices


def png_size(path) -> tuple[int, int]:
    """(width, height) of a PNG in pixels."""
    import matplotlib.pyplot as plt

    h, w = plt.imread(path).shape[:2]
    return w, h


def test_one_row_pair_per_slice_one_column_per_method_and_tumour_slices_first(tmp_path):
    vol = phantom()  # (40, 36, 20); the test affine makes array axis 1 the canonical axial axis
    for folder, v in (("tgt", vol), ("inp", 0.9 * vol), ("a", vol + 5.0), ("b", vol - 5.0)):
        write_nifti(tmp_path / folder / "S1.nii.gz", v.astype(np.float32))
    labels = np.zeros_like(vol)
    labels[15:20, 9, 5:9] = 1.0  # the largest tumour area: array (and canonical axial) slice 9
    labels[15:17, 10, 5:7] = 1.0
    write_nifti(tmp_path / "lab" / "S1.nii.gz", labels)
    picks = pick_slices(tmp_path / "tgt")
    assert picks == [("S1.nii.gz", int(0.55 * 36)), ("S1.nii.gz", int(0.55 * 36) - 5)]  # one subject: two slices
    lab_picks = pick_slices(tmp_path / "tgt", tmp_path / "lab")
    assert lab_picks == [("S1.nii.gz", 9), ("S1.nii.gz", 4)]
    cols = [("A", tmp_path / "a"), ("B", tmp_path / "b")]
    comparison_figure(tmp_path / "fig.png", cols, tmp_path / "inp", tmp_path / "tgt", picks)
    # Input | A | B | Target, each slice an image row and an |error| row
    assert png_size(tmp_path / "fig.png") == (round(PANEL_IN * DPI * 4), round(2 * PANEL_IN * DPI * 2))
    comparison_figure(tmp_path / "one.png", cols[:1], tmp_path / "inp", tmp_path / "tgt", picks[:1],
                      same_modality=False, labels=tmp_path / "lab", crop=True, mask=tmp_path / "lab")
    assert png_size(tmp_path / "one.png") == (round(PANEL_IN * DPI * 3), round(2 * PANEL_IN * DPI))
