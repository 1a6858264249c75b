#!/usr/bin/env bash
# Pretrain every method of the family that has a demo config (ResNet-18 on
# the demo images; each method's views as its config makes them) with the
# same budget, probe each final backbone and random init on data/dense
# (linear probe + kNN on C5, label propagation on C4), and write
# docs/en/results/demo_comparison.md with the pictures.
#
# Usage: tools/benchmarks/demo_comparison.sh [options]
#   --budget N         epochs per method (default 12, as `make demo`)
#   --methods "..."    methods named by their demo config configs/*/<name>_r18_demo.py
#                      (e.g. "pixpro pixpro-mcrop byol swav"); default: every one present
#   --random-seeds ".." init seeds of the random-init rows (default "0 1 2")
#   --out-dir DIR      runs and probe results (default work_dirs/demo_comparison)
#   --report FILE      the markdown page (default docs/en/results/demo_comparison.md)
#   --skip-train       reuse the checkpoints already in --out-dir
#   --keep-results     neither train nor probe a method (or random seed) whose
#                      probe and propagation results are already in --out-dir
#                      (an earlier run of this script at the same budget); the
#                      page names those rows and the date of their results
#   --dry-run          print each method's config and the commands; run nothing
# Environment: PYTHON (default .venv/bin/python if present, else python).
# A GPU is used by the training runs when torch sees one.
set -euo pipefail

ARGS="$*"  # the command line, for the page (the loop below shifts it away)
BUDGET=12
METHODS=""
RANDOM_SEEDS="0 1 2"
OUT=work_dirs/demo_comparison
REPORT=docs/en/results/demo_comparison.md
SKIP_TRAIN=0
KEEP=0
DRY_RUN=0
while [ $# -gt 0 ]; do
    case "$1" in
        --budget) BUDGET=$2; shift 2 ;;
        --methods) METHODS=$2; shift 2 ;;
        --random-seeds) RANDOM_SEEDS=$2; shift 2 ;;
        --out-dir) OUT=$2; shift 2 ;;
        --report) REPORT=$2; shift 2 ;;
        --skip-train) SKIP_TRAIN=1; shift ;;
        --keep-results) KEEP=1; shift ;;
        --dry-run) DRY_RUN=1; shift ;;
        -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
done
case "$BUDGET" in ''|*[!0-9]*) echo "--budget takes a whole number of epochs" >&2; exit 2 ;; esac

cd "$(dirname "$0")/../.."
SUFFIX=_r18_demo.py
if [ -z "$METHODS" ]; then  # every demo config present, by name
    METHODS=$(for c in configs/*/*"$SUFFIX"; do b=$(basename "$c"); echo "${b%"$SUFFIX"}"; done | LC_ALL=C sort | tr '\n' ' ')
    METHODS=${METHODS% }
    [ -n "$METHODS" ] || { echo "no configs/*/*$SUFFIX found" >&2; exit 2; }
fi
config_of() {  # config_of NAME: the one configs/*/NAME_r18_demo.py
    local found=(configs/*/"$1$SUFFIX")
    if [ ${#found[@]} -ne 1 ] || [ ! -f "${found[0]}" ]; then
        echo "no config configs/*/$1$SUFFIX (or more than one)" >&2; return 2
    fi
    echo "${found[0]}"
}
for method in $METHODS; do config_of "$method" > /dev/null || exit 2; done
if [ "$DRY_RUN" = 1 ]; then
    echo "methods: $METHODS"
    for method in $METHODS; do
        echo "$method: $(config_of "$method") -> tools/train.py --work-dir $OUT/$method --epochs $BUDGET"
    done
    echo "random init seeds: $RANDOM_SEEDS"
    echo "report: $REPORT"
    exit 0
fi
if [ -z "${PYTHON:-}" ]; then
    if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; else PYTHON=python; fi
fi
COMMAND="tools/benchmarks/demo_comparison.sh${ARGS:+ $ARGS}"
[ -n "$ARGS" ] || COMMAND="tools/benchmarks/demo_comparison.sh --budget $BUDGET"
START=$(date +%s)

[ -d data/demo ] || "$PYTHON" tools/dataset_converters/build_demo_set.py --out data/demo
[ -d data/dense ] || "$PYTHON" tools/dataset_converters/build_dense_set.py --out data/dense
mkdir -p "$OUT"

kept() {  # kept NAME: --keep-results and both result files of NAME present
    [ "$KEEP" = 1 ] && [ -f "$OUT/probe_$1.json" ] && [ -f "$OUT/prop_$1.json" ]
}
KEPT=""
probe() {  # probe NAME BACKBONE-ARGS...
    local name=$1; shift
    "$PYTHON" tools/analysis_tools/dense_probe.py "$@" --depth 18 \
        --data data/dense --stage C5 --out "$OUT/probe_$name.json"
    "$PYTHON" tools/analysis_tools/label_propagation.py "$@" --depth 18 \
        --data data/dense/sequences --stage C4 --out "$OUT/prop_$name.json"
}

for method in $METHODS; do
    config=$(config_of "$method")
    if kept "$method"; then KEPT="$KEPT $method"; continue; fi
    if [ "$SKIP_TRAIN" = 0 ]; then
        rm -rf "${OUT:?}/$method"
        t0=$(date +%s)
        "$PYTHON" tools/train.py "$config" --work-dir "$OUT/$method" \
            --epochs "$BUDGET"
        echo $(( $(date +%s) - t0 )) > "$OUT/$method/train_seconds"
    fi
    probe "$method" --checkpoint "$(cat "$OUT/$method/last_checkpoint")"
done
for seed in $RANDOM_SEEDS; do
    if kept "random$seed"; then KEPT="$KEPT random$seed"; continue; fi
    probe "random$seed" --random-init --init-seed "$seed"
done

"$PYTHON" tools/analysis_tools/plot_curves.py $(for m in $METHODS; do echo "$OUT/$m"; done) \
    --keys loss probe/mIoU probe/knn_mIoU --labels $METHODS \
    --out "docs/en/_static/$(basename "$REPORT" .md)_curves.png"
"$PYTHON" tools/benchmarks/demo_comparison_report.py --out-dir "$OUT" \
    --methods $METHODS --random-seeds $RANDOM_SEEDS --budget "$BUDGET" \
    --command "$COMMAND" --seconds $(( $(date +%s) - START )) --report "$REPORT" \
    ${KEPT:+--kept $KEPT}
