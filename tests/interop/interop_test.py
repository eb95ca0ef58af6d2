#!/usr/bin/env python3
"""Loopback interop tests: the `cordon` CLI against real TLS 1.3 and TLS 1.2 peers.

    interop_test.py --cordon PATH/TO/cordon --certs tests/data/certs
        [--proxy PATH/TO/cordon-sni-proxy] [unittest args]

Peers: OpenSSL (s_server, s_client), GnuTLS (gnutls-serv, gnutls-cli), curl and
Python's ssl module; SniProxyTests puts cordon-sni-proxy between them, the Tls12*
classes speak TLS 1.2 with OpenSSL, GnuTLS and curl, and the Tls13* classes test TLS 1.3
resumption, mutual TLS, KeyUpdate, the key log of resumed connections and 0-RTT early data,
replays included (OpenSSL and GnuTLS; client certificates made with the openssl command).
Every peer runs on a free loopback port, every command has a timeout, and every process a
test starts is stopped when it ends. A missing peer binary is a failure, never a skip. Standard
library only.

One test class per ctest entry (see tests/CMakeLists.txt), so `ctest -L interop -j`
runs them in parallel; tests/interop/README.md says how to run one by hand.
"""

import argparse
import hmac
import http.server
import os
import re
import shutil
import socket
import socketserver
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from dataclasses import dataclass

CORDON = ""  # --cordon
PROXY = ""  # --proxy (cordon-sni-proxy, for SniProxyTests)
CERTS = ""  # --certs

# Seconds: any one client command; a server to say it is listening.
COMMAND_TIMEOUT = 30
START_TIMEOUT = 15

HTTP_REQUEST = "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n"
CORDON_REQUEST = r"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n"  # the CLI unescapes \r\n


# --- The matrix -----------------------------------------------------------------------


@dataclass(frozen=True)
class Suite:
    name: str  # IANA name: cordon --suite, OpenSSL -ciphersuites, cordon's output
    gnutls: str  # GnuTLS priority cipher name


@dataclass(frozen=True)
class Group:
    cordon: str  # as cordon prints it (and accepts with --group)
    openssl: str  # OpenSSL -groups name
    gnutls: str  # GnuTLS priority name (GROUP-...)
    gnutls_kx: str  # GnuTLS description: (ECDHE-...)
    curl: str  # curl --curves name (OpenSSL backend)
    openssl_temp_key: str  # s_client "Server Temp Key: ..."


@dataclass(frozen=True)
class Cert:
    name: str  # short name for subtests
    stem: str  # tests/data/certs/<stem>.pem (leaf + intermediate) and .key
    scheme: str  # the signature scheme cordon reports for it in TLS 1.3
    gnutls_sig: str  # GnuTLS description: (<sig>)
    subject: str

    @property
    def chain(self):
        return os.path.join(CERTS, self.stem + ".pem")

    @property
    def key(self):
        return os.path.join(CERTS, self.stem + ".key")


SUITES = [
    Suite("TLS_AES_128_GCM_SHA256", "AES-128-GCM"),
    Suite("TLS_AES_256_GCM_SHA384", "AES-256-GCM"),
    Suite("TLS_CHACHA20_POLY1305_SHA256", "CHACHA20-POLY1305"),
]
GROUPS = [
    Group("x25519", "X25519", "GROUP-X25519", "ECDHE-X25519", "X25519", "X25519"),
    Group("secp256r1", "P-256", "GROUP-SECP256R1", "ECDHE-SECP256R1", "P-256", "ECDH, prime256v1"),
    Group("secp384r1", "P-384", "GROUP-SECP384R1", "ECDHE-SECP384R1", "P-384", "ECDH, secp384r1"),
]
CERT_TYPES = [
    Cert("p256", "leaf-p256", "ecdsa_secp256r1_sha256", "ECDSA-SECP256R1-SHA256", "CN=cordon test leaf P-256"),
    Cert("p384", "leaf-p384", "ecdsa_secp384r1_sha384", "ECDSA-SECP384R1-SHA384", "CN=cordon test leaf P-384"),
    Cert("ed25519", "leaf-ed25519", "ed25519", "EdDSA-Ed25519", "CN=cordon test leaf Ed25519"),
    Cert("rsa2048", "leaf-rsa2048", "rsa_pss_rsae_sha256", "RSA-PSS-RSAE-SHA256", "CN=cordon test leaf RSA 2048"),
]
SUITE = {s.name: s for s in SUITES}
GROUP = {g.cordon: g for g in GROUPS}
CERT = {c.name: c for c in CERT_TYPES}
OTHER = Cert("other", "leaf-other", "ecdsa_secp256r1_sha256", "ECDSA-SECP256R1-SHA256", "CN=other.test")
EXPIRED = Cert("expired", "expired", "ecdsa_secp256r1_sha256", "ECDSA-SECP256R1-SHA256",
               "CN=cordon test expired leaf")
# An RSASSA-PSS key (id-RSASSA-PSS SPKI): TLS 1.3 signs with rsa_pss_pss_* only.
RSAPSS = Cert("rsapss", "leaf-rsapss", "rsa_pss_pss_sha256", "RSA-PSS-SHA256", "CN=cordon test leaf RSA-PSS")
# Signed by untrusted-ca.pem; the .pem holds the leaf only.
UNTRUSTED = Cert("untrusted", "untrusted-leaf", "ecdsa_secp256r1_sha256", "ECDSA-SECP256R1-SHA256",
                 "CN=cordon untrusted test leaf")

# A representative subset for the peers that do not get the full cross-product:
# every suite, every group and every certificate type at least once, and each
# suite with each group (a Latin square over suites x groups, certs cycled).
SUBSET = [
    (CERT_TYPES[i % 4], SUITES[i % 3], GROUPS[(i // 3 + i) % 3]) for i in range(9)
]


def cert_file(name):
    return os.path.join(CERTS, name)


# --- Processes ------------------------------------------------------------------------

SANITIZER_REPORT = re.compile(r"ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:")


def require(binary):
    """The peer's path; a missing peer fails the test (CI installs them all)."""
    path = shutil.which(binary)
    if path is None:
        raise AssertionError(f"{binary} not found on PATH: install the interop peers "
                             "(bash tools/install-deps.sh)")
    return path


def free_port():
    """A loopback port that was free a moment ago (the caller retries on EADDRINUSE)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Peer:
    """A background process; a thread collects its stdout and stderr (merged)."""

    def __init__(self, args, name, interactive=False):
        self.args = [str(a) for a in args]
        self.name = name
        self._lines = []
        self._cond = threading.Condition()
        self._eof = False
        self.proc = subprocess.Popen(self.args, stdin=subprocess.PIPE if interactive else subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for raw in iter(self.proc.stdout.readline, b""):
            with self._cond:
                self._lines.append(raw.decode("utf-8", "replace"))
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def output(self):
        with self._cond:
            return "".join(self._lines)

    def wait_for(self, pattern, timeout=START_TIMEOUT):
        """The first match of pattern (multiline) in the output, or None at EOF/timeout."""
        regex = re.compile(pattern, re.MULTILINE)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                m = regex.search("".join(self._lines))
                if m or self._eof:
                    return m
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)

    def send(self, text):
        """Writes to the process's stdin (interactive=True) in one write."""
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def close_stdin(self):
        self.proc.stdin.close()

    def wait_for_output(self, pattern, timeout=5):
        """Like wait_for, for text a peer prints a little after the client returned."""
        return self.wait_for(pattern, timeout)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._reader.join(5)
        self.proc.stdout.close()
        if self.proc.stdin and not self.proc.stdin.closed:
            try:
                self.proc.stdin.close()
            except BrokenPipeError:
                pass

    def describe(self):
        return f"--- {self.name}: {' '.join(self.args)}\n{self.output()}--- end of {self.name}"


class InteropCase(unittest.TestCase):
    """Starts peers on free loopback ports and stops them when the test ends."""

    maxDiff = None
    peers_needed = ()  # binaries every test of the class runs

    @classmethod
    def setUpClass(cls):
        if not CORDON or not os.access(CORDON, os.X_OK):
            raise AssertionError(f"--cordon {CORDON!r} is not an executable")
        for binary in cls.peers_needed:
            require(binary)

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cordon-interop-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def _start(self, args, name, ready, in_use=r"[Aa]ddress already in use", attempts=5, port_arg=None,
               interactive=False):
        """Starts a server; ready matches when it listens. port_arg(port) -> args picks the
        port ourselves (peers without port 0), retrying when someone else took it."""
        for _ in range(attempts):
            port = free_port() if port_arg else None
            full = list(args) + (port_arg(port) if port_arg else [])
            peer = Peer(full, name, interactive)
            self.addCleanup(self._stop_peer, peer)
            m = peer.wait_for(ready + "|" + in_use)
            if m and re.fullmatch(ready, m.group(0)):
                return peer, port, m
            peer.stop()
            if not (m or re.search(in_use, peer.output())):
                break
        self.fail(f"{name} did not start listening\n{peer.describe()}")

    def _stop_peer(self, peer):
        peer.stop()
        if peer.name in ("cordon server", "cordon-sni-proxy"):
            self.assertNoSanitizerReport(peer.output(), peer.describe())

    def expect(self, peer, pattern, *others, timeout=10):
        """Waits for pattern in peer's output; fails with every peer's output if it never comes."""
        if not peer.wait_for(pattern, timeout):
            self.fail(f"/{pattern}/ never appeared\n" + "\n".join(p.describe() for p in (peer,) + others))

    def wait_for_count(self, peer, pattern, count, timeout=10):
        """Waits until pattern (multiline) matches count times in peer's output."""
        deadline = time.monotonic() + timeout
        while len(re.findall(pattern, peer.output(), re.MULTILINE)) < count:
            if time.monotonic() > deadline:
                self.fail(f"expected {count} lines matching /{pattern}/\n{peer.describe()}")
            time.sleep(0.05)

    def assertNoSanitizerReport(self, text, context=""):
        m = SANITIZER_REPORT.search(text)
        if m:
            self.fail(f"sanitizer report ({m.group(0)}):\n{context or text}")

    # --- Servers ---

    def start_openssl_server(self, cert, *args, www=True, intermediate=True):
        """openssl s_server -tls1_3 on 127.0.0.1; returns (peer, port). s_server takes the
        leaf from -cert and the rest of the chain from -cert_chain."""
        require("openssl")
        cmd = ["openssl", "s_server", "-tls1_3", "-cert", cert.chain, "-key", cert.key]
        if intermediate:
            cmd += ["-cert_chain", cert_file("intermediate.pem")]
        if www:
            cmd.append("-www")
        cmd += list(args)
        peer, port, _ = self._start(cmd, "openssl s_server", r"^ACCEPT$",
                                    port_arg=lambda p: ["-accept", f"127.0.0.1:{p}"])
        return peer, port

    def start_gnutls_server(self, cert, priority, *args):
        """gnutls-serv --http (it listens on every address); returns (peer, port)."""
        require("gnutls-serv")
        cmd = ["gnutls-serv", "--http", "--priority", priority, "--x509certfile", cert.chain,
               "--x509keyfile", cert.key] + list(args)
        peer, port, _ = self._start(cmd, "gnutls-serv", r"listening on IPv4 \S+ port \d+\.\.\.done",
                                    in_use=r"[Aa]ddress already in use|bind\(\) failed",
                                    port_arg=lambda p: ["-p", str(p)])
        return peer, port

    def start_cordon_server(self, cert, *args, http=True):
        """cordon server --port 0; returns (peer, port) from its "listening on" line."""
        cmd = [CORDON, "server", "--cert", cert.chain, "--key", cert.key, "--port", "0"]
        if http:
            cmd.append("--http")
        cmd += list(args)
        peer, _, m = self._start(cmd, "cordon server", r"^listening on 127\.0\.0\.1:\d+$")
        return peer, int(m.group(0).rsplit(":", 1)[1])

    # --- Clients ---

    def run_command(self, args, input_text=None, timeout=COMMAND_TIMEOUT):
        args = [str(a) for a in args]
        try:
            return subprocess.run(args, input=input_text, capture_output=True, text=True, errors="replace",
                                  timeout=timeout)
        except subprocess.TimeoutExpired as e:
            self.fail(f"timed out after {timeout}s: {' '.join(args)}\nstdout: {e.stdout}\nstderr: {e.stderr}")

    def cordon_client(self, port, *args, servername=None, host="localhost", request=CORDON_REQUEST):
        """Runs `cordon client`; returns (completed process, CordonClientOutput)."""
        cmd = [CORDON, "client", f"{host}:{port}", "--cafile", cert_file("ca.pem"), "--timeout", "10"]
        if servername:
            cmd += ["--servername", servername]
        if request is not None:
            cmd += ["--request", request]
        cmd += list(args)
        r = self.run_command(cmd, input_text="")
        self.assertNoSanitizerReport(r.stderr, f"{' '.join(cmd)}\n{r.stderr}")
        return r, CordonClientOutput(r.stdout)

    def openssl_client(self, port, *args, servername="localhost", request=HTTP_REQUEST):
        """openssl s_client -tls1_3 verifying against ca.pem; -ign_eof reads until the server closes.
        s_client prints its own lines through stdio's buffer but writes the data it receives
        straight to the descriptor; TLS 1.3 tickets arrive after the handshake, so a session
        dump could be flushed around the data, splitting lines: stdbuf -oL keeps the order."""
        require("openssl")
        cmd = ["stdbuf", "-oL", "openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-tls1_3", "-CAfile",
               cert_file("ca.pem"), "-ign_eof"]
        if servername:
            cmd += ["-servername", servername, "-verify_hostname", servername, "-verify_return_error"]
        cmd += list(args)
        return self.run_command(cmd, input_text=request)

    def gnutls_client(self, port, *args, servername="localhost", request=HTTP_REQUEST):
        require("gnutls-cli")
        cmd = ["gnutls-cli", "--x509cafile", cert_file("ca.pem"), "-p", str(port), servername] + list(args)
        return self.run_command(cmd, input_text=request)

    def assertIn(self, member, container, msg=None):  # noqa: N802 - shows the whole output on failure
        if member not in container:
            self.fail(f"{member!r} not found in:\n{container}\n{msg or ''}")

    def assertRegex(self, text, expected_regex, msg=None):  # noqa: N802
        if not re.search(expected_regex, text, re.MULTILINE):
            self.fail(f"/{expected_regex}/ not found in:\n{text}\n{msg or ''}")


class CordonClientOutput:
    """`cordon client` output: "key: value" lines, the peer chain, then after "---" the data."""

    def __init__(self, stdout):
        head, sep, self.body = stdout.partition("\n---\n")
        if not sep:
            head, self.body = stdout, ""
        self.fields = {}
        self.subjects = []
        for line in head.splitlines():
            m = re.match(r"^\s+\d+ subject: (.*)$", line)
            if m:
                self.subjects.append(m.group(1))
            elif not line.startswith(" ") and ": " in line:
                k, v = line.split(": ", 1)
                self.fields[k] = v

    def get(self, key):
        return self.fields.get(key)


def cordon_fields(text):
    """The "key: value" lines cordon server's --http body (or the client's summary) carries."""
    fields = {}
    for line in text.splitlines():
        m = re.match(r"^(protocol|cipher suite|group|signature scheme|alpn|server name|hello retry request): (.*)$",
                     line)
        if m:
            fields[m.group(1)] = m.group(2).strip()
    return fields


# --- 1. cordon client -> OpenSSL and GnuTLS servers -----------------------------------


class OpenSslServerTests(InteropCase):
    """cordon client -> openssl s_server -www: every suite x group x certificate type.
    The suite is forced on the server (-ciphersuites), the group on cordon (--group)."""

    peers_needed = ("openssl",)

    def test_matrix(self):
        for cert in CERT_TYPES:
            for suite in SUITES:
                server, port = self.start_openssl_server(cert, "-ciphersuites", suite.name)
                for group in GROUPS:
                    with self.subTest(cert=cert.name, suite=suite.name, group=group.cordon):
                        r, out = self.cordon_client(port, "--group", group.cordon)
                        ctx = f"{r.stderr}\n{server.describe()}"
                        self.assertEqual(r.returncode, 0, f"cordon client failed:\n{r.stdout}\n{ctx}")
                        self.assertEqual(out.get("protocol"), "TLSv1.3", r.stdout)
                        self.assertEqual(out.get("cipher suite"), suite.name, r.stdout)
                        self.assertEqual(out.get("group"), group.cordon, r.stdout)
                        self.assertEqual(out.get("signature scheme"), cert.scheme, r.stdout)
                        self.assertEqual(out.get("hello retry request"), "no", r.stdout)
                        self.assertEqual(out.get("server name"), "localhost", r.stdout)
                        self.assertEqual(out.subjects[:2], [cert.subject, "CN=cordon test intermediate CA"],
                                         r.stdout)
                        # The -www page: OpenSSL's view of the same session.
                        self.assertRegex(out.body, r"^HTTP/1\.0 200 ok", r.stdout)
                        self.assertIn(f"New, TLSv1.3, Cipher is {suite.name}", out.body)
                server.stop()


class GnuTlsServerTests(InteropCase):
    """cordon client -> gnutls-serv --http, suite and group forced in GnuTLS's priority
    string (a group other than x25519 costs cordon a HelloRetryRequest)."""

    peers_needed = ("gnutls-serv",)

    def test_subset(self):
        for cert, suite, group in SUBSET:
            with self.subTest(cert=cert.name, suite=suite.name, group=group.cordon):
                priority = (f"NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+{suite.gnutls}"
                            f":-GROUP-ALL:+{group.gnutls}")
                server, port = self.start_gnutls_server(cert, priority)
                r, out = self.cordon_client(port)
                ctx = f"{r.stderr}\n{server.describe()}"
                self.assertEqual(r.returncode, 0, f"cordon client failed:\n{r.stdout}\n{ctx}")
                self.assertEqual(out.get("protocol"), "TLSv1.3", r.stdout)
                self.assertEqual(out.get("cipher suite"), suite.name, r.stdout)
                self.assertEqual(out.get("group"), group.cordon, r.stdout)
                self.assertEqual(out.get("signature scheme"), cert.scheme, r.stdout)
                if group.cordon == "x25519":
                    self.assertEqual(out.get("hello retry request"), "no", r.stdout)
                self.assertEqual(out.subjects[:1], [cert.subject], r.stdout)
                self.assertRegex(out.body, r"^HTTP/1\.0 200 OK", r.stdout)
                self.assertIn("<TD>TLS1.3</TD>", out.body)
                # GnuTLS's description of the session it served.
                self.assertIn(f"(TLS1.3-X.509)-({group.gnutls_kx})-({cert.gnutls_sig})-({suite.gnutls})",
                              out.body)
                server.stop()

    def test_hello_retry_request_to_p384(self):
        server, port = self.start_gnutls_server(
            CERT["p256"], "NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL:+GROUP-SECP384R1")
        r, out = self.cordon_client(port, "--group", "x25519,secp384r1")
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}\n{server.describe()}")
        self.assertEqual(out.get("group"), "secp384r1", r.stdout)
        self.assertEqual(out.get("hello retry request"), "yes", r.stdout)
        self.assertIn("ECDHE-SECP384R1", out.body)


# --- 2. HelloRetryRequest, ALPN, SNI --------------------------------------------------


class FeatureTests(InteropCase):
    """HelloRetryRequest, ALPN and SNI against OpenSSL, in both directions."""

    peers_needed = ("openssl",)

    def test_hello_retry_request_client(self):
        # cordon offers an x25519 share first; s_server accepts P-384 only.
        server, port = self.start_openssl_server(CERT["p384"], "-groups", "P-384")
        r, out = self.cordon_client(port)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}\n{server.describe()}")
        self.assertEqual(out.get("group"), "secp384r1", r.stdout)
        self.assertEqual(out.get("hello retry request"), "yes", r.stdout)
        self.assertEqual(out.get("signature scheme"), "ecdsa_secp384r1_sha384", r.stdout)
        self.assertRegex(out.body, r"^HTTP/1\.0 200 ok")

    def test_hello_retry_request_server(self):
        # s_client sends a key share for its first group only: x448, which cordon lacks,
        # so cordon asks for X25519 with a HelloRetryRequest.
        server, port = self.start_cordon_server(CERT["p256"])
        r = self.openssl_client(port, "-groups", "x448:X25519")
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        self.assertIn("Verification: OK", out)
        self.assertIn("Server Temp Key: X25519", out)
        fields = cordon_fields(r.stdout)
        self.assertEqual(fields.get("group"), "x25519", out)
        self.assertEqual(fields.get("hello retry request"), "yes", out)
        self.assertTrue(server.wait_for_output(r"handshake ok: .*\(after HelloRetryRequest\)"), server.describe())

    def test_no_retry_when_the_offered_share_is_acceptable(self):
        server, port = self.start_cordon_server(CERT["p256"])
        r = self.openssl_client(port, "-groups", "P-384:X25519")
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        fields = cordon_fields(r.stdout)
        self.assertEqual(fields.get("group"), "secp384r1", out)
        self.assertEqual(fields.get("hello retry request"), "no", out)

    def test_alpn_client(self):
        server, port = self.start_openssl_server(CERT["p256"], "-alpn", "h2,http/1.1")
        r, out = self.cordon_client(port, "--alpn", "http/1.1")
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}\n{server.describe()}")
        self.assertEqual(out.get("alpn"), "http/1.1", r.stdout)
        # Both offered: the server's preference (h2) wins.
        r, out = self.cordon_client(port, "--alpn", "http/1.1,h2")
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}\n{server.describe()}")
        self.assertEqual(out.get("alpn"), "h2", r.stdout)

    def test_alpn_server(self):
        server, port = self.start_cordon_server(CERT["p256"], "--alpn", "h2,http/1.1")
        r = self.openssl_client(port, "-alpn", "http/1.1")
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        self.assertIn("ALPN protocol: http/1.1", out)
        self.assertEqual(cordon_fields(r.stdout).get("alpn"), "http/1.1", out)
        # No ALPN offered: none negotiated, no failure.
        r = self.openssl_client(port)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("No ALPN negotiated", r.stdout)
        self.assertEqual(cordon_fields(r.stdout).get("alpn"), "none", r.stdout)

    def test_key_update_openssl_client(self):
        # s_client's "K" command sends KeyUpdate(update_requested): cordon must answer
        # with its own KeyUpdate, and data must flow both ways under the new keys.
        # ("k" updates s_client's sending key only.) One line per write: s_client
        # reads a command only when it arrives on its own.
        server, port = self.start_cordon_server(CERT["p256"], http=False)
        client = Peer(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-tls1_3", "-CAfile",
                       cert_file("ca.pem"), "-servername", "localhost", "-verify_return_error", "-msg"],
                      "openssl s_client", interactive=True)
        self.addCleanup(client.stop)
        self.expect(client, r"^Verify return code: 0 \(ok\)", server)
        client.send("first\n")
        self.expect(client, r"^first$", server)
        client.send("K\n")
        self.expect(client, r"<<< TLS 1\.3, Handshake \[length 0005\], KeyUpdate", server)
        client.send("second\n")
        self.expect(client, r"^second$", server)
        client.send("k\n")
        self.expect(client, r"(?s)KEYUPDATE.*KEYUPDATE", server)
        client.send("third\n")
        self.expect(client, r"^third$", server)
        client.close_stdin()  # s_client sends close_notify
        self.expect(server, r"client sent close_notify after 19 bytes", client)
        self.assertEqual(client.output().count("<<< TLS 1.3, Handshake [length 0005], KeyUpdate"), 1,
                         client.describe())

    def test_key_update_openssl_server(self):
        # s_server's "K" asks cordon's client to update too; data flows both ways after.
        require("openssl")
        server, port, _ = self._start(
            ["openssl", "s_server", "-tls1_3", "-cert", CERT["p384"].chain, "-key", CERT["p384"].key,
             "-cert_chain", cert_file("intermediate.pem"), "-msg"], "openssl s_server", r"^ACCEPT$",
            port_arg=lambda p: ["-accept", f"127.0.0.1:{p}"], interactive=True)
        client = Peer([CORDON, "client", f"localhost:{port}", "--cafile", cert_file("ca.pem"), "--timeout", "10"],
                      "cordon client", interactive=True)
        self.addCleanup(client.stop)
        self.expect(client, r"^---$", server)
        client.send("ping\n")
        self.expect(server, r"^ping$", client)
        server.send("K\n")
        self.expect(server, r"<<< TLS 1\.3, Handshake \[length 0005\], KeyUpdate", client)
        server.send("pong\n")
        self.expect(client, r"^pong$", server)
        client.send("after\n")
        self.expect(server, r"^after$", client)
        client.close_stdin()  # cordon sends close_notify and waits for the server's
        self.expect(server, r"(?i)<<< TLS 1\.3, Alert \[length 0002\], warning close_notify", client)
        server.stop()
        self.assertEqual(client.proc.wait(10), 0, client.describe())
        self.assertNoSanitizerReport(client.output(), client.describe())

    def test_rsa_pss_key_openssl_server(self):
        # s_server with the RSASSA-PSS leaf: cordon offers rsa_pss_rsae_* first, and the
        # key can only make rsa_pss_pss_*.
        server, port = self.start_openssl_server(RSAPSS)
        r, out = self.cordon_client(port)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}\n{server.describe()}")
        self.assertEqual(out.get("signature scheme"), "rsa_pss_pss_sha256", r.stdout)
        self.assertEqual(out.subjects[:2], [RSAPSS.subject, "CN=cordon test intermediate CA"], r.stdout)
        self.assertRegex(out.body, r"^HTTP/1\.0 200 ok")

    def test_rsa_pss_key_cordon_server(self):
        server, port = self.start_cordon_server(RSAPSS)
        r = self.openssl_client(port)
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        self.assertIn("Verification: OK", out)
        self.assertIn("Peer signature type: RSA-PSS", out)
        self.assertIn("Peer signing digest: SHA256", out)
        self.assertEqual(cordon_fields(r.stdout).get("signature scheme"), "rsa_pss_pss_sha256", out)
        self.assertTrue(server.wait_for_output(r"handshake ok: TLSv1\.3 \S+ \S+ rsa_pss_pss_sha256 "),
                        server.describe())
        # An s_client that allows only rsa_pss_rsae_*: handshake_failure from cordon.
        r = self.openssl_client(port, "-sigalgs", "rsa_pss_rsae_sha256:rsa_pss_rsae_sha384")
        self.assertNotEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertRegex(r.stdout + r.stderr, r"alert handshake failure.*SSL alert number 40")

    def test_sni_two_certificates(self):
        sni = f"other.test={OTHER.chain}:{OTHER.key}"
        server, port = self.start_cordon_server(CERT["p256"], "--sni", sni)
        r = self.openssl_client(port, "-servername", "other.test", "-verify_hostname", "other.test",
                                servername=None)
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        self.assertRegex(out, r"^subject=CN = other\.test$")
        self.assertIn("Verification: OK", out)
        self.assertEqual(cordon_fields(r.stdout).get("server name"), "other.test", out)

        r = self.openssl_client(port, "-servername", "localhost", servername=None)
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 0, out)
        self.assertRegex(out, r"^subject=CN = cordon test leaf P-256$")
        # No SNI at all: the default certificate too.
        r = self.openssl_client(port, "-noservername", servername=None)
        out = r.stdout + r.stderr
        self.assertRegex(out, r"^subject=CN = cordon test leaf P-256$")
        self.assertEqual(cordon_fields(r.stdout).get("server name"), "none", out)

        # And cordon's own client, reaching 127.0.0.1 by name.
        _, c = self.cordon_client(port, host="127.0.0.1", servername="other.test")
        self.assertEqual(c.subjects[:1], ["CN=other.test"], c.fields)
        _, c = self.cordon_client(port, host="127.0.0.1", servername="cordon.test")
        self.assertEqual(c.subjects[:1], ["CN=cordon test leaf P-256"], c.fields)


# --- 3. Real clients -> cordon server -------------------------------------------------


class OpenSslClientTests(InteropCase):
    """openssl s_client -tls1_3 -> cordon server --http: every suite x group x certificate
    type, suite and group forced on s_client (-ciphersuites, -groups)."""

    peers_needed = ("openssl",)

    def test_matrix(self):
        for cert in CERT_TYPES:
            server, port = self.start_cordon_server(cert)
            for suite in SUITES:
                for group in GROUPS:
                    with self.subTest(cert=cert.name, suite=suite.name, group=group.cordon):
                        r = self.openssl_client(port, "-ciphersuites", suite.name, "-groups", group.openssl)
                        out = r.stdout + r.stderr
                        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
                        self.assertIn(f"New, TLSv1.3, Cipher is {suite.name}", out)
                        self.assertIn(f"Server Temp Key: {group.openssl_temp_key}", out)
                        self.assertIn("Verification: OK", out)
                        self.assertIn("Verify return code: 0 (ok)", out)
                        self.assertRegex(out, rf"^subject=CN = {re.escape(cert.subject[3:])}$")
                        # The HTTP body: cordon's view of the same session.
                        self.assertRegex(r.stdout, r"^HTTP/1\.1 200 OK\r?$")
                        self.assertEqual(cordon_fields(r.stdout), {
                            "protocol": "TLSv1.3", "cipher suite": suite.name, "group": group.cordon,
                            "signature scheme": cert.scheme, "alpn": "none", "server name": "localhost",
                            "hello retry request": "no"}, out)
            server.stop()


class GnuTlsClientTests(InteropCase):
    """gnutls-cli -> cordon server --http, suite and group forced in the priority string."""

    peers_needed = ("gnutls-cli",)

    def test_subset(self):
        servers = {}
        for cert, suite, group in SUBSET:
            with self.subTest(cert=cert.name, suite=suite.name, group=group.cordon):
                if cert.name not in servers:
                    servers[cert.name] = self.start_cordon_server(cert)
                server, port = servers[cert.name]
                priority = (f"NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+{suite.gnutls}"
                            f":-GROUP-ALL:+{group.gnutls}")
                r = self.gnutls_client(port, "--priority", priority)
                out = r.stdout + r.stderr
                self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
                self.assertIn("- Status: The certificate is trusted.", out)
                self.assertIn(f"- Description: (TLS1.3-X.509)-({group.gnutls_kx})-({cert.gnutls_sig})-({suite.gnutls})",
                              out)
                self.assertIn("- Handshake was completed", out)
                self.assertRegex(r.stdout, r"^HTTP/1\.1 200 OK\r?$")
                self.assertEqual(cordon_fields(r.stdout), {
                    "protocol": "TLSv1.3", "cipher suite": suite.name, "group": group.cordon,
                    "signature scheme": cert.scheme, "alpn": "none", "server name": "localhost",
                    "hello retry request": "no"}, out)

    def test_alpn(self):
        server, port = self.start_cordon_server(CERT["p256"], "--alpn", "h2,http/1.1")
        r = self.gnutls_client(port, "--alpn", "http/1.1", "--alpn", "h2")
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        self.assertIn("- Application protocol: h2", out)
        self.assertEqual(cordon_fields(r.stdout).get("alpn"), "h2", out)


class CurlClientTests(InteropCase):
    """curl --cacert ca.pem https://localhost:PORT/ -> cordon server --http."""

    peers_needed = ("curl",)

    def curl(self, url, *args):
        return self.run_command(["curl", "-sS", "--tlsv1.3", "--cacert", cert_file("ca.pem"),
                                 "--max-time", "20", *args, url])

    def test_subset(self):
        servers = {}
        for cert, suite, group in SUBSET:
            with self.subTest(cert=cert.name, suite=suite.name, group=group.cordon):
                if cert.name not in servers:
                    servers[cert.name] = self.start_cordon_server(cert)
                server, port = servers[cert.name]
                r = self.curl(f"https://localhost:{port}/interop", "--tls13-ciphers", suite.name,
                              "--curves", group.curl)
                self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}\n{server.describe()}")
                self.assertTrue(r.stdout.startswith("cordon server\n"), r.stdout)
                self.assertIn("request: GET /interop HTTP/1.1", r.stdout)
                self.assertEqual(cordon_fields(r.stdout), {
                    "protocol": "TLSv1.3", "cipher suite": suite.name, "group": group.cordon,
                    "signature scheme": cert.scheme, "alpn": "none", "server name": "localhost",
                    "hello retry request": "no"}, r.stdout)

    def test_ip_address_and_alpn(self):
        # curl offers h2,http/1.1; a server that only speaks http/1.1 picks it. An IP
        # address is matched against the certificate's IP SAN (and sent without SNI).
        server, port = self.start_cordon_server(CERT["p256"], "--alpn", "http/1.1")
        r = self.curl(f"https://127.0.0.1:{port}/")
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}\n{server.describe()}")
        fields = cordon_fields(r.stdout)
        self.assertEqual(fields.get("alpn"), "http/1.1", r.stdout)
        self.assertEqual(fields.get("server name"), "none", r.stdout)

    def test_wrong_ca_is_refused(self):
        server, port = self.start_cordon_server(CERT["p256"])
        r = self.run_command(["curl", "-sS", "--tlsv1.3", "--cacert", cert_file("untrusted-ca.pem"),
                              "--max-time", "20", f"https://localhost:{port}/"])
        self.assertEqual(r.returncode, 60, f"{r.stdout}\n{r.stderr}")  # CURLE_PEER_FAILED_VERIFICATION
        self.assertIn("unable to get local issuer certificate", r.stderr)


class PythonClientTests(InteropCase):
    """Python's ssl module (OpenSSL underneath): TLS 1.3 only, ca.pem, check_hostname;
    an echo round trip with cordon server (no --http)."""

    def context(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        ctx.maximum_version = ssl.TLSVersion.TLSv1_3
        ctx.load_verify_locations(cert_file("ca.pem"))
        self.assertTrue(ctx.check_hostname)
        self.assertEqual(ctx.verify_mode, ssl.CERT_REQUIRED)
        return ctx

    def echo(self, port, payload, server_hostname="localhost", ctx=None):
        ctx = ctx or self.context()
        with socket.create_connection(("127.0.0.1", port), timeout=20) as raw:
            with ctx.wrap_socket(raw, server_hostname=server_hostname) as tls:
                info = (tls.version(), tls.cipher()[0], tls.getpeercert()["subject"])
                tls.sendall(payload)
                received = bytearray()
                while len(received) < len(payload):
                    chunk = tls.recv(65536)
                    if not chunk:
                        break
                    received += chunk
                tls.unwrap()  # close_notify both ways
        return info, bytes(received)

    def test_echo_each_certificate(self):
        payload = bytes(range(256)) * 512  # 128 KiB: several full records each way
        for cert in CERT_TYPES:
            with self.subTest(cert=cert.name):
                server, port = self.start_cordon_server(cert, http=False)
                (version, suite, subject), received = self.echo(port, payload)
                self.assertEqual(version, "TLSv1.3")
                self.assertIn(suite, SUITE)
                self.assertEqual(subject, ((("commonName", cert.subject[3:]),),))
                self.assertEqual(received, payload)
                self.assertTrue(server.wait_for_output(rf"client sent close_notify after {len(payload)} bytes"),
                                server.describe())
                self.assertRegex(server.output(), rf"handshake ok: TLSv1\.3 {suite} \S+ {cert.scheme} ")

    def test_each_suite(self):
        # Python cannot pick TLS 1.3 suites; cordon's server does (--suite).
        for suite in SUITES:
            with self.subTest(suite=suite.name):
                server, port = self.start_cordon_server(CERT["p256"], "--suite", suite.name, http=False)
                (version, negotiated, _), received = self.echo(port, b"ping " + suite.name.encode())
                self.assertEqual((version, negotiated), ("TLSv1.3", suite.name))
                self.assertEqual(received, b"ping " + suite.name.encode())

    def test_each_group(self):
        # OpenSSL sends an x25519 share first: P-256 and P-384 cost a HelloRetryRequest.
        for group in GROUPS:
            with self.subTest(group=group.cordon):
                server, port = self.start_cordon_server(CERT["p384"], "--group", group.cordon, http=False)
                (version, _, _), received = self.echo(port, b"hello")
                self.assertEqual(received, b"hello")
                self.assertTrue(server.wait_for_output(rf"handshake ok: TLSv1\.3 \S+ {group.cordon} "),
                                server.describe())

    def test_hostname_mismatch_is_refused(self):
        server, port = self.start_cordon_server(CERT["p256"], http=False)
        with self.assertRaises(ssl.SSLCertVerificationError) as caught:
            self.echo(port, b"x", server_hostname="wrong.test")
        self.assertIn("Hostname mismatch", str(caught.exception))


# --- 4. Failures: the right alert on the wire, a clear error from cordon ---------------


class OpenSslFailureTests(InteropCase):
    """Failed handshakes with OpenSSL: cordon's error and alert, and what OpenSSL saw."""

    peers_needed = ("openssl",)

    def client_fails(self, port, *args, servername=None):
        r, _ = self.cordon_client(port, *args, servername=servername)
        self.assertNotEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertRegex(r.stderr, r"^cordon: handshake failed: ", r.stdout)
        return r.stderr

    def test_expired_certificate(self):
        server, port = self.start_openssl_server(EXPIRED)
        err = self.client_fails(port)
        self.assertIn("certificate has expired (certificate_expired, alert sent: certificate_expired", err)
        self.assertTrue(server.wait_for_output(r"alert certificate expired.*SSL alert number 45"), server.describe())

    def test_wrong_host_name(self):
        server, port = self.start_openssl_server(CERT["p256"])
        err = self.client_fails(port, servername="wrong.test")
        self.assertIn("(certificate_name_mismatch, alert sent: bad_certificate", err)
        self.assertTrue(server.wait_for_output(r"alert bad certificate.*SSL alert number 42"), server.describe())

    def test_unknown_ca(self):
        server, port = self.start_openssl_server(UNTRUSTED, intermediate=False)
        err = self.client_fails(port)
        self.assertIn("(unknown_issuer, alert sent: unknown_ca", err)
        self.assertTrue(server.wait_for_output(r"tlsv1 alert unknown ca.*SSL alert number 48"), server.describe())

    def test_no_common_group(self):
        server, port = self.start_openssl_server(CERT["p256"], "-groups", "X25519")
        err = self.client_fails(port, "--group", "P-256")
        self.assertIn("(alert_received, alert sent: none / received: handshake_failure)", err)
        self.assertTrue(server.wait_for_output(r"no suitable key share"), server.describe())

    def test_no_common_suite(self):
        server, port = self.start_openssl_server(CERT["p256"], "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256")
        err = self.client_fails(port, "--suite", "TLS_AES_128_GCM_SHA256")
        self.assertIn("(alert_received, alert sent: none / received: handshake_failure)", err)
        self.assertTrue(server.wait_for_output(r"no shared cipher"), server.describe())

    def test_no_common_alpn_openssl_server(self):
        server, port = self.start_openssl_server(CERT["p256"], "-alpn", "http/1.1")
        err = self.client_fails(port, "--alpn", "h2")
        self.assertIn("(alert_received, alert sent: none / received: no_application_protocol)", err)
        self.assertTrue(server.wait_for_output(r"no application protocol"), server.describe())

    def test_no_common_alpn_cordon_server(self):
        server, port = self.start_cordon_server(CERT["p256"], "--alpn", "h2")
        r = self.openssl_client(port, "-alpn", "http/1.1")
        out = r.stdout + r.stderr
        self.assertRegex(out, r"tlsv1 alert no application protocol.*SSL alert number 120")
        self.assertTrue(server.wait_for_output(
            r"handshake failed: .*\(no_application_protocol, alert sent: no_application_protocol / received: none\)"),
            server.describe())

    def test_no_common_group_cordon_server(self):
        server, port = self.start_cordon_server(CERT["p256"], "--group", "P-256")
        r = self.openssl_client(port, "-groups", "X25519")
        self.assertRegex(r.stdout + r.stderr, r"alert handshake failure.*SSL alert number 40")
        self.assertTrue(server.wait_for_output(
            r"handshake failed: .*\(handshake_failure, alert sent: handshake_failure / received: none\)"),
            server.describe())

    def test_no_common_suite_cordon_server(self):
        server, port = self.start_cordon_server(CERT["p256"], "--suite", "TLS_AES_256_GCM_SHA384")
        r = self.openssl_client(port, "-ciphersuites", "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256")
        self.assertRegex(r.stdout + r.stderr, r"alert handshake failure.*SSL alert number 40")
        self.assertTrue(server.wait_for_output(
            r"handshake failed: .*\(handshake_failure, alert sent: handshake_failure / received: none\)"),
            server.describe())

    def test_client_rejects_cordon_certificate(self):
        # s_client refuses the untrusted chain and sends unknown_ca. It does so before it
        # has switched to its handshake keys, i.e. as a plaintext alert record, which a
        # TLS 1.3 server must still read as the client's reason (as OpenSSL and rustls do).
        server, port = self.start_cordon_server(UNTRUSTED)
        r = self.openssl_client(port)
        out = r.stdout + r.stderr
        self.assertNotEqual(r.returncode, 0, out)
        self.assertIn("Verify return code: 20 (unable to get local issuer certificate)", out)
        self.assertTrue(server.wait_for_output(
            r"handshake failed: .*\(alert_received, alert sent: none / received: unknown_ca\)"),
            server.describe())


class GnuTlsFailureTests(InteropCase):
    """Failed handshakes with GnuTLS: cordon's error and alert, and what GnuTLS saw."""

    peers_needed = ("gnutls-cli", "gnutls-serv")

    def test_untrusted_cordon_certificate(self):
        server, port = self.start_cordon_server(UNTRUSTED)
        r = self.gnutls_client(port)
        out = r.stdout + r.stderr
        self.assertNotEqual(r.returncode, 0, out)
        self.assertIn("The certificate is NOT trusted", out)
        self.assertIn("The certificate issuer is unknown", out)
        # GnuTLS reports a verification failure as bad_certificate.
        self.assertTrue(server.wait_for_output(
            r"handshake failed: .*\(alert_received, alert sent: none / received: bad_certificate\)"),
            server.describe())

    def test_no_common_alpn_cordon_server(self):
        server, port = self.start_cordon_server(CERT["p256"], "--alpn", "h2")
        r = self.gnutls_client(port, "--alpn", "http/1.1")
        out = r.stdout + r.stderr
        self.assertNotEqual(r.returncode, 0, out)
        self.assertIn("Received alert [120]", out)
        self.assertTrue(server.wait_for_output(r"alert sent: no_application_protocol"), server.describe())

    def test_expired_gnutls_certificate(self):
        # -d 5 makes gnutls-serv log the alerts it receives.
        server, port = self.start_gnutls_server(EXPIRED, "NORMAL:-VERS-ALL:+VERS-TLS1.3", "-d", "5")
        r, _ = self.cordon_client(port)
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("(certificate_expired, alert sent: certificate_expired", r.stderr)
        self.assertTrue(server.wait_for_output(r"Alert\[2\|45\] - Certificate is expired - was received"),
                        server.describe())

    def test_unknown_ca_gnutls_server(self):
        server, port = self.start_gnutls_server(UNTRUSTED, "NORMAL:-VERS-ALL:+VERS-TLS1.3", "-d", "5")
        r, _ = self.cordon_client(port)
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("(unknown_issuer, alert sent: unknown_ca", r.stderr)
        self.assertTrue(server.wait_for_output(r"Alert\[2\|48\] - CA is unknown - was received"),
                        server.describe())


# --- 5. Key log -----------------------------------------------------------------------


def read_key_log(path):
    """{(label, client_random): secret} from an NSS key log file."""
    entries = {}
    with open(path, encoding="ascii") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(" ")
            if len(parts) != 3 or not re.fullmatch(r"[0-9a-f]{64}", parts[1]) or \
                    not re.fullmatch(r"(?:[0-9a-f]{2})+", parts[2]):
                raise AssertionError(f"malformed key log line in {path}: {line!r}")
            entries[(parts[0], parts[1])] = parts[2]
    return entries


TLS13_LABELS = ["CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0"]


class KeyLogTests(InteropCase):
    """cordon's --keylog lines equal OpenSSL's -keylogfile lines for the same handshake."""

    peers_needed = ("openssl",)

    def compare(self, ours_path, theirs_path, secret_len):
        ours, theirs = read_key_log(ours_path), read_key_log(theirs_path)
        randoms = {r for (_, r) in ours}
        self.assertEqual(len(randoms), 1, f"one handshake expected in cordon's key log: {ours}")
        (random,) = randoms
        for label in TLS13_LABELS:
            self.assertIn((label, random), ours, f"cordon logged no {label}")
            self.assertIn((label, random), theirs, f"OpenSSL logged no {label} for client random {random}")
            self.assertEqual(len(ours[(label, random)]), 2 * secret_len, label)
            self.assertEqual(ours[(label, random)], theirs[(label, random)], label)
        # Anything else both logged (EXPORTER_SECRET, ...) agrees as well.
        for key in ours.keys() & theirs.keys():
            self.assertEqual(ours[key], theirs[key], key[0])

    def test_cordon_client(self):
        for suite, group, secret_len in [("TLS_AES_128_GCM_SHA256", "x25519", 32),
                                         ("TLS_AES_256_GCM_SHA384", "secp384r1", 48)]:
            with self.subTest(suite=suite):
                ours, theirs = os.path.join(self.tmp, f"cordon-{suite}.keys"), os.path.join(self.tmp, f"openssl-{suite}.keys")
                # -groups P-384 on the server: the secrets after a HelloRetryRequest too.
                server, port = self.start_openssl_server(CERT["p256"], "-keylogfile", theirs,
                                                         "-ciphersuites", suite, "-groups", GROUP[group].openssl)
                r, out = self.cordon_client(port, "--keylog", ours)
                self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}\n{server.describe()}")
                self.assertEqual(out.get("cipher suite"), suite)
                server.stop()  # flushes its key log
                self.compare(ours, theirs, secret_len)

    def test_cordon_server(self):
        ours, theirs = os.path.join(self.tmp, "cordon.keys"), os.path.join(self.tmp, "openssl.keys")
        server, port = self.start_cordon_server(CERT["ed25519"], "--keylog", ours)
        r = self.openssl_client(port, "-keylogfile", theirs, "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256")
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}\n{server.describe()}")
        server.stop()
        self.compare(ours, theirs, 32)


# --- 6. cordon-sni-proxy --------------------------------------------------------------


class _Backend(socketserver.ThreadingTCPServer):
    """A backend on a free loopback port, one thread per connection."""
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    context = None  # _TlsEchoHandler: the server's ssl.SSLContext


class _EchoHandler(socketserver.BaseRequestHandler):
    """Plain TCP echo until the client half-closes."""

    def handle(self):
        try:
            while True:
                data = self.request.recv(65536)
                if not data:
                    return
                self.request.sendall(data)
        except OSError:
            pass  # reset: the client's side of the test reports what went wrong


class _TlsEchoHandler(socketserver.BaseRequestHandler):
    """TLS echo until close_notify, which it answers with its own."""

    def handle(self):
        try:
            with self.server.context.wrap_socket(self.request, server_side=True) as tls:
                while True:
                    data = tls.recv(65536)
                    if not data:
                        break
                    tls.sendall(data)
                tls.unwrap()
        except (ssl.SSLError, OSError):
            pass  # the client's side of the test reports what went wrong


class _FirehoseHandler(socketserver.BaseRequestHandler):
    """Reads once (a ClientHello, a request), then sends server.total bytes, counting
    in server.progress what the socket took."""

    def handle(self):
        chunk = bytes(range(256)) * 1024
        sent = 0
        try:
            self.request.recv(65536)
            while sent < self.server.total:
                self.request.sendall(chunk)
                sent += len(chunk)
                self.server.progress = sent
        except OSError:
            pass


class _SlowSinkHandler(socketserver.BaseRequestHandler):
    """Reads nothing for server.delay seconds, then counts the bytes until EOF into
    server.received."""

    def handle(self):
        time.sleep(self.server.delay)
        total = 0
        try:
            while True:
                data = self.request.recv(1 << 20)
                if not data:
                    break
                total += len(data)
        except OSError:
            total = -1  # reset: the test reports it
        self.server.received = total


class _HttpBackend(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


class _HttpHandler(http.server.BaseHTTPRequestHandler):
    """Answers every GET with what it received (HTTP/1.0: it closes after the answer)."""

    def do_GET(self):  # noqa: N802 - http.server's naming
        body = f"backend saw {self.command} {self.path} host={self.headers.get('Host')}\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def terminate_target(cert, port):
    return f"terminate:{cert.chain}:{cert.key}:127.0.0.1:{port}"


def tls13_client_context(cafile="ca.pem"):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_verify_locations(cert_file(cafile))
    return ctx


def tls_echo(port, server_hostname, payload, barrier=None, cafile="ca.pem"):
    """A TLS client through the proxy: handshake (then waits at barrier), echoes payload,
    close_notify both ways. Returns (the peer leaf's CN, the bytes echoed). Sends 64 KiB at
    a time with at most 256 KiB in flight, so no buffer on the way fills while we only send."""
    ctx = tls13_client_context(cafile)
    with socket.create_connection(("127.0.0.1", port), timeout=20) as raw:
        with ctx.wrap_socket(raw, server_hostname=server_hostname) as tls:
            subject = dict(item[0] for item in tls.getpeercert()["subject"])["commonName"]
            if barrier is not None:
                barrier.wait(20)
            sent, received = 0, bytearray()
            while len(received) < len(payload):
                if sent < len(payload) and sent - len(received) < 256 * 1024:
                    chunk = payload[sent:sent + 65536]
                    tls.sendall(chunk)
                    sent += len(chunk)
                    continue
                data = tls.recv(65536)
                if not data:
                    break
                received += data
            tls.unwrap()
    return subject, bytes(received)


def client_hello(server_hostname):
    """A real ClientHello (OpenSSL's, from Python's ssl) for server_hostname (None: no SNI)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    outgoing = ssl.MemoryBIO()
    tls = ctx.wrap_bio(ssl.MemoryBIO(), outgoing, server_hostname=server_hostname)
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def send_and_read_all(port, data):
    """Sends data, then returns everything that comes back until the peer closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        if data:
            s.sendall(data)
        received = b""
        try:
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                received += chunk
        except ConnectionResetError:
            pass
        return received


class SniProxyTests(InteropCase):
    """cordon-sni-proxy between real clients (cordon client, curl, Python ssl) and
    backends (cordon server, Python TCP/TLS/HTTP servers): passthrough, terminate,
    unknown names, wildcard and default routes, and 20 clients at once."""

    peers_needed = ("curl",)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not PROXY or not os.access(PROXY, os.X_OK):
            raise AssertionError(f"--proxy {PROXY!r} is not an executable")

    def start_proxy(self, *args):
        """cordon-sni-proxy --listen 127.0.0.1:0 ARGS; returns (peer, port)."""
        peer, _, m = self._start([PROXY, "--listen", "127.0.0.1:0", *args], "cordon-sni-proxy",
                                 r"^listening on 127\.0\.0\.1:\d+$")
        return peer, int(m.group(0).rsplit(":", 1)[1])

    def serve(self, server):
        """Runs a Python backend until the test ends; returns its port."""
        thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        self.addCleanup(thread.join, 5)
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        return server.server_address[1]

    def echo_backend(self):
        return self.serve(_Backend(("127.0.0.1", 0), _EchoHandler))

    def tls_echo_backend(self, cert):
        server = _Backend(("127.0.0.1", 0), _TlsEchoHandler)
        server.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server.context.load_cert_chain(cert.chain, cert.key)
        return self.serve(server)

    def test_passthrough(self):
        # The proxy holds no certificate for other.test: the chain and the HTTP answer
        # can only come from the backend, through bytes the proxy did not touch.
        backend, backend_port = self.start_cordon_server(OTHER)
        proxy, port = self.start_proxy("--route", f"other.test=passthrough:127.0.0.1:{backend_port}")
        r, out = self.cordon_client(port, host="127.0.0.1", servername="other.test")
        ctx = f"{r.stdout}\n{r.stderr}\n{proxy.describe()}\n{backend.describe()}"
        self.assertEqual(r.returncode, 0, ctx)
        self.assertEqual(out.subjects[:2], [OTHER.subject, "CN=cordon test intermediate CA"], ctx)
        self.assertRegex(out.body, r"^HTTP/1\.1 200 OK\r?$", ctx)
        self.assertEqual(cordon_fields(out.body).get("server name"), "other.test", ctx)
        self.expect(backend, r"handshake ok: TLSv1\.3 .* sni=other\.test", proxy)
        self.expect(proxy, r"^#1 127\.0\.0\.1:\d+ sni=other\.test route=other\.test passthrough -> "
                           rf"127\.0\.0\.1:{backend_port}: done \(\d+ bytes up, \d+ down\)$", backend)

    def test_passthrough_byte_for_byte(self):
        # A plain TCP echo behind a passthrough route returns exactly what the client sent:
        # the ClientHello the proxy buffered while it arrived in pieces, what followed it,
        # and then the client's half-close as the backend's.
        echo_port = self.echo_backend()
        proxy, port = self.start_proxy("--route", f"other.test=passthrough:127.0.0.1:{echo_port}")
        hello = client_hello("other.test")
        sent = hello + b"and the bytes after it"
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            for piece in (hello[:3], hello[3:60], sent[60:]):
                s.sendall(piece)
                time.sleep(0.05)
            s.shutdown(socket.SHUT_WR)
            received = b""
            while True:
                data = s.recv(65536)
                if not data:
                    break
                received += data
        self.assertEqual(received, sent, proxy.describe())
        self.expect(proxy, rf"sni=other\.test route=other\.test passthrough -> .*: done "
                           rf"\({len(sent)} bytes up, {len(sent)} down\)$")

    def test_terminate_curl_to_http_backend(self):
        http_port = self.serve(_HttpBackend(("127.0.0.1", 0), _HttpHandler))
        proxy, port = self.start_proxy("--route", f"localhost={terminate_target(CERT['p256'], http_port)}")
        r = self.run_command(["curl", "-sS", "--tlsv1.3", "--cacert", cert_file("ca.pem"), "--max-time", "20",
                              "--resolve", f"localhost:{port}:127.0.0.1", f"https://localhost:{port}/via/proxy"])
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}\n{proxy.describe()}")
        self.assertEqual(r.stdout, f"backend saw GET /via/proxy host=localhost:{port}\n", proxy.describe())
        self.expect(proxy, r"^#1 127\.0\.0\.1:\d+ sni=localhost route=localhost terminate -> "
                           rf"127\.0\.0\.1:{http_port}: done \[TLSv1\.3 \S+ \S+ ecdsa_secp256r1_sha256 ")

    def test_terminate_echo_1mib(self):
        echo_port = self.echo_backend()
        proxy, port = self.start_proxy("--route", f"localhost={terminate_target(CERT['p256'], echo_port)}")
        payload = os.urandom(1 << 20)
        subject, received = tls_echo(port, "localhost", payload)
        self.assertEqual(subject, "cordon test leaf P-256")
        self.assertTrue(received == payload, f"{len(received)} bytes back of {len(payload)}, or different bytes\n"
                                             f"{proxy.describe()}")
        # The backend's EOF became close_notify (unwrap() returned), the client's close_notify an EOF.
        self.expect(proxy, rf": done \[TLSv1\.3 .*\] \({len(payload)} bytes up, {len(payload)} down\)$")

    def test_unknown_name_without_default_is_closed(self):
        proxy, port = self.start_proxy("--route", "other.test=passthrough:127.0.0.1:9", "--timeout", "1")
        # Not a single byte of TLS comes back: the connection is just closed.
        self.assertEqual(send_and_read_all(port, client_hello("unknown.test")), b"", proxy.describe())
        self.expect(proxy, r"^#1 127\.0\.0\.1:\d+ sni=unknown\.test: no route for this name, closed$")
        self.assertEqual(send_and_read_all(port, client_hello(None)), b"", proxy.describe())
        self.expect(proxy, r"^#2 127\.0\.0\.1:\d+ sni=\(none\): no route for this name, closed$")
        self.assertEqual(send_and_read_all(port, b"GET / HTTP/1.0\r\n\r\n"), b"", proxy.describe())
        self.expect(proxy, r"^#3 127\.0\.0\.1:\d+: not a TLS ClientHello: ")
        # Silence: closed after --timeout.
        self.assertEqual(send_and_read_all(port, b""), b"", proxy.describe())
        self.expect(proxy, r"^#4 127\.0\.0\.1:\d+: timed out waiting for the ClientHello$")
        # A known name whose backend refuses: closed too, and the proxy carries on.
        self.assertEqual(send_and_read_all(port, client_hello("other.test")), b"", proxy.describe())
        self.expect(proxy, r"^#5 .* sni=other\.test route=other\.test passthrough -> 127\.0\.0\.1:9: "
                           r"cannot connect to the backend: Connection refused")

    def test_wildcard_and_default_routes(self):
        echo_port = self.echo_backend()
        proxy, port = self.start_proxy("--route", f"*.test={terminate_target(CERT['p256'], echo_port)}",
                                       "--route", "other.test=passthrough:127.0.0.1:9",
                                       "--default", terminate_target(CERT["p384"], echo_port))
        self.assertEqual(tls_echo(port, "cordon.test", b"wildcard"), ("cordon test leaf P-256", b"wildcard"))
        self.expect(proxy, r"sni=cordon\.test route=\*\.test terminate -> .*: done ")
        self.assertEqual(tls_echo(port, "localhost", b"default"), ("cordon test leaf P-384", b"default"))
        self.expect(proxy, r"sni=localhost route=default terminate -> .*: done ")

    def test_terminate_handshake_failure(self):
        # The client does not trust the proxy's certificate: its alert ends the handshake,
        # and the backend (a closed port) is never tried.
        proxy, port = self.start_proxy("--route", f"localhost={terminate_target(CERT['p256'], 9)}")
        with self.assertRaises(ssl.SSLCertVerificationError):
            tls_echo(port, "localhost", b"x", cafile="untrusted-ca.pem")
        self.expect(proxy, r"sni=localhost route=localhost terminate -> 127\.0\.0\.1:9: handshake failed: "
                           r".*alert sent: none / received: (unknown_ca|bad_certificate)\)")
        self.assertNotIn("cannot connect", proxy.output())

    def proxied_client(self, mode, backend_port):
        """A proxy routing localhost to backend_port in mode, and a client connected
        through it: a raw socket that sent a ClientHello (passthrough: the plain TCP
        backend sees it as bytes), or a TLS socket (terminate). Returns the client socket."""
        target = (f"passthrough:127.0.0.1:{backend_port}" if mode == "passthrough"
                  else terminate_target(CERT["p256"], backend_port))
        proxy, port = self.start_proxy("--route", f"localhost={target}")
        raw = socket.create_connection(("127.0.0.1", port), timeout=20)
        self.addCleanup(raw.close)
        if mode == "passthrough":
            raw.sendall(client_hello("localhost"))
            return proxy, raw
        conn = tls13_client_context().wrap_socket(raw, server_hostname="localhost")
        self.addCleanup(conn.close)
        return proxy, conn

    def test_backpressure_backend_to_client(self):
        # The backend sends 48 MiB to a client that reads nothing for half a second: the
        # proxy stops reading the backend while its queue for the client is full, so the
        # backend stalls once the socket buffers on the way are full (~8 MiB on loopback);
        # then every byte arrives.
        total = 48 << 20
        for mode in ("passthrough", "terminate"):
            with self.subTest(mode=mode):
                server = _Backend(("127.0.0.1", 0), _FirehoseHandler)
                server.total, server.progress = total, 0
                proxy, conn = self.proxied_client(mode, self.serve(server))
                if mode == "terminate":
                    conn.sendall(b"go")
                time.sleep(0.5)
                stalled_at = server.progress
                received = 0
                while received < total:
                    data = conn.recv(1 << 20)
                    if not data:
                        break
                    received += len(data)
                self.assertEqual(received, total, proxy.describe())
                self.assertLess(stalled_at, total // 2, f"the proxy kept reading the backend\n{proxy.describe()}")

    def test_backpressure_client_to_backend(self):
        # The mirror image: a backend that reads nothing for half a second, and a client
        # sending 48 MiB. The client stalls, then everything arrives and EOF follows it.
        total = 48 << 20
        for mode in ("passthrough", "terminate"):
            with self.subTest(mode=mode):
                server = _Backend(("127.0.0.1", 0), _SlowSinkHandler)
                server.delay, server.received = 0.5, None
                proxy, conn = self.proxied_client(mode, self.serve(server))
                progress = [0]

                def send_all():
                    chunk = bytes(256 * 1024)
                    while progress[0] < total:
                        conn.sendall(chunk)
                        progress[0] += len(chunk)

                sender = threading.Thread(target=send_all, daemon=True)
                sender.start()
                time.sleep(0.45)
                stalled_at = progress[0]
                sender.join(30)
                self.assertFalse(sender.is_alive(), proxy.describe())
                if mode == "passthrough":
                    conn.shutdown(socket.SHUT_WR)
                    extra = len(client_hello("localhost"))  # the sink saw our ClientHello too
                else:
                    conn.unwrap()  # returns once the proxy answers with close_notify
                    extra = 0
                deadline = time.monotonic() + 10
                while server.received is None and time.monotonic() < deadline:
                    time.sleep(0.02)
                self.assertEqual(server.received, total + extra, proxy.describe())
                self.assertLess(stalled_at, total // 2, f"the proxy kept reading the client\n{proxy.describe()}")

    def test_twenty_concurrent_clients(self):
        # Terminate (TCP echo backend) and passthrough (TLS echo backend) interleaved; every
        # client finishes its handshake before any sends data, so all 20 are open at once.
        echo_port = self.echo_backend()
        tls_port = self.tls_echo_backend(OTHER)
        proxy, port = self.start_proxy("--route", f"localhost={terminate_target(CERT['p256'], echo_port)}",
                                       "--route", f"other.test=passthrough:127.0.0.1:{tls_port}")
        count = 20
        barrier = threading.Barrier(count)
        results = [None] * count

        def client(i):
            name = "localhost" if i % 2 == 0 else "other.test"
            payload = os.urandom(48 * 1024 + i)
            try:
                subject, received = tls_echo(port, name, payload, barrier)
                results[i] = (name, subject, received == payload)
            except Exception as e:  # noqa: BLE001 - reported below with the proxy's log
                barrier.abort()
                results[i] = (name, repr(e), False)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(count)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        for i, result in enumerate(results):
            name = "localhost" if i % 2 == 0 else "other.test"
            subject = "cordon test leaf P-256" if i % 2 == 0 else "other.test"
            self.assertEqual(result, (name, subject, True), f"client {i}\n{proxy.describe()}")
        self.wait_for_count(proxy, r"sni=localhost route=localhost terminate -> .*: done ", count // 2)
        self.wait_for_count(proxy, r"sni=other\.test route=other\.test passthrough -> .*: done ", count // 2)


# --- 7. TLS 1.2 -----------------------------------------------------------------------
#
# The same peers, speaking TLS 1.2 (ECDHE + AEAD only): OpenSSL with -tls1_2, GnuTLS with
# "-VERS-ALL:+VERS-TLS1.2", curl with --tlsv1.2 --tls-max 1.2. One ctest entry per class
# (interop_tls12_*). s_client/s_server -msg print every handshake message in hex: the
# tests read the hellos' randoms and extensions, and the alerts, from it.


@dataclass(frozen=True)
class Tls12Suite:
    name: str  # IANA name: cordon --suite and cordon's output
    openssl: str  # OpenSSL -cipher name (curl --ciphers too)
    gnutls: str  # GnuTLS priority cipher name
    key: str  # the certificate key the suite authenticates with: "ECDSA" (Ed25519 too) or "RSA"


TLS12_SUITES = [
    Tls12Suite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256", "AES-128-GCM", "ECDSA"),
    Tls12Suite("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384", "AES-256-GCM", "ECDSA"),
    Tls12Suite("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305", "CHACHA20-POLY1305",
               "ECDSA"),
    Tls12Suite("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "AES-128-GCM", "RSA"),
    Tls12Suite("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384", "AES-256-GCM", "RSA"),
    Tls12Suite("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305", "CHACHA20-POLY1305",
               "RSA"),
]
TLS12_SUITE = {s.name: s for s in TLS12_SUITES}
# The certificates each kind of suite runs with: OpenSSL and GnuTLS sign with Ed25519 under
# the ECDHE_ECDSA suites in TLS 1.2 too (RFC 8422), and with an RSASSA-PSS key under ECDHE_RSA.
TLS12_CERTS = {"ECDSA": [CERT["p256"], CERT["p384"], CERT["ed25519"]], "RSA": [CERT["rsa2048"], RSAPSS]}
TLS12_ALL_CERTS = TLS12_CERTS["ECDSA"] + TLS12_CERTS["RSA"]
# RFC 8422 5.1/5.3: in TLS 1.2 the client's supported_groups also bounds the curve of an
# ECDSA certificate, and OpenSSL enforces it on both sides (as client: "wrong curve" and
# illegal_parameter; as server: no ECDSA suite, "no shared cipher"). So a client that must
# use group G for ECDHE offers G and the certificate's curve (G first), and the server
# allows only G: the tests force the group on the server side.
CERT_CURVE = {"p256": GROUP["secp256r1"], "p384": GROUP["secp384r1"]}


def groups_for(group, cert):
    """The groups a client offers to get group for ECDHE with cert: [group] plus the curve
    of an ECDSA certificate when it differs."""
    curve = CERT_CURVE.get(cert.name)
    return [group] if curve in (None, group) else [group, curve]


# TLS 1.2's ECDSA schemes name the hash only, and the server picks, in the client's order.
# s_server takes the first of cordon's signature_algorithms its key can make
# (ecdsa_secp256r1_sha256 for the P-384 key too); cordon's server matches the hash to the
# curve, and takes rsa_pkcs1_sha256 for GnuTLS, which lists it before RSA-PSS.
TLS12_SCHEME_BY_OPENSSL = {"p256": "ecdsa_secp256r1_sha256", "p384": "ecdsa_secp256r1_sha256", "ed25519": "ed25519",
                           "rsa2048": "rsa_pss_rsae_sha256", "rsapss": "rsa_pss_pss_sha256"}
TLS12_SCHEME_BY_CORDON = {"p256": "ecdsa_secp256r1_sha256", "p384": "ecdsa_secp384r1_sha384", "ed25519": "ed25519",
                          "rsa2048": "rsa_pss_rsae_sha256", "rsapss": "rsa_pss_pss_sha256"}
TLS12_SCHEME_BY_CORDON_FOR_GNUTLS = dict(TLS12_SCHEME_BY_CORDON, rsa2048="rsa_pkcs1_sha256")
# GnuTLS's TLS 1.2 session description names the signature algorithm so.
GNUTLS12_SIG = {"ecdsa_secp256r1_sha256": "ECDSA-SHA256", "ecdsa_secp384r1_sha384": "ECDSA-SHA384",
                "ed25519": "EdDSA-Ed25519", "rsa_pss_rsae_sha256": "RSA-PSS-RSAE-SHA256",
                "rsa_pss_pss_sha256": "RSA-PSS-SHA256", "rsa_pkcs1_sha256": "RSA-SHA256"}
# Every suite with every group, the suite's certificates cycled: 18 handshakes.
TLS12_SUBSET = [(TLS12_CERTS[s.key][(i + j) % len(TLS12_CERTS[s.key])], s, g)
                for i, s in enumerate(TLS12_SUITES) for j, g in enumerate(GROUPS)]

TLS12_PRIORITY = "NORMAL:-VERS-ALL:+VERS-TLS1.2"
DOWNGRADE_SENTINEL_TLS12 = b"DOWNGRD\x01"  # RFC 8446 4.1.3: the last 8 bytes of ServerHello.random
EXT_EXTENDED_MASTER_SECRET = 0x0017
EXT_SUPPORTED_VERSIONS = 0x002B
EXT_RENEGOTIATION_INFO = 0xFF01

# An OpenSSL configuration that turns the extended master secret off: this OpenSSL's
# s_client and s_server have no -no_ems, but honour Options = -ExtendedMasterSecret
# (SSL_OP_NO_EXTENDED_MASTER_SECRET) from the system_default section.
NO_EMS_OPENSSL_CONF = """\
openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_module
[ssl_module]
system_default = tls_defaults
[tls_defaults]
Options = -ExtendedMasterSecret
"""


def msg_handshakes(text):
    """[(direction, name, message bytes)] from s_client/s_server -msg output: ">>>" sent,
    "<<<" received, each handshake message whole (header included)."""
    messages = []
    current = None
    for line in text.splitlines():
        m = re.match(r"^(<<<|>>>) TLS 1\.\d, Handshake \[length [0-9a-f]+\], (\w+)$", line)
        if m:
            current = bytearray()
            messages.append((m.group(1), m.group(2), current))
        elif current is not None and re.fullmatch(r"    [0-9a-f]{2}( [0-9a-f]{2})*( )?", line):
            current.extend(bytes.fromhex(line))
        else:
            current = None
    return [(d, n, bytes(b)) for d, n, b in messages]


def the_message(text, direction, name):
    """The one handshake message called name sent (">>>") or received ("<<<"); fails unless exactly one."""
    found = [b for d, n, b in msg_handshakes(text) if d == direction and n == name]
    if len(found) != 1:
        raise AssertionError(f"{len(found)} {direction} {name} messages in:\n{text}")
    return found[0]


def hello_random(message):
    return message[6:38]  # type, 3-byte length, legacy_version, then the random


def hello_extensions(message):
    """{extension type: (offset of its body in message, body)} of a ClientHello or ServerHello."""
    i = 38
    i += 1 + message[i]  # legacy_session_id
    if message[0] == 1:  # ClientHello: cipher_suites, compression_methods
        i += 2 + int.from_bytes(message[i:i + 2], "big")
        i += 1 + message[i]
    else:  # ServerHello: cipher_suite, compression_method
        i += 3
    extensions = {}
    if i == len(message):
        return extensions
    end = i + 2 + int.from_bytes(message[i:i + 2], "big")
    i += 2
    while i < end:
        kind, length = int.from_bytes(message[i:i + 2], "big"), int.from_bytes(message[i + 2:i + 4], "big")
        extensions[kind] = (i + 4, message[i + 4:i + 4 + length])
        i += 4 + length
    return extensions


def recv_exactly(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError(f"EOF after {len(data)} of {n} bytes")
        data += chunk
    return data


class _DowngradeRelay:
    """A man in the middle for one connection: it rewrites TLS 1.3 (0x0304) in the
    ClientHello's supported_versions to a GREASE value (0x0a0a), so that a server speaking
    both versions answers with TLS 1.2 (and its downgrade sentinel), then relays both ways
    untouched. Same length: no other length changes."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.rewritten = None  # how many versions it replaced
        self.error = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _pipe(self, src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _run(self):
        try:
            self.listener.settimeout(20)
            client, _ = self.listener.accept()
            client.settimeout(20)
            header = recv_exactly(client, 5)
            if header[0] != 22:
                raise AssertionError(f"not a handshake record: {header.hex()}")
            record = bytearray(recv_exactly(client, int.from_bytes(header[3:5], "big")))
            if record[0] != 1 or int.from_bytes(record[1:4], "big") + 4 != len(record):
                raise AssertionError("the ClientHello does not fill its record")
            offset, body = hello_extensions(bytes(record))[EXT_SUPPORTED_VERSIONS]
            self.rewritten = 0
            for k in range(1, len(body), 2):
                if body[k:k + 2] == b"\x03\x04":
                    record[offset + k:offset + k + 2] = b"\x0a\x0a"
                    self.rewritten += 1
            server = socket.create_connection(("127.0.0.1", self.target_port), timeout=20)
            server.sendall(header + bytes(record))
            up = threading.Thread(target=self._pipe, args=(client, server), daemon=True)
            up.start()
            self._pipe(server, client)
            up.join(20)
            client.close()
            server.close()
        except Exception as e:  # noqa: BLE001 - the test reports it
            self.error = e
        finally:
            self.listener.close()


class Tls12Case(InteropCase):
    """InteropCase with TLS 1.2 peers: s_server/s_client -tls1_2, optionally under an
    OpenSSL configuration file (conf=...) for what their options cannot say."""

    def start_openssl12_server(self, cert, *args, version="-tls1_2", www=True, conf=None, interactive=False):
        """openssl s_server on 127.0.0.1 (version=None: every version it has); returns (peer, port)."""
        require("openssl")
        cmd = (["env", f"OPENSSL_CONF={conf}"] if conf else []) + ["openssl", "s_server"]
        if version:
            cmd.append(version)
        cmd += ["-cert", cert.chain, "-key", cert.key, "-cert_chain", cert_file("intermediate.pem")]
        if www:
            cmd.append("-www")
        cmd += list(args)
        peer, port, _ = self._start(cmd, "openssl s_server", r"^ACCEPT$",
                                    port_arg=lambda p: ["-accept", f"127.0.0.1:{p}"], interactive=interactive)
        return peer, port

    def openssl12_client(self, port, *args, version="-tls1_2", conf=None, servername="localhost",
                         request=HTTP_REQUEST):
        """openssl s_client (version=None: every version it has) verifying against ca.pem;
        -ign_eof reads until the server closes. Returns (process, stdout + stderr)."""
        require("openssl")
        cmd = (["env", f"OPENSSL_CONF={conf}"] if conf else []) + [
            "openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-CAfile", cert_file("ca.pem"), "-ign_eof"]
        if version:
            cmd.append(version)
        if servername:
            cmd += ["-servername", servername, "-verify_hostname", servername, "-verify_return_error"]
        cmd += list(args)
        r = self.run_command(cmd, input_text=request)
        return r, f"$ {' '.join(cmd)}\n{r.stdout}{r.stderr}"

    def no_ems_conf(self):
        path = os.path.join(self.tmp, "no-ems.cnf")
        with open(path, "w", encoding="ascii") as f:
            f.write(NO_EMS_OPENSSL_CONF)
        return path

    def assertCordonFields(self, text, cert, suite, group, scheme_table=TLS12_SCHEME_BY_CORDON, **others):  # noqa: N802
        """The --http body (or a client summary) says TLS 1.2 with these parameters."""
        expected = {"protocol": "TLSv1.2", "cipher suite": suite.name, "group": group.cordon,
                    "signature scheme": scheme_table[cert.name], "alpn": "none", "server name": "localhost",
                    "hello retry request": "no"}
        expected.update({k.replace("_", " "): v for k, v in others.items()})
        self.assertEqual(cordon_fields(text), expected, text)


def resumed_field(text):
    m = re.search(r"^resumed: (\w+)$", text, re.MULTILINE)
    return m.group(1) if m else None


def cordon_connections(stdout):
    """`cordon client --reconnect N` output: one CordonClientOutput per connection."""
    return [CordonClientOutput(part) for part in re.split(r"(?m)^(?=protocol: )", stdout)
            if part.startswith("protocol: ")]


# --- 7.1 cordon client -> OpenSSL and GnuTLS TLS 1.2 servers ---------------------------


class Tls12OpenSslServerTests(Tls12Case):
    """cordon client -> openssl s_server -tls1_2 -www: every TLS 1.2 suite x group x
    certificate the suite can use, suite and group forced on s_server (-cipher, -groups;
    cordon offers the certificate's curve too, see CERT_CURVE), with cordon speaking TLS 1.2
    only (--tls1.2) and with its default configuration (both versions, default groups)."""

    peers_needed = ("openssl",)

    def test_matrix(self):
        for suite in TLS12_SUITES:
            for cert in TLS12_CERTS[suite.key]:
                for group in GROUPS:
                    server, port = self.start_openssl12_server(cert, "-cipher", suite.openssl, "-groups", group.openssl)
                    offered = ",".join(g.cordon for g in groups_for(group, cert))
                    for options in (["--tls1.2", "--group", offered], []):
                        with self.subTest(cert=cert.name, suite=suite.name, group=group.cordon,
                                          options=" ".join(options) or "default"):
                            r, out = self.cordon_client(port, *options)
                            ctx = f"{r.stdout}\n{r.stderr}\n{server.describe()}"
                            self.assertEqual(r.returncode, 0, f"cordon client failed:\n{ctx}")
                            self.assertEqual(out.get("protocol"), "TLSv1.2", ctx)
                            self.assertEqual(out.get("cipher suite"), suite.name, ctx)
                            self.assertEqual(out.get("group"), group.cordon, ctx)
                            self.assertEqual(out.get("signature scheme"), TLS12_SCHEME_BY_OPENSSL[cert.name], ctx)
                            self.assertEqual(out.get("resumed"), "no", ctx)
                            self.assertEqual(out.subjects[:2], [cert.subject, "CN=cordon test intermediate CA"],
                                             ctx)
                            # The -www page: OpenSSL's view of the same session.
                            self.assertRegex(out.body, r"^HTTP/1\.0 200 ok", ctx)
                            self.assertIn(f"New, TLSv1.2, Cipher is {suite.openssl}", out.body)
                            self.assertIn("Extended master secret: yes", out.body)
                            self.assertIn("Secure Renegotiation IS supported", out.body)
                    server.stop()


class Tls12GnuTlsServerTests(Tls12Case):
    """cordon client -> gnutls-serv --http with a TLS 1.2-only priority string: each suite
    once, the groups and certificates cycled, suite and group forced on GnuTLS's side."""

    peers_needed = ("gnutls-serv",)

    def test_suites(self):
        for i, suite in enumerate(TLS12_SUITES):
            cert = TLS12_CERTS[suite.key][i % len(TLS12_CERTS[suite.key])]
            group = GROUPS[i % 3]
            with self.subTest(cert=cert.name, suite=suite.name, group=group.cordon):
                priority = f"{TLS12_PRIORITY}:-CIPHER-ALL:+{suite.gnutls}:-GROUP-ALL:+{group.gnutls}"
                server, port = self.start_gnutls_server(cert, priority)
                r, out = self.cordon_client(port)
                ctx = f"{r.stdout}\n{r.stderr}\n{server.describe()}"
                self.assertEqual(r.returncode, 0, f"cordon client failed:\n{ctx}")
                self.assertEqual((out.get("protocol"), out.get("cipher suite"), out.get("group")),
                                 ("TLSv1.2", suite.name, group.cordon), ctx)
                self.assertEqual(out.get("hello retry request"), "no", ctx)  # no HRR in TLS 1.2
                scheme = out.get("signature scheme")
                self.assertIn(scheme, GNUTLS12_SIG, ctx)
                self.assertEqual(out.subjects[:1], [cert.subject], ctx)
                self.assertRegex(out.body, r"^HTTP/1\.0 200 OK", ctx)
                self.assertIn("<TD>TLS1.2</TD>", out.body)
                self.assertIn(f"(TLS1.2-X.509)-({group.gnutls_kx})-({GNUTLS12_SIG[scheme]})-({suite.gnutls})",
                              out.body)
                server.stop()

    def test_default_client_gets_tls12(self):
        # cordon's default configuration offers TLS 1.3 first; a TLS 1.2-only GnuTLS answers 1.2.
        server, port = self.start_gnutls_server(CERT["p384"], TLS12_PRIORITY)
        r, out = self.cordon_client(port)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}\n{server.describe()}")
        self.assertEqual(out.get("protocol"), "TLSv1.2", r.stdout)
        self.assertIn("<TD>TLS1.2</TD>", out.body)


# --- 7.2 Real TLS 1.2 clients -> cordon server ----------------------------------------


class Tls12OpenSslClientTests(Tls12Case):
    """openssl s_client -tls1_2 -> cordon server --http (both versions): every suite x group
    x certificate, the suite forced with -cipher, the group with cordon's --group (s_client
    offers the certificate's curve too, see CERT_CURVE); s_client's view and cordon's."""

    peers_needed = ("openssl",)

    def test_matrix(self):
        for cert in TLS12_ALL_CERTS:
            for group in GROUPS:
                server, port = self.start_cordon_server(cert, "--group", group.cordon)
                offered = ":".join(g.openssl for g in groups_for(group, cert))
                for suite in TLS12_SUITES:
                    if cert not in TLS12_CERTS[suite.key]:
                        continue
                    with self.subTest(cert=cert.name, suite=suite.name, group=group.cordon):
                        r, out = self.openssl12_client(port, "-cipher", suite.openssl, "-groups", offered)
                        ctx = f"{out}\n{server.describe()}"
                        self.assertEqual(r.returncode, 0, ctx)
                        self.assertIn(f"New, TLSv1.2, Cipher is {suite.openssl}", out)
                        self.assertIn("    Protocol  : TLSv1.2", out)
                        self.assertIn(f"Server Temp Key: {group.openssl_temp_key}", out)
                        self.assertIn("Verification: OK", out)
                        self.assertIn("Extended master secret: yes", out)
                        self.assertIn("Secure Renegotiation IS supported", out)
                        self.assertRegex(out, rf"^subject=CN = {re.escape(cert.subject[3:])}$")
                        self.assertRegex(r.stdout, r"^HTTP/1\.1 200 OK\r?$")
                        self.assertCordonFields(r.stdout, cert, suite, group)
                server.stop()

    def test_alpn_and_sni(self):
        sni = f"other.test={OTHER.chain}:{OTHER.key}"
        server, port = self.start_cordon_server(CERT["p256"], "--alpn", "h2,http/1.1", "--sni", sni)
        r, out = self.openssl12_client(port, "-alpn", "http/1.1", servername="other.test")
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        self.assertIn("ALPN protocol: http/1.1", out)
        self.assertRegex(out, r"^subject=CN = other\.test$")
        fields = cordon_fields(r.stdout)
        self.assertEqual((fields.get("protocol"), fields.get("alpn"), fields.get("server name")),
                         ("TLSv1.2", "http/1.1", "other.test"), out)


class Tls12GnuTlsClientTests(Tls12Case):
    """gnutls-cli (TLS 1.2-only priority) -> cordon server --http: every suite x group,
    the suite's certificates cycled; GnuTLS's session description and cordon's."""

    peers_needed = ("gnutls-cli",)

    def test_subset(self):
        servers = {}
        for cert, suite, group in TLS12_SUBSET:
            with self.subTest(cert=cert.name, suite=suite.name, group=group.cordon):
                # RFC 8422 5.1: the client lists the ECDSA certificate's curve too;
                # cordon's server, limited to the group, then picks it for ECDHE.
                if (cert.name, group.cordon) not in servers:
                    servers[(cert.name, group.cordon)] = self.start_cordon_server(cert, "--group", group.cordon)
                server, port = servers[(cert.name, group.cordon)]
                groups = ":".join(f"+{g.gnutls}" for g in groups_for(group, cert))
                priority = f"{TLS12_PRIORITY}:-CIPHER-ALL:+{suite.gnutls}:-GROUP-ALL:{groups}"
                r = self.gnutls_client(port, "--priority", priority)
                out = r.stdout + r.stderr
                self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
                self.assertIn("- Status: The certificate is trusted.", out)
                sig = GNUTLS12_SIG[TLS12_SCHEME_BY_CORDON_FOR_GNUTLS[cert.name]]
                self.assertIn(f"- Description: (TLS1.2-X.509)-({group.gnutls_kx})-({sig})-({suite.gnutls})", out)
                self.assertIn("- Options: extended master secret, safe renegotiation,", out)
                self.assertRegex(r.stdout, r"^HTTP/1\.1 200 OK\r?$")
                self.assertCordonFields(r.stdout, cert, suite, group, TLS12_SCHEME_BY_CORDON_FOR_GNUTLS)


class Tls12CurlClientTests(Tls12Case):
    """curl --tlsv1.2 --tls-max 1.2 -> cordon server --http --alpn http/1.1: every suite x
    group, the suite's certificates cycled; the suite forced with --ciphers, the group with
    cordon's --group (curl --curves offers the certificate's curve too, see CERT_CURVE)."""

    peers_needed = ("curl",)

    def test_subset(self):
        servers = {}
        for cert, suite, group in TLS12_SUBSET:
            with self.subTest(cert=cert.name, suite=suite.name, group=group.cordon):
                if (cert.name, group.cordon) not in servers:
                    servers[(cert.name, group.cordon)] = self.start_cordon_server(cert, "--alpn", "http/1.1",
                                                                                  "--group", group.cordon)
                server, port = servers[(cert.name, group.cordon)]
                curves = ":".join(g.curl for g in groups_for(group, cert))
                r = self.run_command(["curl", "-sS", "-v", "--tlsv1.2", "--tls-max", "1.2", "--cacert",
                                      cert_file("ca.pem"), "--max-time", "20", "--ciphers", suite.openssl,
                                      "--curves", curves, f"https://localhost:{port}/tls12"])
                ctx = f"{r.stdout}\n{r.stderr}\n{server.describe()}"
                self.assertEqual(r.returncode, 0, ctx)
                self.assertIn(f"SSL connection using TLSv1.2 / {suite.openssl}", r.stderr)
                self.assertIn("ALPN: server accepted http/1.1", r.stderr)
                self.assertTrue(r.stdout.startswith("cordon server\n"), ctx)
                self.assertIn("request: GET /tls12 HTTP/1.1", r.stdout)
                self.assertCordonFields(r.stdout, cert, suite, group, alpn="http/1.1")


# --- 7.3 Resumption -------------------------------------------------------------------


class Tls12ResumptionTests(Tls12Case):
    """TLS 1.2 session tickets (RFC 5077) both ways: s_client -sess_out/-sess_in and
    gnutls-cli --resume against cordon server; cordon client --reconnect against s_server
    and gnutls-serv."""

    peers_needed = ("openssl", "gnutls-cli", "gnutls-serv")

    def test_openssl_client_session_file(self):
        server, port = self.start_cordon_server(CERT["p256"])
        session = os.path.join(self.tmp, "session.pem")
        r, out = self.openssl12_client(port, "-sess_out", session)
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        self.assertIn("New, TLSv1.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256", out)
        self.assertIn("TLS session ticket:", out)
        self.assertEqual(resumed_field(r.stdout), "no", out)
        for attempt in (1, 2):  # a ticket can be used again (TLS 1.2 has no single-use rule)
            with self.subTest(resumption=attempt):
                r, out = self.openssl12_client(port, "-sess_in", session)
                self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
                self.assertIn("Reused, TLSv1.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256", out)
                self.assertEqual(resumed_field(r.stdout), "yes", out)
                self.assertRegex(r.stdout, r"^HTTP/1\.1 200 OK\r?$")
        # No key exchange and no signature in an abbreviated handshake.
        self.assertEqual(len(re.findall(r"handshake ok: TLSv1\.2 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 none none ",
                                        server.output())), 2, server.describe())
        # Another server process has other ticket keys: a full handshake, not a failure.
        server.stop()
        server, port = self.start_cordon_server(CERT["p256"])
        r, out = self.openssl12_client(port, "-sess_in", session)
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        self.assertIn("New, TLSv1.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256", out)
        self.assertEqual(resumed_field(r.stdout), "no", out)

    def test_cordon_client_reconnect_openssl_server(self):
        for cert, suite in [(CERT["p384"], TLS12_SUITE["TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"]),
                            (CERT["rsa2048"], TLS12_SUITE["TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"])]:
            with self.subTest(cert=cert.name, suite=suite.name):
                server, port = self.start_openssl12_server(cert, "-cipher", suite.openssl)
                r, _ = self.cordon_client(port, "--tls1.2", "--reconnect", "2")
                ctx = f"{r.stdout}\n{r.stderr}\n{server.describe()}"
                self.assertEqual(r.returncode, 0, ctx)
                conns = cordon_connections(r.stdout)
                self.assertEqual([c.get("resumed") for c in conns], ["no", "yes", "yes"], ctx)
                self.assertEqual({c.get("cipher suite") for c in conns}, {suite.name}, ctx)
                self.assertEqual([c.get("group") for c in conns], ["x25519", "none", "none"], ctx)
                self.assertIn(f"New, TLSv1.2, Cipher is {suite.openssl}", conns[0].body)
                for c in conns[1:]:
                    self.assertIn(f"Reused, TLSv1.2, Cipher is {suite.openssl}", c.body)
                    self.assertEqual(c.subjects[:1], [cert.subject], ctx)  # the chain stays known
                server.stop()

    def test_cordon_client_against_server_without_tickets(self):
        # s_server -no_ticket offers session-ID resumption only, which cordon's client does
        # not use: every connection is a full handshake, and none fails.
        server, port = self.start_openssl12_server(CERT["p256"], "-no_ticket")
        r, _ = self.cordon_client(port, "--reconnect", "1")
        ctx = f"{r.stdout}\n{r.stderr}\n{server.describe()}"
        self.assertEqual(r.returncode, 0, ctx)
        conns = cordon_connections(r.stdout)
        self.assertEqual([c.get("resumed") for c in conns], ["no", "no"], ctx)
        for c in conns:
            self.assertIn("New, TLSv1.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256", c.body)

    def test_gnutls_client_resume(self):
        server, port = self.start_cordon_server(CERT["ed25519"])
        r = self.gnutls_client(port, "--priority", TLS12_PRIORITY, "--resume")
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        self.assertIn("- Description: (TLS1.2-X.509)-(ECDHE-X25519)-(EdDSA-Ed25519)-(AES-128-GCM)", out)
        self.assertIn("*** This is a resumed session", out)
        self.assertEqual(resumed_field(r.stdout), "yes", out)
        self.assertRegex(server.output(), r"handshake ok: TLSv1\.2 \S+ none none ")

    def test_cordon_client_reconnect_gnutls_server(self):
        server, port = self.start_gnutls_server(CERT["rsa2048"], TLS12_PRIORITY)
        r, _ = self.cordon_client(port, "--reconnect", "1")
        ctx = f"{r.stdout}\n{r.stderr}\n{server.describe()}"
        self.assertEqual(r.returncode, 0, ctx)
        conns = cordon_connections(r.stdout)
        self.assertEqual([(c.get("protocol"), c.get("resumed")) for c in conns],
                         [("TLSv1.2", "no"), ("TLSv1.2", "yes")], ctx)
        # GnuTLS's description of a resumed session has no signature algorithm.
        self.assertIn("(TLS1.2-X.509)-(ECDHE-X25519)-(AES-128-GCM)", conns[1].body)


# --- 7.4 Downgrade protection ---------------------------------------------------------


class Tls12DowngradeTests(Tls12Case):
    """RFC 8446 4.1.3: a server that speaks TLS 1.3 but negotiates TLS 1.2 ends
    ServerHello.random with "DOWNGRD\\x01"; a TLS 1.3 client refuses such a ServerHello."""

    peers_needed = ("openssl",)

    def test_sentinel_from_cordon_server(self):
        server, port = self.start_cordon_server(CERT["p256"])
        r, out = self.openssl12_client(port, "-msg")
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        self.assertIn("New, TLSv1.2, Cipher is", out)
        server_hello = the_message(out, "<<<", "ServerHello")
        self.assertEqual(hello_random(server_hello)[-8:], DOWNGRADE_SENTINEL_TLS12, out)
        # The rest of the ServerHello a TLS 1.2 client needs: EMS and renegotiation_info.
        extensions = hello_extensions(server_hello)
        self.assertIn(EXT_EXTENDED_MASTER_SECRET, extensions, out)
        self.assertEqual(extensions.get(EXT_RENEGOTIATION_INFO, (0, None))[1], b"\x00", out)

    def test_no_sentinel_from_tls12_only_cordon_server(self):
        server, port = self.start_cordon_server(CERT["p256"], "--tls1.2")
        r, out = self.openssl12_client(port, "-msg")
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        random = hello_random(the_message(out, "<<<", "ServerHello"))
        self.assertNotEqual(random[-8:-1], DOWNGRADE_SENTINEL_TLS12[:7], out)
        # An s_client that speaks TLS 1.3 checks the sentinel: it accepts this TLS 1.2 ServerHello.
        r, out = self.openssl12_client(port, "-msg", version=None)
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        self.assertIn("New, TLSv1.2, Cipher is", out)
        self.assertNotEqual(hello_random(the_message(out, "<<<", "ServerHello"))[-8:-1], b"DOWNGRD", out)

    def test_cordon_client_refuses_downgraded_server_hello(self):
        # A relay hides TLS 1.3 from s_server (which speaks both): s_server answers TLS 1.2
        # with the sentinel, and cordon, which offered TLS 1.3, aborts with illegal_parameter.
        server, port = self.start_openssl12_server(CERT["p256"], "-msg", version=None)
        relay = _DowngradeRelay(port)
        r, _ = self.cordon_client(relay.port)
        relay.thread.join(20)
        ctx = f"{r.stdout}\n{r.stderr}\n{server.describe()}"
        self.assertIsNone(relay.error, ctx)
        self.assertEqual(relay.rewritten, 1, ctx)
        self.assertNotEqual(r.returncode, 0, ctx)
        self.assertRegex(r.stderr, r"^cordon: handshake failed: .*downgrade.*"
                                   r"\(illegal_parameter, alert sent: illegal_parameter / received: none\)", ctx)
        self.expect(server, r"<<< TLS 1\.2, Alert \[length 0002\], fatal illegal_parameter")
        random = hello_random(the_message(server.output(), ">>>", "ServerHello"))
        self.assertEqual(random[-8:], DOWNGRADE_SENTINEL_TLS12, ctx)

    def test_tls12_only_cordon_client_accepts_sentinel(self):
        # cordon --tls1.2 does not speak TLS 1.3: s_server's sentinel is no downgrade for it.
        server, port = self.start_openssl12_server(CERT["p256"], "-msg", version=None)
        r, out = self.cordon_client(port, "--tls1.2")
        ctx = f"{r.stdout}\n{r.stderr}\n{server.describe()}"
        self.assertEqual(r.returncode, 0, ctx)
        self.assertEqual(out.get("protocol"), "TLSv1.2", ctx)
        self.assertIn("New, TLSv1.2, Cipher is", out.body)
        random = hello_random(the_message(server.output(), ">>>", "ServerHello"))
        self.assertEqual(random[-8:], DOWNGRADE_SENTINEL_TLS12, ctx)


# --- 7.5 Extended master secret -------------------------------------------------------


class Tls12EmsTests(Tls12Case):
    """RFC 7627: cordon requires the extended master secret in TLS 1.2 unless
    --allow-no-ems; OpenSSL without it (Options = -ExtendedMasterSecret)."""

    peers_needed = ("openssl",)

    def test_cordon_server_refuses_client_without_ems(self):
        server, port = self.start_cordon_server(CERT["p256"])
        r, out = self.openssl12_client(port, "-msg", conf=self.no_ems_conf())
        self.assertNotEqual(r.returncode, 0, out)
        self.assertNotIn(EXT_EXTENDED_MASTER_SECRET, hello_extensions(the_message(out, ">>>", "ClientHello")), out)
        self.assertIn("<<< TLS 1.2, Alert [length 0002], fatal handshake_failure", out)
        self.assertRegex(out, r"alert handshake failure.*SSL alert number 40")
        self.assertIn("SSL handshake has read 7 bytes", out)  # the alert, no ServerHello
        self.expect(server, r"handshake failed: .*extended master secret.*"
                            r"\(handshake_failure, alert sent: handshake_failure / received: none\)$")

    def test_cordon_server_allows_no_ems(self):
        server, port = self.start_cordon_server(CERT["p256"], "--allow-no-ems")
        r, out = self.openssl12_client(port, conf=self.no_ems_conf())
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        self.assertIn("New, TLSv1.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256", out)
        self.assertIn("Extended master secret: no", out)
        self.assertEqual(cordon_fields(r.stdout).get("protocol"), "TLSv1.2", out)
        # A client with EMS still gets it.
        r, out = self.openssl12_client(port)
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        self.assertIn("Extended master secret: yes", out)

    def test_cordon_client_refuses_server_without_ems(self):
        server, port = self.start_openssl12_server(CERT["p256"], "-msg", conf=self.no_ems_conf())
        for versions in (["--tls1.2"], []):
            with self.subTest(config=" ".join(versions) or "default"):
                r, _ = self.cordon_client(port, *versions)
                ctx = f"{r.stdout}\n{r.stderr}\n{server.describe()}"
                self.assertNotEqual(r.returncode, 0, ctx)
                self.assertRegex(r.stderr, r"^cordon: handshake failed: .*extended master secret.*"
                                           r"\(handshake_failure, alert sent: handshake_failure / received: none\)",
                                 ctx)
        self.expect(server, r"(?s)(<<< TLS 1\.2, Alert \[length 0002\], fatal handshake_failure.*){2}")
        for _, name, message in msg_handshakes(server.output()):
            if name == "ServerHello":
                self.assertNotIn(EXT_EXTENDED_MASTER_SECRET, hello_extensions(message), server.describe())

    def test_cordon_client_allows_no_ems(self):
        server, port = self.start_openssl12_server(CERT["p256"], conf=self.no_ems_conf())
        r, out = self.cordon_client(port, "--allow-no-ems")
        ctx = f"{r.stdout}\n{r.stderr}\n{server.describe()}"
        self.assertEqual(r.returncode, 0, ctx)
        self.assertEqual(out.get("protocol"), "TLSv1.2", ctx)
        self.assertIn("Extended master secret: no", out.body)


# --- 7.6 Refusals ---------------------------------------------------------------------


class Tls12RefusalTests(Tls12Case):
    """What cordon does not speak, refused with the right alert: CBC suites, RSA key
    transport, TLS 1.1 and 1.0; as server (the alert s_client -msg receives) and as client."""

    peers_needed = ("openssl",)

    def server_refuses(self, port, server, *args, alert, number, cordon_reason, version="-tls1_2"):
        r, out = self.openssl12_client(port, "-msg", *args, version=version)
        self.assertNotEqual(r.returncode, 0, out)
        self.assertRegex(out, rf"^<<< TLS 1\.\d, Alert \[length 0002\], fatal {alert}$")
        self.assertRegex(out, rf"SSL alert number {number}\b")
        self.assertIn("SSL handshake has read 7 bytes", out)  # the alert, no ServerHello
        self.assertEqual([n for d, n, _ in msg_handshakes(out) if d == "<<<"], [], out)
        self.expect(server, rf"handshake failed: .*{cordon_reason} \({alert}, alert sent: {alert} / received: none\)$")

    def test_cbc_only_client(self):
        server, port = self.start_cordon_server(CERT["p256"])
        self.server_refuses(port, server, "-cipher", "ECDHE-ECDSA-AES128-SHA", alert="handshake_failure", number=40,
                            cordon_reason="no cipher suite in common")

    def test_rsa_key_transport_only_client(self):
        server, port = self.start_cordon_server(CERT["rsa2048"])
        self.server_refuses(port, server, "-cipher", "AES128-GCM-SHA256", alert="handshake_failure", number=40,
                            cordon_reason="no cipher suite in common")

    def test_old_versions_only_client(self):
        server, port = self.start_cordon_server(CERT["p256"])
        for version in ("-tls1_1", "-tls1"):
            with self.subTest(version=version):
                self.server_refuses(port, server, "-cipher", "DEFAULT@SECLEVEL=0", version=version,
                                    alert="protocol_version", number=70,
                                    cordon_reason="the client speaks only versions older than TLS 1.2")

    def test_certificate_curve_the_client_did_not_offer(self):
        # RFC 8422 5.1 and 5.3: "the public key in the server's certificate MUST respect the
        # client's choice of elliptic curves", and a server must not negotiate an ECC suite
        # unless it can. s_client -groups X25519 rules out cordon's only certificate (P-256):
        # the right answer is handshake_failure with no ServerHello, as OpenSSL's s_server
        # gives ("no shared cipher"); s_client aborts on a P-256 ServerKeyExchange with
        # illegal_parameter ("wrong curve").
        server, port = self.start_cordon_server(CERT["p256"])
        self.server_refuses(port, server, "-groups", "X25519", alert="handshake_failure", number=40,
                            cordon_reason="")

    def test_cordon_client_against_cbc_only_server(self):
        server, port = self.start_openssl12_server(CERT["p256"], "-cipher", "ECDHE-ECDSA-AES128-SHA")
        r, _ = self.cordon_client(port, "--tls1.2")
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("(alert_received, alert sent: none / received: handshake_failure)", r.stderr)
        self.expect(server, r"no shared cipher")

    def test_cordon_client_against_tls11_server(self):
        server, port = self.start_openssl12_server(CERT["p256"], "-cipher", "DEFAULT@SECLEVEL=0", version="-tls1_1")
        # Offered in supported_versions (1.3, 1.2), which s_server reads: protocol_version.
        r, _ = self.cordon_client(port)
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("(alert_received, alert sent: none / received: protocol_version)", r.stderr)
        self.expect(server, r"unsupported protocol")


# --- 7.7 Renegotiation ----------------------------------------------------------------


class Tls12RenegotiationTests(Tls12Case):
    """cordon never renegotiates: it answers a renegotiation request (a ClientHello from the
    client, a HelloRequest from the server) with a no_renegotiation warning. OpenSSL treats
    that refusal as fatal (it answers with a handshake_failure alert, "no renegotiation"),
    so the connection ends there, after exactly one handshake."""

    peers_needed = ("openssl",)

    def test_openssl_client_renegotiates(self):
        server, port = self.start_cordon_server(CERT["p256"], http=False)
        # No -ign_eof: s_client reads "R" as its renegotiate command. One line per write.
        client = Peer(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-tls1_2", "-CAfile",
                       cert_file("ca.pem"), "-servername", "localhost", "-verify_return_error", "-msg"],
                      "openssl s_client", interactive=True)
        self.addCleanup(client.stop)
        self.expect(client, r"^    Verify return code: 0 \(ok\)", server)  # in TLS 1.2's SSL-Session block
        self.assertIn("Secure Renegotiation IS supported", client.output())
        client.send("first\n")
        self.expect(client, r"^first$", server)
        client.send("R\n")
        self.expect(client, r"^RENEGOTIATING$", server)
        self.expect(client, r"^<<< TLS 1\.2, Alert \[length 0002\], warning no_renegotiation$", server)
        self.expect(client, r"^>>> TLS 1\.2, Alert \[length 0002\], fatal handshake_failure$", server)
        self.expect(client, r"no renegotiation", server)
        self.expect(server, r"connection failed: .*\(alert_received, alert sent: none / received: handshake_failure\)$",
                    client)
        self.assertEqual(client.proc.wait(10), 1, client.describe())
        handshakes = [(d, n) for d, n, _ in msg_handshakes(client.output())]
        self.assertEqual(handshakes.count((">>>", "ClientHello")), 2, client.describe())  # the 2nd is refused
        self.assertEqual(handshakes.count(("<<<", "ServerHello")), 1, client.describe())
        self.assertEqual(server.output().count("handshake ok:"), 1, server.describe())

    def test_openssl_server_requests_renegotiation(self):
        server, port = self.start_openssl12_server(CERT["p384"], "-msg", www=False, interactive=True)
        client = Peer([CORDON, "client", f"localhost:{port}", "--cafile", cert_file("ca.pem"), "--timeout", "10"],
                      "cordon client", interactive=True)
        self.addCleanup(client.stop)
        self.expect(client, r"^---$", server)
        self.assertIn("protocol: TLSv1.2", client.output())
        client.send("ping\n")
        self.expect(server, r"^ping$", client)
        server.send("r\n")  # s_server: SSL_renegotiate(), sends HelloRequest
        self.expect(server, r"^>>> TLS 1\.2, Handshake \[length 0004\], HelloRequest$", client)
        self.expect(server, r"^<<< TLS 1\.2, Alert \[length 0002\], warning no_renegotiation$", client)
        self.expect(server, r"^>>> TLS 1\.2, Alert \[length 0002\], fatal handshake_failure$", client)
        self.assertEqual(client.proc.wait(10), 1, client.describe())
        self.assertRegex(client.output(), r"cordon: connection failed: .*"
                                          r"\(alert_received, alert sent: none / received: handshake_failure\)")
        self.assertNoSanitizerReport(client.output(), client.describe())
        handshakes = [(d, n) for d, n, _ in msg_handshakes(server.output())]
        self.assertEqual(handshakes.count(("<<<", "ClientHello")), 1, server.describe())  # none after HelloRequest


# --- 7.8 Key log ----------------------------------------------------------------------


class Tls12KeyLogTests(Tls12Case):
    """TLS 1.2 key log lines (CLIENT_RANDOM <client random> <master secret>): cordon's
    --keylog equals OpenSSL's -keylogfile for the same connections, as client and server."""

    peers_needed = ("openssl",)

    def compare(self, ours_path, theirs_path, connections):
        ours, theirs = read_key_log(ours_path), read_key_log(theirs_path)
        self.assertEqual({label for label, _ in ours}, {"CLIENT_RANDOM"},
                         f"TLS 1.2 logs the master secret only: {ours}")
        self.assertEqual(len(ours), connections, ours)
        for key, secret in ours.items():
            self.assertEqual(len(secret), 96, key)  # 48 bytes
            self.assertIn(key, theirs, f"OpenSSL logged nothing for client random {key[1]}: {theirs}")
            self.assertEqual(secret, theirs[key], key)
        return ours

    def test_cordon_client(self):
        for suite in (TLS12_SUITE["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"],
                      TLS12_SUITE["TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"]):
            with self.subTest(suite=suite.name):
                ours = os.path.join(self.tmp, f"cordon-{suite.name}.keys")
                theirs = os.path.join(self.tmp, f"openssl-{suite.name}.keys")
                server, port = self.start_openssl12_server(CERT["p256"], "-keylogfile", theirs,
                                                           "-cipher", suite.openssl)
                # --reconnect 1: the resumed connection logs the same master secret, new random.
                r, _ = self.cordon_client(port, "--tls1.2", "--keylog", ours, "--reconnect", "1")
                self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}\n{server.describe()}")
                self.assertEqual([c.get("resumed") for c in cordon_connections(r.stdout)], ["no", "yes"], r.stdout)
                server.stop()  # flushes its key log
                logged = self.compare(ours, theirs, 2)
                self.assertEqual(len(set(logged.values())), 1, logged)

    def test_cordon_server(self):
        ours, theirs = os.path.join(self.tmp, "cordon.keys"), os.path.join(self.tmp, "openssl.keys")
        server, port = self.start_cordon_server(CERT["rsa2048"], "--keylog", ours)
        r, out = self.openssl12_client(port, "-keylogfile", theirs, "-cipher", "ECDHE-RSA-CHACHA20-POLY1305")
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        self.assertIn("New, TLSv1.2, Cipher is ECDHE-RSA-CHACHA20-POLY1305", out)
        server.stop()
        self.compare(ours, theirs, 1)


# --- 8. TLS 1.3 sessions, mutual TLS, KeyUpdate ----------------------------------------
#
# TLS 1.3 resumption with tickets (cordon's server issues two per handshake; its client
# keeps up to four per server name, offers each once, with psk_dhe_ke), mutual TLS in both
# directions, `cordon client --key-update`, and the key log of resumed connections. One
# ctest entry per class (interop_tls13_*). s_server/s_client -msg output is read back with
# msg_handshakes() (section 7): the tickets a server sent, the PSK identities, ticket ages
# and binders a ClientHello offered, and the KeyUpdate messages.

HELLO_RETRY_REQUEST_RANDOM = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")
EXT_PRE_SHARED_KEY = 0x0029
EXT_PSK_KEY_EXCHANGE_MODES = 0x002D
EXT_KEY_SHARE = 0x0033
PSK_DHE_KE_ONLY = b"\x01\x01"  # psk_key_exchange_modes: one mode, psk_dhe_ke (1)
MAX_TICKET_LIFETIME = 7 * 24 * 3600  # RFC 8446 4.6.1: seconds
KEY_UPDATE_REQUESTED = bytes.fromhex("1800000101")  # KeyUpdate(update_requested), header included
KEY_UPDATE_NOT_REQUESTED = bytes.fromhex("1800000100")
TLS13_ONLY = "NORMAL:-VERS-ALL:+VERS-TLS1.3"  # GnuTLS priority
CLIENT_SUBJECT = "CN=client.cordon.test"
# Client keys other than client-p256's (certificates made by the test): the TLS 1.3 scheme
# each signs with, its code point (CertificateVerify in s_server -msg) and GnuTLS's name.
CLIENT_KEYS = [("rsa2048", "rsa_pss_rsae_sha256", 0x0804, "RSA-PSS-RSAE-SHA256"),
               ("ed25519", "ed25519", 0x0807, "EdDSA-Ed25519"),
               ("p384", "ecdsa_secp384r1_sha384", 0x0503, "ECDSA-SECP384R1-SHA384")]


@dataclass(frozen=True)
class Ticket:
    """A NewSessionTicket message (RFC 8446 4.6.1)."""
    lifetime: int
    age_add: int
    nonce: bytes
    ticket: bytes


def new_session_ticket(message):
    body = message[4:]
    nonce_end = 9 + body[8]
    ticket_len = int.from_bytes(body[nonce_end:nonce_end + 2], "big")
    return Ticket(int.from_bytes(body[0:4], "big"), int.from_bytes(body[4:8], "big"), bytes(body[9:nonce_end]),
                  bytes(body[nonce_end + 2:nonce_end + 2 + ticket_len]))


@dataclass(frozen=True)
class PskOffer:
    """A ClientHello's pre_shared_key extension (RFC 8446 4.2.11)."""
    identities: tuple  # ((identity, obfuscated_ticket_age), ...)
    binders: tuple


def psk_offer(client_hello):
    """The ClientHello's PskOffer, or None without a pre_shared_key extension."""
    ext = hello_extensions(client_hello).get(EXT_PRE_SHARED_KEY)
    if ext is None:
        return None
    body = ext[1]
    identities, binders = [], []
    end = 2 + int.from_bytes(body[0:2], "big")
    i = 2
    while i < end:
        n = int.from_bytes(body[i:i + 2], "big")
        identities.append((bytes(body[i + 2:i + 2 + n]), int.from_bytes(body[i + 2 + n:i + 6 + n], "big")))
        i += 6 + n
    end = i + 2 + int.from_bytes(body[i:i + 2], "big")
    i += 2
    while i < end:
        binders.append(bytes(body[i + 1:i + 1 + body[i]]))
        i += 1 + body[i]
    return PskOffer(tuple(identities), tuple(binders))


def is_hello_retry_request(message):
    return message[0] == 2 and hello_random(message) == HELLO_RETRY_REQUEST_RANDOM


def tls13_connections(text):
    """s_server/s_client -msg output as one [(direction, name, message)] per connection: a
    ClientHello starts a connection unless it answers a HelloRetryRequest."""
    connections = []
    previous = None
    for direction, name, message in msg_handshakes(text):
        if name == "ClientHello" and not (previous and previous[1] == "ServerHello"
                                          and is_hello_retry_request(previous[2])):
            connections.append([])
        if connections:
            connections[-1].append((direction, name, message))
        previous = (direction, name, message)
    return connections


def messages_named(connection, direction, name):
    return [m for d, n, m in connection if (d, n) == (direction, name)]


class Tls13Case(InteropCase):
    """InteropCase with the client certificate (tests/data/certs/client-p256.*) for each
    peer, an untrusted one made on the fly, and checks on cordon's log."""

    @staticmethod
    def cordon_cert_args():
        return ["--cert", cert_file("client-p256.pem"), "--key", cert_file("client-p256.key")]

    @staticmethod
    def openssl_cert_args(chain=None, key=None):
        # s_client -cert reads the first certificate of the file only: the intermediate
        # goes in -cert_chain.
        return ["-cert", chain or cert_file("client-p256.pem"), "-cert_chain", cert_file("intermediate.pem"),
                "-key", key or cert_file("client-p256.key")]

    @staticmethod
    def gnutls_cert_args(chain=None, key=None):
        return ["--x509certfile", chain or cert_file("client-p256.pem"),
                "--x509keyfile", key or cert_file("client-p256.key")]

    def make_client_certificate(self, name, key_type="p256", issuer="intermediate"):
        """(chain, key): a new client certificate (EKU clientAuth), CN=client <name>, with a
        key_type key (p256, p384, ed25519, rsa2048), issued by tests/data/certs/<issuer>.pem
        and .key; the chain file holds the intermediate after the leaf when it issued it. The
        certificate has the SAN and authorityKeyIdentifier cordon's certificate profile asks
        of any end-entity certificate."""
        algorithm = {"p256": ["EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
                     "p384": ["EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
                     "ed25519": ["ED25519"], "rsa2048": ["RSA", "-pkeyopt", "rsa_keygen_bits:2048"]}[key_type]
        key, csr, leaf, chain, extensions = (os.path.join(self.tmp, f"client-{name}.{ext}")
                                             for ext in ("key", "csr", "leaf.pem", "pem", "ext"))
        with open(extensions, "w", encoding="ascii") as f:
            f.write("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                    "extendedKeyUsage=clientAuth\nsubjectAltName=DNS:client.cordon.test\n"
                    "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n")
        # -set_serial: no serial file written next to the issuer in tests/data/certs.
        for cmd in (["openssl", "genpkey", "-algorithm", *algorithm, "-out", key],
                    ["openssl", "req", "-new", "-key", key, "-subj", f"/CN=client {name}", "-out", csr],
                    ["openssl", "x509", "-req", "-in", csr, "-CA", cert_file(f"{issuer}.pem"), "-CAkey",
                     cert_file(f"{issuer}.key"), "-set_serial", "0x3001", "-days", "30", "-extfile", extensions,
                     "-out", leaf]):
            r = self.run_command(cmd)
            self.assertEqual(r.returncode, 0, f"{' '.join(cmd)}\n{r.stdout}{r.stderr}")
        with open(chain, "w", encoding="ascii") as out:
            for part in [leaf] + ([cert_file("intermediate.pem")] if issuer == "intermediate" else []):
                with open(part, encoding="ascii") as f:
                    out.write(f.read())
        return chain, key

    def untrusted_client_certificate(self):
        """A P-256 client certificate issued by untrusted-ca: only its issuer is wrong."""
        return self.make_client_certificate("untrusted", issuer="untrusted-ca")

    def handshakes_logged(self, server):
        """cordon server's log as [(handshake ok line, client certificate subject or None)]."""
        logged = []
        for line in server.output().splitlines():
            if line.startswith("handshake ok: "):
                logged.append([line[len("handshake ok: "):], None])
            elif line.startswith("client certificate: ") and logged:
                logged[-1][1] = line[len("client certificate: "):]
        return [tuple(entry) for entry in logged]

    def wait_for_close_notify(self, server, connections):
        """Waits until s_server -msg has seen connections close_notify alerts from the client."""
        self.wait_for_count(server, r"^<<< TLS 1\.3, Alert \[length 0002\], warning close_notify$", connections)


# --- 8.1 Resumption -------------------------------------------------------------------


class Tls13ResumptionTests(Tls13Case):
    """TLS 1.3 tickets both ways: s_client -sess_out/-sess_in and gnutls-cli --resume against
    cordon server; cordon client --reconnect against s_server and gnutls-serv, each ticket
    offered once with its obfuscated age and psk_dhe_ke; the binder recomputed after a
    HelloRetryRequest; a full handshake, never a failure, when a ticket cannot be used."""

    peers_needed = ("openssl", "gnutls-cli", "gnutls-serv")

    def s_client(self, port, *args, **kwargs):
        r = self.openssl_client(port, "-msg", *args, **kwargs)
        return r, r.stdout + r.stderr

    def test_openssl_client_session_file(self):
        server, port = self.start_cordon_server(CERT["p256"])
        session = os.path.join(self.tmp, "session.pem")
        r, out = self.s_client(port, "-sess_out", session)
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        self.assertIn("New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256", out)
        self.assertEqual(resumed_field(r.stdout), "no", out)
        tickets = [new_session_ticket(m) for m in messages_named(msg_handshakes(out), "<<<", "NewSessionTicket")]
        self.assertEqual(len(tickets), 2, out)  # two per handshake
        self.assertEqual(len({t.ticket for t in tickets}), 2, tickets)
        self.assertEqual(len({t.nonce for t in tickets}), 2, tickets)
        self.assertEqual(len({t.age_add for t in tickets}), 2, tickets)
        for t in tickets:
            self.assertTrue(0 < t.lifetime <= MAX_TICKET_LIFETIME, t)
        # s_client keeps the last ticket it got; offered twice, and a stateless server
        # without 0-RTT accepts it twice.
        for attempt in (1, 2):
            with self.subTest(resumption=attempt):
                r, out = self.s_client(port, "-sess_in", session)
                self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
                self.assertIn("Reused, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256", out)
                self.assertEqual(resumed_field(r.stdout), "yes", out)
                self.assertRegex(r.stdout, r"^HTTP/1\.1 200 OK\r?$")
                offer = psk_offer(the_message(out, ">>>", "ClientHello"))
                self.assertEqual([i for i, _ in offer.identities], [tickets[-1].ticket], out)
                # The server took identity 0 and answered with a key share: psk_dhe_ke.
                server_hello = hello_extensions(the_message(out, "<<<", "ServerHello"))
                self.assertEqual(server_hello[EXT_PRE_SHARED_KEY][1], b"\x00\x00", out)
                self.assertIn(EXT_KEY_SHARE, server_hello, out)
                self.assertIn("Server Temp Key: X25519", out)
                # New tickets on a resumed connection too.
                self.assertEqual(len(messages_named(msg_handshakes(out), "<<<", "NewSessionTicket")), 2, out)
        # An abbreviated handshake: a key exchange, no certificate, no signature.
        self.assertEqual([line for line, _ in self.handshakes_logged(server)][1:], [
            "TLSv1.3 TLS_AES_128_GCM_SHA256 x25519 none alpn=none sni=localhost"] * 2, server.describe())

        # Another server process has other ticket keys: the ticket is offered and the
        # server makes a full handshake instead, not a failure.
        server.stop()
        server, port = self.start_cordon_server(CERT["p256"])
        r, out = self.s_client(port, "-sess_in", session)
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        self.assertIsNotNone(psk_offer(the_message(out, ">>>", "ClientHello")), out)
        self.assertNotIn(EXT_PRE_SHARED_KEY, hello_extensions(the_message(out, "<<<", "ServerHello")), out)
        self.assertIn("New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256", out)
        self.assertEqual(resumed_field(r.stdout), "no", out)
        self.expect(server, r"^handshake ok: TLSv1\.3 TLS_AES_128_GCM_SHA256 x25519 ecdsa_secp256r1_sha256 ")
        self.assertNotIn("handshake failed", server.output())

    def test_openssl_client_ticket_use(self):
        # What the server does with a ticket it issued, offered in other circumstances.
        server, port = self.start_cordon_server(CERT["p256"])
        session = os.path.join(self.tmp, "session.pem")
        r, out = self.s_client(port, "-sess_out", session)
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        cases = [
            # RFC 8446 4.2.11: a PSK goes with any suite of its hash (the ticket's is AES-128-GCM).
            ("suite with the same hash", ["-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"], {},
             "Reused, TLSv1.3, Cipher is TLS_CHACHA20_POLY1305_SHA256"),
            # s_client offers psk_ke and psk_dhe_ke: cordon takes psk_dhe_ke.
            ("psk_ke offered too", ["-allow_no_dhe_kex"], {}, "Reused, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256"),
            # A ticket for localhost offered for other.test: a full handshake.
            ("another server name", ["-servername", "other.test", "-verify_return_error"], {"servername": None},
             "New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256"),
        ]
        for name, args, kwargs, expected in cases:
            with self.subTest(case=name):
                r, out = self.s_client(port, "-sess_in", session, *args, **kwargs)
                self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
                self.assertIsNotNone(psk_offer(the_message(out, ">>>", "ClientHello")), out)
                self.assertIn(expected, out)
                self.assertIn("Server Temp Key: X25519", out)
                self.assertEqual(resumed_field(r.stdout), "yes" if expected.startswith("Reused") else "no", out)
        self.assertEqual([line for line, _ in self.handshakes_logged(server)][1:], [
            "TLSv1.3 TLS_CHACHA20_POLY1305_SHA256 x25519 none alpn=none sni=localhost",
            "TLSv1.3 TLS_AES_128_GCM_SHA256 x25519 none alpn=none sni=localhost",
            "TLSv1.3 TLS_AES_128_GCM_SHA256 x25519 ecdsa_secp256r1_sha256 alpn=none sni=other.test"],
            server.describe())
        # Two seconds later: the ticket's age (in milliseconds, obfuscated with age_add)
        # still agrees with the server's clock.
        time.sleep(2)
        r, out = self.s_client(port, "-sess_in", session)
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        self.assertIn("Reused, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256", out)

    def test_cordon_client_reconnect_openssl_server(self):
        server, port = self.start_openssl_server(CERT["p256"], "-msg")
        r, _ = self.cordon_client(port, "--reconnect", "2")
        ctx = f"{r.stdout}\n{r.stderr}\n{server.describe()}"
        self.assertEqual(r.returncode, 0, ctx)
        conns = cordon_connections(r.stdout)
        self.assertEqual([c.get("resumed") for c in conns], ["no", "yes", "yes"], ctx)
        self.assertEqual([c.get("protocol") for c in conns], ["TLSv1.3"] * 3, ctx)
        self.assertEqual([c.get("group") for c in conns], ["x25519"] * 3, ctx)  # psk_dhe_ke
        self.assertEqual([c.get("signature scheme") for c in conns], ["ecdsa_secp256r1_sha256", "none", "none"], ctx)
        self.assertIn("New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256", conns[0].body)
        for c in conns[1:]:
            self.assertIn("Reused, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256", c.body)
            self.assertEqual(c.subjects[:1], [CERT["p256"].subject], ctx)  # the chain stays known
        # What s_server saw: each resumption offers one ticket it issued, never the same twice,
        # with the ticket's age obfuscated by its age_add, and psk_dhe_ke only.
        self.wait_for_close_notify(server, 3)
        seen = tls13_connections(server.output())
        self.assertEqual(len(seen), 3, ctx)
        issued, offered = [], []
        for i, conn in enumerate(seen):
            hellos = messages_named(conn, "<<<", "ClientHello")
            self.assertEqual(len(hellos), 1, ctx)
            offer = psk_offer(hellos[0])
            if i == 0:
                self.assertIsNone(offer, ctx)
            else:
                self.assertEqual(len(offer.identities), 1, offer)
                identity, obfuscated_age = offer.identities[0]
                ticket = next((t for t in issued if t.ticket == identity), None)
                self.assertIsNotNone(ticket, f"connection {i}: not a ticket s_server issued\n{ctx}")
                self.assertNotIn(identity, offered, f"connection {i}: a ticket offered again\n{ctx}")
                offered.append(identity)
                age = (obfuscated_age - ticket.age_add) % (1 << 32)
                self.assertLess(age, COMMAND_TIMEOUT * 1000, f"connection {i}: ticket age {age} ms")
                self.assertEqual(hello_extensions(hellos[0])[EXT_PSK_KEY_EXCHANGE_MODES][1], PSK_DHE_KE_ONLY, ctx)
            issued += [new_session_ticket(m) for m in messages_named(conn, ">>>", "NewSessionTicket")]

    def test_cordon_client_openssl_server_ticket_kinds(self):
        # -no_ticket: OpenSSL's stateful TLS 1.3 tickets (a session ID in a NewSessionTicket),
        # resumed like any other; -num_tickets 0: nothing to resume, full handshakes.
        for args, expected in [(["-no_ticket"], ["no", "yes", "yes"]), (["-num_tickets", "0"], ["no", "no", "no"])]:
            with self.subTest(server=" ".join(args)):
                server, port = self.start_openssl_server(CERT["p256"], *args)
                r, _ = self.cordon_client(port, "--reconnect", "2")
                ctx = f"{r.stdout}\n{r.stderr}\n{server.describe()}"
                self.assertEqual(r.returncode, 0, ctx)
                self.assertEqual([c.get("resumed") for c in cordon_connections(r.stdout)], expected, ctx)
                server.stop()

    def test_cordon_client_ticket_allowing_early_data(self):
        # gnutls-serv --earlydata puts an early_data extension (max_early_data_size) in its
        # tickets: cordon client, not asked for 0-RTT, resumes with them and offers no early data.
        server, port = self.start_gnutls_server(CERT["p256"], TLS13_ONLY, "--earlydata", "--maxearlydata", "16384",
                                                "-d", "4")
        r, _ = self.cordon_client(port, "--reconnect", "1")
        ctx = f"{r.stdout}\n{r.stderr}\n{server.describe()}"
        self.assertEqual(r.returncode, 0, ctx)
        self.assertEqual([c.get("resumed") for c in cordon_connections(r.stdout)], ["no", "yes"], ctx)
        self.expect(server, r"^\*\*\* This is a resumed session")
        self.assertNotIn("Parsing extension 'Early Data/42'", server.output())

    def test_hello_retry_request_and_resumption_cordon_client(self):
        # s_server takes P-256 only; cordon offers an x25519 share first: a HelloRetryRequest
        # on the resumed connection too, and the second ClientHello offers the same ticket
        # with a binder over the new transcript (RFC 8446 4.1.2, 4.2.11.2).
        server, port = self.start_openssl_server(CERT["p256"], "-groups", "P-256", "-msg")
        r, _ = self.cordon_client(port, "--reconnect", "1")
        ctx = f"{r.stdout}\n{r.stderr}\n{server.describe()}"
        self.assertEqual(r.returncode, 0, ctx)
        conns = cordon_connections(r.stdout)
        self.assertEqual([(c.get("hello retry request"), c.get("resumed"), c.get("group")) for c in conns],
                         [("yes", "no", "secp256r1"), ("yes", "yes", "secp256r1")], ctx)
        self.assertIn("Reused, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256", conns[1].body)
        self.wait_for_close_notify(server, 2)
        seen = tls13_connections(server.output())
        self.assertEqual(len(seen), 2, ctx)
        hellos = messages_named(seen[1], "<<<", "ClientHello")
        self.assertEqual(len(hellos), 2, ctx)
        first, second = psk_offer(hellos[0]), psk_offer(hellos[1])
        self.assertIsNotNone(first, ctx)
        self.assertIsNotNone(second, ctx)
        self.assertEqual([i for i, _ in first.identities], [i for i, _ in second.identities], ctx)
        self.assertNotEqual(first.binders, second.binders, ctx)

    def test_hello_retry_request_and_resumption_cordon_server(self):
        # s_client sends a P-256 share only (its first group); cordon takes X25519 only and
        # asks for it, then checks the binder of the ClientHello that follows.
        server, port = self.start_cordon_server(CERT["p256"], "--group", "x25519")
        session = os.path.join(self.tmp, "session.pem")
        r, out = self.s_client(port, "-groups", "P-256:X25519", "-sess_out", session)
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        self.assertEqual(cordon_fields(r.stdout).get("hello retry request"), "yes", out)
        r, out = self.s_client(port, "-groups", "P-256:X25519", "-sess_in", session)
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        self.assertIn("Reused, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256", out)
        self.assertEqual(cordon_fields(r.stdout).get("hello retry request"), "yes", out)
        self.assertEqual(resumed_field(r.stdout), "yes", out)
        hellos = messages_named(msg_handshakes(out), ">>>", "ClientHello")
        self.assertEqual(len(hellos), 2, out)
        self.assertTrue(all(psk_offer(h) for h in hellos), out)
        self.expect(server, r"^handshake ok: TLSv1\.3 TLS_AES_128_GCM_SHA256 x25519 none alpn=none sni=localhost "
                            r"\(after HelloRetryRequest\)$")

    def test_gnutls_client_resume(self):
        server, port = self.start_cordon_server(CERT["ed25519"])
        # TLS 1.3 tickets come after the handshake: --waitresumption makes gnutls-cli wait
        # for one before it disconnects and reconnects.
        r = self.gnutls_client(port, "--priority", TLS13_ONLY, "--resume", "--waitresumption")
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        self.assertIn("- Description: (TLS1.3-X.509)-(ECDHE-X25519)-(EdDSA-Ed25519)-(AES-128-GCM)", out)
        self.assertIn("*** This is a resumed session", out)
        self.assertEqual(resumed_field(r.stdout), "yes", out)
        self.assertEqual([line for line, _ in self.handshakes_logged(server)], [
            "TLSv1.3 TLS_AES_128_GCM_SHA256 x25519 ed25519 alpn=none sni=localhost",
            "TLSv1.3 TLS_AES_128_GCM_SHA256 x25519 none alpn=none sni=localhost"], server.describe())

    def test_cordon_client_reconnect_gnutls_server(self):
        server, port = self.start_gnutls_server(CERT["rsa2048"], TLS13_ONLY)
        r, _ = self.cordon_client(port, "--reconnect", "1")
        ctx = f"{r.stdout}\n{r.stderr}\n{server.describe()}"
        self.assertEqual(r.returncode, 0, ctx)
        conns = cordon_connections(r.stdout)
        self.assertEqual([(c.get("protocol"), c.get("resumed"), c.get("group"), c.get("signature scheme"))
                          for c in conns],
                         [("TLSv1.3", "no", "x25519", "rsa_pss_rsae_sha256"), ("TLSv1.3", "yes", "x25519", "none")],
                         ctx)
        self.assertIn("(TLS1.3-X.509)-(ECDHE-X25519)-(RSA-PSS-RSAE-SHA256)-(AES-128-GCM)", conns[0].body)
        self.expect(server, r"^\*\*\* This is a resumed session")
        self.assertEqual(server.output().count("*** This is a resumed session"), 1, ctx)


# --- 8.2 Mutual TLS -------------------------------------------------------------------


class Tls13MutualTlsTests(Tls13Case):
    """Client certificates in TLS 1.3 both ways: cordon client --cert/--key against
    s_server -Verify and gnutls-serv --require-client-cert; s_client and gnutls-cli with a
    certificate against cordon server --client-ca. Refusals with the alert on the wire:
    no certificate (certificate_required), one from an untrusted CA (unknown_ca); optional
    client auth; and resumption, where the client's chain comes back from the ticket."""

    peers_needed = ("openssl", "gnutls-cli", "gnutls-serv")

    def start_openssl_verifying_server(self, *args):
        # -Verify: a certificate is required; ca.pem holds the root only, so the client
        # must send the intermediate.
        return self.start_openssl_server(CERT["p256"], "-Verify", "2", "-CAfile", cert_file("ca.pem"),
                                         "-verify_return_error", *args)

    def start_gnutls_verifying_server(self, *args):
        return self.start_gnutls_server(CERT["p384"], TLS13_ONLY, "--require-client-cert", "--verify-client-cert",
                                        "--x509cafile", cert_file("ca.pem"), *args)

    def assertCordonClientRefused(self, r, alert):  # noqa: N802
        # The client's handshake ends with its Finished, before the server has judged its
        # certificate: the alert comes as the answer to the request.
        self.assertNotEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertRegex(r.stderr, rf"^cordon: (handshake|connection) failed: .*"
                                   rf"\(alert_received, alert sent: none / received: {alert}\)$", r.stdout)

    def test_cordon_client_openssl_server(self):
        server, port = self.start_openssl_verifying_server()
        r, out = self.cordon_client(port, *self.cordon_cert_args())
        ctx = f"{r.stdout}\n{r.stderr}\n{server.describe()}"
        self.assertEqual(r.returncode, 0, ctx)
        self.assertEqual(out.get("protocol"), "TLSv1.3", ctx)
        self.assertRegex(out.body, r"^HTTP/1\.0 200 ok")
        self.assertRegex(out.body, r"(?s)Client certificate\n.*Subject: ?CN ?= ?client\.cordon\.test")
        self.assertRegex(server.output(), r"(?s)depth=1 CN = cordon test intermediate CA\nverify return:1\n"
                                          r"depth=0 CN = client\.cordon\.test\nverify return:1")

    def test_cordon_client_refused_by_openssl_server(self):
        server, port = self.start_openssl_verifying_server()
        with self.subTest(certificate="none"):
            r, _ = self.cordon_client(port)
            self.assertCordonClientRefused(r, "certificate_required")
            self.expect(server, r"peer did not return a certificate")
        with self.subTest(certificate="untrusted"):
            chain, key = self.untrusted_client_certificate()
            r, _ = self.cordon_client(port, "--cert", chain, "--key", key)
            self.assertCordonClientRefused(r, "unknown_ca")
            self.expect(server, r"verify error:num=20:unable to get local issuer certificate")

    def test_cordon_client_gnutls_server(self):
        server, port = self.start_gnutls_verifying_server()
        r, out = self.cordon_client(port, *self.cordon_cert_args())
        ctx = f"{r.stdout}\n{r.stderr}\n{server.describe()}"
        self.assertEqual(r.returncode, 0, ctx)
        self.assertRegex(out.body, r"^HTTP/1\.0 200 OK")
        self.expect(server, r"^- Client Signature: ECDSA-SECP256R1-SHA256$")
        self.assertIn("- Status: The certificate is trusted.", server.output())
        self.assertIn("- Got a certificate list of 2 certificates.", server.output())
        self.assertRegex(server.output(), r"Subject: CN=client\.cordon\.test")
        # Without a certificate: certificate_required.
        r, _ = self.cordon_client(port)
        self.assertCordonClientRefused(r, "certificate_required")
        self.expect(server, r"Error in handshake: Certificate is required\.")

    def test_openssl_client_cordon_server(self):
        server, port = self.start_cordon_server(CERT["p256"], "--client-ca", cert_file("ca.pem"))
        r = self.openssl_client(port, *self.openssl_cert_args())
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        self.assertIn("New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256", out)
        # certificate_authorities in the CertificateRequest: the --client-ca roots.
        self.assertRegex(out, r"^Acceptable client certificate CA names\nCN = cordon test root CA\n")
        self.assertRegex(r.stdout, r"^HTTP/1\.1 200 OK\r?$")
        self.expect(server, rf"^client certificate: {CLIENT_SUBJECT}$")
        # An s_client that offers post-handshake authentication too: cordon asks in the handshake.
        r = self.openssl_client(port, "-enable_pha", *self.openssl_cert_args())
        self.assertEqual(r.returncode, 0, f"{r.stdout}{r.stderr}\n{server.describe()}")
        self.wait_for_count(server, r"^client certificate: ", 2)
        self.assertEqual(self.handshakes_logged(server), [
            ("TLSv1.3 TLS_AES_128_GCM_SHA256 x25519 ecdsa_secp256r1_sha256 alpn=none sni=localhost", CLIENT_SUBJECT)] * 2,
            server.describe())

    def test_gnutls_client_cordon_server(self):
        server, port = self.start_cordon_server(CERT["ed25519"], "--client-ca", cert_file("ca.pem"))
        r = self.gnutls_client(port, *self.gnutls_cert_args())
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        self.assertIn("- Server has requested a certificate.", out)
        self.assertIn("- Successfully sent 2 certificate(s) to server.", out)
        self.assertRegex(r.stdout, r"^HTTP/1\.1 200 OK\r?$")
        self.expect(server, rf"^client certificate: {CLIENT_SUBJECT}$")
        # Offering post-handshake authentication changes nothing: cordon asks in the handshake.
        r = self.gnutls_client(port, "--post-handshake-auth", *self.gnutls_cert_args())
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        self.assertIn("- Successfully sent 2 certificate(s) to server.", out)
        self.wait_for_count(server, rf"^client certificate: {CLIENT_SUBJECT}$", 2)

    def test_missing_certificate_refused(self):
        server, port = self.start_cordon_server(CERT["p256"], "--client-ca", cert_file("ca.pem"))
        reason = r"handshake failed: WAIT_CERT: .*\(certificate_required, alert sent: certificate_required / received: none\)$"
        with self.subTest(client="openssl"):
            r = self.openssl_client(port, "-msg")
            out = r.stdout + r.stderr
            self.assertNotEqual(r.returncode, 0, out)
            self.assertRegex(out, r"^<<< TLS 1\.3, Alert \[length 0002\], fatal certificate_required$")
            self.assertRegex(out, r"SSL alert number 116\b")
            self.assertNotRegex(r.stdout, r"HTTP/1\.1")
            self.wait_for_count(server, reason, 1)
        with self.subTest(client="gnutls"):
            r = self.gnutls_client(port)
            out = r.stdout + r.stderr
            self.assertNotEqual(r.returncode, 0, out)
            self.assertIn("- Successfully sent 0 certificate(s) to server.", out)
            self.assertIn("*** Received alert [116]: Certificate is required", out)
            self.wait_for_count(server, reason, 2)
        self.assertNotIn("handshake ok", server.output())

    def test_untrusted_certificate_refused(self):
        chain, key = self.untrusted_client_certificate()
        server, port = self.start_cordon_server(CERT["p256"], "--client-ca", cert_file("ca.pem"))
        reason = r"handshake failed: WAIT_CERT: .*\(unknown_issuer, alert sent: unknown_ca / received: none\)$"
        with self.subTest(client="openssl"):
            r = self.openssl_client(port, "-msg", "-cert", chain, "-key", key)
            out = r.stdout + r.stderr
            self.assertNotEqual(r.returncode, 0, out)
            self.assertRegex(out, r"^<<< TLS 1\.3, Alert \[length 0002\], fatal unknown_ca$")
            self.assertRegex(out, r"SSL alert number 48\b")
            self.wait_for_count(server, reason, 1)
        with self.subTest(client="gnutls"):
            r = self.gnutls_client(port, *self.gnutls_cert_args(chain, key))
            out = r.stdout + r.stderr
            self.assertNotEqual(r.returncode, 0, out)
            self.assertIn("*** Received alert [48]: CA is unknown", out)
            self.wait_for_count(server, reason, 2)
        self.assertNotIn("handshake ok", server.output())

    def test_server_only_certificate_refused(self):
        # leaf-p384 says extendedKeyUsage serverAuth only: not a client certificate.
        server, port = self.start_cordon_server(CERT["p256"], "--client-ca", cert_file("ca.pem"))
        r = self.openssl_client(port, "-msg", *self.openssl_cert_args(CERT["p384"].chain, CERT["p384"].key))
        out = r.stdout + r.stderr
        self.assertNotEqual(r.returncode, 0, out)
        self.assertRegex(out, r"^<<< TLS 1\.3, Alert \[length 0002\], fatal bad_certificate$")
        self.assertRegex(out, r"SSL alert number 42\b")
        self.expect(server, r"handshake failed: WAIT_CERT: certificate is not valid for this purpose "
                            r"\(extendedKeyUsage\) \(bad_certificate, alert sent: bad_certificate / received: none\)$")

    def test_cordon_client_key_fits_no_requested_scheme(self):
        # s_server asks for ECDSA-P384 or RSA-PSS signatures; client-p256's key can make
        # neither (TLS 1.3 ties ECDSA schemes to the curve): cordon answers with an empty
        # Certificate and no CertificateVerify, and s_server, which requires one, refuses.
        server, port = self.start_openssl_verifying_server("-msg", "-client_sigalgs", "ECDSA+SHA384:RSA-PSS+SHA256")
        r, _ = self.cordon_client(port, *self.cordon_cert_args())
        self.assertCordonClientRefused(r, "certificate_required")
        self.expect(server, r"peer did not return a certificate")
        conn = tls13_connections(server.output())[0]
        self.assertEqual(messages_named(conn, "<<<", "Certificate"), [bytes.fromhex("0b00000400000000")],
                         server.describe())
        self.assertEqual(messages_named(conn, "<<<", "CertificateVerify"), [], server.describe())

    def test_client_key_types(self):
        # RSA-2048, Ed25519 and P-384 client keys (certificates from the test intermediate):
        # cordon server verifies OpenSSL's and GnuTLS's CertificateVerify; cordon client signs
        # with the scheme s_server and gnutls-serv expect.
        cordon_server, cordon_port = self.start_cordon_server(CERT["p256"], "--client-ca", cert_file("ca.pem"))
        openssl_server, openssl_port = self.start_openssl_verifying_server("-msg")
        gnutls_server, gnutls_port = self.start_gnutls_verifying_server()
        for i, (key_type, scheme, code, gnutls_sig) in enumerate(CLIENT_KEYS):
            with self.subTest(key=key_type, scheme=scheme):
                chain, key = self.make_client_certificate(key_type, key_type)
                r = self.openssl_client(cordon_port, *self.openssl_cert_args(chain, key))
                self.assertEqual(r.returncode, 0, f"{r.stdout}{r.stderr}\n{cordon_server.describe()}")
                r = self.gnutls_client(cordon_port, *self.gnutls_cert_args(chain, key))
                self.assertEqual(r.returncode, 0, f"{r.stdout}{r.stderr}\n{cordon_server.describe()}")
                self.wait_for_count(cordon_server, rf"^client certificate: CN=client {key_type}$", 2)

                r, _ = self.cordon_client(openssl_port, "--cert", chain, "--key", key)
                self.assertEqual(r.returncode, 0, f"{r.stdout}{r.stderr}\n{openssl_server.describe()}")
                self.wait_for_close_notify(openssl_server, i + 1)
                verify = messages_named(tls13_connections(openssl_server.output())[i], "<<<", "CertificateVerify")
                self.assertEqual([m[4:6] for m in verify], [code.to_bytes(2, "big")], openssl_server.describe())

                r, _ = self.cordon_client(gnutls_port, "--cert", chain, "--key", key)
                self.assertEqual(r.returncode, 0, f"{r.stdout}{r.stderr}\n{gnutls_server.describe()}")
                self.wait_for_count(gnutls_server, r"^- Client Signature: ", i + 1)
                self.assertEqual(re.findall(r"^- Client Signature: (\S+)$", gnutls_server.output(), re.M)[i],
                                 gnutls_sig, gnutls_server.describe())

    def test_optional_client_auth(self):
        server, port = self.start_cordon_server(CERT["p256"], "--client-ca", cert_file("ca.pem"),
                                                "--client-auth", "optional")
        r = self.openssl_client(port)
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        self.assertIn("Acceptable client certificate CA names", out)  # asked all the same
        self.assertRegex(r.stdout, r"^HTTP/1\.1 200 OK\r?$")
        r = self.gnutls_client(port)
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        self.assertIn("- Successfully sent 0 certificate(s) to server.", out)
        r = self.openssl_client(port, *self.openssl_cert_args())
        self.assertEqual(r.returncode, 0, f"{r.stdout}{r.stderr}\n{server.describe()}")
        self.wait_for_count(server, r"^request: ", 3)
        self.assertEqual([subject for _, subject in self.handshakes_logged(server)], [None, None, CLIENT_SUBJECT],
                         server.describe())

    def test_resumption_keeps_client_certificate_cordon_server(self):
        # No CertificateRequest in a resumed handshake: the chain cordon logs comes from the ticket.
        server, port = self.start_cordon_server(CERT["p256"], "--client-ca", cert_file("ca.pem"))
        session = os.path.join(self.tmp, "session.pem")
        r = self.openssl_client(port, "-sess_out", session, *self.openssl_cert_args())
        self.assertEqual(r.returncode, 0, f"{r.stdout}{r.stderr}\n{server.describe()}")
        r = self.openssl_client(port, "-sess_in", session, "-msg", *self.openssl_cert_args())
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        self.assertIn("Reused, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256", out)
        self.assertEqual(resumed_field(r.stdout), "yes", out)
        names = [n for _, n, _ in msg_handshakes(out)]
        self.assertNotIn("CertificateRequest", names, out)
        self.assertNotIn("Certificate", names, out)
        # (With a client certificate the server sends its tickets only after the client's
        # Finished: without --waitresumption gnutls-cli may disconnect before they come.)
        r = self.gnutls_client(port, "--resume", "--waitresumption", *self.gnutls_cert_args())
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        self.assertIn("*** This is a resumed session", out)
        self.wait_for_count(server, r"^handshake ok: ", 4)
        self.wait_for_count(server, r"^client certificate: ", 4)
        full = ("TLSv1.3 TLS_AES_128_GCM_SHA256 x25519 ecdsa_secp256r1_sha256 alpn=none sni=localhost", CLIENT_SUBJECT)
        resumed = ("TLSv1.3 TLS_AES_128_GCM_SHA256 x25519 none alpn=none sni=localhost", CLIENT_SUBJECT)
        self.assertEqual(self.handshakes_logged(server), [full, resumed, full, resumed], server.describe())

    def test_resumption_keeps_client_certificate_cordon_client(self):
        with self.subTest(server="openssl"):
            server, port = self.start_openssl_verifying_server()
            r, _ = self.cordon_client(port, "--reconnect", "1", *self.cordon_cert_args())
            ctx = f"{r.stdout}\n{r.stderr}\n{server.describe()}"
            self.assertEqual(r.returncode, 0, ctx)
            conns = cordon_connections(r.stdout)
            self.assertEqual([c.get("resumed") for c in conns], ["no", "yes"], ctx)
            self.assertIn("Reused, TLSv1.3", conns[1].body)
            for c in conns:  # s_server still knows the client's certificate
                self.assertRegex(c.body, r"(?s)Client certificate\n.*Subject: ?CN ?= ?client\.cordon\.test")
        with self.subTest(server="gnutls"):
            server, port = self.start_gnutls_verifying_server()
            r, _ = self.cordon_client(port, "--reconnect", "1", *self.cordon_cert_args())
            ctx = f"{r.stdout}\n{r.stderr}\n{server.describe()}"
            self.assertEqual(r.returncode, 0, ctx)
            self.assertEqual([c.get("resumed") for c in cordon_connections(r.stdout)], ["no", "yes"], ctx)
            self.expect(server, r"(?s)\*\*\* This is a resumed session\n.*Subject: CN=client\.cordon\.test")


# --- 8.3 KeyUpdate --------------------------------------------------------------------
#
# FeatureTests covers s_client's K/k against cordon server and s_server's K against cordon
# client; here: cordon client --key-update (update_requested right after the handshake,
# before the request) against OpenSSL and GnuTLS, and GnuTLS's own KeyUpdate to cordon server.


class Tls13KeyUpdateTests(Tls13Case):
    """cordon client --key-update against s_server -msg (full and resumed connections) and
    gnutls-serv -d 4: the KeyUpdate on the wire both ways and the answer under the new
    keys; gnutls-cli --rehandshake (a KeyUpdate in TLS 1.3) against cordon server."""

    peers_needed = ("openssl", "gnutls-cli", "gnutls-serv")

    def test_cordon_client_openssl_server(self):
        # (~1 s per connection: s_server -www reads the KeyUpdate record, finds no data in it,
        # prints "read R BLOCK" and sleeps a second before reading the request.)
        server, port = self.start_openssl_server(CERT["p256"], "-msg")
        r, _ = self.cordon_client(port, "--key-update", "--reconnect", "1")
        ctx = f"{r.stdout}\n{r.stderr}\n{server.describe()}"
        self.assertEqual(r.returncode, 0, ctx)
        conns = cordon_connections(r.stdout)
        self.assertEqual([c.get("resumed") for c in conns], ["no", "yes"], ctx)
        for c in conns:
            self.assertRegex(c.body, r"^key update: sent \(update_requested\)\nHTTP/1\.0 200 ok")
        self.wait_for_close_notify(server, 2)
        seen = tls13_connections(server.output())
        self.assertEqual(len(seen), 2, ctx)
        for i, conn in enumerate(seen):
            # cordon's KeyUpdate(update_requested), then s_server's answer, update_not_requested.
            updates = [(d, m) for d, n, m in conn if n == "KeyUpdate"]
            self.assertEqual(updates, [("<<<", KEY_UPDATE_REQUESTED), (">>>", KEY_UPDATE_NOT_REQUESTED)],
                             f"connection {i}\n{ctx}")

    def test_cordon_client_gnutls_server(self):
        server, port = self.start_gnutls_server(CERT["ed25519"], TLS13_ONLY, "-d", "4")
        r, out = self.cordon_client(port, "--key-update")
        ctx = f"{r.stdout}\n{r.stderr}\n{server.describe()}"
        self.assertEqual(r.returncode, 0, ctx)
        self.assertRegex(out.body, r"^key update: sent \(update_requested\)\nHTTP/1\.0 200 OK")
        self.assertIn("<TD>TLS1.3</TD>", out.body)
        self.expect(server, r"received TLS 1\.3 key update \(1\)")
        self.expect(server, r"sending key update \(0\)")

    def test_gnutls_client_cordon_server(self):
        server, port = self.start_cordon_server(CERT["p256"])
        r = self.gnutls_client(port, "--priority", TLS13_ONLY, "--rehandshake", "-d", "4")
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        self.assertIn("sending key update (1)", out)  # update_requested
        self.assertIn("- ReHandshake was completed", out)
        self.assertIn("received TLS 1.3 key update (0)", out)  # cordon's answer
        self.assertRegex(r.stdout, r"^HTTP/1\.1 200 OK\r?$")
        self.assertEqual(cordon_fields(r.stdout).get("protocol"), "TLSv1.3", out)
        self.expect(server, r"^request: GET / HTTP/1\.0$")


# --- 8.4 Key log of resumed connections -----------------------------------------------


class Tls13KeyLogTests(Tls13Case):
    """cordon's --keylog lines equal OpenSSL's -keylogfile lines for a full and a resumed
    TLS 1.3 connection (the resumed one after a HelloRetryRequest too), as client and server."""

    peers_needed = ("openssl",)

    def compare(self, ours_path, theirs_paths, connections, secret_len):
        ours, theirs = read_key_log(ours_path), {}
        for path in theirs_paths:
            theirs.update(read_key_log(path))
        randoms = sorted({r for _, r in ours})
        self.assertEqual(len(randoms), connections, f"{connections} handshakes expected in cordon's key log: {ours}")
        for random in randoms:
            for label in TLS13_LABELS:
                self.assertIn((label, random), ours, f"cordon logged no {label} for {random}")
                self.assertIn((label, random), theirs, f"OpenSSL logged no {label} for client random {random}")
                self.assertEqual(len(ours[(label, random)]), 2 * secret_len, label)
                self.assertEqual(ours[(label, random)], theirs[(label, random)], f"{label} {random}")
        for key in ours.keys() & theirs.keys():
            self.assertEqual(ours[key], theirs[key], key[0])
        # A resumed connection has secrets of its own.
        for label in TLS13_LABELS:
            self.assertEqual(len({ours[(label, r)] for r in randoms}), connections, label)

    def test_cordon_client(self):
        for suite, groups, secret_len in [("TLS_AES_128_GCM_SHA256", None, 32),
                                          ("TLS_AES_256_GCM_SHA384", "P-384", 48)]:
            with self.subTest(suite=suite, hello_retry_request=bool(groups)):
                ours = os.path.join(self.tmp, f"cordon-{suite}.keys")
                theirs = os.path.join(self.tmp, f"openssl-{suite}.keys")
                args = ["-keylogfile", theirs, "-ciphersuites", suite] + (["-groups", groups] if groups else [])
                server, port = self.start_openssl_server(CERT["p256"], *args)
                r, _ = self.cordon_client(port, "--keylog", ours, "--reconnect", "1")
                ctx = f"{r.stdout}\n{r.stderr}\n{server.describe()}"
                self.assertEqual(r.returncode, 0, ctx)
                conns = cordon_connections(r.stdout)
                self.assertEqual([c.get("resumed") for c in conns], ["no", "yes"], ctx)
                self.assertEqual({c.get("hello retry request") for c in conns}, {"yes" if groups else "no"}, ctx)
                server.stop()  # flushes its key log
                self.compare(ours, [theirs], 2, secret_len)

    def test_cordon_server(self):
        ours = os.path.join(self.tmp, "cordon.keys")
        theirs = [os.path.join(self.tmp, f"openssl-{i}.keys") for i in (1, 2)]
        session = os.path.join(self.tmp, "session.pem")
        server, port = self.start_cordon_server(CERT["p384"], "--keylog", ours)
        r = self.openssl_client(port, "-keylogfile", theirs[0], "-sess_out", session,
                                "-ciphersuites", "TLS_AES_256_GCM_SHA384")
        self.assertEqual(r.returncode, 0, f"{r.stdout}{r.stderr}\n{server.describe()}")
        r = self.openssl_client(port, "-keylogfile", theirs[1], "-sess_in", session,
                                "-ciphersuites", "TLS_AES_256_GCM_SHA384")
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        self.assertIn("Reused, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384", out)
        server.stop()
        self.compare(ours, theirs, 2, 48)


# --- 9. TLS 1.3 0-RTT ------------------------------------------------------------------
#
# Early data (RFC 8446 2.3, 4.2.10, 8) both ways: s_client -sess_in -early_data and
# gnutls-cli --earlydata --resume against `cordon server --max-early-data`, cordon client
# --early-data --reconnect against s_server -early_data and gnutls-serv --earlydata; then
# replays: a relay keeps a client's first flight (ClientHello, change_cipher_spec, the 0-RTT
# records) and the test presents those bytes again to the same cordon server. A replayed
# handshake never completes (the replayer has no keys), so cordon's log cannot say whether it
# took the early data: its EncryptedExtensions can (an empty early_data extension when the
# server accepts 0-RTT). The tests take the server handshake traffic secret of each
# connection from cordon server's --keylog and decrypt that record: AES-GCM's keystream is
# AES-CTR, which `openssl enc` computes (the tag is not checked; the structure read back
# stands in for it), and the original connection, which did get 0-RTT, checks the decryption.

EXT_EARLY_DATA = 0x002A
CONTENT_HANDSHAKE = 22
CONTENT_APPLICATION_DATA = 23
HANDSHAKE_ENCRYPTED_EXTENSIONS = 8
MAX_EARLY_DATA = 16384  # cordon server --max-early-data, s_server's default, gnutls-serv --maxearlydata
EARLY_DATA_WINDOW = 10  # seconds: cordon server's anti-replay window and its ticket-age tolerance for 0-RTT
EARLY_REQUEST = "GET /early HTTP/1.0\r\nHost: localhost\r\n\r\n"
# The TLS 1.3 AES-GCM suites: (hash, key length, the AES-CTR cipher with their keystream).
TLS13_AES_GCM = {0x1301: ("sha256", 16, "aes-128-ctr"), 0x1302: ("sha384", 32, "aes-256-ctr")}


def cordon_escaped(text):
    """text as `cordon client --request` takes it (the CLI unescapes \\r and \\n)."""
    return text.replace("\r", r"\r").replace("\n", r"\n")


def early_data_lines(stdout):
    """What `cordon client --early-data` printed after "early data: ", one per connection."""
    return re.findall(r"^early data: (.*)$", stdout, re.MULTILINE)


def tls_records(data):
    """[(content type, body)] of the whole TLS records at the start of data."""
    records, i = [], 0
    while i + 5 <= len(data):
        n = int.from_bytes(data[i + 3:i + 5], "big")
        if i + 5 + n > len(data):
            break
        records.append((data[i], bytes(data[i + 5:i + 5 + n])))
        i += 5 + n
    return records


def extension_block(data):
    """{type: body} of an extension list (a 2-byte length, then the extensions)."""
    extensions = {}
    end = 2 + int.from_bytes(data[0:2], "big")
    i = 2
    while i < end:
        kind, length = int.from_bytes(data[i:i + 2], "big"), int.from_bytes(data[i + 2:i + 4], "big")
        extensions[kind] = bytes(data[i + 4:i + 4 + length])
        i += 4 + length
    if i != end or end > len(data):
        raise AssertionError(f"malformed extension list: {bytes(data).hex()}")
    return extensions


def ticket_extensions(message):
    """{type: body} of a NewSessionTicket message's extensions."""
    body = message[4:]
    nonce_end = 9 + body[8]
    ticket_end = nonce_end + 2 + int.from_bytes(body[nonce_end:nonce_end + 2], "big")
    return extension_block(body[ticket_end:])


def encrypted_extensions(message):
    """{type: body} of an EncryptedExtensions message (header included)."""
    if message[0] != HANDSHAKE_ENCRYPTED_EXTENSIONS:
        raise AssertionError(f"not an EncryptedExtensions message: {bytes(message[:16]).hex()}...")
    return extension_block(message[4:4 + int.from_bytes(message[1:4], "big")])


def hkdf_expand_label(secret, label, length, hash_name):
    """RFC 8446 7.1 HKDF-Expand-Label(secret, label, "", length)."""
    full = b"tls13 " + label
    info = length.to_bytes(2, "big") + bytes([len(full)]) + full + b"\x00"
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(secret, block + info + bytes([counter]), hash_name).digest()
        out += block
        counter += 1
    return out[:length]


def open_tls13_record(suite, secret, seq, body):
    """(inner content type, content) of a TLS 1.3 record body protected under the traffic
    secret (bytes) with AES-GCM, at sequence number seq. GCM encrypts with AES-CTR from
    nonce || 00000002: `openssl enc` decrypts it; the tag is not checked."""
    if suite not in TLS13_AES_GCM:
        raise AssertionError(f"suite 0x{suite:04x}: only the AES-GCM suites are decrypted here")
    hash_name, key_len, cipher = TLS13_AES_GCM[suite]
    key = hkdf_expand_label(secret, b"key", key_len, hash_name)
    iv = hkdf_expand_label(secret, b"iv", 12, hash_name)
    nonce = bytes(a ^ b for a, b in zip(iv, seq.to_bytes(12, "big")))
    cmd = ["openssl", "enc", "-d", f"-{cipher}", "-K", key.hex(), "-iv", (nonce + b"\x00\x00\x00\x02").hex()]
    r = subprocess.run(cmd, input=body[:-16], capture_output=True, timeout=COMMAND_TIMEOUT)
    if r.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)}: {r.stderr.decode(errors='replace')}")
    inner = r.stdout.rstrip(b"\x00")  # content, content type, zero padding
    if not inner:
        raise AssertionError("an all-zero inner plaintext")
    return inner[-1], inner[:-1]


def key_log_secrets(path, label, client_random):
    """The secrets (bytes) an NSS key log holds under label for client_random (bytes), in the
    order they were written: a replayed ClientHello has the client random of the original."""
    secrets = []
    with open(path, encoding="ascii") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[0] == label and parts[1] == client_random.hex():
                secrets.append(bytes.fromhex(parts[2]))
    return secrets


@dataclass(frozen=True)
class ServerAnswer:
    """What a TLS 1.3 server sent for a ClientHello: the ServerHello, and the extensions of
    the EncryptedExtensions it sent under its handshake traffic secret."""
    server_hello: bytes
    suite: int
    encrypted_extensions: dict

    @property
    def resumed(self):
        return EXT_PRE_SHARED_KEY in hello_extensions(self.server_hello)

    @property
    def early_data_accepted(self):
        return EXT_EARLY_DATA in self.encrypted_extensions


def read_server_answer(data, server_handshake_secret):
    """The ServerAnswer in the bytes a server sent (ServerHello, change_cipher_spec, then its
    encrypted flight, EncryptedExtensions first)."""
    records = tls_records(data)
    hellos = [body for kind, body in records if kind == CONTENT_HANDSHAKE]
    protected = [body for kind, body in records if kind == CONTENT_APPLICATION_DATA]
    if not hellos or not protected:
        raise AssertionError(f"no ServerHello and encrypted flight in {bytes(data).hex()}")
    server_hello = hellos[0]
    if server_hello[0] != 2 or is_hello_retry_request(server_hello):
        raise AssertionError(f"not a ServerHello: {server_hello.hex()}")
    sid = server_hello[38]
    suite = int.from_bytes(server_hello[39 + sid:41 + sid], "big")
    kind, content = open_tls13_record(suite, server_handshake_secret, 0, protected[0])
    if kind != CONTENT_HANDSHAKE:
        raise AssertionError(f"the first encrypted record has content type {kind}, not handshake: "
                             "wrong secret or not this connection's")
    return ServerAnswer(server_hello, suite, encrypted_extensions(content))


def relay_pipe(src, dst, record=None):
    """Copies src to dst until EOF (appending to record), then shuts both down."""
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if record is not None:
                record.extend(data)
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class _FirstFlightRelay:
    """A TCP relay to target_port for connections one after the other. Of each it keeps the
    client's first flight, everything the client sends before the server has answered: the
    ClientHello record, then whatever follows (a change_cipher_spec, the 0-RTT records: at
    least one when the ClientHello offers early data) until the client has been quiet for
    QUIET seconds. Then it forwards the flight and relays both ways, keeping what the server
    sent. A connection whose index is in withhold is not forwarded: its flight is kept and
    the client disconnected."""

    QUIET = 0.3

    def __init__(self, target_port, withhold=()):
        self.target_port = target_port
        self.withhold = set(withhold)
        self.flights = []  # per connection: the client's first flight
        self.answers = []  # per connection: what the server sent (nothing when withheld)
        self.error = None
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def close(self):
        self._stop.set()
        self.thread.join(30)
        self.listener.close()

    def _run(self):
        try:
            while not self._stop.is_set():
                try:
                    client, _ = self.listener.accept()
                except socket.timeout:
                    continue
                with client:
                    self._relay(client)
        except Exception as e:  # noqa: BLE001 - the test reports it
            self.error = e

    def _relay(self, client):
        client.settimeout(20)
        header = recv_exactly(client, 5)
        hello = recv_exactly(client, int.from_bytes(header[3:5], "big"))
        flight = bytearray(header + hello)
        if hello[0] == 1 and EXT_EARLY_DATA in hello_extensions(hello):
            # At least one 0-RTT record, however late it comes.
            while not any(kind == CONTENT_APPLICATION_DATA for kind, _ in tls_records(flight)):
                data = client.recv(65536)
                if not data:
                    break
                flight.extend(data)
        client.settimeout(self.QUIET)
        try:
            while True:
                data = client.recv(65536)
                if not data:
                    break
                flight.extend(data)
        except socket.timeout:
            pass
        answer = bytearray()
        self.flights.append(bytes(flight))
        self.answers.append(answer)
        if len(self.flights) - 1 in self.withhold:
            return
        client.settimeout(20)
        with socket.create_connection(("127.0.0.1", self.target_port), timeout=20) as server:
            server.sendall(flight)
            up = threading.Thread(target=relay_pipe, args=(client, server), daemon=True)
            up.start()
            relay_pipe(server, client, answer)
            up.join(20)


def present_flight(port, flight, timeout=10):
    """Replays a recorded first flight to 127.0.0.1:port on a new connection and sends
    nothing more; once the server's encrypted flight has come, closes the sending side and
    reads until the server gives up and closes. Returns all the server sent."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(flight)
        data = bytearray()
        while not any(kind == CONTENT_APPLICATION_DATA for kind, _ in tls_records(data)):
            chunk = s.recv(65536)
            if not chunk:
                break
            data.extend(chunk)
        s.shutdown(socket.SHUT_WR)
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data.extend(chunk)
        except OSError:
            pass
        return bytes(data)


class Tls13EarlyDataCase(Tls13Case):
    """Tls13Case with the files, servers and clients of the 0-RTT tests."""

    def early_file(self, text, name="early.txt"):
        """A file holding text: s_client -early_data and gnutls-cli --earlydata read it."""
        path = os.path.join(self.tmp, name)
        with open(path, "w", encoding="ascii", newline="") as f:
            f.write(text)
        return path

    def s_client(self, port, *args, **kwargs):
        r = self.openssl_client(port, "-msg", *args, **kwargs)
        return r, f"{r.stdout}{r.stderr}"

    def start_cordon_early_data_server(self, *args, cert=CERT["p256"]):
        return self.start_cordon_server(cert, "--max-early-data", str(MAX_EARLY_DATA), *args)

    def connection_logs(self, server):
        """cordon server's log, one list of lines per connection ("connection from" on)."""
        logs = []
        for line in server.output().splitlines():
            if line.startswith("connection from "):
                logs.append([])
            elif logs:
                logs[-1].append(line)
        return logs

    def start_cordon_client(self, port, *args, request=CORDON_REQUEST):
        """`cordon client` in the background (for a server the test drives meanwhile)."""
        cmd = [CORDON, "client", f"localhost:{port}", "--cafile", cert_file("ca.pem"), "--timeout", "10",
               "--request", request] + list(args)
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, errors="replace")

        def stop():
            if proc.poll() is None:
                proc.kill()
            proc.communicate()
        self.addCleanup(stop)
        proc.cmd = cmd
        return proc

    def finish_cordon_client(self, proc, *peers):
        """(returncode, stdout, context) once the background client has ended."""
        try:
            stdout, stderr = proc.communicate(timeout=COMMAND_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            stdout, stderr = proc.communicate()
            self.fail(f"timed out: {' '.join(proc.cmd)}\n{stdout}\n{stderr}\n" + "\n".join(p.describe() for p in peers))
        ctx = f"$ {' '.join(proc.cmd)}\n{stdout}\n{stderr}\n" + "\n".join(p.describe() for p in peers)
        self.assertNoSanitizerReport(stderr, ctx)
        return proc.returncode, stdout, ctx


# --- 9.1 0-RTT with OpenSSL and GnuTLS -------------------------------------------------


class Tls13EarlyDataTests(Tls13EarlyDataCase):
    """0-RTT both ways: s_client -sess_in -early_data and gnutls-cli --earlydata --resume
    against cordon server --max-early-data (accepted; refused by a server without it and
    after a HelloRetryRequest), cordon client --early-data --reconnect 1 against
    s_server -early_data (accepted; refused after a HelloRetryRequest and sent again) and
    gnutls-serv --earlydata."""

    peers_needed = ("openssl", "gnutls-cli", "gnutls-serv")

    # s_server -early_data cannot be combined with -www: it prints what it reads (early data
    # after "Early data received:") and sends what its stdin gets; a stdin read starting with
    # "q" closes the connection (without close_notify) and waits for the next one.
    def start_openssl_early_data_server(self, *args):
        require("openssl")
        cert = CERT["p256"]
        cmd = ["stdbuf", "-oL", "openssl", "s_server", "-tls1_3", "-cert", cert.chain, "-key", cert.key,
               "-cert_chain", cert_file("intermediate.pem"), "-early_data", "-msg"] + list(args)
        server, port, _ = self._start(cmd, "openssl s_server", r"^ACCEPT$",
                                      port_arg=lambda p: ["-accept", f"127.0.0.1:{p}"], interactive=True)
        return server, port

    def answer_openssl_connections(self, server, client, request_line, connections):
        """Answers each connection once s_server has printed its request, then closes it."""
        for i in range(connections):
            deadline = time.monotonic() + 10
            while server.output().count(request_line) < i + 1:
                if time.monotonic() > deadline or client.poll() is not None:
                    self.fail(f"connection {i}: s_server never printed {request_line!r}\n{server.describe()}")
                time.sleep(0.05)
            server.send(f"HTTP/1.0 200 ok\r\n\r\nanswer {i}\n")
            # "q" must come in a read of its own: once -msg shows the answer's record sent.
            self.wait_for_count(server, r"^>>> TLS 1\.\d, InnerContent \[length 0001\]\n    17 ?$", i + 1)
            server.send("q\n")

    def test_openssl_client_cordon_server(self):
        server, port = self.start_cordon_early_data_server()
        session = os.path.join(self.tmp, "session.pem")
        r, out = self.s_client(port, "-sess_out", session)
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        self.assertIn("Early data was not sent", out)
        # Both tickets allow 0-RTT: early_data with max_early_data_size (RFC 8446 4.2.10).
        tickets = messages_named(msg_handshakes(out), "<<<", "NewSessionTicket")
        self.assertEqual(len(tickets), 2, out)
        for t in tickets:
            self.assertEqual(ticket_extensions(t).get(EXT_EARLY_DATA), MAX_EARLY_DATA.to_bytes(4, "big"), out)

        # The whole request as 0-RTT data, nothing after the handshake; the same ticket twice:
        # cordon's anti-replay is per ClientHello (RFC 8446 8.2), and each is a new one.
        for attempt in (1, 2):
            with self.subTest(request="whole", attempt=attempt):
                r, out = self.s_client(port, "-sess_in", session, "-early_data", self.early_file(EARLY_REQUEST),
                                       request="")
                ctx = f"{out}\n{server.describe()}"
                self.assertEqual(r.returncode, 0, ctx)
                self.assertIn("Reused, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256", out)
                self.assertIn("Early data was accepted", out)
                self.assertIn(EXT_EARLY_DATA, hello_extensions(the_message(out, ">>>", "ClientHello")), out)
                self.assertIn(EXT_EARLY_DATA, encrypted_extensions(the_message(out, "<<<", "EncryptedExtensions")),
                              out)
                self.assertEqual(the_message(out, ">>>", "EndOfEarlyData"), b"\x05\x00\x00\x00", out)
                self.assertRegex(r.stdout, r"^HTTP/1\.1 200 OK\r?$")
                self.assertIn("request: GET /early HTTP/1.0\n", r.stdout)
                self.assertEqual(resumed_field(r.stdout), "yes", out)
                self.wait_for_count(server, r"^request: ", 1 + attempt)
                log = self.connection_logs(server)[attempt]
                self.assertEqual(log[1:], [f"early data: {len(EARLY_REQUEST)} bytes", "request: GET /early HTTP/1.0"],
                                 ctx)

        # The request line early, the headers after the handshake: one request, in order.
        with self.subTest(request="split"):
            early = "GET /split HTTP/1.0\r\n"
            r, out = self.s_client(port, "-sess_in", session, "-early_data", self.early_file(early),
                                   request="Host: localhost\r\n\r\n")
            ctx = f"{out}\n{server.describe()}"
            self.assertEqual(r.returncode, 0, ctx)
            self.assertIn("Early data was accepted", out)
            self.assertIn("request: GET /split HTTP/1.0\n", r.stdout)
            self.wait_for_count(server, r"^request: ", 4)
            self.assertEqual(self.connection_logs(server)[3][1:],
                             [f"early data: {len(early)} bytes", "request: GET /split HTTP/1.0"], ctx)

    def test_openssl_client_each_suite_alpn_and_size(self):
        # The early traffic key of each suite's hash (SHA-384 too), with the ticket's ALPN
        # (RFC 8446 4.2.10: early data needs the same), and exactly max_early_data_size bytes.
        server, port = self.start_cordon_early_data_server("--alpn", "http/1.1")
        for suite in SUITES:
            with self.subTest(suite=suite.name):
                session = os.path.join(self.tmp, f"{suite.name}.pem")
                args = ["-ciphersuites", suite.name, "-alpn", "http/1.1"]
                r, out = self.s_client(port, *args, "-sess_out", session)
                self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
                r, out = self.s_client(port, *args, "-sess_in", session, "-early_data", self.early_file(EARLY_REQUEST),
                                       request="")
                self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
                self.assertIn(f"Reused, TLSv1.3, Cipher is {suite.name}", out)
                self.assertIn("ALPN protocol: http/1.1", out)
                self.assertIn("Early data was accepted", out)
                self.assertIn("request: GET /early HTTP/1.0\n", r.stdout)
        with self.subTest(size=MAX_EARLY_DATA):
            head, tail = "GET /big HTTP/1.0\r\nX-Fill: ", "\r\n\r\n"
            request = head + "a" * (MAX_EARLY_DATA - len(head) - len(tail)) + tail
            # The ticket's suite again: early data needs it (RFC 8446 4.2.10).
            r, out = self.s_client(port, "-ciphersuites", SUITES[0].name, "-alpn", "http/1.1", "-sess_in",
                                   os.path.join(self.tmp, f"{SUITES[0].name}.pem"), "-early_data",
                                   self.early_file(request), request="")
            self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
            self.assertIn("Early data was accepted", out)
            self.assertIn("request: GET /big HTTP/1.0\n", r.stdout)
        self.wait_for_count(server, r"^request: ", 2 * len(SUITES) + 1)
        self.assertEqual(re.findall(r"^early data: .*$", server.output(), re.MULTILINE),
                         [f"early data: {len(EARLY_REQUEST)} bytes"] * len(SUITES)
                         + [f"early data: {MAX_EARLY_DATA} bytes"], server.describe())

    def test_openssl_client_early_data_refused(self):
        # A ticket that allows 0-RTT, offered to a new server process without --max-early-data
        # (other ticket keys): a full handshake; the 0-RTT records are skipped, and the
        # request sent after the handshake is answered.
        server, port = self.start_cordon_early_data_server()
        session = os.path.join(self.tmp, "session.pem")
        r, out = self.s_client(port, "-sess_out", session)
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        server.stop()
        with self.subTest(server="without --max-early-data"):
            server, port = self.start_cordon_server(CERT["p256"])
            r, out = self.s_client(port, "-sess_in", session, "-early_data", self.early_file(EARLY_REQUEST))
            ctx = f"{out}\n{server.describe()}"
            self.assertEqual(r.returncode, 0, ctx)
            self.assertIn(EXT_EARLY_DATA, hello_extensions(the_message(out, ">>>", "ClientHello")), out)
            self.assertIn("New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256", out)
            self.assertIn("Early data was rejected", out)
            self.assertNotIn(EXT_EARLY_DATA, encrypted_extensions(the_message(out, "<<<", "EncryptedExtensions")),
                             out)
            self.assertNotIn("EndOfEarlyData", out)
            self.assertIn("request: GET / HTTP/1.0\n", r.stdout)
            # This server's tickets do not allow 0-RTT.
            tickets = messages_named(msg_handshakes(out), "<<<", "NewSessionTicket")
            self.assertEqual(len(tickets), 2, out)
            self.assertFalse(any(EXT_EARLY_DATA in ticket_extensions(t) for t in tickets), out)
            self.wait_for_count(server, r"^request: ", 1)
            self.assertNotIn("early data:", server.output())
            server.stop()

        # RFC 8446 4.2.10: a HelloRetryRequest refuses 0-RTT; the resumption goes on.
        with self.subTest(server="HelloRetryRequest"):
            server, port = self.start_cordon_early_data_server("--group", "x25519")
            r, out = self.s_client(port, "-groups", "P-256:X25519", "-sess_out", session)
            self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
            r, out = self.s_client(port, "-groups", "P-256:X25519", "-sess_in", session, "-early_data",
                                   self.early_file(EARLY_REQUEST))
            ctx = f"{out}\n{server.describe()}"
            self.assertEqual(r.returncode, 0, ctx)
            self.assertEqual(len(messages_named(msg_handshakes(out), ">>>", "ClientHello")), 2, out)
            self.assertIn("Reused, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256", out)
            self.assertIn("Early data was rejected", out)
            self.assertEqual(cordon_fields(r.stdout).get("hello retry request"), "yes", out)
            self.assertIn("request: GET / HTTP/1.0\n", r.stdout)
            self.wait_for_count(server, r"^request: ", 2)
            self.assertEqual(self.connection_logs(server)[1], [
                "handshake ok: TLSv1.3 TLS_AES_128_GCM_SHA256 x25519 none alpn=none sni=localhost "
                "(after HelloRetryRequest)", "request: GET / HTTP/1.0"], ctx)
            server.stop()

        # RFC 8446 4.2.10: 0-RTT needs the ticket's suite. A ChaCha20 ticket, offered by a
        # client that allows AES-128-GCM only (s_client still sends its early data, under the
        # ticket's suite): resumed with AES-128-GCM (same hash), the early data refused.
        with self.subTest(server="another suite"):
            server, port = self.start_cordon_early_data_server()
            r, out = self.s_client(port, "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256", "-sess_out", session)
            self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
            r, out = self.s_client(port, "-ciphersuites", "TLS_AES_128_GCM_SHA256", "-sess_in", session,
                                   "-early_data", self.early_file(EARLY_REQUEST))
            ctx = f"{out}\n{server.describe()}"
            self.assertEqual(r.returncode, 0, ctx)
            self.assertIn(EXT_EARLY_DATA, hello_extensions(the_message(out, ">>>", "ClientHello")), out)
            self.assertIn("Reused, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256", out)
            self.assertIn("Early data was rejected", out)
            self.assertIn("request: GET / HTTP/1.0\n", r.stdout)
            self.wait_for_count(server, r"^request: ", 2)
            self.assertEqual(self.connection_logs(server)[1], [
                "handshake ok: TLSv1.3 TLS_AES_128_GCM_SHA256 x25519 none alpn=none sni=localhost",
                "request: GET / HTTP/1.0"], ctx)

    def test_cordon_client_openssl_server(self):
        request = EARLY_REQUEST
        server, port = self.start_openssl_early_data_server()
        client = self.start_cordon_client(port, "--early-data", "--reconnect", "1", request=cordon_escaped(request))
        self.answer_openssl_connections(server, client, "GET /early HTTP/1.0", 2)
        rc, stdout, ctx = self.finish_cordon_client(client, server)
        self.assertEqual(rc, 0, ctx)
        conns = cordon_connections(stdout)
        self.assertEqual([c.get("resumed") for c in conns], ["no", "yes"], ctx)
        self.assertEqual(early_data_lines(stdout), ["not offered (0 bytes sent early)",
                                                    f"accepted ({len(request)} bytes sent early)"], ctx)
        for i, c in enumerate(conns):
            self.assertIn(f"answer {i}", c.body, ctx)
        # What s_server read: the request once per connection, the second time as early data.
        out = server.output()
        self.assertEqual(out.count("GET /early HTTP/1.0"), 2, ctx)
        self.assertEqual(out.count("No early data received"), 1, ctx)
        self.assertIn(f"Early data received:\n{request}", out)  # then -msg's lines, then:
        self.assertEqual(out.count("\nEnd of early data\n"), 1, ctx)
        seen = tls13_connections(out)
        self.assertEqual(len(seen), 2, ctx)
        self.assertNotIn(EXT_EARLY_DATA, hello_extensions(messages_named(seen[0], "<<<", "ClientHello")[0]), ctx)
        self.assertIn(EXT_EARLY_DATA, hello_extensions(messages_named(seen[1], "<<<", "ClientHello")[0]), ctx)
        self.assertIn(EXT_EARLY_DATA, encrypted_extensions(messages_named(seen[1], ">>>", "EncryptedExtensions")[0]),
                      ctx)
        self.assertEqual(messages_named(seen[1], "<<<", "EndOfEarlyData"), [b"\x05\x00\x00\x00"], ctx)

    def test_cordon_client_openssl_server_hello_retry_request(self):
        # s_server takes P-256 only, cordon offers an x25519 share: a HelloRetryRequest, which
        # refuses the 0-RTT data (RFC 8446 4.2.10); cordon sends the request again after the
        # handshake, and s_server reads it once. (s_server -early_data makes its tickets
        # single-use, and its first ClientHello already used this one up: after the
        # HelloRetryRequest it makes a full handshake, for s_client too.)
        request = EARLY_REQUEST
        server, port = self.start_openssl_early_data_server("-groups", "P-256")
        client = self.start_cordon_client(port, "--early-data", "--reconnect", "1", request=cordon_escaped(request))
        self.answer_openssl_connections(server, client, "GET /early HTTP/1.0", 2)
        rc, stdout, ctx = self.finish_cordon_client(client, server)
        self.assertEqual(rc, 0, ctx)
        conns = cordon_connections(stdout)
        self.assertEqual([c.get("hello retry request") for c in conns], ["yes", "yes"], ctx)
        self.assertEqual(early_data_lines(stdout), ["not offered (0 bytes sent early)",
                                                    f"rejected ({len(request)} bytes sent early)"], ctx)
        self.assertIn("answer 1", conns[1].body, ctx)
        out = server.output()
        self.assertEqual(out.count("GET /early HTTP/1.0"), 2, ctx)
        self.assertIn("Early data was rejected", out)
        self.assertNotIn("Early data received", out)
        seen = tls13_connections(out)
        self.assertEqual(len(seen), 2, ctx)
        hellos = messages_named(seen[1], "<<<", "ClientHello")
        self.assertEqual(len(hellos), 2, ctx)
        self.assertIn(EXT_EARLY_DATA, hello_extensions(hellos[0]), ctx)
        self.assertNotIn(EXT_EARLY_DATA, hello_extensions(hellos[1]), ctx)  # RFC 8446 4.2.10
        self.assertEqual(messages_named(seen[1], "<<<", "EndOfEarlyData"), [], ctx)

    def test_cordon_client_gnutls_server(self):
        # gnutls-serv 3.7 takes the 0-RTT data in (-d 5: "decrypted early data") but never
        # hands it to its HTTP code (gnutls-cli's own early data goes unanswered too): the
        # resumed connection waits, and stopping the server ends it.
        request = EARLY_REQUEST
        server, port = self.start_gnutls_server(CERT["p256"], TLS13_ONLY, "--earlydata", "--maxearlydata",
                                                str(MAX_EARLY_DATA), "-d", "5")
        client = self.start_cordon_client(port, "--early-data", "--reconnect", "1", request=cordon_escaped(request))
        self.expect(server, rf"decrypted early data with length: {len(request)}, ", timeout=COMMAND_TIMEOUT)
        self.expect(server, r"^\*\*\* This is a resumed session")
        self.expect(server, r"early data accepted")
        server.stop()
        rc, stdout, ctx = self.finish_cordon_client(client, server)
        self.assertEqual(rc, 0, ctx)
        conns = cordon_connections(stdout)
        self.assertEqual([c.get("resumed") for c in conns], ["no", "yes"], ctx)
        self.assertEqual(early_data_lines(stdout), ["not offered (0 bytes sent early)",
                                                    f"accepted ({len(request)} bytes sent early)"], ctx)
        self.assertIn("HTTP/1.0 200 OK", conns[0].body, ctx)
        self.assertEqual(server.output().count("decrypted early data with length"), 1, ctx)

    def test_gnutls_client_cordon_server(self):
        server, port = self.start_cordon_early_data_server(cert=CERT["ed25519"])
        r = self.gnutls_client(port, "--priority", TLS13_ONLY, "--earlydata", self.early_file(EARLY_REQUEST),
                               "--resume", "--waitresumption", "-d", "4", request="")
        out = r.stdout + r.stderr
        ctx = f"{out}\n{server.describe()}"
        self.assertEqual(r.returncode, 0, ctx)
        self.assertIn("*** This is a resumed session", out)
        # cordon's EncryptedExtensions on the resumed connection accepts the early data.
        self.assertIn("Parsing extension 'Early Data/42' (0 bytes)", out)
        self.assertIn("request: GET /early HTTP/1.0\n", r.stdout)
        self.assertEqual(resumed_field(r.stdout), "yes", out)
        self.wait_for_count(server, r"^request: ", 1)
        logs = self.connection_logs(server)
        self.assertEqual(len(logs), 2, ctx)  # gnutls-cli's first connection sends no request
        self.assertEqual(logs[1], ["handshake ok: TLSv1.3 TLS_AES_128_GCM_SHA256 x25519 none alpn=none sni=localhost",
                                   f"early data: {len(EARLY_REQUEST)} bytes", "request: GET /early HTTP/1.0"], ctx)


# --- 9.2 Replays ------------------------------------------------------------------------


class Tls13EarlyDataReplayTests(Tls13EarlyDataCase):
    """A client's first flight with 0-RTT data (ClientHello + early data records), recorded by
    a relay and presented again to the same cordon server: the early data of one ClientHello
    is accepted at most once (RFC 8446 8.2) within the window, and the ticket age refuses it
    after (8.3); a replayed handshake never completes."""

    peers_needed = ("openssl",)

    def start_relay(self, port, withhold=()):
        relay = _FirstFlightRelay(port, withhold)
        self.addCleanup(relay.close)
        return relay

    def check_flight(self, flight, client_key_log, early_text):
        """The recorded flight is a ClientHello offering early data, then (the change_cipher_spec
        and) the early data records: the first holds early_text, under the client early
        traffic secret in the client's key log. Returns the client random."""
        records = tls_records(flight)
        self.assertEqual(sum(5 + len(body) for _, body in records), len(flight), "a partial record in the flight")
        self.assertEqual(records[0][0], CONTENT_HANDSHAKE, flight.hex())
        hello = records[0][1]
        self.assertEqual(hello[0], 1, "not a ClientHello")
        self.assertIn(EXT_EARLY_DATA, hello_extensions(hello), hello.hex())
        random = hello_random(hello)
        early = [body for kind, body in records if kind == CONTENT_APPLICATION_DATA]
        self.assertTrue(early, f"no early data records in the flight: {flight.hex()}")
        secrets = key_log_secrets(client_key_log, "CLIENT_EARLY_TRAFFIC_SECRET", random)
        self.assertEqual(len(secrets), 1, f"the client logged {len(secrets)} early secrets for {random.hex()}")
        kind, content = open_tls13_record(0x1301, secrets[0], 0, early[0])  # the tickets' suite, AES-128-GCM
        self.assertEqual((kind, content), (CONTENT_APPLICATION_DATA, early_text.encode()), "the early data record")
        return random

    def server_answers(self, server_key_log, random, answers, ctx):
        """ServerAnswer of each of answers (bytes the server sent to ClientHellos with this
        client random, in order), with the secrets from cordon server's key log."""
        secrets = key_log_secrets(server_key_log, "SERVER_HANDSHAKE_TRAFFIC_SECRET", random)
        self.assertEqual(len(secrets), len(answers), f"SERVER_HANDSHAKE_TRAFFIC_SECRET lines for {random.hex()}\n{ctx}")
        return [read_server_answer(data, secret) for data, secret in zip(answers, secrets)]

    def test_replay_of_cordon_client_first_flight(self):
        # cordon client's resumed connection sends its request as 0-RTT data through the
        # relay; it is answered. The same bytes again on a new connection, at once: the
        # server refuses the early data, and the replayer cannot finish the handshake.
        server_keys, client_keys = (os.path.join(self.tmp, name) for name in ("server.keys", "client.keys"))
        server, port = self.start_cordon_early_data_server("--keylog", server_keys)
        relay = self.start_relay(port)
        r, _ = self.cordon_client(relay.port, "--early-data", "--reconnect", "1", "--keylog", client_keys,
                                  request=cordon_escaped(EARLY_REQUEST))
        ctx = f"{r.stdout}\n{r.stderr}\n{server.describe()}"
        self.assertEqual(r.returncode, 0, ctx)
        self.assertIsNone(relay.error, ctx)
        self.assertEqual(early_data_lines(r.stdout), ["not offered (0 bytes sent early)",
                                                      f"accepted ({len(EARLY_REQUEST)} bytes sent early)"], ctx)
        self.wait_for_count(server, r"^request: ", 2)
        self.assertEqual(len(relay.flights), 2, ctx)
        random = self.check_flight(relay.flights[1], client_keys, EARLY_REQUEST)

        replayed = present_flight(port, relay.flights[1])
        self.wait_for_count(server, r"^handshake failed: ", 1)
        original, replay = self.server_answers(server_keys, random, [relay.answers[1], replayed], ctx)
        self.assertTrue(original.early_data_accepted, f"{original}\n{ctx}")
        self.assertFalse(replay.early_data_accepted,
                         f"the replayed early data was accepted: {replay}\n{server.describe()}")
        logs = self.connection_logs(server)
        self.assertEqual(len(logs), 3, server.describe())
        self.assertEqual(logs[1][1:], [f"early data: {len(EARLY_REQUEST)} bytes", "request: GET /early HTTP/1.0"],
                         server.describe())
        self.assertEqual(len(logs[2]), 1, server.describe())
        self.assertRegex(logs[2][0], r"^handshake failed: ")
        self.assertEqual(server.output().count("early data:"), 1, server.describe())

    def test_withheld_first_flight_presented_twice(self):
        # The relay keeps s_client's first flight from the server; the test presents it twice:
        # the first presentation gets the early data accepted (the server cannot tell), the
        # second not. Neither handshake completes, so only EncryptedExtensions can tell.
        server_keys, client_keys = (os.path.join(self.tmp, name) for name in ("server.keys", "client.keys"))
        server, port = self.start_cordon_early_data_server("--keylog", server_keys)
        session = os.path.join(self.tmp, "session.pem")
        r, out = self.s_client(port, "-sess_out", session)
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        relay = self.start_relay(port, withhold={0})
        self.openssl_client(relay.port, "-sess_in", session, "-early_data", self.early_file(EARLY_REQUEST),
                            "-keylogfile", client_keys, request="")  # disconnected by the relay
        self.assertIsNone(relay.error)
        self.assertEqual(len(relay.flights), 1)
        random = self.check_flight(relay.flights[0], client_keys, EARLY_REQUEST)
        answers = []
        for i in (1, 2):
            answers.append(present_flight(port, relay.flights[0]))
            self.wait_for_count(server, r"^handshake failed: ", i)
        first, second = self.server_answers(server_keys, random, answers, server.describe())
        self.assertTrue(first.early_data_accepted, f"{first}\n{server.describe()}")
        self.assertFalse(second.early_data_accepted,
                         f"the same ClientHello's early data accepted twice: {second}\n{server.describe()}")
        self.assertEqual(server.output().count("handshake ok: "), 1, server.describe())
        self.assertNotIn("early data:", server.output())

    def test_replay_after_the_window(self):
        # The register of ClientHellos whose early data was taken keeps them for the window;
        # after it, the ticket age in the replayed ClientHello (sent in the original) is more
        # than the window off the server's clock: still no early data.
        server_keys, client_keys = (os.path.join(self.tmp, name) for name in ("server.keys", "client.keys"))
        server, port = self.start_cordon_early_data_server("--keylog", server_keys)
        session = os.path.join(self.tmp, "session.pem")
        r, out = self.s_client(port, "-sess_out", session)
        self.assertEqual(r.returncode, 0, f"{out}\n{server.describe()}")
        relay = self.start_relay(port)
        r, out = self.s_client(relay.port, "-sess_in", session, "-early_data", self.early_file(EARLY_REQUEST),
                               "-keylogfile", client_keys, request="")
        sent = time.monotonic()
        ctx = f"{out}\n{server.describe()}"
        self.assertEqual(r.returncode, 0, ctx)
        self.assertIn("Early data was accepted", out)
        self.assertIsNone(relay.error, ctx)
        random = self.check_flight(relay.flights[0], client_keys, EARLY_REQUEST)
        time.sleep(max(0.0, sent + EARLY_DATA_WINDOW + 1.5 - time.monotonic()))
        replayed = present_flight(port, relay.flights[0])
        self.wait_for_count(server, r"^handshake failed: ", 1)
        original, replay = self.server_answers(server_keys, random, [relay.answers[0], replayed], ctx)
        self.assertTrue(original.early_data_accepted, f"{original}\n{ctx}")
        self.assertFalse(replay.early_data_accepted,
                         f"early data accepted {EARLY_DATA_WINDOW + 1.5} s later: {replay}\n{server.describe()}")
        self.assertEqual(server.output().count("early data:"), 1, server.describe())
        self.assertEqual(server.output().count("handshake ok: "), 2, server.describe())


def main():
    global CORDON, CERTS, PROXY
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cordon", required=True, help="the cordon CLI binary")
    parser.add_argument("--certs", required=True, help="tests/data/certs")
    parser.add_argument("--proxy", default="", help="the cordon-sni-proxy binary (SniProxyTests)")
    args, rest = parser.parse_known_args()
    CORDON = os.path.abspath(args.cordon)
    PROXY = os.path.abspath(args.proxy) if args.proxy else ""
    CERTS = os.path.abspath(args.certs)
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
