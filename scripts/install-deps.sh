#!/usr/bin/env bash
# Installs the Debian packages Switchboard needs to build and run (`run`) or to
# run its tests (`test`). Quick when everything is there already; without root
# or sudo it prints the one apt-get line to run and stops.
set -euo pipefail

run_packages=(gcc libc6-dev pkg-config libasound2-dev libvulkan1 mesa-vulkan-drivers
  libxcursor1 libxrandr2 libxi6 libxkbcommon-x11-0 libwayland-client0)
test_packages=(xvfb xauth pulseaudio pulseaudio-utils libasound2-plugins
  sip-tester baresip-core kamailio sox)

case "${1:-run}" in
  run) wanted=("${run_packages[@]}") ;;
  test) wanted=("${run_packages[@]}" "${test_packages[@]}") ;;
  *) echo "usage: $0 run|test" >&2; exit 2 ;;
esac

missing=()
for package in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo)
else
  echo "Switchboard needs these system packages: ${missing[*]}" >&2
  echo "Install them with:  sudo apt-get update && sudo $line" >&2
  exit 1
fi
echo "Installing system packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
