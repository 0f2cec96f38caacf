#!/usr/bin/env bash
# Issue 18, "to convergence, defined": the shipped corrector's recipe (configs/motion-ixi-sim-cont.yaml)
# continued from weights/motion-ixi at a constant lr 1e-4 with an EMA of G1 (0.999) scored on 3 fixed
# draws per tune subject every 2,000 steps, for MINUTES of wall time: L1 (arm "l1") against
# (1 - 0.84) L1 + 0.84 (1 - SSIM) (arm "ssim", paired.ssim_weight, Zhao et al. 2017's mix).
# Usage: results/motion-screen/screen.sh CLONE OUT MINUTES ARM   (one thread; run both arms side by side)
# Resumable: run again with the same arguments.
set -euo pipefail
clone=$1 out=$2 minutes=$3 arm=$4
case "$arm" in l1) extra=();; ssim) extra=(--set paired.ssim_weight=0.84);; *) echo "arm: l1 or ssim" >&2; exit 2;; esac
cd "$clone"
export OMP_NUM_THREADS=1 PYTHONUNBUFFERED=1
exec .venv/bin/cyclemedgan train --config configs/motion-ixi-sim-cont.yaml --minutes "$minutes" \
  --set train.init_from=weights/motion-ixi --set train.lr=1e-4 --set train.decay_start=1.0 \
  --set train.ema=0.999 --set train.tune_draws=3 --set train.tune_every=2000 \
  --set train.checkpoint_every=1000 --set train.threads=1 "${extra[@]}" --out "$out/$arm"
