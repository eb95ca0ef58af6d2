#!/usr/bin/env python3
"""Loopback interop tests: the `cordon` CLI against real TLS 1.3 peers.

    interop_test.py --cordon PATH/TO/cordon --certs tests/data/certs
        [--proxy PATH/TO/cordon-sni-proxy] [unittest args]

Peers: OpenSSL (s_server, s_client), GnuTLS (gnutls-serv, gnutls-cli), curl and
Python's ssl module; SniProxyTests puts cordon-sni-proxy between them. Every peer
runs on a free loopback port, every command has a timeout, and every process a
test starts is stopped when it ends. A missing peer binary is a failure, never a
skip. Standard library only.

One test class per ctest entry (see tests/CMakeLists.txt), so `ctest -L interop -j`
runs them in parallel; tests/interop/README.md says how to run one by hand.
"""

import argparse
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
        """openssl s_client -tls1_3 verifying against ca.pem; -ign_eof reads until the server closes."""
        require("openssl")
        cmd = ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-tls1_3", "-CAfile", cert_file("ca.pem"),
               "-ign_eof"]
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

    def wait_for_count(self, peer, pattern, count, timeout=10):
        deadline = time.monotonic() + timeout
        while len(re.findall(pattern, peer.output(), re.MULTILINE)) < count:
            if time.monotonic() > deadline:
                self.fail(f"expected {count} lines matching /{pattern}/\n{peer.describe()}")
            time.sleep(0.05)

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
