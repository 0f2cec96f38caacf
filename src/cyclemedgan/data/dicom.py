"""DICOM series -> float32 volume + RAS affine (pydicom), with SUV for PET.

A folder holding one DICOM series is one volume. Slices are ordered along the slice normal
(ImageOrientationPatient row x column cosines) by ImagePositionPatient; values are
``pixel * RescaleSlope + RescaleIntercept`` (CT: Hounsfield units). The affine maps voxel
(column, row, slice) to RAS+ millimetres (DICOM's LPS with x and y negated), as NIfTI expects.

PET (Modality PT) with Units GML (g/ml) is body-weight SUV already and is read as such; PET with
Units BQML and the needed tags is converted to body-weight SUV:
  SUV = C [Bq/ml] * weight [g] / (injected dose [Bq] * 2^(-dt / T_half)),
dt = SeriesTime - RadiopharmaceuticalStartTime (decay to the series start, DecayCorrection
START). Without those tags the values stay in the series' units and a notice says so.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from cyclemedgan.errors import UserError

SUV_TAGS = ("PatientWeight", "RadiopharmaceuticalInformationSequence", "SeriesTime")


def is_dicom_dir(path: Path) -> bool:
    """True for a folder whose first file carries the DICOM preamble ("DICM" at byte 128)."""
    if not path.is_dir():
        return False
    for f in sorted(path.iterdir()):
        if f.is_file():
            with f.open("rb") as fh:
                head = fh.read(132)
            if len(head) == 132 and head[128:] == b"DICM":
                return True
    return False


def _seconds(t: str) -> float:
    t = str(t).split(".")[0].ljust(6, "0")
    return int(t[:2]) * 3600 + int(t[2:4]) * 60 + int(t[4:6]) + 0.0


def suv_factor(ds) -> tuple[float | None, str]:
    """(factor Bq/ml -> SUVbw, or None, and a one-line reason)."""
    if getattr(ds, "Modality", "") != "PT":
        return None, "not PET"
    if getattr(ds, "Units", "") == "GML":  # g/ml: the scanner already stored body-weight SUV
        return 1.0, "PET in Units GML (g/ml): already SUVbw, read as SUV"
    if getattr(ds, "Units", "") != "BQML":
        return None, f"PET units are {getattr(ds, 'Units', 'missing')!r}, not BQML: values kept as stored"
    if getattr(ds, "DecayCorrection", "START") != "START":
        return None, f"PET decay-corrected to {ds.DecayCorrection}, not START: values kept in Bq/ml"
    missing = [t for t in SUV_TAGS if t not in ds]
    rp = ds.RadiopharmaceuticalInformationSequence[0] if "RadiopharmaceuticalInformationSequence" in ds else None
    for t in ("RadionuclideTotalDose", "RadionuclideHalfLife", "RadiopharmaceuticalStartTime"):
        if rp is None or t not in rp:
            missing.append(t)
    if missing or not float(ds.PatientWeight):
        return None, f"PET without SUV tags ({', '.join(missing) or 'PatientWeight 0'}): values kept in Bq/ml"
    dt = _seconds(ds.SeriesTime) - _seconds(rp.RadiopharmaceuticalStartTime)
    if dt < 0:
        dt += 24 * 3600  # injection before midnight
    dose = float(rp.RadionuclideTotalDose) * 2.0 ** (-dt / float(rp.RadionuclideHalfLife))
    return float(ds.PatientWeight) * 1000.0 / dose, f"PET converted to SUVbw (decay {dt / 60:.1f} min)"


def load_dicom_series(folder: str | Path) -> tuple[np.ndarray, np.ndarray, str]:
    """(volume float32 (columns, rows, slices), RAS affine 4x4, note on units)."""
    import pydicom

    folder = Path(folder)
    slices = []
    for f in sorted(folder.iterdir()):
        if not f.is_file():
            continue
        try:
            ds = pydicom.dcmread(str(f))
        except Exception:
            continue  # not a DICOM file (e.g. a DICOMDIR index or a README)
        if "PixelData" in ds:
            slices.append(ds)
    if not slices:
        raise UserError(f"no DICOM images in {folder}")
    if len({s.SeriesInstanceUID for s in slices}) > 1:
        raise UserError(f"{folder} holds more than one DICOM series; give one series per folder")
    try:
        row_cos, col_cos = (np.array(slices[0].ImageOrientationPatient, float).reshape(2, 3))
        if any(not np.allclose(np.array(s.ImageOrientationPatient, float), slices[0].ImageOrientationPatient,
                               atol=1e-4) for s in slices):
            raise UserError(f"{folder}: slices of mixed orientation (ImageOrientationPatient differs); "
                            "give one 3D volume per folder")
        normal = np.cross(row_cos, col_cos)
        slices.sort(key=lambda s: float(np.dot(normal, np.array(s.ImagePositionPatient, float))))
        dr, dc = (float(v) for v in slices[0].PixelSpacing)
        first = np.array(slices[0].ImagePositionPatient, float)
        if len(slices) > 1:
            step = (np.array(slices[-1].ImagePositionPatient, float) - first) / (len(slices) - 1)
        else:
            step = normal * float(getattr(slices[0], "SliceThickness", 1.0))
        positions = np.array([np.dot(normal, np.array(s.ImagePositionPatient, float)) for s in slices])
        gaps = np.diff(positions)
        if len(gaps) and gaps.min() <= 1e-3:
            raise UserError(f"{folder}: slices are not evenly spaced along one axis (repeated positions: "
                            "a dynamic or multi-echo series?); give one 3D volume per folder")
        if len(gaps) and np.ptp(gaps) > 0.01 * max(abs(gaps.mean()), 1e-3):
            raise UserError(f"{folder}: slices are not evenly spaced along one axis (gaps from {gaps.min():.2f} "
                            f"to {gaps.max():.2f} mm: a missing slice?)")
        data = np.stack([s.pixel_array.astype(np.float64).T * float(getattr(s, "RescaleSlope", 1.0))
                         + float(getattr(s, "RescaleIntercept", 0.0)) for s in slices], axis=2)
        factor, note = suv_factor(slices[0])
    except (AttributeError, ValueError, TypeError, KeyError, IndexError) as e:
        raise UserError(f"{folder}: unusable DICOM series ({str(e).splitlines()[0]})") from None
    lps = np.eye(4)
    lps[:3, 0], lps[:3, 1], lps[:3, 2], lps[:3, 3] = row_cos * dc, col_cos * dr, step, first
    affine = np.diag([-1.0, -1.0, 1.0, 1.0]) @ lps
    if factor is not None:
        data = data * factor
    return data.astype(np.float32), affine, note
