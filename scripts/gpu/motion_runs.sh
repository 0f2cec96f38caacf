#!/usr/bin/env bash
# The motion task's long runs on a lent GPU machine (one H100/H200, 16 cores), all at once.
# Here first:  python scripts/gpu/pack_motion.py configs/motion-ixi.yaml   (fills .gpu/cache)
#              and nibabel + torchio wheels in .gpu/whl (torchio only for its version number).
# There:       bash scripts/gpu/motion_runs.sh MINUTES OUTDIR
# Each run trains MINUTES of wall time (steps fitted by --minutes), scores the tune subjects every
# 250 steps and keeps its best-on-tune generators in RUN/best; OUTDIR gets one tarball per run
# (no optimizer state) and the logs. Settings are chosen on tune; val is scored back home.
set -u
MIN=${1:-7}; OUTDIR=${2:-/tmp/out}
export PYTHONUNBUFFERED=1
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site .gpu/whl/*.whl || exit 1
export PYTHONPATH=$PWD/src:/tmp/site
mkdir -p .cache && cp -r .gpu/cache/* .cache/
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
python3 -c "import torch, nibabel, cyclemedgan; print('torch', torch.__version__, torch.cuda.is_available())" || exit 1
# Written before the simulated-pairs corrector (configs/motion-ixi-sim.yaml); motion-ixi-long.yaml
# was the ResNet cold-start recipe, now removed: set CFG to a config that exists before using this.
CFG=${CFG:-configs/motion-ixi.yaml}
COMMON="--set train.threads=2 --set train.batch_size=16 --set train.tune_every=250 --set train.log_every=50
        --set train.checkpoint_every=1000 --set train.sample_every=1000"
declare -A RUNS=(
  [cmg]=""
  [cmg-cycx1]="--set loss.lambda_cyc_x=1"
  [cmg-cycx0]="--set loss.lambda_cyc_x=0"
  [cmg-cycx1-lrd]="--set loss.lambda_cyc_x=1 --set train.lr_d=2e-4"
  [cgan-cycx1]="--set method=cyclegan --set loss.lambda_cp=0 --set loss.lambda_cs=0 --set loss.lambda_cyc_x=1"
  [paired]="--set method=paired --set loss.lambda_cp=0 --set loss.lambda_cs=0"
)
for name in "${!RUNS[@]}"; do  # ONLY="a b": a subset (a local dry run on 2 CPU cores)
  [[ -n "${ONLY:-}" && " $ONLY " != *" $name "* ]] && unset "RUNS[$name]"
done
mkdir -p gpu-runs "$OUTDIR"
for name in "${!RUNS[@]}"; do
  timeout $(awk "BEGIN{print int($MIN * 60 + 120)}") python3 -m cyclemedgan.cli train --config $CFG $COMMON ${RUNS[$name]} \
    --out gpu-runs/$name --minutes "$MIN" --no-progress > gpu-runs/$name.log 2>&1 &
done
sleep 90; nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader; for f in gpu-runs/*.log; do tail -n 2 "$f"; done
wait
for name in "${!RUNS[@]}"; do
  echo "== $name"; tail -n 3 gpu-runs/$name.log
  tar czf "$OUTDIR/$name.tgz" --exclude=training_state.pt --anchored --exclude="$name/model.safetensors" -C gpu-runs $name $name.log
done
ls -la "$OUTDIR"
