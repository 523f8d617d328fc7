#!/usr/bin/env bash
# Hearth's installer: system packages, a virtual environment in .venv, Hearth itself.
#
#   ./install.sh              install, then start Hearth (live with a microphone; without one
#                             it says so and runs the demo evening)
#   ./install.sh --no-start   install only
#   ./install.sh --test       install with the test tools, then run ruff, mypy, lint-imports
#                             (the layers in pyproject.toml) and pytest
set -euo pipefail
cd "$(dirname "$0")"

mode="run"
case "${1:-}" in
  --test) mode="test" ;;
  --no-start) mode="install" ;;
  "") ;;
  *) echo "usage: ./install.sh [--test | --no-start]" >&2; exit 2 ;;
esac

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# Speech out (espeak-ng for pyttsx3), the partners' demo voices (flite), audio I/O
# (PortAudio, libsndfile) and the PulseAudio client tools.
packages=(python3 python3-venv python3-dev espeak-ng libespeak-ng1 flite libportaudio2
          libsndfile1 pulseaudio-utils libasound2-plugins alsa-utils)
if [ "$mode" = "test" ]; then
  # Tests run a private PulseAudio daemon with virtual devices, and speak with more voices.
  packages+=(pulseaudio festival festvox-kallpc16k sox pocketsphinx-testdata)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  say "Installing system packages: ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  say "Creating the Python environment in .venv"
  "$python" -m venv .venv
fi
say "Installing Hearth and its Python packages"
.venv/bin/python -m pip install -q --upgrade pip
if [ "$mode" = "test" ]; then
  .venv/bin/python -m pip install -q -e ".[dev]"
else
  .venv/bin/python -m pip install -q -e .
fi

case "$mode" in
  test)
    say "ruff"
    .venv/bin/ruff check .
    say "mypy"
    .venv/bin/mypy
    say "lint-imports (the layers)"
    .venv/bin/lint-imports --no-cache
    say "pytest"
    .venv/bin/pytest -q
    ;;
  install)
    say "Installed. Start Hearth with: .venv/bin/hearth run   (first time: .venv/bin/hearth setup)"
    ;;
  run)
    say "Starting Hearth (Ctrl-C to stop). Set it up any time with: .venv/bin/hearth setup"
    exec .venv/bin/hearth run --demo-if-no-mic
    ;;
esac
