#!/usr/bin/env bash
# Generates cordon's fixed test PKI into tests/data/certs/ (or the directory given
# as $1) with the openssl CLI. The generated files are committed, so tests never
# depend on running this; rerun it only to change the set (keys and serials of a
# rerun differ, so commit the whole directory together).
#
#   make-test-certs.sh [OUT_DIR]                   everything, from new keys
#   make-test-certs.sh --only leaf-rsapss [OUT_DIR]
#                                                  re-issue that one leaf (a new key) from
#                                                  the committed intermediate, leaving every
#                                                  other file as it is
#
#   ca.pem/.key                 root "CN=cordon test root CA" (P-256)
#   intermediate.pem/.key       intermediate CA (P-256, pathlen 0), signed by the root
#   leaf-{p256,p384,ed25519,rsa2048}.pem/.key
#                               server leaves from the intermediate; .pem = leaf + intermediate
#   leaf-rsapss.pem/.key        the same with an RSASSA-PSS key (id-RSASSA-PSS, no parameters:
#                               signs with rsa_pss_pss_*); serial 0x2100 from its own database
#   leaf-other.pem/.key         P-256 server leaf for DNS:other.test only (SNI tests)
#   expired.pem/.key            P-256 localhost leaf valid 2020-01-01 .. 2021-01-01
#   untrusted-ca.pem/.key       a root nothing trusts
#   untrusted-leaf.pem/.key     localhost leaf signed directly by untrusted-ca (.pem = leaf only)
#   client-p256.pem/.key        client certificate (clientAuth, DNS:client.cordon.test)
#
# Validity is 2025-01-01 .. 2045-01-01 except for expired.pem. OpenSSL 3.0's
# `x509 -req` has no -not_before/-not_after, so `openssl ca` sets the dates.
set -euo pipefail

only=""
if [[ ${1:-} == --only ]]; then
    only="${2:?--only needs a file stem}"
    shift 2
    [[ $only == leaf-rsapss ]] || { echo "--only: only leaf-rsapss can be re-issued alone" >&2; exit 2; }
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/tests/data/certs}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

start=20250101000000Z
end=20450101000000Z

# One `openssl ca` configuration; each issuer gets its own database directory.
cat >"$work/ca.cnf" <<'CNF'
[ca]
default_ca = ca_default

[ca_default]
dir              = $ENV::CA_DIR
database         = $dir/index.txt
serial           = $dir/serial
new_certs_dir    = $dir/new
default_md       = sha256
policy           = policy_any
unique_subject   = no
email_in_dn      = no
copy_extensions  = none
preserve         = yes

[policy_any]
commonName = supplied

[req]
distinguished_name = req_dn
prompt             = no
[req_dn]
CN = unused

[root_ext]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash

[intermediate_ext]
basicConstraints       = critical, CA:TRUE, pathlen:0
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[server_ext]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth
subjectAltName         = DNS:localhost, DNS:cordon.test, IP:127.0.0.1, IP:::1
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[other_ext]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth
subjectAltName         = DNS:other.test
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[client_ext]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = clientAuth
subjectAltName         = DNS:client.cordon.test
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
CNF
export OPENSSL_CONF="$work/ca.cnf" CA_DIR="$work"

new_db() {  # new_db NAME FIRST_SERIAL_HEX
    mkdir -p "$work/$1/new"
    : >"$work/$1/index.txt"
    echo "$2" >"$work/$1/serial"
}

genkey() {  # genkey FILE p256|p384|ed25519|rsa2048|rsapss2048   (PKCS#8 PEM)
    case "$2" in
        p256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve -out "$1" ;;
        p384) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -pkeyopt ec_param_enc:named_curve -out "$1" ;;
        ed25519) openssl genpkey -algorithm ED25519 -out "$1" ;;
        rsa2048) openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" ;;
        rsapss2048) openssl genpkey -quiet -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -out "$1" ;;
    esac
}

# issue ISSUER_DB ISSUER_CERT|self ISSUER_KEY SUBJECT_KEY SUBJECT_DN EXT OUT_CERT [START END]
issue() {
    local db=$1 issuer_cert=$2 issuer_key=$3 key=$4 dn=$5 ext=$6 cert=$7 from=${8:-$start} to=${9:-$end}
    openssl req -new -key "$key" -subj "$dn" -out "$work/req.csr"
    local args=(-batch -notext -preserveDN -in "$work/req.csr" -out "$cert" -keyfile "$issuer_key"
                -extensions "$ext" -startdate "$from" -enddate "$to")
    if [[ $issuer_cert == self ]]; then args+=(-selfsign); else args+=(-cert "$issuer_cert"); fi
    CA_DIR="$work/$db" openssl ca "${args[@]}" 2>"$work/ca.log" || { cat "$work/ca.log" >&2; return 1; }
}

cd "$out"

# Server leaves from the intermediate; the .pem is the chain a server presents.
leaf() {  # leaf NAME KEYTYPE CN EXT [START END]
    genkey "$1.key" "$2"
    issue intermediate intermediate.pem intermediate.key "$1.key" "/CN=$3" "$4" "$work/$1.crt" "${@:5}"
    cat "$work/$1.crt" intermediate.pem >"$1.pem"
}
# The RSASSA-PSS leaf has a database (and serials) of its own, so it can be
# re-issued alone without touching the serials of the other leaves.
rsapss_leaf() {
    new_db intermediate-pss 2100
    genkey leaf-rsapss.key rsapss2048
    issue intermediate-pss intermediate.pem intermediate.key leaf-rsapss.key "/CN=cordon test leaf RSA-PSS" \
        server_ext "$work/leaf-rsapss.crt"
    cat "$work/leaf-rsapss.crt" intermediate.pem >leaf-rsapss.pem
    chmod 644 leaf-rsapss.pem leaf-rsapss.key
    openssl verify -CAfile ca.pem -untrusted intermediate.pem -purpose sslserver leaf-rsapss.pem >/dev/null
}

if [[ -n $only ]]; then
    [[ -f intermediate.pem && -f intermediate.key && -f ca.pem ]] ||
        { echo "--only needs ca.pem, intermediate.pem and intermediate.key in $out" >&2; exit 1; }
    rsapss_leaf
    echo "$only.pem/.key re-issued in $out"
    exit 0
fi

rm -f ./*.pem ./*.key

# Roots and the intermediate.
new_db root 1000
new_db intermediate 2000
new_db untrusted 3000
genkey ca.key p256
issue root self ca.key ca.key "/CN=cordon test root CA" root_ext ca.pem
genkey intermediate.key p256
issue root ca.pem ca.key intermediate.key "/CN=cordon test intermediate CA" intermediate_ext intermediate.pem

leaf leaf-p256 p256 "cordon test leaf P-256" server_ext
leaf leaf-p384 p384 "cordon test leaf P-384" server_ext
leaf leaf-ed25519 ed25519 "cordon test leaf Ed25519" server_ext
leaf leaf-rsa2048 rsa2048 "cordon test leaf RSA 2048" server_ext
leaf leaf-other p256 "other.test" other_ext
leaf expired p256 "cordon test expired leaf" server_ext 20200101000000Z 20210101000000Z
leaf client-p256 p256 "client.cordon.test" client_ext
rsapss_leaf

# A root nobody trusts and a leaf it signs directly (leaf only in the .pem).
genkey untrusted-ca.key p256
issue untrusted self untrusted-ca.key untrusted-ca.key "/CN=cordon untrusted test root CA" root_ext untrusted-ca.pem
genkey untrusted-leaf.key p256
issue untrusted untrusted-ca.pem untrusted-ca.key untrusted-leaf.key "/CN=cordon untrusted test leaf" server_ext \
    untrusted-leaf.pem

chmod 644 ./*.pem ./*.key
# Sanity: every chain verifies as intended.
for f in leaf-p256 leaf-p384 leaf-ed25519 leaf-rsa2048 leaf-other; do
    openssl verify -CAfile ca.pem -untrusted intermediate.pem -purpose sslserver "$f.pem" >/dev/null
done
openssl verify -CAfile ca.pem -untrusted intermediate.pem -purpose sslclient client-p256.pem >/dev/null
openssl verify -CAfile untrusted-ca.pem -purpose sslserver untrusted-leaf.pem >/dev/null
if openssl verify -CAfile ca.pem -untrusted intermediate.pem expired.pem >/dev/null 2>&1; then
    echo "expired.pem verified?" >&2; exit 1
fi
echo "test certificates written to $out"
