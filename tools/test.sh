#!/usr/bin/env bash
# Sets everything up and runs every test:
#  1. clang, Debug, ASan + UBSan, -Werror: all tests, every fuzz target over its
#     seed corpus (smoke), a one-shot benchmark run, the install/consumer test;
#  2. g++, Release, -Werror: the same tests without fuzzing, so both compilers
#     build warning-free and the optimised build is tested too.
# Tests run in parallel on all cores (`ctest -j`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh

jobs=$(nproc)
testdata=${CORDON_TESTDATA_DIR:-$(cd .. && pwd)/shared/testdata}

cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_COMPILER=clang++ -DCORDON_SANITIZE=ON -DCORDON_BUILD_FUZZ=ON -DCORDON_WERROR=ON \
  -DCORDON_TESTDATA_DIR="$testdata" >/dev/null
cmake --build build/asan -j "$jobs"
(cd build/asan && ctest -j "$jobs" --output-on-failure)

cmake -S . -B build/gcc-release -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_COMPILER=g++ -DCORDON_WERROR=ON -DCORDON_TESTDATA_DIR="$testdata" >/dev/null
cmake --build build/gcc-release -j "$jobs"
(cd build/gcc-release && ctest -j "$jobs" --output-on-failure)
