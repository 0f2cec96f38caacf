"""score16.py ROLES name=CKPT ...: mean HU and chord (ACF) scores over the patients of those roles,
scored as `cyclemedgan evaluate --hu` does (canonical arrays, tumour mask), plus the two maps."""
import sys, csv, numpy as np
from pathlib import Path
from cyclemedgan.data.io import load_volume, to_canonical
from cyclemedgan.evaluate import canonical_spacing
from cyclemedgan.metrics_ct import ct_scores, bulk_density
from cyclemedgan.metrics_ac import ac_scores
from cyclemedgan.tissue_map import fit, three_class
from cyclemedgan.translate import Translator
R = Path('/work/main/data/ibsi-sts-petct')
rows = list(csv.DictReader(open(R / 'split.csv'))); role = {r['subject']: r['role'] for r in rows}
roles = sys.argv[1].split(','); subs = [s for s in role if role[s] in roles]
L = lambda s, k: load_volume(R / f'{s}_{k}.nii.gz')
m = fit([L(s, 'pet')[0] for s in role if role[s] == 'train_x'], [L(s, 'ct')[0] for s in role if role[s] == 'train_y'])
preds = {} if '--no-maps' in sys.argv else {'three-class': lambda s, p, a: three_class(p, m), 'ct-outline': lambda s, p, a: bulk_density(L(s, 'ct')[0])}
for arg in [a for a in sys.argv[2:] if a != '--no-maps']:
    n, ck = arg.split('=', 1); t = Translator(ck)
    preds[n] = (lambda t: lambda s, p, a: t(p, a))(t)
keys = ['mae', 'ssim', 'bone_dice', 'bone_surface_dice', 'mae_bone', 'ac_abs', 'ac_over5', 'ac_abs_tumour', 'mae_tumour']
print('method'.ljust(14), *[k.rjust(12) for k in keys])
for n, f in preds.items():
    res = []
    for s in subs:
        pet, img = L(s, 'pet'); ct, cimg = L(s, 'ct'); tum = L(s, 'tumour')[0] > 0
        A = cimg.affine
        pc, tc, mc = (to_canonical(v, A) for v in (np.asarray(f(s, pet, img.affine), np.float32), ct, tum))
        r = ct_scores(pc, tc, mc); sx, _, _ = canonical_spacing(A)
        r.update(ac_scores(pc, tc, (sx, sx), mc)); res.append(r)
    print(n.ljust(14), *[f'{np.nanmean([r.get(k, np.nan) for r in res]):12.4f}' for k in keys], flush=True)
