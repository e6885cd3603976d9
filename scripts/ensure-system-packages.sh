#!/usr/bin/env bash
# Installs the Debian packages the make targets need, when missing: curl for the README
# session, Python's venv module, and any package named as an argument whose command of the same
# name is missing (`make test` asks for chromium, for the browser test, and node, for the edge
# layer's function). Quiet when everything is present.
set -euo pipefail
missing=()
command -v curl >/dev/null || missing+=(curl)
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
for command in "$@"; do
  # Debian's package of a command, where the names differ.
  case "$command" in
    node) package=nodejs ;;
    *) package=$command ;;
  esac
  command -v "$command" >/dev/null || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "installing ${missing[*]} with apt-get"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
