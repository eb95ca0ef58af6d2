#!/bin/sh
# Regenerates the seeds of fuzz_private_key and fuzz_pkcs12 with the openssl
# command line (keys and certificates are fresh each run, so the files change):
#   sh fuzz/make_key_seeds.sh fuzz/corpus
# Everything is encrypted with the password "fuzz" at iteration count 1, the
# password and cap the fuzz targets use. EC and Ed25519 keys keep the seeds small.
set -eu
out=$(cd "${1:?usage: $0 CORPUS_DIR}" && pwd)
keys="$out/fuzz_private_key"
p12="$out/fuzz_pkcs12"
mkdir -p "$keys" "$p12"
work=$(mktemp -d "${TMPDIR:-/tmp}/cordon-seeds.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
legacy="-provider legacy -provider default"
enc="-passout pass:fuzz -iter 1"

# fuzz_private_key: DER in each format, encrypted DER under each scheme, and PEM.
openssl ecparam -name prime256v1 -genkey -out p256.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out p384.pem
openssl genpkey -algorithm ed25519 -out ed25519.pem
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in p256.pem -outform DER -out "$keys/p256_pkcs8.der"
openssl ec -in p256.pem -outform DER -out "$keys/p256_sec1.der" 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in p384.pem -outform DER -out "$keys/p384_pkcs8.der"
openssl pkcs8 -topk8 -nocrypt -in ed25519.pem -outform DER -out "$keys/ed25519_pkcs8.der"
openssl rsa -in rsa.pem -traditional -outform DER -out "$keys/rsa2048_pkcs1.der" 2>/dev/null
openssl pkcs8 -topk8 -in p256.pem -outform DER -v2 aes-256-cbc $enc -out "$keys/p256_pbes2_aes256.der"
openssl pkcs8 -topk8 -in p256.pem -outform DER -v2 aes-128-cbc -v2prf hmacWithSHA1 $enc -out "$keys/p256_pbes2_aes128_sha1.der"
openssl pkcs8 -topk8 -in p384.pem -outform DER -v2 des3 $enc -out "$keys/p384_pbes2_des3.der"
openssl pkcs8 -topk8 -in p256.pem -outform DER -v1 PBE-SHA1-3DES $enc -out "$keys/p256_pkcs12_3des.der"
openssl pkcs8 -topk8 -in ed25519.pem -outform DER -v1 PBE-SHA1-RC2-40 $legacy $enc -out "$keys/ed25519_pkcs12_rc2.der"
cp p256.pem "$keys/p256_sec1_with_params.pem"
openssl pkcs8 -topk8 -in ed25519.pem -v2 aes-256-cbc $enc -out "$keys/ed25519_encrypted.pem"

# fuzz_pkcs12: whole files, their AuthenticatedSafe, and plain SafeContents (the
# target tries every input all three ways).
openssl req -x509 -key p256.pem -out cert.pem -subj /CN=fuzz -days 30 2>/dev/null
base="openssl pkcs12 -export -inkey p256.pem -in cert.pem -passout pass:fuzz -noiter -nomaciter"
$base -out "$p12/p256_default.p12"
$base -legacy -out "$p12/p256_legacy.p12"
$base -keypbe NONE -certpbe NONE -out "$p12/p256_plain.p12"
$base -keypbe PBE-SHA1-3DES -certpbe AES-128-CBC -macalg sha1 -out "$p12/p256_mixed.p12"

# The OCTET STRING contents at depth `depth` of a DER file, one output per match.
extract() {  # file depth prefix
    n=0
    openssl asn1parse -inform DER -in "$1" | awk -v d=":d=$2 " '$0 ~ d && /prim: *OCTET STRING/ {sub(/:.*/, "", $1); print $1}' |
    while read -r offset; do
        openssl asn1parse -inform DER -in "$1" -strparse "$offset" -noout -out "$3_$n.der"
        n=$((n + 1))
    done
}
extract "$p12/p256_default.p12" 3 auth_safe_default
cp auth_safe_default_0.der "$p12/auth_safe_default.der"
extract "$p12/p256_plain.p12" 3 auth_safe_plain
cp auth_safe_plain_0.der "$p12/auth_safe_plain.der"
extract auth_safe_plain_0.der 3 safe_contents
cp safe_contents_0.der "$p12/safe_contents_certs.der"
cp safe_contents_1.der "$p12/safe_contents_key.der"
ls -l "$keys" "$p12"
