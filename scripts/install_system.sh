#!/usr/bin/env bash
# Debian packages the platform needs: Chromium for the browser tests, CJK fonts and Pango for PDFs,
# poppler-utils to look at them, LibreOffice without its GUI (Writer, Calc) for the tests' PNG renderings
# of the Word and Excel documents (tests/renderings.py; ~300 MB). Installs only what is missing; needs root
# (or sudo) for apt.
set -euo pipefail
packages=(chromium fonts-noto-cjk fonts-wqy-zenhei poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
  libreoffice-writer-nogui libreoffice-calc-nogui)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "install these packages with your system's package manager: ${missing[*]}" >&2
  exit 0
fi
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "installing Debian packages: ${missing[*]}"
$sudo apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null \
  || { $sudo apt-get update >/dev/null && $sudo apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
