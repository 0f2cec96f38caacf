"""composite.py ROLES plain=CKPT bone=CKPT: the plain model's HU everywhere except where the bone
model says bone (> 250 HU), where the bone model's HU is taken; mean CT scores over those roles."""
import sys, csv, numpy as np
from pathlib import Path
from cyclemedgan.data.io import load_volume
from cyclemedgan.metrics_ct import ct_scores, BONE_HU
from cyclemedgan.translate import Translator
R = Path('/work/main/data/ibsi-sts-petct')
rows = list(csv.DictReader(open(R / 'split.csv'))); role = {r['subject']: r['role'] for r in rows}
roles = sys.argv[1].split(','); subs = [s for s in role if role[s] in roles]
L = lambda s, k: load_volume(R / f'{s}_{k}.nii.gz')
ck = dict(a.split('=', 1) for a in sys.argv[2:])
tp, tb = Translator(ck['plain']), Translator(ck['bone'])
keys = ['mae', 'ssim', 'bone_dice', 'bone_surface_dice', 'mae_bone']
out = {k: [] for k in ('plain', 'bone', 'composite')}
for s in subs:
    pet, img = L(s, 'pet'); ct = L(s, 'ct')[0]
    a, b = tp(pet, img.affine), tb(pet, img.affine)
    c = np.where(b > BONE_HU, b, a)
    for k, v in (('plain', a), ('bone', b), ('composite', c)):
        out[k].append(ct_scores(v, ct))
for k, res in out.items():
    print(k.ljust(12), *[f'{kk}={np.mean([r[kk] for r in res]):.3f}' for kk in keys])
