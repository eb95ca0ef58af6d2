#!/usr/bin/env python3
"""Turns cordon-bench's Google Benchmark JSON into Markdown comparison tables.

    cordon-bench --benchmark_out=bench.json --benchmark_out_format=json
    bench/ratios.py bench.json             # cordon variants against OpenSSL
    bench/ratios.py --winners bench.json   # libsodium against mbedTLS, per algorithm
    bench/ratios.py --record bench.json    # the record layer against the raw AEAD

Benchmarks are named "<library>/<operation>"; every cordon/..., cordon-sodium/...,
cordon-mbedtls/... and cordon-native/... result is paired with openssl/<operation>. Times are CPU
time per operation. The ratio is cordon time / OpenSSL time, so below 1 means
cordon is faster. With --benchmark_repetitions the median repetition is used.
"""

import argparse
import json
import math
import statistics
import sys

CORDON_LIBRARIES = ["cordon", "cordon-sodium", "cordon-mbedtls", "cordon-native"]
OPENSSL = "openssl"
TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


class Result:
    def __init__(self, cpu_ns=None, bytes_per_second=None, error=None):
        self.cpu_ns = cpu_ns
        self.bytes_per_second = bytes_per_second
        self.error = error

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
    return Result(cpu_ns=cpu, bytes_per_second=statistics.median(rates) if rates else None)


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


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("json", nargs="?", default="-", help="Google Benchmark JSON output (default: stdin)")
    parser.add_argument("--winners", action="store_true",
                        help="per algorithm, whether cordon-sodium or cordon-mbedtls was faster")
    parser.add_argument("--record", action="store_true", help="the record layer's overhead over the raw AEAD")
    args = parser.parse_args()

    context, results, operations = load(args.json)
    if not operations:
        sys.exit("no cordon-bench results found in the input")
    if args.winners:
        print_winners(context, results, operations)
    elif args.record:
        print_record(context, results, operations)
    else:
        print_ratios(context, results, operations)


if __name__ == "__main__":
    main()
