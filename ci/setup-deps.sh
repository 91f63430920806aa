#!/usr/bin/env bash
# Installs the Debian packages swapbench builds and tests with, when they are missing, and says
# what it did. Needs root or sudo for apt-get. chromium is for the `browser` tests of the HTML
# report (headless, pages loaded from disk). Python's `gguf` (for the writer cross-check test)
# is installed with pip when pip is there.
set -euo pipefail

packages=(cmake g++ make pkg-config libsqlite3-dev nlohmann-json3-dev libcli11-dev
          libgtest-dev libbenchmark-dev python3 python3-pip unzip ca-certificates chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-deps: all Debian packages present (${packages[*]})"
else
  echo "setup-deps: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
  echo "setup-deps: installed ${missing[*]}"
fi

if python3 -c 'import gguf' 2>/dev/null; then
  echo "setup-deps: python gguf present"
elif python3 -m pip --version >/dev/null 2>&1; then
  echo "setup-deps: installing python gguf (pip)"
  python3 -m pip install -q gguf 2>/dev/null || python3 -m pip install -q --break-system-packages gguf
else
  echo "setup-deps: no pip; the gguf cross-check test will skip"
fi

if command -v nvcc >/dev/null 2>&1 || [ -x /usr/local/cuda/bin/nvcc ]; then
  echo "setup-deps: CUDA toolkit found: the CUDA backend will be built"
else
  echo "setup-deps: no CUDA toolkit: building the CPU backend only"
fi
