"""Prototype: train_x pairs (real PET, three-class pseudo-CT of that PET); tune/val real; train_y real."""
import sys, csv, os, numpy as np
from pathlib import Path
from cyclemedgan.data.io import load_volume, save_volume
from cyclemedgan.tissue_map import fit, three_class
R = Path('/work/main/data/ibsi-sts-petct'); OUT = Path(sys.argv[1]); OUT.mkdir(parents=True, exist_ok=True)
rows = list(csv.DictReader(open(R / 'split.csv'))); role = {r['subject']: r['role'] for r in rows}
L = lambda s, k: load_volume(R / f'{s}_{k}.nii.gz')
m = fit([L(s, 'pet')[0] for s in role if role[s] == 'train_x'], [L(s, 'ct')[0] for s in role if role[s] == 'train_y'])
for s, r in role.items():
    for k in ('pet', 'ct', 'tumour'):
        d = OUT / f'{s}_{k}.nii.gz'
        if d.exists() or d.is_symlink(): continue
        if r == 'train_x' and k == 'ct':
            pet, img = L(s, 'pet'); save_volume(three_class(pet, m), img, d)
        else:
            os.symlink(R / f'{s}_{k}.nii.gz', d)
os.symlink(R / 'split.csv', OUT / 'split.csv') if not (OUT / 'split.csv').exists() else None
print(m)
