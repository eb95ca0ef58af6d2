#!/usr/bin/env bash
# Sets everything up and runs the demo: builds cordon (Release) and runs the
# `cordon` tool. Until the TLS 1.3 engine lands, the demo prints the crypto
# provider's algorithm table and its self-test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DCORDON_BUILD_TESTS=OFF -DCORDON_BUILD_BENCH=OFF >/dev/null
cmake --build build/release --target cordon-cli
./build/release/examples/cordon provider default
