#!/usr/bin/env bash
# Runs the real window under a private Xvfb on a fresh demo database and saves
# a PNG of every mode into target/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/screenshots}
data=$(mktemp -d)
runtime=$(mktemp -d)
chmod 700 "$runtime"
display=:$((90 + RANDOM % 100))
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null; rm -rf "$data" "$runtime"' EXIT
sleep 1
mkdir -p "$out"
for user in agent admin; do
  DISPLAY=$display XDG_RUNTIME_DIR=$runtime timeout 120 \
    ./target/release/switchboard --data-dir "$data" --user "$user" --mute --demo-rate 2 \
    --screenshots "$out/$user"
done
ls "$out"/*/*.png
