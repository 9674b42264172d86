#!/bin/bash
# Inner speaker-independent cross-validation of the PyTorch twin on EmoDB's training speakers
# only (03, 08-12; the test speakers 13 and 14 are never read): three folds, each testing one
# pair of training speakers after training on the other four, seeds 0 and 1. Used to compare
# L-GrIN configurations with the GCN baseline without touching the test split.
#
#   synchgraph features --data ../shared/data/emodb/wav --nodes 40 --out feat40
#   benches/peers/inner_speaker_cv.sh NAME feat40 [--val speaker] [train_lgrin.py flags...]
#
# Writes NAME.jsonl (one line per run) in the current folder and prints the mean accuracy.
# --val speaker validates on one held-out training speaker per fold instead of a stratified
# 10 % of the training clips.
set -euo pipefail
usage="usage: benches/peers/inner_speaker_cv.sh NAME FEATURES [--val speaker|fraction] [train_lgrin.py flags...]"
if [ $# -lt 2 ]; then echo "$usage" >&2; exit 2; fi
[ -d "$2" ] || { echo "inner_speaker_cv.sh: no features folder at $2; $usage" >&2; exit 2; }
name=$1; feat=$(realpath "$2"); shift 2
val=fraction
if [ "${1:-}" = "--val" ]; then
  [ $# -ge 2 ] || { echo "inner_speaker_cv.sh: --val needs a value; $usage" >&2; exit 2; }
  val=$2; shift 2
  case "$val" in
    speaker | fraction) ;;
    *) echo "inner_speaker_cv.sh: --val takes speaker or fraction, not '$val'" >&2; exit 2 ;;
  esac
fi
here=$(cd "$(dirname "$0")" && pwd)
out=$PWD/$name.jsonl; : > "$out"
for fold in "03,08:09:10,11,12" "09,10:11:03,08,12" "11,12:03:08,09,10"; do
  test=${fold%%:*}; rest=${fold#*:}; vs=${rest%%:*}; others=${rest#*:}
  if [ "$val" = speaker ]; then
    split=(--train-speakers "$others,$vs" --val-speakers "$vs")
  else
    split=(--train-speakers "$others,$vs")
  fi
  python3 "$here/train_lgrin.py" --features "$feat" --test-speakers "$test" "${split[@]}" \
    --seeds 0,1 --threads 1 "$@" | sed "s/^{/{\"fold\": \"$test\", /" >> "$out"
done
python3 - "$out" "$name" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
print("%s: mean test accuracy %.4f, unweighted %.4f over %d runs" % (
    sys.argv[2], statistics.mean(r["test_accuracy"] for r in runs),
    statistics.mean(r["unweighted_accuracy"] for r in runs), len(runs)))
PY
