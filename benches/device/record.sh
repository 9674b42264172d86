#!/usr/bin/env bash
# Record the GPU tables of BENCHMARKS.md in one call on a lent GPU machine: the engine's full
# benchmark (GPU timestamps), its wall-clock run of the end-to-end rows, its PyTorch /
# torch.compile / PyG peers, and the L-GrIN training epoch on both sides. Each step runs under its
# own time limit inside one overall deadline, the bench steps also stop themselves
# (--time-budget) and write their JSON after every row, and everything is packed into the output
# folder after each step, so a run cut short still returns what it did.
#
# usage: benches/device/record.sh [--quick] [--deadline SECONDS] [--filter WORDS]
#                                 [--peer-device DEV] [--out DIR]
#   --quick            the small sizes (a rehearsal on lavapipe or a CPU)
#   --deadline S       seconds for all steps together (default 510)
#   --filter WORDS     passed to the engine, torch and PyG steps; the engine-wall step keeps the
#                      wall-timed rows these words select (none: the step is not run); the
#                      L-GrIN steps keep theirs
#   --peer-device DEV  torch device of the peers (default cuda)
#   --out DIR          results folder (default $OUT, else ./device-results)
# environment: SYNCHGRAPH_BIN (default .device-bin/synchgraph), SYNCHGRAPH_CORA (default
#   .device-bin/cora, else ../shared/data/cora; without one, gcn_epoch_cora is skipped and the
#   PyG peer uses its synthetic graph), SYNCHGRAPH_GL_DIR (the loader packages, default .gl),
#   PYTHON (default python3).
#
# Before the steps, every package in .gl (the Vulkan and GL loaders, see prepare.sh) is unpacked
# into / and ldconfig run; when the engine then finds no hardware Vulkan adapter and the NVIDIA
# driver's ICD file exists, VK_DRIVER_FILES and __EGL_VENDOR_LIBRARY_FILENAMES are pointed at the
# NVIDIA files (record.log says what was done).
#
# Steps and limits (seconds; 500 in all, inside the 510-second deadline, the last 10 kept for
# the comparison): environment 20, lgrin-engine 60, lgrin-torch 85, engine 130, engine-wall 50,
# torch 100, pyg 45, compare 10. engine-wall times the rows BENCHMARKS.md's Method compares by
# wall clock (synchrony_graph, the GCN epochs, snn_second, lgrin_epoch) with `bench --wall`; the
# peers time those rows by the host clock too, and the compare step sets them side by side.
#
# The output folder receives three files: summary.tsv (one line per step: name, exit status,
# seconds, outcome), record.log (the set-up and every step's output in order) and
# device-results.tar.gz (the JSON reports, logs and the comparison tables). Prepare the carried
# files with benches/device/prepare.sh; BENCHMARKS.md (section "Lent-GPU run") gives the call.
set -u -o pipefail

quick=()
deadline=510
filter=()
peer_device=cuda
out=${OUT:-device-results}
while [ $# -gt 0 ]; do
    case "$1" in
        --deadline | --filter | --peer-device | --out)
            [ $# -ge 2 ] || { echo "record.sh: $1 needs a value" >&2; exit 2; } ;;
    esac
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
gl=${SYNCHGRAPH_GL_DIR:-.gl}
export PYTHONUNBUFFERED=1
if [ ! -x "$bin" ]; then
    echo "record.sh: no engine binary at $bin (run benches/device/prepare.sh first)" >&2
    exit 2
fi

abs() { case "$1" in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
bin=$(abs "$bin")
peers=$(abs benches/peers)

start=$(date +%s)
mkdir -p "$out"
work=$(mktemp -d)
summary=$out/summary.tsv
printf 'step\texit\tseconds\toutcome\n' > "$summary"
: > "$out/record.log"
log() { echo "record.sh: $*" | tee -a "$out/record.log"; }

# The loaders: every carried package, unpacked whether or not the machine has a loader (a
# machine with libvulkan but without the GL / EGL dispatch libraries needs them too).
debs=()
for f in "$gl"/*.deb; do
    [ -f "$f" ] && debs+=("$f")
done
if [ ${#debs[@]} -gt 0 ]; then
    for f in "${debs[@]}"; do
        dpkg -x "$f" / || log "unpacking $f failed"
    done
    ldconfig || log "ldconfig failed"
    log "unpacked ${#debs[@]} packages from $gl into / and ran ldconfig: ${debs[*]##*/}"
else
    log "no loader packages in $gl (nothing unpacked)"
fi
export WGPU_BACKEND=${WGPU_BACKEND:-vulkan}
hardware_adapter() { "$bin" devices --json 2>/dev/null | grep -q '"software": false'; }
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
nvidia_egl=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
if hardware_adapter; then
    log "a hardware Vulkan adapter is found (VK_DRIVER_FILES=${VK_DRIVER_FILES:-unset})"
elif [ -f "$nvidia_icd" ]; then
    before_vk=${VK_DRIVER_FILES-} before_egl=${__EGL_VENDOR_LIBRARY_FILENAMES-}
    log "no hardware Vulkan adapter found (VK_DRIVER_FILES=${VK_DRIVER_FILES:-unset}): \
VK_DRIVER_FILES=$nvidia_icd"
    export VK_DRIVER_FILES=$nvidia_icd
    if [ -f "$nvidia_egl" ]; then
        export __EGL_VENDOR_LIBRARY_FILENAMES=$nvidia_egl
        log "__EGL_VENDOR_LIBRARY_FILENAMES=$nvidia_egl"
    fi
    if hardware_adapter; then
        log "a hardware Vulkan adapter is found now"
    else
        # Put the variables back, so the engine steps keep whatever adapter they had.
        if [ -n "$before_vk" ]; then
            export VK_DRIVER_FILES=$before_vk
        else
            unset VK_DRIVER_FILES
        fi
        if [ -n "$before_egl" ]; then
            export __EGL_VENDOR_LIBRARY_FILENAMES=$before_egl
        else
            unset __EGL_VENDOR_LIBRARY_FILENAMES
        fi
        log "still no hardware Vulkan adapter: VK_DRIVER_FILES and \
__EGL_VENDOR_LIBRARY_FILENAMES put back as they were"
    fi
else
    log "no hardware Vulkan adapter found and no NVIDIA ICD at $nvidia_icd: left as it is"
fi

# Cora: passed on only where the folder exists (the device has no network to fetch it).
cora_asked=${SYNCHGRAPH_CORA:-.device-bin/cora}
cora=$cora_asked
[ -d "$cora" ] || cora=../shared/data/cora
pyg_cora=()
if [ -d "$cora" ]; then
    cora=$(abs "$cora")
    export SYNCHGRAPH_CORA=$cora
    pyg_cora=(--cora "$cora")
    log "Cora at $cora"
else
    unset SYNCHGRAPH_CORA
    log "no Cora folder ($cora_asked, ../shared/data/cora): \
gcn_epoch_cora is skipped (listed under skipped) and the PyG peer uses its synthetic graph"
fi

# The rows timed by the wall clock (name:family), and the engine-wall step's filter: each row a
# --filter word selects (by name or family, as the engine matches), or all of them, by its own
# name (gcn_epoch_cora is a row without Cora too, listed as skipped; the word gcn_epoch would
# also select gcn_epoch_synthetic).
wall_rows=(synchrony_graph:graph gcn_epoch_synthetic:sparse gcn_epoch_cora:e2e snn_second:e2e
    lgrin_epoch:e2e)
wall_words=()
for r in "${wall_rows[@]}"; do
    name=${r%%:*} family=${r#*:}
    selected=1
    if [ ${#filter[@]} -gt 0 ]; then
        selected=0
        IFS=, read -ra words <<< "${filter[1]}"
        for w in "${words[@]}"; do
            w=${w// /}
            w=${w,,}
            [ -n "$w" ] || continue
            case "$name $family" in *"$w"*) selected=1 ;; esac
        done
    fi
    [ "$selected" = 1 ] && wall_words+=("$name")
done
wall_filter=$(IFS=,; echo "${wall_words[*]}")
log "engine-wall rows: ${wall_filter:-none}"

pack() {
    cp "$summary" "$work/summary.tsv"
    tar czf "$out/device-results.tar.gz.tmp" -C "$work" . && \
        mv "$out/device-results.tar.gz.tmp" "$out/device-results.tar.gz"
}

# Seconds kept for the compare step: no earlier step may run into them.
reserve=10

# step NAME LIMIT COMMAND...: run COMMAND in the results folder for at most LIMIT seconds (less
# when the deadline is nearer), log its output, record its outcome, pack the results.
step() {
    local name=$1 limit=$2
    shift 2
    local left=$((deadline - ($(date +%s) - start)))
    [ "$name" = compare ] || left=$((left - reserve))
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

# skip NAME WHY: a step that is not run, for a reason other than the deadline.
skip() {
    echo "== $1: not run: $2" | tee -a "$out/record.log"
    printf '%s\t-\t0\tnot run: %s\n' "$1" "$2" >> "$summary"
    pack
}

# A bench step stops itself at two thirds of its limit, leaving time for the row in progress.
budget() { echo $(($1 * 2 / 3)); }

step environment 20 sh -c "'$bin' --version; '$bin' devices --json > devices.json; \
    cat devices.json; nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,clocks.max.mem \
    --format=csv 2>/dev/null; '$python' -c 'import torch; print(\"torch\", torch.__version__, \
    torch.version.cuda)' 2>&1; '$python' -c 'import torch_geometric as g; \
    print(\"torch_geometric\", g.__version__)' 2>&1; true"
# matmul_nn runs beside lgrin_epoch so that this compute-bound row gets a compute ceiling (and a
# frac) measured in the same run.
step lgrin-engine 60 "$bin" bench "${quick[@]}" --filter lgrin_epoch,matmul_nn \
    --time-budget "$(budget 60)" --json lgrin-ours.json
step lgrin-torch 85 "$python" "$peers/bench_lgrin.py" "${quick[@]}" --device "$peer_device" \
    --time-budget "$(budget 85)" --json lgrin-torch.json
step engine 130 "$bin" bench "${quick[@]}" "${filter[@]}" --exclude lgrin_epoch \
    --time-budget "$(budget 130)" --json engine.json
if [ -n "$wall_filter" ]; then
    step engine-wall 50 "$bin" bench "${quick[@]}" --wall --filter "$wall_filter" \
        --time-budget "$(budget 50)" --json engine-wall.json
else
    skip engine-wall "--filter selects no wall-timed row"
fi
step torch 100 "$python" "$peers/bench_torch.py" "${quick[@]}" "${filter[@]}" \
    --device "$peer_device" --time-budget "$(budget 100)" --json torch.json
step pyg 45 "$python" "$peers/bench_pyg.py" "${pyg_cora[@]}" "${quick[@]}" "${filter[@]}" \
    --device "$peer_device" --time-budget "$(budget 45)" --json pyg.json

# Each engine report against each peer report (rows pair by name and size): engine.json (GPU
# timestamps) for the kernel rows, engine-wall.json for the rows the peers time by the host
# clock. A pair timed differently is marked in the table.
# shellcheck disable=SC2016 # expanded by the bash that runs it
compare_script='
bin=$1
shift
for pair in "$@"; do
    mine=${pair%%:*} peer=${pair#*:}
    if [ -f "$mine" ] && [ -f "$peer" ]; then
        echo "== $mine against $peer"
        "$bin" bench --from "$mine" --compare "$peer" || echo "(comparison failed)"
    else
        echo "== $mine against $peer: not compared (a report is missing)"
    fi
    echo
done | tee compare.txt'
step compare 10 bash -c "$compare_script" compare "$bin" \
    engine.json:torch.json engine.json:pyg.json lgrin-ours.json:lgrin-torch.json \
    engine-wall.json:torch.json engine-wall.json:pyg.json engine-wall.json:lgrin-torch.json
rm -rf "$work"
log "done in $(($(date +%s) - start)) s; results in $out"
cat "$summary"
