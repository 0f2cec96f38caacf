#!/usr/bin/env bash
# The mean of two shipped PET -> CT models' synthetic CTs, against each alone, on the patients of
# ROLES: by default the 16 tune + train_x ones, where PET settings are chosen; `val` only to report a
# choice made there. Session 17 of docs/experiments.md.
#   bash results/petct-sim/prototype/ensemble.sh OUT [ROLES, default tune,train_x]
set -euo pipefail
OUT=${1:?OUT folder}; ROLES=${2:-tune,train_x}; D=data/ibsi-sts-petct; B=.venv/bin
mkdir -p "$OUT"/pet "$OUT"/ct
for s in $(tr -d "\r" < $D/split.csv | awk -F, -v r=",$ROLES," 'index(r, "," $4 ",") {print $1}'); do
  ln -sf "$PWD/$D/${s}_pet.nii.gz" "$OUT/pet/$s.nii.gz"; ln -sf "$PWD/$D/${s}_ct.nii.gz" "$OUT/ct/$s.nii.gz"
done
for m in pet2ct-sts pet2ct-sts-sim; do
  [ -d "$OUT/$m" ] || $B/cyclemedgan translate --checkpoint weights/$m --input "$OUT/pet" --output "$OUT/$m"
done
$B/python - "$OUT" <<'PY'
import sys, pathlib, nibabel as nib, numpy as np
out = pathlib.Path(sys.argv[1]); (out / "mean").mkdir(exist_ok=True)
for f in sorted((out / "pet2ct-sts").glob("*.nii.gz")):
    a, b = nib.load(f), nib.load(out / "pet2ct-sts-sim" / f.name)
    m = (np.asarray(a.dataobj, np.float32) + np.asarray(b.dataobj, np.float32)) / 2
    nib.save(nib.Nifti1Image(m, a.affine, a.header), out / "mean" / f.name)
PY
for m in pet2ct-sts pet2ct-sts-sim mean; do
  $B/cyclemedgan evaluate --hu --pred "$OUT/$m" --target "$OUT/ct" --out "$OUT/$m.csv" > /dev/null
  echo "$m: $(tail -2 "$OUT/$m.csv" | head -1)"
done
