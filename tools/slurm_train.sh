#!/usr/bin/env bash
# Copyright (c) mmpixpro contributors. All rights reserved.
# Training on a Slurm cluster, one task per GPU.
#
# Usage: tools/slurm_train.sh PARTITION JOB_NAME CONFIG WORK_DIR [PY_ARGS...]
#   env: GPUS (8), GPUS_PER_NODE (8), CPUS_PER_TASK (5), SRUN_ARGS (''),
#        PYTHON (python): interpreter to use,
#        DRY_RUN=1: print the command instead of running it.
set -euo pipefail

if [ "$#" -lt 4 ]; then
    echo "usage: $0 PARTITION JOB_NAME CONFIG WORK_DIR [PY_ARGS...]" >&2
    exit 2
fi

PARTITION=$1
JOB_NAME=$2
CONFIG=$3
WORK_DIR=$4
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
SRUN_ARGS=${SRUN_ARGS:-}
PYTHON=${PYTHON:-python}
TOOLS_DIR=$(dirname "$0")

export PYTHONPATH="$(cd "$TOOLS_DIR/.." && pwd)${PYTHONPATH:+:$PYTHONPATH}"

# SRUN_ARGS is split on white space on purpose (several srun options).
read -r -a SRUN_EXTRA <<< "$SRUN_ARGS"

CMD=(srun -p "$PARTITION"
    --job-name="$JOB_NAME"
    --gres=gpu:"$GPUS_PER_NODE"
    --ntasks="$GPUS"
    --ntasks-per-node="$GPUS_PER_NODE"
    --cpus-per-task="$CPUS_PER_TASK"
    --kill-on-bad-exit=1
    ${SRUN_EXTRA[@]+"${SRUN_EXTRA[@]}"}
    "$PYTHON" -u "$TOOLS_DIR/train.py" "$CONFIG"
    --work-dir="$WORK_DIR" --launcher="slurm" "${@:5}")

if [ "${DRY_RUN:-0}" = "1" ]; then
    echo "PYTHONPATH=$PYTHONPATH"
    printf '%q ' "${CMD[@]}"
    echo
    exit 0
fi
exec "${CMD[@]}"
