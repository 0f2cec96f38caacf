#!/usr/bin/env bash
# Session 15, issue 20: the simulated PET with bone at fat's uptake (paired.sim_bone=fat), 1,500 steps each.
cd /work/runB
export OMP_NUM_THREADS=1 PYTHONUNBUFFERED=1
C="--config configs/pet2ct-sts-sim.yaml --set paired.sim_bone=fat"
.venv/bin/cyclemedgan train $C --out /work/runs/s15/S15_fat > /work/runs/s15/S15_fat.log 2>&1
.venv/bin/cyclemedgan train $C --set paired.target_weight=4 --out /work/runs/s15/S15_fat_w4 > /work/runs/s15/S15_fat_w4.log 2>&1
.venv/bin/cyclemedgan train $C --set paired.target_weight=16 --out /work/runs/s15/S15_fat_w16 > /work/runs/s15/S15_fat_w16.log 2>&1
