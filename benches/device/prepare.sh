#!/usr/bin/env bash
# Prepare, on the development machine, what a device call of benches/device/record.sh carries:
# the release binary and Cora in .device-bin, and the Vulkan and GL loader packages a bare device
# machine lacks (x86-64 .deb files) in .gl. Both folders are git-ignored. Run
# from the repository root; safe to run again: the packages are downloaded again when any of
# them is missing.
#
# usage: benches/device/prepare.sh [--no-build]
set -eu -o pipefail

build=1
[ "${1:-}" = "--no-build" ] && build=0

if [ "$build" = 1 ]; then
    cargo build --release --locked
fi
mkdir -p .device-bin
cp target/release/synchgraph .device-bin/synchgraph
cora=${SYNCHGRAPH_CORA:-../shared/data/cora}
if [ -d "$cora" ]; then
    rm -rf .device-bin/cora
    cp -r "$cora" .device-bin/cora
else
    echo "prepare.sh: no Cora folder at $cora: the gcn_epoch_cora row will be skipped" >&2
fi

# The loader packages: the Vulkan loader, and the GL / EGL dispatch libraries the NVIDIA driver's
# Vulkan and EGL entry points need (a machine with no loader has none of them).
packages=(libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
exclude=$(git rev-parse --git-path info/exclude)
mkdir -p "$(dirname "$exclude")"
grep -qx '/.gl/' "$exclude" 2>/dev/null || echo /.gl/ >> "$exclude"
mkdir -p .gl /tmp/amd64/partial
missing=()
for p in "${packages[@]}"; do
    compgen -G ".gl/${p}_*.deb" > /dev/null || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "prepare.sh: downloading ${packages[*]} (missing: ${missing[*]})"
    apt_amd64=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64)
    apt-get "${apt_amd64[@]}" update
    rm -f .gl/*.deb
    (cd .gl && apt-get "${apt_amd64[@]}" download "${packages[@]}")
fi
for p in "${packages[@]}"; do
    compgen -G ".gl/${p}_*.deb" > /dev/null || { echo "prepare.sh: no .gl/${p}_*.deb" >&2; exit 1; }
done

./.device-bin/synchgraph --version
du -sh .device-bin .gl
echo "carry: [\".gl\", \".device-bin\"]; command: bash benches/device/record.sh"
