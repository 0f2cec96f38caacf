"""Fixtures: small synthetic head-like NIfTI volumes written to temp dirs, and a tiny config."""
from __future__ import annotations

import os
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from cyclemedgan.config import load_config, replace
from cyclemedgan.data.split import SubjectRow, read_split, write_split

REPO = Path(__file__).resolve().parents[1]

if "PYTEST_XDIST_WORKER_COUNT" in os.environ:  # make test's workers share the cores, one thread each
    _threads = str(max(1, (os.cpu_count() or 1) // int(os.environ["PYTEST_XDIST_WORKER_COUNT"])))
    os.environ.setdefault("OMP_NUM_THREADS", _threads)  # for the command-line tests' subprocesses too
    import torch

    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
PET2CT_STS = REPO / "configs" / "pet2ct-sts.yaml"  # the PET -> CT preset on the embedded IBSI patients

# the keys of the paired section before it existed (config/migrate.py)
OLD_PAIRED = {("data", "paired_from"): "pairs", ("data", "bulk_threshold"): "bulk_threshold",
              ("data", "simulated_draws"): "draws", ("data", "simulated_clean_pairs"): "clean_pairs",
              ("loss", "paired_g2"): "g2"}


class NetworkBlocked(RuntimeError):
    """Raised by any attempt to open a network connection during the tests."""


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """The suite is offline: every socket connect (TCP, UDP, IPv4 or IPv6) raises, for every
    test; Unix-domain sockets (local inter-process pipes) stay allowed."""
    import socket

    real_connect = socket.socket.connect

    def guarded(self, address, *a, **k):
        if self.family == getattr(socket, "AF_UNIX", None):
            return real_connect(self, address, *a, **k)
        raise NetworkBlocked(f"network access in a test: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded)
    monkeypatch.setattr(socket, "create_connection",
                        lambda address, *a, **k: (_ for _ in ()).throw(NetworkBlocked(f"network access: {address!r}")))


def phantom(shape=(40, 36, 20), seed=0) -> np.ndarray:
    """A bright ellipsoid 'head' with an inner 'brain' and a few blobs, on a dark background."""
    rng = np.random.default_rng(seed)
    i, j, k = np.meshgrid(*[np.linspace(-1, 1, n) for n in shape], indexing="ij")
    r = (i / 0.8) ** 2 + (j / 0.75) ** 2 + (k / 0.9) ** 2
    vol = np.where(r < 1, 400.0, 0.0) + np.where(r < 0.6, 300.0, 0.0)
    for _ in range(4):
        c = rng.uniform(-0.4, 0.4, 3)
        vol += 200.0 * (((i - c[0]) ** 2 + (j - c[1]) ** 2 + (k - c[2]) ** 2) < 0.02)
    vol += rng.normal(0, 5, shape)
    return np.clip(vol, 0, None).astype(np.float32)


def write_nifti(path: Path, data: np.ndarray, affine: np.ndarray | None = None, codes=(1, 1)) -> Path:
    """Write a volume with a non-trivial affine (PSR-like, 2 mm) and given qform/sform codes."""
    if affine is None:
        affine = np.array([[0, 0, -2.0, 20], [-2.0, 0, 0, 40], [0, 2.0, 0, -30], [0, 0, 0, 1]])
    img = nib.Nifti1Image(data, affine)
    img.set_qform(affine, codes[0])
    img.set_sform(affine, codes[1])
    path.parent.mkdir(parents=True, exist_ok=True)
    nib.save(img, str(path))
    return path


def write_series(folder: Path, data: np.ndarray, modality: str = "CT", slope=1.0, intercept=0.0,
                 extra: dict | None = None, shuffle: bool = True) -> None:
    """data (columns, rows, slices) uint16, axial slices 0.8 x 0.7 mm, 2.5 mm apart."""
    folder.mkdir(parents=True, exist_ok=True)
    series = generate_uid()
    order = np.random.default_rng(0).permutation(data.shape[2]) if shuffle else range(data.shape[2])
    for n, k in enumerate(order):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = Dataset()
        ds.file_meta = meta
        ds.Modality, ds.SeriesInstanceUID, ds.SOPInstanceUID = modality, series, meta.MediaStorageSOPInstanceUID
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.ImagePositionPatient = [-10.0, -20.0, 30.0 + 2.5 * k]
        ds.PixelSpacing = [0.7, 0.8]  # between rows, between columns
        ds.Rows, ds.Columns = data.shape[1], data.shape[0]
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.RescaleSlope, ds.RescaleIntercept = slope, intercept
        for key, value in (extra or {}).items():
            setattr(ds, key, value)
        ds.PixelData = np.ascontiguousarray(data[:, :, k].T).astype(np.uint16).tobytes()
        ds.save_as(str(folder / f"IM{n:04d}"), enforce_file_format=True)


@pytest.fixture(scope="session")
def tiny_dataset(tmp_path_factory) -> Path:
    """6 synthetic subjects S001..S006 (2 train_x, 2 train_y, 2 val) + split.csv; each has a
    "T1" volume and a co-registered "T2" (contrast-inverted) volume."""
    root = tmp_path_factory.mktemp("tiny")
    rows = []
    for n in range(6):
        s = f"S{n + 1:03d}"
        write_nifti(root / f"{s}_T1.nii.gz", phantom(seed=n))
        head = phantom(seed=n)  # a second "modality": contrast inverted inside the head
        write_nifti(root / f"{s}_T2.nii.gz", np.where(head > 100, 1200.0 - head, 0.0).astype(np.float32))
        rows.append(SubjectRow(s, 30.0 + n, "F" if n % 2 else "M", ["train_x", "train_y", "val"][n // 2]))
    write_split(rows, root / "split.csv")
    return root


@pytest.fixture(scope="session")
def tiny_config_path(tiny_dataset, tmp_path_factory) -> Path:
    text = (REPO / "configs" / "tiny.yaml").read_text()
    text = text.replace("ROOT", str(tiny_dataset))
    path = tmp_path_factory.mktemp("cfg") / "tiny.yaml"
    path.write_text(text)
    return path


@pytest.fixture(scope="session")
def tiny_config(tiny_config_path):
    return load_config(tiny_config_path)


@pytest.fixture(scope="session")
def tiny_extractor(tiny_config, tmp_path_factory) -> Path:
    from cyclemedgan.training.pretrain_extractor import pretrain_extractor

    out = tmp_path_factory.mktemp("ext") / "bigan"
    return pretrain_extractor(tiny_config, out, progress=False)


def net_outputs(cfg, run) -> dict:
    """What each network of ``run`` (G1, G2, D1, D2) computes on one fixed input batch. Trained
    weights are compared through these: a conv bias just before an instance norm has no effect,
    so its float noise may differ between runs that compute the same thing."""
    import torch

    from cyclemedgan.models import build_model
    from cyclemedgan.checkpoint import load_weights

    model = build_model(cfg)
    nets = {**model.generator_nets(), **model.discriminator_nets()}
    load_weights(run, nets)
    x = torch.rand(2, 1, 32, 32, generator=torch.Generator().manual_seed(0)) * 2 - 1
    with torch.no_grad():
        return {k: net.eval()(x) for k, net in nets.items()}


def saved_weights(run) -> dict:
    """The tensors of ``run``'s model.safetensors, by name."""
    from safetensors.torch import load_file

    return load_file(str(run / "model.safetensors"))


def cli(*args) -> int:
    """Run the console entry point in this process; its exit status."""
    from cyclemedgan.cli import main

    with pytest.raises(SystemExit) as e:
        main([str(a) for a in args])
    return e.value.code


@pytest.fixture(scope="session")
def trained(tiny_config_path, tiny_extractor, tmp_path_factory) -> Path:
    """A tiny Cycle-MedGAN run trained through the command line (tests only read it)."""
    run = tmp_path_factory.mktemp("run") / "r"
    assert cli("train", "--config", tiny_config_path, "--set", f"loss.extractor={tiny_extractor}",
               "--out", run, "--no-progress") == 0
    return run


@pytest.fixture()
def tune_config(tiny_config, tiny_extractor, tmp_path):
    """The tiny split with S005 moved from val to tune."""
    rows = [SubjectRow(r.subject, r.age, r.sex, "tune" if r.subject == "S005" else r.role)
            for r in read_split(tiny_config.data.split_file)]
    write_split(rows, tmp_path / "split.csv")
    return replace(tiny_config, data={"split_file": str(tmp_path / "split.csv")},
                   loss={"extractor": str(tiny_extractor)},
                   train={"steps": 4, "tune_every": 2, "log_every": 1, "checkpoint_every": 100})
