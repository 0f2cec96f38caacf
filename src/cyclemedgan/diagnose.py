"""Probes behind docs/experiments.md.

``python -m cyclemedgan.diagnose filters CONFIG``: what fixed filters do to the tune subjects'
inputs (clipping to the percentile window, unsharp masks, Gaussian smoothing), scored like the
tune curve, and how much of the input's error is low-frequency.

``python -m cyclemedgan.diagnose change RUN_DIR``: how far G1 has moved from the identity map:
mean |G1(x) - x| (in [-1, 1] units) inside and outside the head on 64 paired training slices
of the run (``train_x`` subjects; simulated motion for ``data.paired_from: train_y``) and
|G1(y) - y| on their motion-free twins, the mean |weight| of G1's last (zero-initialised) convolution and, for a
run with its training state, Adam's moments for that layer (|m| / sqrt(v) near 0: the updates
cancel from step to step).

Can the discriminator see the artifact at all? ``python -m cyclemedgan.diagnose detect CONFIG
[--steps 300]``: the config's PatchGAN D1, trained alone (LSGAN targets: clean 1, corrupted 0) on
the unpaired training pools with the config's crops, batch and lr_d, then asked about the tune
subjects' own corrupted and clean slices (same heads, so only the artifact differs): mean D
output of each, the share of slice pairs where the clean slice scores higher (0.5 = blind), the
AUC of D's score for clean against corrupted slices within each tune subject (averaged), and the
cosine between -dL_adv/dG1(x) with G1 at the identity (the direction the adversarial term moves
an output) and the true correction y - x, per slice.
If D cannot tell them apart, the adversarial term, the only one that pushes G1 away from the
identity, has nothing to push with.

How hard is the bulk-density reference (PET -> CT)? ``python -m cyclemedgan.diagnose outline
CONFIG [--role tune] [--suv 0.05]``: per patient, the share of body voxels in the body's outer
one-voxel ring (real CT > -500 HU), the Dice of a PET-drawn body (SUV > ``suv``) against the CT's,
and the body MAE of the two-class map (0 / -1000 HU) drawn from the CT (the reference) and from the
PET (what a PET-only method could draw).

Can bone be told from the PET at all (PET -> CT)? ``python -m cyclemedgan.diagnose tissues CONFIG
[--roles train_x train_y]``: over those patients' own PET/CT pairs (never tune or val by default),
the SUV percentiles (10, 25, 50, 75, 90) of the voxels in each CT class (air < -500 HU, fat -150
to -50, soft tissue 0 to 100, bone > 250) and the AUC of SUV for bone against the other body
classes (0.5: SUV alone cannot tell them apart; 0 or 1: one threshold does).

Where does a synthetic CT lose SSIM to the reference? ``python -m cyclemedgan.diagnose regions
CONFIG PRED_DIR [--role tune]``: for each patient with ``PRED_DIR/<subject>.nii.gz`` (from
``translate``), the SSIM of ``metrics_ct`` (its field of view too) split into the body's interior (eroded by 2 voxels
in-plane) and its outer band, the body MAE in the interior, and the Dice of the predicted body
(> -500 HU), beside the same for the bulk-density reference (its body is the CT's own).

Which checkpoint does the tune rule choose, run by run? ``python -m cyclemedgan.diagnose choose
RUN_DIR [RUN_DIR ...]``: from each run's metrics.csv, the tune point ``tune.better`` picks (for
synthetic CT: body MAE below the reference first, then the score) with its score, MAE and SSIM
(and each tune role's score and MAE where several were scored); runs named ``NAME_sK`` (seeds)
are then averaged under NAME. Works on runs trained before a change of the rule.

Is a CycleGAN hiding its input in its output? (steganography test, Chu et al. 2017)
``python -m cyclemedgan.diagnose hiding RUN_DIR [--sigma 0.05 0.1]``: on the tune subjects' source
slices (the training subjects' when the split has no tune role), the X -> Y -> X cycle error
||G2(G1(x) + n) - x||_1 with Gaussian noise n of each sigma added to G1(x) (in [-1, 1] units),
against sigma 0. A generator that encodes the input's exact artifacts in a faint pattern for G2
to decode loses them to the noise, and the cycle error jumps far beyond what the noise itself
adds; an honest translation degrades gently: the rise stays near or below E|n| = 0.8 sigma, what the
noise adds through an identity G2. Prints one line per sigma.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import torch

from cyclemedgan.data.datasets import paired_stacks, training_pools, validation_pairs
from cyclemedgan.data.slices import foreground_fraction, with_context
from cyclemedgan.models import build_model
from cyclemedgan.checkpoint import load_weights, read_run


@torch.no_grad()
def cycle_errors(run_dir: str, sigmas: list[float], n: int = 64, seed: int = 0) -> dict[float, float]:
    cfg, _ = read_run(run_dir)
    model = build_model(cfg, inference=True)
    load_weights(run_dir, model.generator_nets())
    model.eval()
    pairs = validation_pairs(cfg.data, role="tune")
    if pairs:
        stacks = []
        for p in pairs:
            sx, _, _ = paired_stacks(cfg.data, p.source, p.target)
            keep = foreground_fraction(sx) >= cfg.data.min_foreground
            stacks.append(torch.from_numpy(with_context(sx, cfg.data.context_slices)[keep]))
        x = torch.cat(stacks)
    else:
        x = training_pools(cfg.data)[0].slices
    g = torch.Generator().manual_seed(seed)
    x = x[torch.randperm(len(x), generator=g)[:n]]
    fake = model.translate(x, "AtoB")
    out = {}
    for s in sigmas:
        noise = s * torch.randn(fake.shape, generator=g)
        out[s] = float((model.translate(fake + noise, "BtoA") - x).abs().mean())
    return out


def filters(config: str) -> None:
    from scipy import ndimage

    from cyclemedgan.config import load_config
    from cyclemedgan.data.intensity import percentile_window
    from cyclemedgan.data.io import from_canonical, to_canonical
    from cyclemedgan.training.tune import TuneSet, selection_score

    cfg = load_config(config)
    tune = TuneSet(cfg)  # loads the tune subjects and scores exactly like the tune curve

    def score(f) -> dict:  # f works on canonical (RAS) volumes: axes 0, 1 in-plane
        return tune.scores([from_canonical(f(to_canonical(s.source, s.affine)), s.affine) for s in tune.subjects])

    base_in = {f"{k}_input": v for k, v in tune.base_scores.items()}

    def clip(x):
        w = percentile_window(x, cfg.data.percentiles)
        return w.inverse(w.forward(x))

    probes = {"input": lambda x: x, "clipped to the percentile window": clip}
    for sig, a in ((0.7, 0.3), (1.0, 0.3), (1.5, 0.3), (1.5, 0.6)):
        probes[f"unsharp mask sigma {sig} px, amount {a}"] = \
            lambda x, s=sig, a=a: x + a * (x - ndimage.gaussian_filter(x, (s, s, 0)))
    for sig in (0.5, 1.0):
        probes[f"Gaussian smoothing sigma {sig} px (in-plane)"] = lambda x, s=sig: ndimage.gaussian_filter(x, (s, s, 0))
    print(f"{len(tune)} tune subjects of {cfg.data.split_file}")
    for name, f in probes.items():
        s = score(f)
        print(f"{name:44s} SSIM {s['ssim']:.4f}  PSNR {s['psnr']:.2f} dB  score {selection_score({**s, **base_in}):+.3f}")
    for s in tune.subjects:
        e = to_canonical(s.source, s.affine) - s.target
        low = ndimage.gaussian_filter(e, (2, 2, 0))
        m = s.mask
        print(f"share of the input's error energy below a 2-pixel Gaussian: {(low[m] ** 2).mean() / (e[m] ** 2).mean():.3f}")


@torch.no_grad()
def change(run_dir: str) -> None:
    cfg, meta = read_run(run_dir)
    model = build_model(cfg, inference=True)
    load_weights(run_dir, model.generator_nets())
    model.eval()
    px, py = training_pools(cfg.data, paired=True)
    idx = torch.randperm(len(px), generator=torch.Generator().manual_seed(0))[:64]
    x, y = px.slices[idx], py.slices[idx]
    d = (model.translate(x, "AtoB") - x).abs()
    head = y > -0.8
    clean = (model.translate(y, "AtoB") - y).abs()  # a corrector should leave motion-free slices alone
    print(f"{run_dir} (step {meta['step']}): mean |G1(x) - x| {d[head].mean():.2e} inside the head, "
          f"{d[~head].mean():.2e} outside; largest {d.max():.2e}; on their motion-free twins y, mean "
          f"|G1(y) - y| {clean[head].mean():.2e} inside the head"
          + (f"; mean |last conv weight| {model.g1.output_conv.weight.abs().mean():.2e}" if hasattr(model, "g1") else ""))
    state = Path(run_dir) / "training_state.pt"
    if state.is_file() and hasattr(model, "g1"):  # Adam's moments for G1's last convolution: how far one step moves it
        adam = torch.load(state, map_location="cpu", weights_only=True)["opt_g"]["state"]
        shape = tuple(model.g1.output_conv.weight.shape)
        for v in adam.values():
            if tuple(v["exp_avg"].shape) == shape:
                rms = v["exp_avg_sq"].sqrt()
                print(f"Adam, G1's last convolution: sqrt(v) {rms.mean():.2e}, |m| / sqrt(v) "
                      f"{(v['exp_avg'].abs() / (rms + 1e-8)).mean():.4f} (1 = a full lr step each step)")
                break


def detect(config: str, steps: int = 300, seed: int = 0) -> dict[str, float]:
    from cyclemedgan.config import load_config
    from cyclemedgan.losses.adversarial import gan_loss
    from cyclemedgan.networks.patch_discriminator import PatchDiscriminator
    from cyclemedgan.training.trainer import _augment, set_threads

    cfg = load_config(config)
    set_threads(cfg.train.threads)
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    m, tc = cfg.model, cfg.train
    d = PatchDiscriminator(m.in_channels, m.ndf, m.n_layers_d, m.d_norm)
    opt = torch.optim.Adam(d.parameters(), lr=tc.lr_d or tc.lr, betas=(tc.beta1, tc.beta2))
    pool_x, pool_y = training_pools(cfg.data)
    for _ in range(steps):
        (x,) = _augment([pool_x.slices[torch.randint(len(pool_x), (tc.batch_size,), generator=g)]],
                        cfg.data.crop, cfg.data.flip, g)
        (y,) = _augment([pool_y.slices[torch.randint(len(pool_y), (tc.batch_size,), generator=g)]],
                        cfg.data.crop, cfg.data.flip, g)
        loss = 0.5 * (gan_loss(d(y), True, m.gan_mode) + gan_loss(d(x), False, m.gan_mode))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    d.eval()
    xs, ys = [], []
    for p in validation_pairs(cfg.data, role="tune"):
        sx, sy, _ = paired_stacks(cfg.data, p.source, p.target)
        keep = foreground_fraction(sx) >= cfg.data.min_foreground
        xs.append(torch.from_numpy(with_context(sx, cfg.data.context_slices)[keep]))
        ys.append(torch.from_numpy(with_context(sy, cfg.data.context_slices)[keep]))
    with torch.no_grad():
        dx = torch.cat([d(t).mean(dim=(1, 2, 3)) for t in torch.cat(xs).split(32)])
        dy = torch.cat([d(t).mean(dim=(1, 2, 3)) for t in torch.cat(ys).split(32)])
    # AUC within each tune subject (clean against corrupted slices of the same head: the anatomy is
    # the same, only the artifact differs), averaged over subjects
    aucs, start = [], 0
    for t in xs:
        a, b = dy[start:start + len(t)], dx[start:start + len(t)]
        aucs.append(float((a[:, None] > b[None, :]).float().mean() + 0.5 * (a[:, None] == b[None, :]).float().mean()))
        start += len(t)
    # with G1 at the identity, the direction the adversarial loss moves G1(x) = x, against the true
    # correction y - x: cosine per slice, over the whole slice
    cosines = []
    for x, y in zip(torch.cat(xs).split(32), torch.cat(ys).split(32)):
        x = x.clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(gan_loss(d(x), True, m.gan_mode), x)
        cosines.append(torch.nn.functional.cosine_similarity((-grad).flatten(1), (y - x.detach()).flatten(1), dim=1))
    cos = torch.cat(cosines)
    out = {"d_corrupted": float(dx.mean()), "d_clean": float(dy.mean()),
           "clean_scored_higher": float((dy > dx).float().mean()), "auc_same_subject": float(sum(aucs) / len(aucs)),
           "grad_cosine": float(cos.mean()), "grad_cosine_positive": float((cos > 0).float().mean()),
           "final_loss": float(loss.detach()), "slices": len(dx)}
    print(f"D after {steps} steps (loss {out['final_loss']:.3f}): mean output on the tune subjects' corrupted slices "
          f"{out['d_corrupted']:.3f}, on their clean slices {out['d_clean']:.3f}; the clean slice scores higher in "
          f"{100 * out['clean_scored_higher']:.0f}% of {out['slices']} pairs (50% = blind); AUC clean vs corrupted "
          f"within a subject {out['auc_same_subject']:.3f}; cosine of -dL_adv/dG1(x) at the identity with y - x: "
          f"mean {out['grad_cosine']:.4f}, positive on {100 * out['grad_cosine_positive']:.0f}% of slices")
    return out


def outline(config: str, role: str = "tune", suv: float = 0.05) -> list[dict]:
    import numpy as np
    from scipy import ndimage

    from cyclemedgan.config import load_config
    from cyclemedgan.data.io import load_volume
    from cyclemedgan.metrics_ct import body_mask, bulk_density, ct_scores, dice

    cfg = load_config(config)
    rows = []
    for p in validation_pairs(cfg.data, role=role):
        ct, _ = load_volume(p.target)
        pet, _ = load_volume(p.source)
        body, pet_body = body_mask(ct), pet > suv
        ring = 1.0 - ndimage.binary_erosion(body).sum() / body.sum()
        from_pet = np.where(pet_body, 0.0, -1000.0).astype(np.float32)
        rows.append({"subject": p.subject, "ring": float(ring), "dice": dice(pet_body, body),
                     "mae_ct_body": ct_scores(bulk_density(ct), ct)["mae"], "mae_pet_body": ct_scores(from_pet, ct)["mae"]})
        r = rows[-1]
        print(f"{p.subject}: outer ring {100 * r['ring']:.0f}% of the body; body Dice PET (SUV > {suv}) vs CT "
              f"{r['dice']:.3f}; two-class map body MAE {r['mae_ct_body']:.1f} HU from the CT, "
              f"{r['mae_pet_body']:.1f} HU from the PET")
    return rows


TISSUES_HU = {"air": (-2000.0, -500.0), "fat": (-150.0, -50.0), "soft tissue": (0.0, 100.0), "bone": (250.0, 5000.0)}


def tissues(config: str, roles: tuple[str, ...] = ("train_x", "train_y")) -> dict[str, dict]:
    """SUV percentiles per CT tissue class and the bone-against-others AUC of SUV (see module doc)."""
    import numpy as np
    from scipy.stats import mannwhitneyu

    from cyclemedgan.config import load_config
    from cyclemedgan.data.io import load_volume

    cfg = load_config(config)
    suv: dict[str, list] = {k: [] for k in TISSUES_HU}
    n = 0
    for role in roles:
        for p in validation_pairs(cfg.data, role=role):
            ct, _ = load_volume(p.target)
            pet, _ = load_volume(p.source)
            if ct.shape != pet.shape:
                raise ValueError(f"{p.subject}: PET {pet.shape} and CT {ct.shape} are not on one grid")
            for k, (lo, hi) in TISSUES_HU.items():
                suv[k].append(pet[(ct > lo) & (ct <= hi)])
            n += 1
    if n == 0:
        raise ValueError(f"no paired patients with roles {', '.join(roles)} in {config}")
    out = {}
    for k, v in suv.items():
        v = np.concatenate(v)
        out[k] = {"n": int(v.size), "percentiles": [float(q) for q in np.percentile(v, [10, 25, 50, 75, 90])]}
        print(f"{k:>11} ({v.size} voxels): SUV p10/p25/p50/p75/p90 = "
              + " / ".join(f"{q:.3f}" for q in out[k]["percentiles"]))
    bone = np.concatenate(suv["bone"])
    for k in ("fat", "soft tissue"):
        other = np.concatenate(suv[k])
        auc = float(mannwhitneyu(bone, other).statistic) / (bone.size * other.size)
        out[k]["auc_bone"] = auc
        print(f"AUC of SUV, bone against {k}: {auc:.3f} (0.5: not separable by SUV)")
    print(f"({n} patients: {', '.join(roles)})")
    return out


def regions(config: str, pred_dir: str, role: str = "tune") -> list[dict]:
    """SSIM in the body's interior and outer band, interior MAE and body Dice (see module doc)."""
    import numpy as np
    from scipy import ndimage

    from cyclemedgan.config import load_config
    from cyclemedgan.data.io import load_volume, to_canonical
    from cyclemedgan.metrics import ssim
    from cyclemedgan.metrics_ct import HU_WINDOW, body_mask, bulk_density, dice, in_ct_view

    cfg = load_config(config)
    rows = []
    for p in validation_pairs(cfg.data, role=role):
        path = Path(pred_dir) / f"{p.subject}.nii.gz"
        if not path.exists():
            continue
        ct, cimg = load_volume(p.target)
        ct = to_canonical(ct, cimg.affine)
        pred, pimg = load_volume(path)
        pred = in_ct_view(to_canonical(pred, pimg.affine), ct)  # scored as ct_scores scores it
        body = body_mask(ct)
        inner = ndimage.binary_erosion(body, np.ones((5, 5, 1), bool))
        band = body & ~inner
        rng, tc = HU_WINDOW[1] - HU_WINDOW[0], np.clip(ct, *HU_WINDOW)
        for name, vol in (("prediction", pred), ("reference", bulk_density(ct))):
            vc = np.clip(vol, *HU_WINDOW)
            r = {"subject": p.subject, "which": name,
                 "ssim_inner": ssim(vc, tc, inner, rng, low=HU_WINDOW[0]) if inner.any() else float("nan"),
                 "ssim_band": ssim(vc, tc, band, rng, low=HU_WINDOW[0]),
                 "mae_inner": float(np.abs(vol - ct)[inner].mean()) if inner.any() else float("nan"),
                 "body_dice": dice(body_mask(vol), body), "band_share": float(band.sum() / body.sum())}
            rows.append(r)
            print(f"{p.subject} {name:>10}: SSIM interior {r['ssim_inner']:.3f}, outer band {r['ssim_band']:.3f} "
                  f"({100 * r['band_share']:.0f}% of the body); interior MAE {r['mae_inner']:.1f} HU; "
                  f"body Dice {r['body_dice']:.3f}")
    if not rows:
        raise ValueError(f"no {role} patient has a prediction in {pred_dir} (<subject>.nii.gz)")
    return rows


def choose(run_dirs: list[str]) -> dict[str, dict[str, float]]:
    """The tune point each run's rule picks (see the module docstring) -> {run: row}; prints them
    and the mean over the seeds of each NAME_sK group."""
    import csv
    import re

    import numpy as np

    from cyclemedgan.training.tune import better

    picked = {}
    for run in run_dirs:
        path = Path(run) / "metrics.csv"
        if not path.is_file():
            raise ValueError(f"{run} has no metrics.csv")
        rows = [{k[5:]: float(v) for k, v in r.items() if k.startswith("tune/") and v != ""} | {"step": int(r["step"])}
                for r in csv.DictReader(path.open()) if r.get("tune/score")]
        if not rows:
            raise ValueError(f"{run}: no tune point in metrics.csv (train.tune_every was 0?)")
        base = "ref" if "mae_ref" in rows[0] else "input"
        best = rows[0]
        for r in rows[1:]:
            best = r if better(r, best, base) else best
        picked[run] = best
        roles = sorted({k.split("/")[0] for k in best if "/" in k})
        extra = "".join(f" | {r} {best[f'{r}/score']:+.3f}" + (f" {best[f'{r}/mae']:.1f} HU" if f"{r}/mae" in best else "")
                        for r in roles)
        mae = f" MAE {best['mae']:.1f} (ref {best['mae_ref']:.1f})" if "mae" in best else ""
        print(f"{Path(run).name:24s} step {best['step']:4d} score {best['score']:+.3f}{mae} SSIM {best['ssim']:.3f}{extra}")
    groups: dict[str, list[dict]] = {}
    for run, row in picked.items():
        groups.setdefault(re.sub(r"_s\d+$", "", Path(run).name), []).append(row)
    for name, rows in groups.items():
        if len(rows) > 1:
            mean = {k: float(np.mean([r[k] for r in rows])) for k in ("score", "mae", "ssim") if k in rows[0]}
            print(f"{name:24s} mean of {len(rows)}: " + "  ".join(f"{k} {v:.3f}" for k, v in mean.items()))
    return picked


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="probe", required=True)
    f = sub.add_parser("filters")
    f.add_argument("config")
    c = sub.add_parser("change")
    c.add_argument("run_dir")
    o = sub.add_parser("outline")
    o.add_argument("config")
    o.add_argument("--role", default="tune")
    o.add_argument("--suv", type=float, default=0.05)
    t = sub.add_parser("tissues")
    t.add_argument("config")
    t.add_argument("--roles", nargs="+", default=["train_x", "train_y"])
    rg = sub.add_parser("regions")
    rg.add_argument("config")
    rg.add_argument("pred_dir")
    rg.add_argument("--role", default="tune")
    dt = sub.add_parser("detect")
    dt.add_argument("config")
    dt.add_argument("--steps", type=int, default=300)
    ch = sub.add_parser("choose")
    ch.add_argument("run_dirs", nargs="+")
    h = sub.add_parser("hiding")
    h.add_argument("run_dir")
    h.add_argument("--sigma", type=float, nargs="+", default=[0.05, 0.1])
    args = ap.parse_args()
    if args.probe == "filters":
        filters(args.config)
        return
    if args.probe == "outline":
        outline(args.config, args.role, args.suv)
        return
    if args.probe == "tissues":
        tissues(args.config, tuple(args.roles))
        return
    if args.probe == "regions":
        regions(args.config, args.pred_dir, args.role)
        return
    if args.probe == "detect":
        detect(args.config, args.steps)
        return
    if args.probe == "choose":
        choose(args.run_dirs)
        return
    if args.probe == "change":
        change(args.run_dir)
        return
    errs = cycle_errors(args.run_dir, [0.0] + args.sigma)
    for s, e in errs.items():
        alone = s * (2 / torch.pi) ** 0.5  # E|n|: what the noise adds through an identity G2
        print(f"sigma {s:.2f}: X->Y->X cycle L1 {e:.4f}; rise {e - errs[0.0]:.4f} against {alone:.4f} "
              f"for the noise alone" + (" (hiding?)" if e - errs[0.0] > 2 * alone else ""))


def _main() -> None:
    """main() with bad input (a missing file, a config or folder that does not fit) as one line, exit 2."""
    import sys

    try:
        main()
    except (ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    _main()
