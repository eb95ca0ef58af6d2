#!/usr/bin/env bash
# Sets everything up and runs the demo: builds cordon (Release), prints the
# crypto provider's algorithm table and self-test, then runs a TLS 1.3
# handshake between `cordon server --http` and `cordon client` over localhost
# with the test PKI in tests/data/certs, and shows what was negotiated and the
# server's answer. Exits non-zero if any step fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DCORDON_BUILD_TESTS=OFF -DCORDON_BUILD_BENCH=OFF >/dev/null
cmake --build build/release --target cordon-cli

cordon=./build/release/examples/cordon
certs=tests/data/certs

echo
echo "== cordon provider default"
"$cordon" provider default

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

echo
echo "== cordon server --http --once (port 0: the kernel picks one)"
"$cordon" server --cert "$certs/leaf-p256.pem" --key "$certs/leaf-p256.key" --port 0 --http --alpn http/1.1 --once \
  >"$work/server.out" 2>"$work/server.err" &
server_pid=$!

port=""
for _ in $(seq 1 100); do
  if line="$(grep -m1 '^listening on ' "$work/server.out")"; then
    port="${line##*:}"
    echo "$line"
    break
  fi
  if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
  sleep 0.1
done
if [[ -z $port ]]; then
  echo "demo: the server did not start" >&2
  cat "$work/server.err" >&2
  exit 1
fi

echo
echo "== cordon client localhost:$port --cafile $certs/ca.pem --alpn http/1.1 --request 'GET / ...'"
client_status=0
"$cordon" client "localhost:$port" --cafile "$certs/ca.pem" --alpn http/1.1 \
  --request 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n' >"$work/client.out" 2>"$work/client.err" || client_status=$?
cat "$work/client.out"
cat "$work/client.err" >&2

server_status=0
wait "$server_pid" || server_status=$?
server_pid=""
echo
echo "== server log"
cat "$work/server.err"

echo
if ((client_status != 0)); then
  echo "demo: FAILED: the client exited with status $client_status" >&2
  exit 1
fi
if ((server_status != 0)); then
  echo "demo: FAILED: the server exited with status $server_status" >&2
  exit 1
fi
for expected in "protocol: TLSv1.3" "alpn: http/1.1" "HTTP/1.1 200 OK"; do
  if ! grep -q "$expected" "$work/client.out"; then
    echo "demo: FAILED: the client's output lacks \"$expected\"" >&2
    exit 1
  fi
done
echo "demo: OK (TLS 1.3 handshake, chain verified to $certs/ca.pem, HTTP response received)"
