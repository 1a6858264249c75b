#!/usr/bin/env bash
# Download the wheels that a CUDA machine without package-registry access
# needs to run mmpixpro's GPU checks (.ci/device/gpu_check.sh): the
# mm* packages and those of their requirements that a PyTorch image usually
# lacks. Pure-Python wheels, so they install on any CPython 3; torch,
# torchvision, numpy, opencv, matplotlib and friends must already be there.
#
# Usage (repository root, on a machine that reaches a package index):
#   .ci/device/fetch_device_wheels.sh [DIR]      # default: .whl
# then carry DIR to the GPU machine and run .ci/device/gpu_check.sh.
set -euo pipefail
dir=${1:-.whl}
mkdir -p "$dir"
packages=(
    mmengine==0.10.7 mmpretrain==1.2.0 mmcv-lite==2.2.0
    addict termcolor yapf platformdirs          # mmengine, mmcv-lite
    mat4py modelindex model-index ordered-set    # mmpretrain
    importlib-metadata lazy-importer zipp        # mmpretrain
    'setuptools<82'                              # pkg_resources for mmengine
)
python3 -m pip download --no-deps --only-binary=:all: --dest "$dir" \
    "${packages[@]}"
ls -1 "$dir"
