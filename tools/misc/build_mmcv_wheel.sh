#!/usr/bin/env bash
# Build a wheel of full mmcv (with its compiled ops) from the source
# distribution on the package index, for the torch installed in PYTHON's
# environment, and keep it in WHEEL_DIR for reuse.
#
#   tools/misc/build_mmcv_wheel.sh PYTHON WHEEL_DIR [VERSION]
#
# PYTHON must already hold torch and 'setuptools<70' (mmcv's setup.py imports
# pkg_resources; the build runs without isolation so that it sees that torch).
# mmcv 2.1.0 compiles with -std=c++17; torch >= 2.10 headers need C++20, so
# the flag is raised to -std=c++20 for the C++ compiler and nvcc.
# CPU ops by default (MMCV_WITH_OPS=1 FORCE_CUDA=0); for CUDA ops run with
# FORCE_CUDA=1 (and TORCH_CUDA_ARCH_LIST, e.g. "8.0;9.0") on a machine with
# nvcc matching torch's CUDA. MAX_JOBS defaults to the number of cores.
set -euo pipefail

PY=${1:?usage: build_mmcv_wheel.sh PYTHON WHEEL_DIR [VERSION]}
WHEEL_DIR=${2:?usage: build_mmcv_wheel.sh PYTHON WHEEL_DIR [VERSION]}
VERSION=${3:-2.1.0}
mkdir -p "$WHEEL_DIR"
WHEEL_DIR=$(cd "$WHEEL_DIR" && pwd)

if ls "$WHEEL_DIR"/mmcv-"$VERSION"-*.whl >/dev/null 2>&1; then
    echo "mmcv $VERSION wheel already built: $(ls "$WHEEL_DIR"/mmcv-"$VERSION"-*.whl)"
    exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# --no-build-isolation: the sdist's metadata step imports torch
"$PY" -m pip download "mmcv==$VERSION" --no-deps --no-binary mmcv \
    --no-build-isolation -d "$work"
tar -xzf "$work/mmcv-$VERSION.tar.gz" -C "$work"
src="$work/mmcv-$VERSION"
sed -i -e "s/-std=c++17/-std=c++20/g" -e "s/-std=c++14/-std=c++20/g" \
    "$src/setup.py"
grep -q -- "-std=c++20" "$src/setup.py"

export MMCV_WITH_OPS=1
export FORCE_CUDA=${FORCE_CUDA:-0}
export MAX_JOBS=${MAX_JOBS:-$(nproc)}
echo "building mmcv $VERSION (FORCE_CUDA=$FORCE_CUDA, MAX_JOBS=$MAX_JOBS)" \
    "against $("$PY" -c 'import torch; print("torch", torch.__version__)')"
"$PY" -m pip wheel --no-build-isolation --no-deps -w "$WHEEL_DIR" "$src"
ls "$WHEEL_DIR"/mmcv-"$VERSION"-*.whl
