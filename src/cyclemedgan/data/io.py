"""NIfTI volumes <-> float32 arrays, with geometry kept (nibabel).

``load_volume`` returns the intensities as float32 in their own units (scl_slope/scl_inter
applied), plus the nibabel image whose affine and qform/sform codes travel to the output.
``save_volume`` writes atomically: a temporary file in the same folder, renamed at the end, so an
interrupted or failed write never leaves a half-written volume under the requested name.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

import nibabel as nib
import numpy as np
from nibabel.orientations import apply_orientation, axcodes2ornt, io_orientation, ornt_transform

from cyclemedgan.errors import UserError

NIFTI_SUFFIXES = (".nii", ".nii.gz")


def content_hash(path: str | Path, length: int = 12) -> str:
    """The first ``length`` hex digits of the sha1 of a file's bytes (cache keys: a copy or move
    of a file keeps its key, an edit changes it)."""
    h = hashlib.sha1()
    with Path(path).open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()[:length]


def is_nifti(path: str | Path) -> bool:
    return str(path).endswith(NIFTI_SUFFIXES)


def list_volumes(folder: str | Path) -> list[Path]:
    """The NIfTI files of a folder, sorted by name."""
    folder = Path(folder)
    return sorted(p for p in folder.iterdir() if p.is_file() and is_nifti(p.name))


def load_volume(path: str | Path) -> tuple[np.ndarray, nib.Nifti1Image]:
    """Read a 3D NIfTI volume, or a folder holding one DICOM series (see ``data.dicom``).

    Returns (data float32 (I, J, K) in physical units, a NIfTI image carrying the geometry)."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"input not found: {path}")
    if path.is_dir():
        from cyclemedgan.data.dicom import is_dicom_dir, load_dicom_series

        if not is_dicom_dir(path):
            raise UserError(f"not a NIfTI file or a DICOM series folder: {path}")
        data, affine, note = load_dicom_series(path)
        if note not in ("not PET",):
            print(f"{path}: {note}")
        img = nib.Nifti1Image(data, affine)
        img.set_qform(affine, 1)
        img.set_sform(affine, 1)
        return data, img
    if not is_nifti(path.name):
        raise UserError(f"not a NIfTI volume (.nii or .nii.gz expected): {path}")
    try:
        img = nib.load(str(path))
        data = np.asarray(img.dataobj, dtype=np.float32)
    except Exception as e:  # nibabel raises many types for corrupt files
        raise UserError(f"cannot read {path} as NIfTI: {str(e).splitlines()[0]}") from None
    if data.ndim == 4 and data.shape[3] == 1:
        data = data[..., 0]
    if data.ndim != 3:
        raise UserError(f"{path} has shape {data.shape}; a 3D volume is expected")
    if not np.isfinite(data).all():
        raise UserError(f"{path} holds NaN or infinite values")
    return data, img


def copy_as_nii_gz(src: str | Path, dst: str | Path) -> None:
    """Copy a NIfTI volume to ``dst`` (a .nii.gz name), compressing a .nii on the way; written to
    a temporary file first, so that a reader never sees half a volume."""
    src = Path(src)
    if src.name.endswith(".nii.gz"):
        write_atomic(dst, lambda tmp: shutil.copyfile(src, tmp))
    else:
        write_atomic(dst, lambda tmp: nib.save(nib.load(str(src)), tmp))


def write_atomic(path: str | Path, write: Callable[[str], object]) -> None:
    """``write(tmp)`` fills a temporary file beside ``path`` (same suffix, .nii or .nii.gz), which
    then replaces ``path`` in one rename: a reader never sees half a file, and a failed write
    leaves neither a partial file nor the temporary one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = ".nii.gz" if path.name.endswith(".nii.gz") else ".nii"
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=suffix, dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; outputs get the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def to_canonical(data: np.ndarray, affine: np.ndarray) -> np.ndarray:
    """Reorder/flip axes so the array is in RAS+ voxel order; axis 2 is then inferior->superior
    and ``data[:, :, k]`` is an axial slice. Exact (only flips and transposes)."""
    t = ornt_transform(io_orientation(affine), axcodes2ornt("RAS"))
    return np.ascontiguousarray(apply_orientation(data, t))


def from_canonical(data: np.ndarray, affine: np.ndarray) -> np.ndarray:
    """Inverse of ``to_canonical`` for a volume whose original affine is ``affine``."""
    t = ornt_transform(axcodes2ornt("RAS"), io_orientation(affine))
    return np.ascontiguousarray(apply_orientation(data, t))


def save_volume(data: np.ndarray, reference: nib.Nifti1Image, path: str | Path) -> None:
    """Write ``data`` (float32) with the reference image's affine, qform/sform and codes.

    scl_slope = 1 and scl_inter = 0: the stored values are the intensities.
    """
    path = Path(path)
    if data.shape != reference.shape[:3]:
        raise ValueError(f"shape {data.shape} differs from the reference {reference.shape}")
    header = reference.header.copy()
    header.set_data_dtype(np.float32)
    out = nib.Nifti1Image(data.astype(np.float32), reference.affine, header)
    qform, qcode = reference.get_qform(coded=True)
    sform, scode = reference.get_sform(coded=True)
    out.set_qform(qform if qform is not None else reference.affine, int(qcode))
    out.set_sform(sform if sform is not None else reference.affine, int(scode))
    out.header.set_slope_inter(1.0, 0.0)
    write_atomic(path, lambda tmp: nib.save(out, tmp))
