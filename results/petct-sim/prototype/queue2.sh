#!/usr/bin/env bash
# After queue.sh: a second seed of bone weight 4, and weight 8 (sim_bone=fat).
cd /work/runB
while pgrep -f s15/queue.sh > /dev/null; do sleep 20; done
export OMP_NUM_THREADS=1 PYTHONUNBUFFERED=1
C="--config configs/pet2ct-sts-sim.yaml --set paired.sim_bone=fat"
.venv/bin/cyclemedgan train $C --set paired.target_weight=4 --set train.seed=1 --set paired.sim_seed=1 --out /work/runs/s15/S15_fat_w4_s1 > /work/runs/s15/S15_fat_w4_s1.log 2>&1
.venv/bin/cyclemedgan train $C --set paired.target_weight=8 --out /work/runs/s15/S15_fat_w8 > /work/runs/s15/S15_fat_w8.log 2>&1
