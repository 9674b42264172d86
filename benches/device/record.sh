#!/usr/bin/env bash
# Record the GPU tables of BENCHMARKS.md in one call on a lent GPU machine: the engine's full
# benchmark, its PyTorch / torch.compile / PyG peers, and the L-GrIN training epoch on both
# sides. Each step runs under its own time limit inside one overall deadline, the bench steps
# also stop themselves (--time-budget) and write their JSON after every row, and everything is
# packed into the output folder after each step, so a run cut short still returns what it did.
#
# usage: benches/device/record.sh [--quick] [--deadline SECONDS] [--filter WORDS]
#                                 [--peer-device DEV] [--out DIR]
#   --quick            the small sizes (a rehearsal on lavapipe or a CPU)
#   --deadline S       seconds for all steps together (default 510)
#   --filter WORDS     passed to the engine, torch and PyG steps (the L-GrIN steps keep theirs)
#   --peer-device DEV  torch device of the peers (default cuda)
#   --out DIR          results folder (default $OUT, else ./device-results)
# environment: SYNCHGRAPH_BIN (default .device-bin/synchgraph), SYNCHGRAPH_CORA (default
#   .device-bin/cora, else ../shared/data/cora), PYTHON (default python3).
#
# The output folder receives three files: summary.tsv (one line per step: name, exit status,
# seconds, outcome), record.log (every step's output in order) and device-results.tar.gz (the
# JSON reports, logs and the comparison tables). Prepare the carried files with
# benches/device/prepare.sh; BENCHMARKS.md ("Recording the GPU run") gives the device call.
set -u -o pipefail

quick=()
deadline=510
filter=()
peer_device=cuda
out=${OUT:-device-results}
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=(--quick) ;;
        --deadline) deadline=$2; shift ;;
        --filter) filter=(--filter "$2"); shift ;;
        --peer-device) peer_device=$2; shift ;;
        --out) out=$2; shift ;;
        *) echo "record.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
case "$deadline" in
    '' | *[!0-9]*) echo "record.sh: --deadline takes whole seconds, not '$deadline'" >&2; exit 2 ;;
esac

bin=${SYNCHGRAPH_BIN:-.device-bin/synchgraph}
python=${PYTHON:-python3}
cora=${SYNCHGRAPH_CORA:-.device-bin/cora}
[ -d "$cora" ] || cora=../shared/data/cora
export SYNCHGRAPH_CORA=$cora PYTHONUNBUFFERED=1
if [ ! -x "$bin" ]; then
    echo "record.sh: no engine binary at $bin (run benches/device/prepare.sh first)" >&2
    exit 2
fi

# The Vulkan loader travels as .deb files in .gl where the machine has none.
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1' && ls .gl/*.deb >/dev/null 2>&1; then
    for f in .gl/*.deb; do dpkg -x "$f" /; done
    ldconfig
fi
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$nvidia_icd" ]; then
    export VK_DRIVER_FILES=$nvidia_icd
fi
export WGPU_BACKEND=${WGPU_BACKEND:-vulkan}

mkdir -p "$out"
work=$(mktemp -d)
summary=$out/summary.tsv
printf 'step\texit\tseconds\toutcome\n' > "$summary"
: > "$out/record.log"
start=$(date +%s)

pack() {
    cp "$summary" "$work/summary.tsv"
    tar czf "$out/device-results.tar.gz.tmp" -C "$work" . && \
        mv "$out/device-results.tar.gz.tmp" "$out/device-results.tar.gz"
}

# step NAME LIMIT COMMAND...: run COMMAND in the results folder for at most LIMIT seconds (less
# when the deadline is nearer), log its output, record its outcome, pack the results.
step() {
    local name=$1 limit=$2
    shift 2
    local left=$((deadline - ($(date +%s) - start)))
    [ "$left" -lt "$limit" ] && limit=$left
    if [ "$limit" -lt 5 ]; then
        printf '%s\t-\t0\tnot run: deadline\n' "$name" >> "$summary"
        pack
        return
    fi
    echo "== $name (limit ${limit} s): $*" | tee -a "$out/record.log"
    local t0 rc outcome
    t0=$(date +%s)
    (cd "$work" && timeout --kill-after=5 "$limit" "$@") > "$work/$name.log" 2>&1
    rc=$?
    case $rc in
        0) outcome=ok ;;
        124 | 137) outcome="stopped at its limit" ;;
        *) outcome=failed ;;
    esac
    cat "$work/$name.log" >> "$out/record.log"
    printf '%s\t%s\t%s\t%s\n' "$name" "$rc" "$(($(date +%s) - t0))" "$outcome" >> "$summary"
    pack
}

# A bench step stops itself at two thirds of its limit, leaving time for the row in progress.
budget() { echo $(($1 * 2 / 3)); }

abs() { case "$1" in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
bin=$(abs "$bin")
peers=$(abs benches/peers)
cora=$(abs "$cora")
export SYNCHGRAPH_CORA=$cora

step environment 20 sh -c "'$bin' --version; '$bin' devices --json > devices.json; \
    cat devices.json; nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,clocks.max.mem \
    --format=csv 2>/dev/null; '$python' -c 'import torch; print(\"torch\", torch.__version__, \
    torch.version.cuda)' 2>&1; '$python' -c 'import torch_geometric as g; \
    print(\"torch_geometric\", g.__version__)' 2>&1; true"
step lgrin-engine 75 "$bin" bench "${quick[@]}" --filter lgrin_epoch --json lgrin-ours.json
step lgrin-torch 90 "$python" "$peers/bench_lgrin.py" "${quick[@]}" --device "$peer_device" \
    --time-budget "$(budget 90)" --json lgrin-torch.json
step engine 150 "$bin" bench "${quick[@]}" "${filter[@]}" --exclude lgrin_epoch \
    --time-budget "$(budget 150)" --json engine.json
step torch 120 "$python" "$peers/bench_torch.py" "${quick[@]}" "${filter[@]}" \
    --device "$peer_device" --time-budget "$(budget 120)" --json torch.json
step pyg 60 "$python" "$peers/bench_pyg.py" --cora "$cora" "${quick[@]}" "${filter[@]}" \
    --device "$peer_device" --time-budget "$(budget 60)" --json pyg.json
step compare 20 sh -c "for peer in lgrin-torch torch pyg; do \
    mine=engine.json; [ \$peer = lgrin-torch ] && mine=lgrin-ours.json; \
    [ -f \$peer.json ] && [ -f \$mine ] || { echo \"no \$mine or \$peer.json\"; continue; }; \
    '$bin' bench --from \$mine --compare \$peer.json; done | tee compare.txt"
rm -rf "$work"
echo "record.sh: done in $(($(date +%s) - start)) s; results in $out"
cat "$summary"
