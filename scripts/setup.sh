#!/usr/bin/env bash
# Installs the Debian packages levelfunnel needs, when they are missing (root or sudo required), and those
# named as arguments (e.g. the package checks' shells: scripts/setup.sh bash-completion zsh fish).
set -euo pipefail
needed=(postgresql libpq-dev libncursesw5-dev tmux "$@")
missing=()
for pkg in "${needed[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "setup: installing ${missing[*]}" >&2
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
