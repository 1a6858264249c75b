#!/usr/bin/env bash
# Usage: tools/benchmarks/dist_train_mm.sh {mmdet,mmseg} CONFIG GPUS [--pretrained FILE] [args...]
# SyncBN needs a process group, so use this even with GPUS=1.
set -euo pipefail
FRAMEWORK=$1
CONFIG=$2
GPUS=$3
PORT=${PORT:-29510}
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}
DIR=$(cd "$(dirname "$0")" && pwd)
python -m torch.distributed.run --nnodes="$NNODES" --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" --nproc_per_node="$GPUS" --master_port="$PORT" \
    "$DIR/train_mm.py" "$FRAMEWORK" "$CONFIG" --launcher pytorch "${@:4}"
