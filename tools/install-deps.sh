#!/usr/bin/env bash
# Installs the Debian 12 packages cordon builds and tests with (run as root).
# Only what is missing is installed, so a second run costs nothing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev
  libsodium-dev libmbedtls-dev                    # the library's only dependencies
  catch2 nlohmann-json3-dev libbenchmark-dev      # tests and benchmarks
  libssl-dev openssl gnutls-bin curl python3      # yardstick, cross-checks and interop peers
  openjdk-17-jdk-headless                         # keytool: the PKCS#12 tests load Java keystores
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
