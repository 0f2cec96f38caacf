"""score.py ROLE[,ROLE] name=checkpoint_dir ... : mean CT scores over the patients of those roles
(original split), plus the three-class map and the CT-outline two-class map."""
import sys, csv, numpy as np
from pathlib import Path
from cyclemedgan.data.io import load_volume
from cyclemedgan.tissue_map import fit, three_class
from cyclemedgan.metrics_ct import ct_scores, bulk_density
from cyclemedgan.translate import Translator
R = Path('/work/main/data/ibsi-sts-petct')
rows = list(csv.DictReader(open(R / 'split.csv'))); role = {r['subject']: r['role'] for r in rows}
roles = sys.argv[1].split(','); subs = [s for s in role if role[s] in roles]
L = lambda s, k: load_volume(R / f'{s}_{k}.nii.gz')[0]
A = lambda s: load_volume(R / f'{s}_pet.nii.gz')[1].affine
m = fit([L(s, 'pet') for s in role if role[s] == 'train_x'], [L(s, 'ct') for s in role if role[s] == 'train_y'])
preds = {'three-class': lambda s, p: three_class(p, m), 'ct-outline': lambda s, p: bulk_density(L(s, 'ct'))}
for a in sys.argv[2:]:
    n, ck = a.split('=', 1); t = Translator(ck)
    preds[n] = (lambda t: lambda s, p: t(p, A(s)))(t)
keys = ['mae', 'ssim', 'bone_dice', 'bone_surface_dice', 'mae_bone']
print('method'.ljust(24), *[k[:10].rjust(10) for k in keys], 'per-patient mae')
for n, f in preds.items():
    res = []
    for s in subs:
        p = L(s, 'pet'); res.append(ct_scores(f(s, p), L(s, 'ct')))
    print(n.ljust(24), *[f'{np.mean([r[k] for r in res]):10.3f}' for k in keys], ' '.join(f"{r['mae']:.0f}" for r in res))
