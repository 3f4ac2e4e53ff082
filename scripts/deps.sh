#!/usr/bin/env bash
# deps.sh — installs the Debian packages trustdesk needs, and only those
# missing. Safe to run again. Usage: scripts/deps.sh [--bench | --fuzz]
set -euo pipefail

packages=(build-essential cmake pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev
          libsodium-dev libcurl4-openssl-dev libcmocka-dev libpq-dev libqrencode-dev libxlsxwriter-dev unzip postgresql sqlite3 curl python3
          ca-certificates chromium python3-aiosmtpd)
# The web app's build and tests need Node.js 18 or later; Debian's nodejs and
# npm are installed only when no node is on the PATH (a newer one may be).
command -v node >/dev/null || packages+=(nodejs npm)
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(wrk nginx-light)
fi
if [[ "${1:-}" == "--fuzz" ]]; then
  packages+=(clang)               # libFuzzer comes with Debian's clang
fi

if [[ ! -r /etc/debian_version ]]; then
  echo "deps.sh: this script installs Debian packages; on another system install the" >&2
  echo "equivalents of: ${packages[*]}" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
  echo "deps.sh: missing Debian packages: ${missing[*]}" >&2
  echo "deps.sh: run as root (or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
