#!/usr/bin/env bash
# Install the pinned Kubernetes tools that the deploy tests use into
# var/tools/bin (git-ignored), or print where they are.
#
#   scripts/k8s_tools.sh install   build every missing tool (idempotent)
#   scripts/k8s_tools.sh path      print the tool directory
#   scripts/k8s_tools.sh versions  print the pinned versions
#
# kustomize is built from source with `go install`, so the only requirement
# is a Go toolchain (1.26 or newer for kustomize v5.8.2). GOTOOLCHAIN=local
# makes an older Go fail with a clear message instead of downloading another
# toolchain.
#
# The policy scanner is checkov, pinned in requirements.lock and installed
# into .venv by scripts/bootstrap.sh. kube-linter was the first choice, but
# the Go module proxy served no version of golang.stackrox.io/kube-linter
# (December 2026).
set -euo pipefail
cd "$(dirname "$0")/.."

KUSTOMIZE_VERSION="v5.8.2"
TOOLS_DIR="$PWD/var/tools"
BIN_DIR="$TOOLS_DIR/bin"

install_kustomize() {
  local binary="$BIN_DIR/kustomize"
  local stamp="$BIN_DIR/.kustomize-$KUSTOMIZE_VERSION"
  if [ -x "$binary" ] && [ -f "$stamp" ]; then
    return 0
  fi
  if ! command -v go >/dev/null; then
    echo "k8s_tools: go not found; install Go 1.26 or newer to build kustomize" >&2
    return 1
  fi
  mkdir -p "$BIN_DIR" "$TOOLS_DIR/gocache" "$TOOLS_DIR/gopath"
  echo "k8s_tools: building kustomize $KUSTOMIZE_VERSION into $BIN_DIR" >&2
  # A private module cache and build cache keep the build out of the user's
  # GOPATH. GOFLAGS=-modcacherw lets `rm -rf var/` delete the module cache.
  GOBIN="$BIN_DIR" \
    GOPATH="$TOOLS_DIR/gopath" \
    GOCACHE="$TOOLS_DIR/gocache" \
    GOFLAGS="-modcacherw" \
    GOTOOLCHAIN=local \
    go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
  rm -f "$BIN_DIR"/.kustomize-*
  touch "$stamp"
}

case "${1:-install}" in
  install)
    install_kustomize
    ;;
  path)
    echo "$BIN_DIR"
    ;;
  versions)
    echo "kustomize $KUSTOMIZE_VERSION"
    ;;
  *)
    echo "usage: $0 [install|path|versions]" >&2
    exit 2
    ;;
esac
