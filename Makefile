# Set-up and the project's jobs. `make run` and `make test` are all a fresh machine needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARGS ?=

.PHONY: setup run test lint typecheck pytest images shard-image compare-all baseline bench lock clean

setup: $(STAMP)

# The venv holds lab, the default local TensorFlow pin and the dev tools; it is rebuilt when
# pyproject.toml changes.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[tf,dev,docker]'
	touch $(STAMP)

## The main job on the embedded default environment (this interpreter's TensorFlow).
run: setup
	$(BIN)/lab run tf1-reinit $(ARGS)

## Lint, type-check and the test suite (real TensorFlow; container tests need Docker).
test: setup lint typecheck pytest

lint: setup
	$(BIN)/ruff check .

typecheck: setup
	$(BIN)/mypy

pytest: setup
	$(BIN)/pytest $(ARGS)

## The container matrix (needs Docker: `sudo containers/start-docker.sh` starts it).
images: setup
	$(BIN)/lab envs build

## The image of the Kubernetes example (examples/engines/): lab and a venv per env of ENVS (default
## tf2.12 tf2.15 tf2.21), from the same locks and wheels as their images; tagged lab-shard:latest.
shard-image: setup
	$(BIN)/python containers/shard_image.py $(ENVS) $(ARGS)

## Every scenario x both modes x every matrix env; results in results/<time>/.
compare-all: setup
	$(BIN)/lab compare-all $(ARGS)

## Rewrite the committed baseline from a fresh compare-all (review the diff before committing).
baseline: setup
	$(BIN)/lab compare-all --no-cache --update-baseline baselines/compare-all.json $(ARGS)

## compare-all against its floor and the naive way, side by side (ratios, not assertions).
bench: setup
	$(BIN)/python bench/run_bench.py $(ARGS)

## Re-resolve the hashed lock files after editing containers/matrix.toml.
lock: setup
	$(BIN)/python containers/lock.py $(ARGS)

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .mypy_cache .ruff_cache
