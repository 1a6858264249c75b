#!/usr/bin/env bash
# The GPU checks of the performance work as one prepared run, sized for one
# 10-minute call on an H100/H200 (an estimate: not yet run on a GPU):
#   images     512 generated 500x375 JPEGs (smooth colour noise)
#   benchmark  the side-by-side train-step table (ResNet-50, 224 px, batch
#              128 per view, bf16: ours vs mmpretrain's BYOL and DenseCL vs
#              the bare step; img/s, GFLOP/s, each model's peak memory)
#   tests      the speed-option and bf16 tests, on CUDA, and the paper
#              config's tools/train.py test
#   train      4 iterations of the paper config through tools/train.py
#              (bf16 AmpOptimWrapper, channels-last, 16 workers)
#   data       the data pipeline with 0, 8 and 16 workers
#
# Usage (from any folder; the steps run in the repository root):
#   .ci/device/gpu_check.sh [OUT_DIR]  # default $OUT, else work_dirs/...
# On the project's device machine:
#   run(command='.ci/device/gpu_check.sh $OUT', carry=['.whl'])
# If the repository root holds .whl (from fetch_device_wheels.sh beside this
# script), its wheels are installed to /tmp/site first, without an index.
#
# OUT_DIR gets 8 files: the log of each step (<step>.log), the two JSON
# results and nvidia-smi's output; the images and the training work dir go
# to /tmp (GPU_CHECK_IMAGE_DIR, GPU_CHECK_WORK_DIR). The exit status is
# non-zero if any step failed (the later steps still run). Sizes come from
# the environment (the plumbing test runs ResNet-18 at 64 px on CPU):
# GPU_CHECK_DEVICE, _DEPTH, _SIZE, _BATCH, _IMAGES (a count), _WORKERS (a
# list), _STEPS, _ROUNDS, and GPU_CHECK_SKIP (names of steps to skip).
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=$(realpath -m "${1:-${OUT:-$repo/work_dirs/gpu_check}}")
cd "$repo" || exit 1
py=${PYTHON:-python3}
device=${GPU_CHECK_DEVICE:-cuda}
depth=${GPU_CHECK_DEPTH:-50}
size=${GPU_CHECK_SIZE:-224}
batch=${GPU_CHECK_BATCH:-128}
n_images=${GPU_CHECK_IMAGES:-512}
workers=${GPU_CHECK_WORKERS:-0 8 16}
skip=" ${GPU_CHECK_SKIP:-} "
mkdir -p "$out"
if [ -d .whl ]; then
    $py -m pip install -q --no-index --no-deps --no-compile --no-cache-dir \
        --upgrade --target /tmp/site .whl/*.whl || exit 1
    export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
fi
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1
failed=()

step() {  # step NAME COMMAND...: run, keep the log, remember a failure
    local name=$1
    shift
    if [[ $skip == *" $name "* ]]; then
        echo "== $name: skipped"
        return
    fi
    echo "== $name: $*"
    "$@" 2>&1 | tee "$out/$name.log"
    local rc=${PIPESTATUS[0]}
    echo "== $name: exit $rc"
    [ "$rc" -eq 0 ] || failed+=("$name")
}

nvidia-smi >"$out/nvidia_smi.txt" 2>&1 || true
images=${GPU_CHECK_IMAGE_DIR:-/tmp/gpu_check_images}
step images $py - "$images" "$n_images" <<'PY'
import os
import sys

import numpy as np
from PIL import Image

root, count = sys.argv[1], int(sys.argv[2])
os.makedirs(root, exist_ok=True)
rng = np.random.default_rng(0)
for i in range(count):  # smooth colour noise, ImageNet-like 500x375
    small = rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)
    img = Image.fromarray(small).resize((500, 375), Image.BICUBIC)
    img.save(f'{root}/{i:04d}.jpg', quality=90)
print(f'{root}: {count} JPEGs of 500x375')
PY
step benchmark $py tools/analysis_tools/benchmark.py --depth "$depth" \
    --size "$size" --batch "$batch" --amp --device "$device" \
    --steps "${GPU_CHECK_STEPS:-10}" --rounds "${GPU_CHECK_ROUNDS:-3}" \
    --models pixpro byol densecl bare bare-nchw \
    --out "$out/benchmark_${device}_r${depth}_${size}.json"
step tests $py -m pytest -q -p no:cacheprovider \
    tests/test_models/test_algorithms/test_pixpro_algorithm.py \
    tests/test_tools/test_train_tool.py -k 'speed or bf16 or r50'
max_workers=${workers##* }
step train $py tools/train.py configs/pixpro/pixpro_r50_8xb128.py \
    --work-dir "${GPU_CHECK_WORK_DIR:-/tmp/gpu_check_train}" --overwrite \
    --cfg-options \
    train_dataloader.dataset.data_root="$images" \
    train_dataloader.batch_size="$batch" \
    train_dataloader.num_workers="$max_workers" \
    train_dataloader.persistent_workers=$([ "$max_workers" -gt 0 ] &&
        echo True || echo False) \
    train_cfg.max_epochs=1 default_hooks.logger.interval=1 \
    default_hooks.checkpoint.interval=100 \
    default_hooks.checkpoint.save_last=False
# shellcheck disable=SC2086  # the list of worker counts splits on purpose
step data $py tools/analysis_tools/benchmark.py --data "$images" \
    --workers $workers --batch "$batch" --batches 4 \
    --out "$out/benchmark_data.json"
if [ ${#failed[@]} -gt 0 ]; then
    echo "failed: ${failed[*]}"
    exit 1
fi
echo "all GPU checks passed; results in $out"
