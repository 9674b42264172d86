#!/usr/bin/env bash
# Prepare, on the development machine, what a device call of benches/device/record.sh carries:
# the release binary and Cora in .device-bin, and the Vulkan loader packages (x86-64 .deb files)
# in .gl. Both folders are git-ignored. Run from the repository root; safe to run again.
#
# usage: benches/device/prepare.sh [--no-build]
set -eu -o pipefail

build=1
[ "${1:-}" = "--no-build" ] && build=0

if [ "$build" = 1 ]; then
    cargo build --release
fi
mkdir -p .device-bin
cp target/release/synchgraph .device-bin/synchgraph
cora=${SYNCHGRAPH_CORA:-../shared/data/cora}
if [ -d "$cora" ]; then
    rm -rf .device-bin/cora
    cp -r "$cora" .device-bin/cora
else
    echo "prepare.sh: no Cora folder at $cora: the gcn_epoch_cora rows will be left out" >&2
fi

grep -qx '/.gl/' .git/info/exclude 2>/dev/null || echo /.gl/ >> .git/info/exclude
mkdir -p .gl /tmp/amd64/partial
apt_amd64=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64)
if ! ls .gl/libvulkan1_*.deb >/dev/null 2>&1; then
    apt-get "${apt_amd64[@]}" update
    (cd .gl && apt-get "${apt_amd64[@]}" download libvulkan1)
fi

./.device-bin/synchgraph --version
du -sh .device-bin .gl
echo "carry: [\".gl\", \".device-bin\"]; command: bash benches/device/record.sh"
