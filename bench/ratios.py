#!/usr/bin/env python3
"""Turns cordon-bench's Google Benchmark JSON into Markdown comparison tables.

    cordon-bench --benchmark_out=bench.json --benchmark_out_format=json
    bench/ratios.py bench.json             # cordon variants against OpenSSL
    bench/ratios.py --winners bench.json   # libsodium against mbedTLS, per algorithm
    bench/ratios.py --record bench.json    # the record layer against the raw AEAD
    bench/ratios.py --tls bench.json       # whole TLS 1.3 and 1.2 connections: handshakes, bulk, idle memory

Benchmarks are named "<library>/<operation>"; every cordon/..., cordon-sodium/...,
cordon-mbedtls/... and cordon-native/... result is paired with openssl/<operation>. Times are CPU
time per operation. The ratio is cordon time / OpenSSL time, so below 1 means
cordon is faster (--tls uses the other direction: see print_tls). With
--benchmark_repetitions the median repetition is used, counters included.
"""

import argparse
import json
import math
import statistics
import sys

CORDON_LIBRARIES = ["cordon", "cordon-sodium", "cordon-mbedtls", "cordon-native"]
OPENSSL = "openssl"
TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


# Fields of a Google Benchmark JSON entry that are not user counters.
STANDARD_FIELDS = {
    "name", "family_index", "per_family_instance_index", "run_name", "run_type", "repetitions",
    "repetition_index", "threads", "iterations", "real_time", "cpu_time", "time_unit", "bytes_per_second",
    "items_per_second", "label", "error_occurred", "error_message", "aggregate_name", "aggregate_unit",
}

# Operations that only --tls prints (whole connections, not primitives). TLS 1.3
# names carry no version; TLS 1.2 ones start with "tls12/".
TLS_PREFIXES = ("handshake/", "resumed/", "bulk/", "idle_connection_bytes/", "tls12/")
TLS_VERSIONS = {"tls12": "TLS 1.2"}


class Result:
    def __init__(self, cpu_ns=None, bytes_per_second=None, error=None, counters=None):
        self.cpu_ns = cpu_ns
        self.bytes_per_second = bytes_per_second
        self.error = error
        self.counters = counters or {}

    @property
    def ok(self):
        return self.error is None and self.cpu_ns is not None


def load(path):
    """Returns (context, {library: {operation: Result}}, [operations in run order])."""
    with (sys.stdin if path == "-" else open(path, encoding="utf-8")) as f:
        data = json.load(f)

    iterations = {}  # run_name -> list of entries (one per repetition)
    aggregates = {}  # run_name -> {aggregate_name: entry}
    order = []
    for entry in data.get("benchmarks", []):
        run_name = entry.get("run_name", entry["name"])
        if run_name not in iterations and run_name not in aggregates:
            order.append(run_name)
        if entry.get("run_type") == "aggregate":
            aggregates.setdefault(run_name, {})[entry.get("aggregate_name")] = entry
        else:
            iterations.setdefault(run_name, []).append(entry)

    results = {}
    operations = []
    for run_name in order:
        library, _, operation = run_name.partition("/")
        if library not in CORDON_LIBRARIES + [OPENSSL] or not operation:
            continue
        result = summarize(iterations.get(run_name, []), aggregates.get(run_name, {}))
        results.setdefault(library, {})[operation] = result
        if operation not in operations:
            operations.append(operation)
    return data.get("context", {}), results, operations


def summarize(runs, aggregates):
    """One Result from a benchmark's repetitions (median), or its aggregates."""
    errors = [r.get("error_message", "error") for r in runs if r.get("error_occurred")]
    if errors:
        return Result(error=errors[0])
    if not runs:
        # --benchmark_report_aggregates_only: only the summaries are there.
        entry = aggregates.get("median") or aggregates.get("mean")
        if entry is None:
            return Result(error="no result")
        runs = [entry]
    cpu = statistics.median(r["cpu_time"] * TO_NS[r.get("time_unit", "ns")] for r in runs)
    rates = [r["bytes_per_second"] for r in runs if "bytes_per_second" in r]
    counters = {}
    for name in {k for r in runs for k in r if k not in STANDARD_FIELDS}:
        values = [r[name] for r in runs if isinstance(r.get(name), (int, float)) and not isinstance(r[name], bool)]
        if values:
            counters[name] = statistics.median(values)
    return Result(cpu_ns=cpu, bytes_per_second=statistics.median(rates) if rates else None, counters=counters)


def format_time(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def format_result(result):
    if result is None:
        return "—"
    if not result.ok:
        return "error"
    text = format_time(result.cpu_ns)
    if result.bytes_per_second:
        text += f", {result.bytes_per_second / 1e6:.0f} MB/s"
    return text


def format_ratio(ratio):
    return f"{ratio:.2f}" if ratio < 10 else f"{ratio:.1f}"


def header(context):
    parts = []
    if "openssl" in context:
        parts.append(context["openssl"])
    if "num_cpus" in context and "mhz_per_cpu" in context:
        parts.append(f"{context['num_cpus']} CPUs at {context['mhz_per_cpu']} MHz")
    if "date" in context:
        parts.append(context["date"])
    return "; ".join(parts)


def print_ratios(context, results, operations):
    print("CPU time per operation (MB/s = 10^6 bytes/s). ratio = cordon time / OpenSSL time: below 1, cordon is faster.")
    if header(context):
        print(f"Measured with {header(context)}.")
    print()
    columns = ["operation", "openssl"]
    for library in CORDON_LIBRARIES:
        columns += [library, "ratio"]
    print("| " + " | ".join(columns) + " |")
    print("|" + "|".join(["---"] + ["---:"] * (len(columns) - 1)) + "|")

    errors = []
    for operation in operations:
        if operation.startswith("record"):
            continue  # cordon-only: see --record
        if operation.startswith(TLS_PREFIXES):
            continue  # whole connections: see --tls
        baseline = results.get(OPENSSL, {}).get(operation)
        cells = [operation, format_result(baseline)]
        for library in CORDON_LIBRARIES:
            result = results.get(library, {}).get(operation)
            ratio = "—"
            if result is not None and result.ok and baseline is not None and baseline.ok:
                ratio = format_ratio(result.cpu_ns / baseline.cpu_ns)
            cells += [format_result(result), ratio]
        print("| " + " | ".join(cells) + " |")
        for library in [OPENSSL] + CORDON_LIBRARIES:
            result = results.get(library, {}).get(operation)
            if result is not None and not result.ok:
                errors.append(f"{library}/{operation}: {result.error}")
    if errors:
        print()
        print("Errors:")
        for error in errors:
            print(f"- {error}")


def algorithm_of(operation):
    """The algorithm a measurement exercises: aead/seal/AES-128-GCM/1024 -> AES-128-GCM,
    hmac/SHA-256/1024 -> SHA-256, kx/x25519/keygen+agree -> x25519, sign/ed25519 -> ed25519."""
    parts = operation.split("/")
    if parts[0] == "aead" and len(parts) > 2:
        return parts[2]
    return parts[1] if len(parts) > 1 else parts[0]


def default_choices(context):
    """{algorithm: backend} from the cordon_default_provider context entry."""
    choices = {}
    for item in context.get("cordon_default_provider", "").split():
        algorithm, _, backend = item.partition("=")
        choices[algorithm] = backend
    return choices


def print_winners(context, results, operations):
    sodium = results.get("cordon-sodium", {})
    mbedtls = results.get("cordon-mbedtls", {})
    defaults = default_choices(context)

    by_algorithm = {}  # algorithm -> [(operation, sodium time / mbedtls time)]
    only = {"sodium": [], "mbedtls": []}
    for operation in operations:
        algorithm = algorithm_of(operation)
        s, m = sodium.get(operation), mbedtls.get(operation)
        if s is not None and s.ok and m is not None and m.ok:
            by_algorithm.setdefault(algorithm, []).append((operation, s.cpu_ns / m.cpu_ns))
        elif s is not None and m is None and algorithm not in only["sodium"]:
            only["sodium"].append(algorithm)
        elif m is not None and s is None and algorithm not in only["mbedtls"]:
            only["mbedtls"].append(algorithm)

    print("libsodium against mbedTLS, per algorithm: the geometric mean over the algorithm's")
    print("measurements of sodium CPU time / mbedTLS CPU time (below 1, libsodium is faster).")
    print()
    print("| algorithm | faster | sodium/mbedtls | default provider uses | measurements (sodium/mbedtls) |")
    print("|---|---|---:|---|---|")
    for algorithm, pairs in by_algorithm.items():
        mean = math.exp(sum(math.log(r) for _, r in pairs) / len(pairs))
        winner = "sodium" if mean < 1 else "mbedtls"
        chosen = defaults.get(algorithm, "?")
        if chosen not in ("?", winner):
            chosen += " (differs)"
        detail = "; ".join(f"{op} {format_ratio(r)}" for op, r in pairs)
        print(f"| {algorithm} | {winner} | {format_ratio(mean)} | {chosen} | {detail} |")
    for backend, algorithms in only.items():
        algorithms = [a for a in algorithms if a not in by_algorithm]
        if algorithms:
            print()
            print(f"Only {backend} offers: {', '.join(algorithms)}.")


def print_record(context, results, operations):
    """record/<op>/<version>/<aead>/<size> against record-raw/<op>/<version>/<aead>/<size>."""
    cordon = results.get("cordon", {})
    print("The record layer against the raw AEAD of the same provider, same run: overhead = record CPU time /")
    print("raw AEAD CPU time - 1. Seal is zero-copy on both sides; open copies the record in first on both")
    print("sides (standing in for recv()).")
    print()
    print("| operation | raw AEAD | record path | overhead |")
    print("|---|---:|---:|---:|")
    for operation in operations:
        parts = operation.split("/")
        if parts[0] != "record" or len(parts) != 5:
            continue
        _, op, version, aead, size = parts
        record = cordon.get(operation)
        raw = cordon.get(f"record-raw/{op}/{version}/{aead}/{size}")
        overhead = "—"
        if record is not None and record.ok and raw is not None and raw.ok:
            overhead = f"{(record.cpu_ns / raw.cpu_ns - 1) * 100:+.1f}%"
        print(f"| {op} {version} {aead} {size} | {format_result(raw)} | {format_result(record)} | {overhead} |")


def format_bytes(n):
    return f"{n / 1024:.1f} KiB" if n >= 1024 else f"{n:.0f} B"


def print_tls(context, results, operations):
    """cordon/[tls12/]{handshake,resumed,bulk,idle_connection_bytes}/... against openssl/... (tls_bench.cpp)."""
    cordon = results.get("cordon", {})
    openssl = results.get(OPENSSL, {})
    print("Whole TLS connections in memory, cordon against OpenSSL (libssl), same run. X25519; the client")
    print("verifies the certificate chain and host name. Full handshakes without tickets: TLS 1.3 with")
    print("TLS_AES_128_GCM_SHA256, TLS 1.2 with ECDHE-{ECDSA,RSA}-AES128-GCM-SHA256 (P-256 / RSA-2048")
    print("certificate). TLS 1.2 resumed: every handshake resumes the previous session from an RFC 5077")
    print("ticket. TLS 1.3 resumed: every handshake resumes with a fresh ticket, psk_dhe_ke (X25519 still),")
    print("and the server issues 2 stateless tickets that the client reads before the handshake counts as")
    print("done. ratio = cordon throughput / OpenSSL throughput, or OpenSSL time (bytes) / cordon")
    print("time (bytes): above 1, cordon is better. Medians over repetitions; CPU time.")
    if header(context):
        print(f"Measured with {header(context)}.")
    print()
    print("| scenario | cordon | OpenSSL | ratio |")
    print("|---|---:|---:|---:|")

    def row(scenario, c, o, fmt, higher_is_better):
        ratio = "—"
        if c is not None and o is not None and c > 0 and o > 0:
            ratio = format_ratio(c / o if higher_is_better else o / c)
        cells = [fmt(c) if c is not None else "—", fmt(o) if o is not None else "—"]
        print(f"| {scenario} | {cells[0]} | {cells[1]} | {ratio} |")

    def ok(result):
        return result is not None and result.ok

    def counter(result, name):
        return result.counters.get(name) if ok(result) else None

    errors = []
    for operation in operations:
        if not operation.startswith(TLS_PREFIXES):
            continue
        c, o = cordon.get(operation), openssl.get(operation)
        for library, result in (("cordon", c), (OPENSSL, o)):
            if result is not None and not result.ok:
                errors.append(f"{library}/{operation}: {result.error}")
        parts = operation.split("/")
        version = "TLS 1.3"
        if parts[0] in TLS_VERSIONS:
            version = TLS_VERSIONS[parts[0]]
            parts = parts[1:]
        if len(parts) < 2:
            continue
        if parts[0] in ("handshake", "resumed"):
            cert = parts[1]
            kind = "full" if parts[0] == "handshake" else "resumed"
            per_s = lambda r: 1e9 / r.cpu_ns if ok(r) else None
            row(f"{version} {kind} handshake {cert}: handshakes/s (client + server)", per_s(c), per_s(o),
                lambda v: f"{v:.0f}", True)
            for side in ("client", "server"):
                to_ns = lambda r: counter(r, f"{side}_us") * 1e3 if counter(r, f"{side}_us") is not None else None
                row(f"{version} {kind} handshake {cert}: {side} CPU per handshake", to_ns(c), to_ns(o), format_time,
                    False)
        elif parts[0] == "bulk":
            suite = parts[1]
            size = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else None
            label = f"{size // 1024} KiB writes" if size and size % 1024 == 0 else "writes"
            mbps = lambda r: r.bytes_per_second / 1e6 if ok(r) and r.bytes_per_second else None
            row(f"{version} bulk {suite}, {label}: MB/s", mbps(c), mbps(o), lambda v: f"{v:.0f}", True)
        elif parts[0] == "idle_connection_bytes":
            cert = parts[1]
            for side in ("client", "server"):
                row(f"{version} idle connection {cert}: {side} heap", counter(c, f"{side}_bytes"),
                    counter(o, f"{side}_bytes"), format_bytes, False)
            for side in ("client", "server"):
                released = counter(o, f"{side}_bytes_release_buffers")
                if released is not None:
                    row(f"{version} idle connection {cert}: {side} heap (OpenSSL with SSL_MODE_RELEASE_BUFFERS)",
                        counter(c, f"{side}_bytes"), released, format_bytes, False)
    if errors:
        print()
        print("Errors:")
        for error in errors:
            print(f"- {error}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("json", nargs="?", default="-", help="Google Benchmark JSON output (default: stdin)")
    parser.add_argument("--winners", action="store_true",
                        help="per algorithm, whether cordon-sodium or cordon-mbedtls was faster")
    parser.add_argument("--record", action="store_true", help="the record layer's overhead over the raw AEAD")
    parser.add_argument("--tls", action="store_true",
                        help="whole TLS connections: handshakes/s, per-side CPU, bulk MB/s, idle bytes per connection")
    args = parser.parse_args()

    context, results, operations = load(args.json)
    if not operations:
        sys.exit("no cordon-bench results found in the input")
    if args.winners:
        print_winners(context, results, operations)
    elif args.record:
        print_record(context, results, operations)
    elif args.tls:
        print_tls(context, results, operations)
    else:
        print_ratios(context, results, operations)


if __name__ == "__main__":
    main()
