"""The compact PET/CT set in ``data/ibsi-sts-petct/``, made from the IBSI soft-tissue-sarcoma originals.

``python -m cyclemedgan.datasets.ibsi_sts SRC OUT`` (SRC: the folder holding ``STS_xxx/PET_image.nii.gz``,
``CT_image.nii.gz`` and ``PET_mask.nii.gz``) writes, per patient, on the patient's **PET grid**
(3.9-5.5 mm in-plane, 3.27 mm slices):

- ``STS_xxx_pet.nii.gz``: the PET in SUV (body weight), float32, unchanged (no resampling);
- ``STS_xxx_ct.nii.gz``: the CT in HU, resampled onto the PET grid through both affines
  (``resample.resample_to_grid``: Gaussian anti-aliasing for the 0.98 -> 4-5 mm step, linear
  interpolation, -1000 HU outside the CT's field of view), rounded to int16;
- ``STS_xxx_tumour.nii.gz``: the tumour (GTV) mask on the PET grid, uint8, unchanged;

and ``split.csv``: patients split by patient (``SPLIT_SEED``): 12 ``train_x`` (their PET trains
domain X), 12 ``train_y`` (their CT trains domain Y), 4 ``tune``, 8 ``val``; unpaired training,
paired tune and validation. The PET grid keeps the source intact and the data small (about 11 MB
for 36 patients); the synthetic CT can be no sharper than the PET it comes from anyway.
"""
from __future__ import annotations

import sys
from pathlib import Path

import nibabel as nib
import numpy as np

from cyclemedgan.data.resample import resample_to_grid
from cyclemedgan.data.split import SubjectRow, write_split

SPLIT_SEED = 2019
ROLE_COUNTS = (("train_x", 12), ("train_y", 12), ("tune", 4), ("val", 8))
HU_RANGE = (-1024, 3071)


def _save(data: np.ndarray, affine: np.ndarray, dtype, path: Path) -> None:
    img = nib.Nifti1Image(data.astype(dtype), affine)
    img.set_qform(affine, 1)
    img.set_sform(affine, 1)
    img.header.set_xyzt_units("mm")
    nib.save(img, str(path))


def convert_patient(src: Path, out: Path) -> dict:
    """One patient folder -> three NIfTI files in ``out``; returns a summary row."""
    name = src.name
    pet = nib.load(str(src / "PET_image.nii.gz"))
    ct = nib.load(str(src / "CT_image.nii.gz"))
    mask = nib.load(str(src / "PET_mask.nii.gz"))
    if mask.shape != pet.shape or not np.allclose(mask.affine, pet.affine, atol=1e-3):
        raise ValueError(f"{name}: PET_mask is not on the PET grid")
    pet_data = np.asarray(pet.dataobj, dtype=np.float32)
    ct_on_pet = resample_to_grid(np.asarray(ct.dataobj, np.float32), ct.affine, pet.shape, pet.affine,
                                 order=1, cval=-1000.0)
    hu = np.clip(np.rint(ct_on_pet), *HU_RANGE)
    _save(pet_data, pet.affine, np.float32, out / f"{name}_pet.nii.gz")
    _save(hu, pet.affine, np.int16, out / f"{name}_ct.nii.gz")
    _save(np.asarray(mask.dataobj) > 0, pet.affine, np.uint8, out / f"{name}_tumour.nii.gz")
    zooms = [round(float(z), 2) for z in pet.header.get_zooms()[:3]]
    return {"patient": name, "shape": list(pet.shape), "spacing_mm": zooms}


def make_split(patients: list[str]) -> list[SubjectRow]:
    order = np.random.default_rng(SPLIT_SEED).permutation(sorted(patients))
    roles = [role for role, n in ROLE_COUNTS for _ in range(n)]
    if len(order) != len(roles):
        raise ValueError(f"expected {len(roles)} patients, found {len(order)}")
    return sorted((SubjectRow(str(p), None, "", r) for p, r in zip(order, roles)), key=lambda r: r.subject)


def main(src: str, out: str) -> None:
    src_dir, out_dir = Path(src), Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    patients = sorted(p for p in src_dir.iterdir() if p.is_dir() and p.name.startswith("STS_"))
    for p in patients:
        row = convert_patient(p, out_dir)
        print(f"{row['patient']}: {row['shape']} at {row['spacing_mm']} mm")
    write_split(make_split([p.name for p in patients]), out_dir / "split.csv")
    print(f"wrote {len(patients)} patients and split.csv to {out_dir}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: python -m cyclemedgan.datasets.ibsi_sts SRC OUT")
    main(sys.argv[1], sys.argv[2])
