#!/usr/bin/env bash
# After queue2.sh: 2.5D at bone weight 8, and weight 4 twice as long (sim_bone=fat).
cd /work/runB
while pgrep -f s15/queue2.sh > /dev/null; do sleep 20; done
export OMP_NUM_THREADS=1 PYTHONUNBUFFERED=1
C="--config configs/pet2ct-sts-sim.yaml --set paired.sim_bone=fat"
.venv/bin/cyclemedgan train $C --set paired.target_weight=8 --set data.context_slices=1 --set model.in_channels=3 --out /work/runs/s15/S15_fat_w8_25d > /work/runs/s15/S15_fat_w8_25d.log 2>&1
.venv/bin/cyclemedgan train $C --set paired.target_weight=4 --set train.steps=3000 --out /work/runs/s15/S15_fat_w4_3k > /work/runs/s15/S15_fat_w4_3k.log 2>&1
