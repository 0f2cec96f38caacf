#!/usr/bin/env bash
# Cold-started unpaired PET -> CT, issue 20 ("the unpaired methods ... cold, with the same
# augmentation"): configs/pet2ct-sts.yaml with new generators (train.init_from=), the motion cold
# recipe's lr 2e-4 for G (the config's lr_d 1e-5 for D), and the paired bound's augmentation (flips
# hv, quarter turns, SUV x U(0.9, 1.1)); tune = the 16 tune + train_x patients, as the config.
# Usage: results/petct-cold/cold_run.sh CLONE OUT STEPS METHOD...  (one thread per row, rows side by side).
# Resumable: run again with the same arguments and each row continues from its last checkpoint.
set -euo pipefail
clone=$1 out=$2 steps=$3; shift 3
cd "$clone"
export OMP_NUM_THREADS=1 PYTHONUNBUFFERED=1
exec .venv/bin/python scripts/train_rows.py --config configs/pet2ct-sts.yaml \
  --set train.init_from= --set train.lr=2e-4 --set data.flip=hv --set data.rot90=true \
  --set data.source_scale=[0.9,1.1] --set train.tune_every=200 --set train.checkpoint_every=200 \
  --set train.sample_every=400 --set train.log_every=50 --set train.threads=1 --set train.bf16=auto \
  --methods "$@" --steps-per-method "$steps" --jobs "$#" --out "$out"
