#!/bin/bash
# $1 = data folder, $2 = out, rest = extra --set
D=$1; O=$2; shift 2
cd /work/runA
OMP_NUM_THREADS=1 /work/runA/.venv/bin/cyclemedgan train --config configs/pet2ct-sts-start.yaml --out $O \
  --set data.root=$D --set data.split_file=$D/split.csv --set paired.pairs=train_x --set data.flip=hv --set data.rot90=true \
  --set 'data.source_scale=[0.9,1.1]' --set 'train.tune_roles=[tune]' --set train.steps=1500 --set train.tune_every=250 \
  --set train.checkpoint_every=250 --set train.sample_every=250 --set train.threads=1 --set data.cache_dir=/work/runs/cache "$@"
