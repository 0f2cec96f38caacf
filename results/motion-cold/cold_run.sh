#!/usr/bin/env bash
# Cold-started CycleGAN, issue 18 part 2: S9_cold_cyclemedgan's recipe (scripts/gpu/motion_runs.sh) at one thread.
# Resumable: run again with the same arguments and it continues from its last checkpoint.
cd /work/runA
export OMP_NUM_THREADS=1 PYTHONUNBUFFERED=1
exec .venv/bin/python scripts/train_rows.py --config configs/motion-ixi.yaml \
  --set train.init_from= --set train.lr=2e-4 --set train.tune_every=500 --set train.checkpoint_every=250 \
  --set train.sample_every=1000 --set train.log_every=50 --set train.threads=1 --set train.bf16=auto \
  --methods "${1:-cyclegan}" --steps-per-method 6000 --jobs 1 --out /work/runs/cold
