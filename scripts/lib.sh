#!/usr/bin/env bash
# Shared helpers for scripts/*.sh: dependency installation and the build.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${STARKEEP_BUILD_DIR:-$ROOT/build}"
BUILD_TYPE="${STARKEEP_BUILD_TYPE:-RelWithDebInfo}"

# Debian 12 packages the project builds, tests and runs with. One list, used by test.sh and demo.sh.
DEB_PACKAGES=(
  build-essential cmake pkg-config ninja-build
  libantlr4-runtime-dev antlr4
  libmysqlcppconn-dev libmariadb-dev libssl-dev libcurl4-openssl-dev
  libfmt-dev libspdlog-dev nlohmann-json3-dev libgtest-dev libgmock-dev libcli11-dev
  libcctz-dev tzdata
  mariadb-server mariadb-client
  clang libclang-rt-14-dev
)

log() { printf '==> %s\n' "$*" >&2; }

ensure_packages() {
  local missing=()
  for p in "${DEB_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    log "installing missing Debian packages: ${missing[*]}"
    if [[ $(id -u) -ne 0 ]]; then
      echo "error: packages missing and not running as root: ${missing[*]}" >&2
      exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

build_project() {
  log "configuring ($BUILD_TYPE) in $BUILD_DIR"
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" >/dev/null
  log "building with -j2"
  cmake --build "$BUILD_DIR" -j2
}
