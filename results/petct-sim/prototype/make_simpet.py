"""Prototype: PET simulated from the train_y CTs (unpaired: class SUV distributions from the train_x PETs).
Writes a data folder where each train_y CT has D simulated PETs (subjects S_dK, role train_x),
tune/val patients real (symlinks), original train_x patients as role train_y (their CT unused in paired)."""
import sys, csv, os, numpy as np
from pathlib import Path
from scipy import ndimage, stats
from cyclemedgan.data.io import load_volume, save_volume
from cyclemedgan.tissue_map import fit
R = Path('/work/main/data/ibsi-sts-petct'); OUT = Path(sys.argv[1]); D = int(sys.argv[2])
BONE = sys.argv[3]  # 'soft' or 'fat': the class bone voxels take
FIELD, PSF, NOISE = float(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
OUT.mkdir(parents=True, exist_ok=True)
rows = list(csv.DictReader(open(R / 'split.csv'))); role = {r['subject']: r['role'] for r in rows}
L = lambda s, k: load_volume(R / f'{s}_{k}.nii.gz')
xs = [s for s in role if role[s] == 'train_x']; ys = [s for s in role if role[s] == 'train_y']
SIM = os.environ.get('SIM_SUBJECTS', '').split(',') if os.environ.get('SIM_SUBJECTS') else ys
pets = [L(s, 'pet')[0] for s in xs]
m = fit(pets, [L(s, 'ct')[0] for s in ys]); print(m)
pool = np.concatenate([p.ravel() for p in pets])
body = pool > m.body_suv
pools = {'air': np.sort(pool[~body]), 'fat': np.sort(pool[body & (pool < m.fat_suv)]), 'soft': np.sort(pool[body & (pool >= m.fat_suv)])}
def qf(p, u): return p[np.clip((u * len(p)).astype(int), 0, len(p) - 1)]
out_rows = []
for s, r in role.items():
    if r in ('tune', 'val'):
        for k in ('pet', 'ct', 'tumour'):
            d = OUT / f'{s}_{k}.nii.gz'
            if not d.exists(): os.symlink(R / f'{s}_{k}.nii.gz', d)
        out_rows.append((s, r))
    elif r == 'train_x':
        for k in ('pet', 'ct'):
            d = OUT / f'{s}_{k}.nii.gz'
            if not d.exists(): os.symlink(R / f'{s}_{k}.nii.gz', d)
        out_rows.append((s, 'train_y'))
rng = np.random.default_rng(1234)
for s in SIM:
    ct, img = L(s, 'ct')
    b0 = ndimage.binary_opening(ct > -500, iterations=1)  # the couch (thin) is not body
    lab, n = ndimage.label(b0); sz = ndimage.sum(b0, lab, range(1, n + 1))
    keep = np.isin(lab, 1 + np.flatnonzero(sz >= 0.05 * sz.max())) if n else b0
    air = ~keep; fat = ~air & (ct < -30); bone = ct > 250; soft = ~air & ~fat
    if BONE == 'fat': fat, soft = fat | bone, soft & ~bone
    for d in range(D):
        suv = np.zeros(ct.shape, np.float32)
        for name, mask in (('air', air), ('fat', fat), ('soft', soft)):
            g = ndimage.gaussian_filter(rng.standard_normal(ct.shape), FIELD) if FIELD > 0 else rng.standard_normal(ct.shape)
            u = stats.norm.cdf(g / g.std())
            suv[mask] = qf(pools[name], u[mask])
        if NOISE > 0: suv = suv * (1 + NOISE * rng.standard_normal(ct.shape)).astype(np.float32)
        if PSF > 0: suv = ndimage.gaussian_filter(suv, PSF)
        suv = np.clip(suv, 0, None)
        name = f'{s}d{d}'
        save_volume(suv, img, OUT / f'{name}_pet.nii.gz')
        dct = OUT / f'{name}_ct.nii.gz'
        if not dct.exists(): os.symlink(R / f'{s}_ct.nii.gz', dct)
        out_rows.append((name, 'train_x'))
with open(OUT / 'split.csv', 'w') as f:
    f.write('subject,age,sex,role\n')
    for s, r in out_rows: f.write(f'{s},,,{r}\n')
print(len(out_rows), 'rows')
