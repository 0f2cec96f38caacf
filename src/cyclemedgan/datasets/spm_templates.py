"""The PET -> CT exercise data made from the SPM PET and transmission templates.

There is no multi-subject PET/CT here: one averaged head (SPM's FDG PET and transmission
templates, co-registered, MNI space, 2 mm) stands in, to run the PET -> CT path end to end. No
quality claim can rest on it.

- CT stand-in: the transmission image holds attenuation at 511 keV scaled to 0-1, not HU. It is
  mapped linearly so that air (0) is -1000 HU and the soft-tissue mode of the head (``WATER``,
  0.744, the histogram mode inside the head) is 0 HU: HU = 1000 (t / WATER - 1). This is a
  water-scaled pseudo-CT: soft tissue lands near 0 HU, but bone comes out far too low (about
  +250 HU instead of +700 to +1500), because 511 keV attenuation of bone relative to water is
  much smaller than at CT energies and the template is blurred.
- Split (canonical RAS axial slices): the inferior slab (z < ``SPLIT_Z``) trains, its even slices
  as domain X (PET only) and its odd slices as domain Y (CT only), so no training slice has its
  partner in the other domain; the superior slab (z >= ``SPLIT_Z``) is the paired validation.
  Each part is written as its own NIfTI volume with the correct affine (every other slice: twice
  the z spacing).
"""
from __future__ import annotations

from pathlib import Path

import nibabel as nib
import numpy as np

from cyclemedgan.data.split import SubjectRow, write_split

WATER = 0.744
SPLIT_Z = 50
PARTS = {  # subject -> (slices of the canonical volume, role)
    "inferior-even": (slice(0, SPLIT_Z, 2), "train_x"),
    "inferior-odd": (slice(1, SPLIT_Z, 2), "train_y"),
    "superior": (slice(SPLIT_Z, None), "val"),
}


def transmission_to_hu(t: np.ndarray, water: float = WATER) -> np.ndarray:
    """0-1 transmission (attenuation) values -> water-scaled pseudo-HU, float32 >= -1000."""
    return np.maximum(1000.0 * (np.asarray(t, np.float64) / water - 1.0), -1000.0).astype(np.float32)


def write_pet_ct_parts(pet: str | Path, transm: str | Path, out_dir: str | Path) -> Path:
    """Write ``out_dir/<part>/PET.nii.gz`` (PET template values, float32) and ``CT.nii.gz``
    (pseudo-HU) for each part of ``PARTS``, and ``out_dir/split.csv``."""
    out_dir = Path(out_dir)
    pet_img = nib.as_closest_canonical(nib.load(str(pet)))
    ct_img = nib.as_closest_canonical(nib.load(str(transm)))
    if not np.allclose(pet_img.affine, ct_img.affine) or pet_img.shape != ct_img.shape:
        raise ValueError("PET and transmission images are not on the same grid")
    volumes = {"PET": np.asarray(pet_img.dataobj, np.float32),
               "CT": transmission_to_hu(np.asarray(ct_img.dataobj, np.float32))}
    for part, (sl, _) in PARTS.items():
        for name, data in volumes.items():
            ref = pet_img.slicer[:, :, sl]
            img = nib.Nifti1Image(data[:, :, sl], ref.affine)
            img.set_qform(ref.affine, 1)
            img.set_sform(ref.affine, 1)
            img.header.set_slope_inter(1.0, 0.0)
            (out_dir / part).mkdir(parents=True, exist_ok=True)
            nib.save(img, str(out_dir / part / f"{name}.nii.gz"))
    write_split([SubjectRow(p, None, "", role) for p, (_, role) in PARTS.items()], out_dir / "split.csv")
    return out_dir


if __name__ == "__main__":
    import sys

    write_pet_ct_parts(sys.argv[1], sys.argv[2], sys.argv[3])
