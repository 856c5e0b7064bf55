#!/usr/bin/env bash
# Build the Dockerfile with buildah (no Docker daemon), run the built image's own CMD with its
# ENV, USER and WORKDIR, and require 200 from /healthz, the image's HEALTHCHECK to pass, and a
# clean exit on its STOPSIGNAL. `make image-check` installs the tools and runs this.
#
#   ci/image.sh [CONTEXT]      CONTEXT defaults to the repository holding this script
#
# The base image `python:3.11-slim` cannot be pulled here (no registry but Debian's and PyPI's
# is reachable), so a stand-in is made from Debian bookworm packages (debootstrap minbase +
# python3.11) and tagged `docker.io/library/python:3.11-slim` in a private buildah storage; the
# Dockerfile itself is built unchanged with `--pull=never`. docs/deploy.md says what differs.
#
# Environment knobs (all optional):
#   V7_IMAGE_CACHE          private buildah storage + base image (default /var/cache/v7-image)
#   V7_IMAGE_DRIVER         buildah storage driver (default overlay; vfs works anywhere, slower)
#   V7_IMAGE_MIRROR         Debian mirror for the stand-in base (default http://deb.debian.org/debian)
#   V7_IMAGE_BASE_MAX_DAYS  rebuild the cached stand-in base when older (default 7: security fixes)
#   V7_IMAGE_KEEP=1         keep the built image (localhost/v7-coach:check-PID) after the check
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
context=$(cd "${1:-$here/..}" && pwd)

# Every mount this script makes (buildah's overlay mounts, the run's /proc, /dev, /tmp) lives in
# a private mount namespace, so nothing is left mounted on the host even if the script is killed.
# buildah's run-state (which layers it thinks are mounted) lives in a directory of that namespace
# too, so a killed run cannot leave the persistent storage believing a layer is still mounted.
if [ "${V7_IMAGE_IN_NS:-}" != 1 ]; then
    exec env V7_IMAGE_IN_NS=1 unshare --mount --propagation private -- "$0" "$context"
fi

cache=${V7_IMAGE_CACHE:-/var/cache/v7-image}
driver=${V7_IMAGE_DRIVER:-overlay}
mirror=${V7_IMAGE_MIRROR:-http://deb.debian.org/debian}
base_max_days=${V7_IMAGE_BASE_MAX_DAYS:-7}
base_tag=docker.io/library/python:3.11-slim
# Bump when the stand-in recipe below changes: a cached base with another recipe is rebuilt.
base_recipe=1
# One tag per run, so two checks on one machine (two worktrees) never remove each other's image.
image_tag=localhost/v7-coach:check-$$

# Native overlay needs a kernel that allows it here; probe once and fall back to vfs (slower,
# works anywhere) rather than fail on a machine without it.
# The probe runs where the storage lives (an overlay upper dir cannot be on every filesystem).
mkdir -p "$cache"
if [ "$driver" = overlay ]; then
    probe=$cache/probe.$$
    mkdir -p "$probe/lower" "$probe/upper" "$probe/work" "$probe/merged"
    if mount -t overlay overlay -o "lowerdir=$probe/lower,upperdir=$probe/upper,workdir=$probe/work" \
        "$probe/merged" 2>/dev/null; then
        umount "$probe/merged"
    else
        driver=vfs
    fi
    rm -rf "$probe"
fi
runroot=$(mktemp -d /run/v7-image.XXXXXX)
mount -t tmpfs -o mode=0700 tmpfs "$runroot"
work=$(mktemp -d "${TMPDIR:-/tmp}/v7-image.XXXXXX")
# One storage per driver: buildah refuses a storage made by another driver.
bah() { buildah --root "$cache/storage-$driver" --runroot "$runroot" --storage-driver "$driver" "$@"; }

containers=()
cleanup() {
    local rc=$?
    set +e
    for c in "${containers[@]}"; do bah rm "$c" >/dev/null 2>&1; done
    if [ "${V7_IMAGE_KEEP:-}" != 1 ]; then bah rmi "$image_tag" >/dev/null 2>&1; fi
    # Untagged stage images (the build stage) are not kept: a fresh clone rebuilds them anyway.
    bah rmi --prune >/dev/null 2>&1
    rm -rf "$work"
    umount "$runroot" 2>/dev/null && rmdir "$runroot"
    exit "$rc"
}
trap cleanup EXIT

log() { printf '== %s  %s\n' "$(date -u +%H:%M:%S)" "$*"; }
t0=$(date +%s)

# --- the stand-in base image ---------------------------------------------------------------
base_is_fresh() {
    local created recipe
    recipe=$(bah inspect --type image --format '{{index .ImageAnnotations "org.v7coach.base-recipe"}}' \
        "$base_tag" 2>/dev/null) || return 1
    [ "$recipe" = "$base_recipe" ] || return 1
    created=$(bah inspect --type image --format '{{.Docker.Created.Unix}}' "$base_tag") || return 1
    [ $(($(date +%s) - created)) -lt $((base_max_days * 86400)) ]
}

build_base() {
    local rootfs=$work/rootfs ctr mnt python_version
    log "stand-in $base_tag: debootstrap bookworm minbase + python3.11 from $mirror"
    debootstrap --variant=minbase \
        --include=python3.11,python3.11-venv,python3-venv,python3-pip,ca-certificates,netbase,tzdata \
        bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
        || { tail -n 30 "$work/debootstrap.log"; return 1; }
    # The official image's sources (bookworm, -updates, -security), so the Dockerfile's
    # `apt-get install` resolves as it does on Docker Hub's image.
    rm -f "$rootfs/etc/apt/sources.list"
    cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
    log "stand-in: apt-get upgrade (bookworm-updates, bookworm-security)"
    mount -t proc proc "$rootfs/proc"
    DEBIAN_FRONTEND=noninteractive chroot "$rootfs" sh -ec \
        'apt-get update -q && apt-get upgrade -y -q && apt-get clean' >"$work/upgrade.log" 2>&1 \
        || { umount "$rootfs/proc"; tail -n 30 "$work/upgrade.log"; return 1; }
    umount "$rootfs/proc"
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs/etc/resolv.conf"
    # What the official image has: python/pip on /usr/local/bin, no PEP 668 marker (its
    # Python is not Debian's, so pip may install system-wide; the Dockerfile uses a venv anyway).
    for name in python python3 python3.11; do ln -sf /usr/bin/python3.11 "$rootfs/usr/local/bin/$name"; done
    for name in pip pip3 pip3.11; do ln -sf /usr/bin/pip3 "$rootfs/usr/local/bin/$name"; done
    rm -f "$rootfs/usr/lib/python3.11/EXTERNALLY-MANAGED"

    log "stand-in: commit to $cache"
    bah rmi "$base_tag" >/dev/null 2>&1 || true
    ctr=$(bah from scratch)
    containers+=("$ctr")
    mnt=$(bah mount "$ctr")
    cp -a "$rootfs/." "$mnt/"
    python_version=$(chroot "$mnt" /usr/bin/python3.11 -c 'import platform; print(platform.python_version())')
    bah umount "$ctr" >/dev/null
    rm -rf "$rootfs"
    # PATH as the official image has it (its `/usr/local/bin:$PATH` over Debian's default).
    bah config --os linux --arch "$(dpkg --print-architecture)" \
        --env PATH=/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        --env LANG=C.UTF-8 --env PYTHON_VERSION="$python_version" \
        --cmd '["python3"]' \
        --annotation org.v7coach.base-recipe="$base_recipe" \
        --label org.v7coach.stand-in="python:3.11-slim from Debian bookworm packages" "$ctr"
    bah commit --quiet --format oci --rm "$ctr" "$base_tag" >/dev/null
    containers=()
}

# Two checks starting together (two worktrees) build the base once: the second waits.
exec 9>"$cache/base.lock"
flock 9
if base_is_fresh; then
    log "stand-in $base_tag: cached in $cache (recipe $base_recipe, < $base_max_days days old)"
else
    build_base
fi
flock -u 9
t_base=$(date +%s)

# --- build the Dockerfile --------------------------------------------------------------------
# This machine reaches PyPI through a TLS-inspecting egress proxy, so pip in the RUN steps must
# trust the host's CA bundle. It is mounted for the RUN steps only (buildah's -v), so the image
# carries none of it; with a public CA bundle (any workstation) it changes nothing.
host_ca=/etc/ssl/certs/ca-certificates.crt
ca_mounts=()
if [ -r "$host_ca" ]; then
    printf '[global]\ncert = /run/v7-host-ca.crt\n' >"$work/pip.conf"
    ca_mounts=(-v "$host_ca:/run/v7-host-ca.crt:ro" -v "$work/pip.conf:/etc/pip.conf:ro")
fi
log "buildah bud $context/Dockerfile -> $image_tag ($driver storage, chroot isolation)"
bah bud --pull=never --isolation chroot --format docker --layers=false \
    "${ca_mounts[@]}" \
    -f "$context/Dockerfile" -t "$image_tag" "$context" >"$work/build.log" 2>&1 \
    || { tail -n 60 "$work/build.log"; exit 1; }
grep -E 'STEP [0-9]+/[0-9]+|^COMMIT|level=warn|^WARN' "$work/build.log" | cut -c1-110 || true
t_build=$(date +%s)
log "built $image_tag: $(bah images --format '{{.Size}}' "$image_tag")"

# --- run its own CMD and check it ------------------------------------------------------------
ctr=$(bah from --pull-never "$image_tag")
containers+=("$ctr")
mnt=$(bah mount "$ctr")
bah inspect --type image "$image_tag" \
    | python3 -c 'import json, sys; json.dump(json.load(sys.stdin)["Docker"]["config"], sys.stdout)' \
    >"$work/config.json"
log "run: CMD $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["Cmd"])' "$work/config.json")"
# A fresh network namespace, like a Fargate task's own (awsvpc): the image's port 8000 and its
# HEALTHCHECK (which names 8000) are used unchanged, whatever else listens on this machine.
unshare --net -- python3 "$here/image_run.py" --root "$mnt" --config "$work/config.json"
t_run=$(date +%s)
bah umount "$ctr" >/dev/null
log "image check passed: base $((t_base - t0)) s, build $((t_build - t_base)) s, run $((t_run - t_build)) s, total $((t_run - t0)) s"
