#!/usr/bin/env bash
# Cold-started motion runs on a lent GPU machine (one H200, 16 cores): Cycle-MedGAN, CycleGAN and
# UNIT, STEPS steps each (6,000: issue 18), trained side by side by
# scripts/train_rows.py with S9_cold_cyclemedgan's recipe (docs/experiments.md, session 9:
# configs/motion-ixi.yaml, no start, lr 2e-4, decay from half; UNIT its own recipe), the tune
# subjects scored every 500 steps. Settings are fixed here; val is scored back home.
#
# Here, first (what travels must stay under 64 MiB):
#   .venv/bin/python scripts/gpu/pack_motion.py configs/motion-ixi.yaml     # .gpu/cache, 33 MiB
#   python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
#       --platform manylinux2014_x86_64 -d .gpu/whl nibabel==5.4.2 torchio==0.21.4   # 3.4 MiB
#   echo /.gpu/ >> .git/info/exclude; bash scripts/gpu/slim.sh               # prints what travels
# The device call: run(command="bash scripts/gpu/motion_runs.sh 6000 $OUT", carry=[".gpu"], timeout_s=600)
# Back here:  git checkout -- data weights
#   mkdir -p runs/cold && for r in cyclemedgan cyclegan unit; do cat FILES_AT/$r.tgz.* | tar xz -C runs/cold; done
#   .venv/bin/cyclemedgan compare --config configs/motion-ixi.yaml $COLD \
#       --methods none cyclemedgan cyclegan unit --steps-per-method 6000 --select last --out runs/cold
# with COLD exactly as below: compare finds the runs trained and scores their last G1s.
# What comes back per run (at most 8 files of 16 MiB, 64 MiB in all): meta, config, metrics.csv (the
# tune curve) and the last weights of G1 alone (UNIT: encoders, decoders), no optimizer state, no
# best/, in 15 MiB parts (pack_runs.py): three runs fit, a fourth (the paired bound) would not.
# Not run here: the corrector itself (configs/motion-ixi-sim.yaml) simulates its bank with TorchIO,
# whose SimpleITK wheel (53 MB) does not fit beside the data in 64 MiB.
# A dry run on a CPU: PY=.venv/bin/python NO_INSTALL=1 TUNE_EVERY=2 bash scripts/gpu/motion_runs.sh 4 /tmp/out
set -u
STEPS=${1:-6000}; OUTDIR=${2:-/tmp/out}; PY=${PY:-python3}
export PYTHONUNBUFFERED=1
if [ -z "${NO_INSTALL:-}" ]; then
  $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site .gpu/whl/*.whl || exit 1
  export PYTHONPATH=$PWD/src:/tmp/site
fi
mkdir -p .cache && cp -r .gpu/cache/* .cache/
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>/dev/null
$PY -c "import torch, nibabel, cyclemedgan; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())" || exit 1
COLD="--set train.init_from= --set train.lr=2e-4 --set train.tune_every=${TUNE_EVERY:-500} --set train.checkpoint_every=500
      --set train.sample_every=1000 --set train.log_every=50 --set train.threads=2 --set train.bf16=auto"
mkdir -p gpu-runs "$OUTDIR"
# shellcheck disable=SC2086
$PY scripts/train_rows.py --config configs/motion-ixi.yaml $COLD --methods cyclemedgan cyclegan unit \
    --steps-per-method "$STEPS" --jobs 3 --out gpu-runs &
sleep 120; nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader 2>/dev/null
wait
$PY scripts/gpu/pack_runs.py gpu-runs "$OUTDIR" cyclemedgan cyclegan unit
ls -la "$OUTDIR"
