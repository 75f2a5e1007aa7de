#!/usr/bin/env bash
# Installs the Debian packages Rentwise needs, only when one is missing:
#   libpango-1.0-0, libpangoft2-1.0-0  text layout for WeasyPrint PDFs
#   libharfbuzz-subset0  fast font subsetting for WeasyPrint PDFs
#   poppler-utils        pdftotext / pdftoppm, used by tests to read PDFs back
#   fonts-liberation2    metric-compatible Arial for letters and notices
#   chromium-headless-shell  the browser the end-to-end tests drive (Chromium's headless build)
set -euo pipefail
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils fonts-liberation2 chromium-headless-shell)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${missing[*]}. Install them with: sudo apt-get install ${missing[*]}" >&2
  exit 0
fi
echo "Installing Debian packages: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
