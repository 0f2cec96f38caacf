# Two commands set everything up on a fresh clone: `make demo` and `make test`.
# Each creates .venv (if missing), installs the pinned CPU torch from local disk and the package.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test train-long bench pretrain-extractor clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt torch==2.13.0
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/cyclemedgan demo --out runs/demo

test: $(STAMP)
	$(BIN)/python -m pytest

# The same recipe as the demo, trained much longer (see configs/motion-ixi-long.yaml), then
# exported (generators only, fp16) to weights/motion-ixi-long/.
train-long: $(STAMP)
	$(BIN)/cyclemedgan train --config configs/motion-ixi-long.yaml --out runs/motion-ixi-long
	$(BIN)/python -m cyclemedgan.export runs/motion-ixi-long weights/motion-ixi-long

# Re-trains the shipped feature extractor (weights/bigan-ixi/meta.json records the command).
pretrain-extractor: $(STAMP)
	$(BIN)/cyclemedgan pretrain-extractor --config configs/motion-ixi.yaml --out weights/bigan-ixi

bench: $(STAMP)
	$(BIN)/python bench/step_time.py

clean:
	rm -rf runs .cache
