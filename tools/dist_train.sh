#!/usr/bin/env bash
# Copyright (c) mmpixpro contributors. All rights reserved.
# Distributed training on one or more nodes with torch.distributed.run.
#
# Usage: tools/dist_train.sh CONFIG GPUS [PY_ARGS...]
#   env: NNODES (1), NODE_RANK (0), PORT (29500), MASTER_ADDR (127.0.0.1),
#        PYTHON (python): interpreter to use,
#        DRY_RUN=1: print the command instead of running it.
set -euo pipefail

if [ "$#" -lt 2 ]; then
    echo "usage: $0 CONFIG GPUS [PY_ARGS...]" >&2
    exit 2
fi

CONFIG=$1
GPUS=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}
PYTHON=${PYTHON:-python}
TOOLS_DIR=$(dirname "$0")

export PYTHONPATH="$(cd "$TOOLS_DIR/.." && pwd)${PYTHONPATH:+:$PYTHONPATH}"

CMD=("$PYTHON" -m torch.distributed.run
    --nnodes="$NNODES"
    --node_rank="$NODE_RANK"
    --master_addr="$MASTER_ADDR"
    --nproc_per_node="$GPUS"
    --master_port="$PORT"
    "$TOOLS_DIR/train.py" "$CONFIG" --launcher pytorch "${@:3}")

if [ "${DRY_RUN:-0}" = "1" ]; then
    echo "PYTHONPATH=$PYTHONPATH"
    printf '%q ' "${CMD[@]}"
    echo
    exit 0
fi
exec "${CMD[@]}"
