# mmpixpro: install, test and demo entry points (GNU make, Linux).
#
#   make test        create .venv (once) and run the whole test suite (it
#                    includes the wheel test and the documentation build)
#   make docs        build the documentation site into docs/_build/html
#   make demo        build the demo set, train PixPro R-18 on it, plot results
#   make clean-demo  remove the demo work dir
#   make downstream-env   .venv-downstream with mmcv 2.1 (ops built from
#                    source once, wheel kept in .cache/wheels), mmdet 3.3,
#                    mmsegmentation 1.2.2 and mmpixpro
#   make test-downstream  the tests marked `downstream` in that environment
#   make help        this text
#
# The install is guarded by a stamp file whose name holds a hash of the
# requirement files, setup.cfg/setup.py/pyproject.toml and TORCH_PKGS: a
# second run skips it, a change of any of them re-runs it.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV ?= .venv
VPY := $(VENV)/bin/python

# torch/torchvision are installed first, on their own. The default pins are
# the CPU wheels kept on local disk on the project machines. GPU users:
# override with the build for your CUDA, e.g.
#   make test TORCH_PKGS="torch==2.14.1 torchvision==0.29.1 \
#       --index-url https://download.pytorch.org/whl/cu128"
# or with an empty value to keep a torch already in the venv: TORCH_PKGS=
TORCH_PKGS ?= torch==2.14.1 torchvision==0.29.1

INSTALL_INPUTS := requirements/runtime.txt requirements/tests.txt \
	requirements/optional.txt requirements/docs.txt requirements/mim.txt \
	setup.cfg setup.py pyproject.toml
INSTALL_HASH := $(shell { cat $(INSTALL_INPUTS) 2>/dev/null; \
	echo "TORCH_PKGS=$(TORCH_PKGS)"; } | sha1sum | cut -c1-12)
STAMP := $(VENV)/.installed-$(INSTALL_HASH)

DOCS_OUT ?= docs/_build/html
DEMO_CONFIG ?= configs/pixpro/pixpro_r18_demo.py
DEMO_DATA ?= data/demo
DEMO_DIR ?= work_dirs/pixpro_r18_demo
DENSE_DATA ?= data/dense

# The downstream environment (mmdet/mmseg need full mmcv < 2.2 with ops).
DS_VENV ?= .venv-downstream
DS_PY := $(DS_VENV)/bin/python
WHEEL_CACHE ?= .cache/wheels
MMCV_VERSION ?= 2.1.0
DS_INPUTS := requirements/downstream.txt setup.cfg setup.py pyproject.toml \
	tools/misc/build_mmcv_wheel.sh
DS_HASH := $(shell { cat $(DS_INPUTS) 2>/dev/null; \
	echo "TORCH_PKGS=$(TORCH_PKGS) MMCV=$(MMCV_VERSION)"; } | sha1sum | cut -c1-12)
DS_STAMP := $(DS_VENV)/.installed-$(DS_HASH)

.PHONY: help install test test-fast docs demo clean-demo downstream-env \
	test-downstream downstream-data

help:
	@echo "targets:"
	@echo "  install     create $(VENV) with $(PYTHON) and install (skipped when up to date)"
	@echo "  test        install, then run pytest on tests/"
	@echo "  test-fast   the same without the tests marked slow (training runs)"
	@echo "  docs        build the documentation site (Sphinx + MyST, warnings"
	@echo "              are errors) into $(DOCS_OUT)"
	@echo "  demo        install, build $(DEMO_DATA) and $(DENSE_DATA), train"
	@echo "              $(DEMO_CONFIG) (dense probe at iteration 0, epoch 6"
	@echo "              and the end), plot curves and a similarity map into"
	@echo "              $(DEMO_DIR), print the probe against random init"
	@echo "  clean-demo  remove $(DEMO_DIR)"
	@echo "  downstream-env   $(DS_VENV): mmcv $(MMCV_VERSION) built from source"
	@echo "              (wheel cached in $(WHEEL_CACHE)), mmdet, mmseg, mmpixpro"
	@echo "  test-downstream  pytest -m downstream in $(DS_VENV)"
	@echo "  downstream-data  $(DENSE_DATA) in the layouts of the benchmark"
	@echo "              configs (VOC, COCO, Cityscapes) -> data/downstream"
	@echo "variables: PYTHON=$(PYTHON) VENV=$(VENV) TORCH_PKGS='$(TORCH_PKGS)'"
	@echo "           TEST_WORKERS=$(TEST_WORKERS) (pytest-xdist workers; 0: none)"

install: $(STAMP)

$(STAMP):
	test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install 'setuptools<82' wheel
	$(if $(strip $(TORCH_PKGS)),$(VPY) -m pip install $(TORCH_PKGS))
	$(VPY) -m pip install -r requirements/runtime.txt -r requirements/tests.txt \
		-r requirements/docs.txt
	$(VPY) -m pip install --no-deps -r requirements/mim.txt
	$(VPY) -m pip install scikit-image
	$(VPY) -m pip install --no-deps scikit-video
	$(VPY) -m pip install --no-build-isolation -e .
	rm -f $(VENV)/.installed-*
	touch $@

# pytest-xdist workers (2: the 2-core CI machine), each test sent to the
# next free worker; TEST_WORKERS=0 runs in this process, one at a time.
# (The expensive runs, e.g. an exact-resume case's two trainings, belong to
# one test each: a module-scoped fixture could be computed once per worker.)
TEST_WORKERS ?= 2
PYTEST_ARGS := -q -n $(TEST_WORKERS)

test: $(STAMP)
	$(VPY) -m pytest tests $(PYTEST_ARGS)

# everything that does not train through the Runner or a subprocess
test-fast: $(STAMP)
	$(VPY) -m pytest tests $(PYTEST_ARGS) -m "not slow"

# -W --keep-going: every warning (broken link, missing reference) is
# reported and fails the build; -n: nitpicky cross-references
docs: $(STAMP)
	$(VPY) -m sphinx -W --keep-going -n -b html docs/en $(DOCS_OUT)

demo: $(STAMP)
	$(VPY) tools/dataset_converters/build_demo_set.py --out $(DEMO_DATA)
	$(VPY) tools/dataset_converters/build_dense_set.py --out $(DENSE_DATA)
	# --overwrite: a second `make demo` trains the demo again from scratch
	$(VPY) tools/train.py $(DEMO_CONFIG) --work-dir $(DEMO_DIR) --overwrite
	$(VPY) tools/analysis_tools/plot_curves.py $(DEMO_DIR) \
		--out $(DEMO_DIR)/loss_curve.png
	ckpt="$$(cat $(DEMO_DIR)/last_checkpoint)" && \
	$(VPY) tools/analysis_tools/visualize_similarity.py $(DEMO_CONFIG) \
		"$$ckpt" --out $(DEMO_DIR)/similarity_map.png
	@echo "demo outputs:"
	@echo "  checkpoint:     $$(cat $(DEMO_DIR)/last_checkpoint)"
	@echo "  loss curve:     $(DEMO_DIR)/loss_curve.png"
	@echo "  similarity map: $(DEMO_DIR)/similarity_map.png"
	@echo "  training views: $(DEMO_DIR)/<timestamp>/vis_data/pixpro/*.png"
	@if [ -f $(DEMO_DIR)/dense_probe_summary.txt ]; then \
		cat $(DEMO_DIR)/dense_probe_summary.txt; \
	else echo "  (no dense probe: $(DENSE_DATA) missing)"; fi

clean-demo:
	rm -rf $(DEMO_DIR)

# mmcv's setup.py imports pkg_resources and needs setuptools < 70 while it
# builds (--no-build-isolation, so that it sees torch); afterwards the venv
# gets the setuptools torch asks for. mmpixpro goes in with --no-deps: its
# mmcv-lite requirement would shadow the full mmcv.
downstream-env: $(DS_STAMP)

$(DS_STAMP):
	test -x $(DS_PY) || $(PYTHON) -m venv $(DS_VENV)
	$(DS_PY) -m pip install wheel ninja
	$(if $(strip $(TORCH_PKGS)),$(DS_PY) -m pip install $(TORCH_PKGS))
	$(DS_PY) -m pip install 'setuptools<70'
	tools/misc/build_mmcv_wheel.sh $(DS_PY) $(WHEEL_CACHE) $(MMCV_VERSION)
	$(DS_PY) -m pip install 'setuptools>=77,<82'
	$(DS_PY) -m pip install --no-deps $(WHEEL_CACHE)/mmcv-$(MMCV_VERSION)-*.whl
	$(DS_PY) -m pip install -r requirements/downstream.txt
	$(DS_PY) -m pip install --no-deps --no-build-isolation -e .
	$(DS_PY) -c "import mmcv.ops, mmdet.models, mmseg.models; \
		print('mmcv', mmcv.__version__, 'ops OK')"
	rm -f $(DS_VENV)/.installed-*
	touch $@

downstream-data: $(STAMP)
	$(VPY) tools/dataset_converters/build_dense_set.py --out $(DENSE_DATA)
	$(VPY) tools/dataset_converters/build_downstream_sets.py \
		--dense $(DENSE_DATA) --out data/downstream

test-downstream: $(DS_STAMP)
	$(DS_PY) -m pytest tests -m downstream -q
