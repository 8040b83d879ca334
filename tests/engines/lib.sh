# Helpers of the engine tests, sourced after tests/lib/common.sh. The test
# scripts get the engine_sign driver and the fault module as $1 and $2.

ENGINE_SIGN=${1:?usage: $0 ENGINE_SIGN FAULT_MODULE}
FAULT_MODULE=${2:?usage: $0 ENGINE_SIGN FAULT_MODULE}
require_cmd openssl pkcs11-tool softhsm2-util

# hex FILE: the bytes of FILE as lower-case hex on one line.
hex() {
	od -An -tx1 -v "$1" | tr -d ' \n'
}

# raw_to_der RAW DER: converts an r||s ECDSA signature to DER for openssl.
raw_to_der() {
	local h half
	h=$(hex "$1")
	half=$((${#h} / 2))
	printf 'asn1=SEQUENCE:sig\n[sig]\nr=INTEGER:0x%s\ns=INTEGER:0x%s\n' \
		"${h:0:half}" "${h:half}" >"$1.cnf"
	openssl asn1parse -genconf "$1.cnf" -out "$2" >/dev/null
}

# verify_sig ALGORITHM PUB_DER MSG SIG: checks the signature with openssl the
# way notary verifies it (ECDSA r||s over SHA-256, RSA-PSS salt 32, Ed25519).
verify_sig() {
	local algo=$1 pub=$2 msg=$3 sig=$4
	openssl pkey -pubin -inform DER -in "$pub" -out "$pub.pem" 2>/dev/null ||
		fail "public key $pub is not a DER SubjectPublicKeyInfo"
	case $algo in
	ecdsa-*)
		raw_to_der "$sig" "$sig.der"
		openssl dgst -sha256 -verify "$pub.pem" -signature "$sig.der" "$msg" >/dev/null
		;;
	rsa)
		openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 \
			-sigopt rsa_mgf1_md:sha256 -verify "$pub.pem" -signature "$sig" "$msg" >/dev/null
		;;
	ed25519)
		openssl pkeyutl -verify -pubin -inkey "$pub.pem" -rawin -in "$msg" -sigfile "$sig" \
			>/dev/null
		;;
	*) fail "verify_sig: unknown algorithm '$algo'" ;;
	esac || fail "openssl rejects the $algo signature $sig"
}

# json_field JSON NAME: the first string or number value of NAME in JSON.
json_field() {
	printf '%s' "$1" | grep -o "\"$2\":\(\"[^\"]*\"\|[0-9]*\)" | head -n 1 | cut -d: -f2- |
		tr -d '"'
}

# p11tool ARGS...: pkcs11-tool on the current token, logged in.
p11tool() {
	pkcs11-tool --module "$SOFTHSM2_MODULE" --token-label "$TOKEN_LABEL" --login \
		--pin "$TOKEN_PIN" "$@"
}

# object_block LABEL TYPE: pkcs11-tool's description of the object.
object_block() {
	p11tool --list-objects --type "$2" 2>/dev/null |
		awk -v l="$1" '/Object;/ {keep = 0; block = $0; next}
			{block = block "\n" $0}
			$1 == "label:" && $2 == l {keep = 1}
			keep && /^ *(Access|Usage)/ {print}'
}
