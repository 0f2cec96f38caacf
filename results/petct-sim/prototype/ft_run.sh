#!/bin/bash
# unpaired Cycle-MedGAN fine-tune (configs/pet2ct-sts.yaml) from start $1 -> $2; rest = extra --set
S=$1; O=$2; shift 2
cd /work/runA
OMP_NUM_THREADS=1 /work/runA/.venv/bin/cyclemedgan train --config configs/pet2ct-sts.yaml --out $O \
  --set train.init_from=$S --set 'train.tune_roles=[tune]' --set train.threads=1 --set data.cache_dir=/work/runs/cache "$@"
