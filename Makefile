# Two commands set everything up on a fresh clone: `make demo` and `make test`.
# Each creates .venv (if missing), installs the pinned CPU torch from local disk and the package.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test train-long train-petct bench pretrain-extractor pretrain-extractors compare compare-brats compare-petct clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt torch==2.13.0
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

# 100 Cycle-MedGAN steps and 300 of the paired bound: on a 2-core CPU with AVX2 only (fp32) the config's 200
# Cycle-MedGAN steps alone took 17.5 min beside a one-thread job (docs/experiments.md, session 14), and the
# best-on-tune checkpoint of every motion fine-tune so far was its first tune point or the start itself.
demo: $(STAMP)
	$(BIN)/cyclemedgan demo --out runs/demo --set train.steps=100 --paired-steps 300

test: $(STAMP)
	$(BIN)/python -m pytest

# The shipped motion corrector, weights/motion-ixi/: U-Net G1 (width 32) trained on a bank of 16 motion
# draws per clean train_y volume, configs/motion-ixi-sim.yaml (31,623 steps, about 112 min on one core
# of a 2-vCPU Zen 4 with native bf16, beside other jobs), then a second lr cycle from its best,
# configs/motion-ixi-sim-cont.yaml (40,703 steps planned; session 10 stopped it after 37,300 at
# about 125 min on one core of a 2-vCPU Xeon with native bf16, best at 36,000), its G2 from stage 1
# (configs/motion-ixi-sim-g2.yaml, 4,000 steps), joined by the export.
train-long: $(STAMP)
	$(BIN)/cyclemedgan train --config configs/motion-ixi-sim.yaml --out runs/motion-ixi-sim
	$(BIN)/cyclemedgan train --config configs/motion-ixi-sim-cont.yaml --out runs/motion-ixi-sim-cont
	$(BIN)/cyclemedgan train --config configs/motion-ixi-sim-g2.yaml --out runs/motion-ixi-sim-g2
	$(BIN)/python -m cyclemedgan.export runs/motion-ixi-sim-cont/best weights/motion-ixi --g2-from runs/motion-ixi-sim-g2/best

# Re-trains the shipped feature extractor (weights/bigan-ixi/meta.json records the command).
pretrain-extractor: $(STAMP)
	$(BIN)/cyclemedgan pretrain-extractor --config configs/motion-ixi.yaml --out weights/bigan-ixi

# Feature extractors of the other tasks, each trained on that task's training subjects only.
pretrain-extractors: $(STAMP)
	$(BIN)/cyclemedgan pretrain-extractor --config configs/flair2t1c-brats.yaml --out weights/bigan-brats
	$(BIN)/cyclemedgan pretrain-extractor --config configs/pet2ct.yaml --out weights/bigan-pet2ct
	$(BIN)/cyclemedgan pretrain-extractor --config configs/pet2ct-sts.yaml --out weights/bigan-pet2ct-sts

# PET -> CT on the 36 IBSI patients: the start (configs/pet2ct-sts-start.yaml: the train_x PET and a
# pseudo-CT drawn from that PET, no CT) -> weights/pet2ct-sts-start/, then the shipped Cycle-MedGAN
# (configs/pet2ct-sts-long.yaml, from that start), its best checkpoint on the 4 tune patients
# exported to weights/pet2ct-sts/; and the simulated-PET model (configs/pet2ct-sts-sim.yaml: PET simulated
# from the train_y CTs, 1,500 steps, 13 min on one core) -> weights/pet2ct-sts-sim/.
train-petct: $(STAMP)
	$(BIN)/cyclemedgan train --config configs/pet2ct-sts-start.yaml --out runs/pet2ct-sts-start
	$(BIN)/python -m cyclemedgan.export runs/pet2ct-sts-start/best weights/pet2ct-sts-start
	$(BIN)/cyclemedgan train --config configs/pet2ct-sts-long.yaml --out runs/pet2ct-sts-long
	$(BIN)/python -m cyclemedgan.export runs/pet2ct-sts-long/best weights/pet2ct-sts
	$(BIN)/cyclemedgan train --config configs/pet2ct-sts-sim.yaml --out runs/pet2ct-sts-sim
	$(BIN)/python -m cyclemedgan.export runs/pet2ct-sts-sim/best weights/pet2ct-sts-sim

# Table I / Fig. 3: every method, same data, seed, batch and steps (83 min of training on one core of an
# AVX2-only 2-vCPU EPYC at train.threads=1, 2026-12-03; docs/tasks/motion.md).
compare: $(STAMP)
	$(BIN)/cyclemedgan compare --config configs/motion-ixi.yaml --steps-per-method 200 --out runs/compare

compare-brats: $(STAMP)
	$(BIN)/cyclemedgan compare --config configs/flair2t1c-brats.yaml --steps-per-method 300 --out runs/compare-brats

# PET -> CT: UNIT, CycleGAN, Cycle-MedGAN (+ 2 ablations), the bulk-density reference and the paired
# bound at equal steps, scored in HU on the 8 validation patients.
compare-petct: $(STAMP)
	$(BIN)/cyclemedgan compare --config configs/pet2ct-sts.yaml --steps-per-method 300 --out runs/compare-petct

# Step ratios, the scale benchmark (300 synthetic 256x256x150 volumes through the slice store) and
# one 256x256x200 volume translated: 8 min 19 s at OMP_NUM_THREADS=1 on the shared 2-vCPU machine (README).
bench: $(STAMP)
	$(BIN)/python bench/step_time.py --steps 3 --no-bf16
	$(BIN)/python bench/scale.py
	$(BIN)/python bench/translate_time.py --batch-sizes 8 16

clean:
	rm -rf runs .cache
