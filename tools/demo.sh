#!/usr/bin/env bash
# Sets everything up and runs the demo: builds cordon (Release), prints the
# crypto provider's algorithm table and self-test, then runs a TLS 1.3
# handshake between `cordon server --http` and `cordon client` over localhost
# with the test PKI in tests/data/certs, and shows what was negotiated and the
# server's answer; then a TLS 1.2 client against the same server, connecting
# twice so the second connection resumes with the session ticket. Exits
# non-zero if any step fails.
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
echo "== cordon server --http (port 0: the kernel picks one)"
"$cordon" server --cert "$certs/leaf-p256.pem" --key "$certs/leaf-p256.key" --port 0 --http --alpn http/1.1 \
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

echo
echo "== cordon client localhost:$port --tls1.2 --reconnect 1 ... (the second connection resumes)"
client12_status=0
"$cordon" client "localhost:$port" --cafile "$certs/ca.pem" --alpn http/1.1 --tls1.2 --reconnect 1 \
  --request 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n' >"$work/client12.out" 2>"$work/client12.err" || client12_status=$?
cat "$work/client12.out"
cat "$work/client12.err" >&2

kill "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
server_pid=""
echo
echo "== server log"
cat "$work/server.err"

echo
if ((client_status != 0)); then
  echo "demo: FAILED: the client exited with status $client_status" >&2
  exit 1
fi
if ((client12_status != 0)); then
  echo "demo: FAILED: the TLS 1.2 client exited with status $client12_status" >&2
  exit 1
fi
for expected in "protocol: TLSv1.3" "alpn: http/1.1" "HTTP/1.1 200 OK"; do
  if ! grep -q "$expected" "$work/client.out"; then
    echo "demo: FAILED: the client's output lacks \"$expected\"" >&2
    exit 1
  fi
done
if ! grep -q "protocol: TLSv1.2" "$work/client12.out" || [[ $(grep -c "HTTP/1.1 200 OK" "$work/client12.out") != 2 ]] ||
  ! grep -q "^resumed: yes" "$work/client12.out"; then
  echo "demo: FAILED: the TLS 1.2 client did not connect twice with the second resumed" >&2
  exit 1
fi
echo "demo: OK (TLS 1.3 handshake, chain verified to $certs/ca.pem, HTTP response received;"
echo "      TLS 1.2 handshake, then a resumed one with the session ticket)"
