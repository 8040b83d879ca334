"""Write the metadata cases under valid/ and invalid/ (run: python3 make_cases.py .).

The canonical and file encodings here follow notary's rules independently of
the C code, so the valid cases check tufsign against a second implementation.
root.pem is a throwaway self-signed P-256 certificate with CN example.com/app.
"""
import json, hashlib, base64, os, sys, copy
out = sys.argv[1]
os.makedirs(out + "/valid", exist_ok=True)
os.makedirs(out + "/invalid", exist_ok=True)

def b64(b): return base64.b64encode(b).decode()
def kid(t, pub): return hashlib.sha256(('{"keytype":"%s","keyval":{"private":null,"public":"%s"}}' % (t, b64(pub))).encode()).hexdigest()

def canon(v):
    if isinstance(v, dict):
        return "{" + ",".join(canon_str(k) + ":" + canon(v[k]) for k in sorted(v, key=lambda s: s.encode())) + "}"
    if isinstance(v, list): return "[" + ",".join(canon(x) for x in v) + "]"
    if isinstance(v, bool): return "true" if v else "false"
    if v is None: return "null"
    if isinstance(v, int): return str(v)
    if isinstance(v, str): return canon_str(v)
    raise Exception(v)
def canon_str(s): return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'
def esc(s): return s.replace('<', '\\u003c').replace('>', '\\u003e').replace('&', '\\u0026').replace('\u2028', '\\u2028').replace('\u2029', '\\u2029')
def fileb(signed, sigs):
    return '{"signed":' + esc(canon(signed)) + ',"signatures":[' + ",".join('{"keyid":"%s","method":"%s","sig":"%s"}' % s for s in sigs) + ']}'

ed1 = bytes(range(32)); ed2 = bytes(range(1, 33))
spki = bytes.fromhex("3059301306072a8648ce3d020106082a8648ce3d0301070342000432cc36c4f5bbe85b6f7f647dde3185775bbca97129480577438ca6805a4fa2c9c426a474686617c92534dcb3dd6cb6523b92eea2be26d4edb1ceb4037e3d7384")
pem = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "root.pem"), "rb").read()
def key(t, pub): return {"keytype": t, "keyval": {"private": None, "public": b64(pub)}}
h256 = b64(hashlib.sha256(b"x").digest()); h512 = b64(hashlib.sha512(b"x").digest())
sig = [(kid("ed25519", ed1), "eddsa", b64(bytes(64)))]

targets = {"_type": "Targets", "delegations": {"keys": {kid("ed25519", ed2): key("ed25519", ed2), kid("ecdsa", spki): key("ecdsa", spki)},
    "roles": [{"keyids": [kid("ed25519", ed2)], "name": "targets/releases", "paths": [""], "threshold": 1},
              {"keyids": [kid("ecdsa", spki), kid("ed25519", ed2)], "name": "targets/alice", "threshold": 1}]},
    "expires": "2030-01-01T00:00:00Z",
    "targets": {"latest": {"hashes": {"sha256": h256, "sha512": h512}, "length": 1},
                "q\"b\\s\u2028\u2029<>&é中": {"custom": {"alpha": "a<b&c", "nested": {"x": "café", "y": [1, -2, {"a": None, "b": True}]}, "zeta": 1}, "hashes": {"sha256": h256}, "length": 9007199254740991},
                "sha512-only": {"hashes": {"sha512": h512}, "length": 0}},
    "version": 7}
root = {"_type": "Root", "consistent_snapshot": False, "expires": "2036-12-01T14:41:34.443246402-05:00",
    "keys": {kid("ecdsa-x509", pem): key("ecdsa-x509", pem), kid("ed25519", ed1): key("ed25519", ed1), kid("ecdsa", spki): key("ecdsa", spki)},
    "roles": {"root": {"keyids": [kid("ecdsa-x509", pem)], "threshold": 1}, "snapshot": {"keyids": [kid("ecdsa", spki)], "threshold": 1},
              "targets": {"keyids": [kid("ecdsa", spki)], "threshold": 1}, "timestamp": {"keyids": [kid("ed25519", ed1)], "threshold": 1}},
    "version": 1}
snapshot = {"_type": "Snapshot", "expires": "2030-01-01T00:00:00.5Z", "meta": {"root": {"hashes": {"sha256": h256, "sha512": h512}, "length": 3}, "targets": {"hashes": {"sha256": h256}, "length": 2}, "targets/releases": {"hashes": {"sha256": h256}, "length": 2}}, "version": 3}
timestamp = {"_type": "Timestamp", "expires": "2026-12-18T10:00:00Z", "meta": {"snapshot": {"hashes": {"sha256": h256, "sha512": h512}, "length": 99}}, "version": 12}
releases = {"_type": "Targets", "delegations": {"keys": {}, "roles": []}, "expires": "2030-01-01T00:00:00Z", "targets": {"v1": {"hashes": {"sha256": h256}, "length": 5}}, "version": 2}

def w(path, text):
    with open(out + "/" + path, "w", encoding="utf-8", newline="", errors="surrogateescape") as f: f.write(text)

valid = {"targets.delegations": (targets, sig), "root.offset-expires": (root, sig), "snapshot.basic": (snapshot, sig),
         "timestamp.basic": (timestamp, sig), "targets+releases.basic": (releases, sig),
         "targets.unsigned": ({"_type": "Targets", "delegations": {"keys": {}, "roles": []}, "expires": "2030-01-01T00:00:00Z", "targets": {}, "version": 1}, [])}
for n, (s, g) in valid.items(): w("valid/%s.json" % n, fileb(s, g))

base = fileb(releases, sig)
w("valid/targets+releases.pretty.json", json.dumps(json.loads(base), indent=2, ensure_ascii=True))
w("valid/targets+releases.pretty.out", base)
w("valid/targets+releases.utc-offset.json", base.replace("2030-01-01T00:00:00Z", "2030-01-01T00:00:00+00:00"))
w("valid/targets+releases.utc-offset.out", base)
w("valid/targets+releases.fraction.json", base.replace("2030-01-01T00:00:00Z", "2030-01-01T01:00:00.1230000000009+01:00"))
w("valid/targets+releases.fraction.out", base.replace("2030-01-01T00:00:00Z", "2030-01-01T01:00:00.123+01:00"))

def inv(name, doc, err, sigs=sig, raw=None):
    text = raw if raw is not None else fileb(doc, sigs)
    w("invalid/%s.json" % name, text)
    w("invalid/%s.err" % name, "\n".join(err) + "\n")
def mod(d, f):
    d = copy.deepcopy(d); f(d); return d
R = releases; rb = fileb(R, sig)
inv("targets+releases.dup-key", None, ["TUFSIGN_ERR_METADATA", "signed.version", 'duplicate key "version"'], raw=rb.replace('"version":2}', '"version":2,"version":3}'))
inv("targets+releases.dup-target", None, ["TUFSIGN_ERR_METADATA", "signed.targets", 'duplicate key "v1"'], raw=rb.replace('"targets":{', '"targets":{"v1":{"hashes":{"sha256":"%s"},"length":5},' % h256))
inv("targets+releases.unknown-member", mod(R, lambda d: d.update(extra=1)), ["TUFSIGN_ERR_METADATA", "signed.extra", 'unknown member "extra"'])
inv("targets+releases.missing-delegations", mod(R, lambda d: d.pop("delegations")), ["TUFSIGN_ERR_METADATA", "signed", 'missing member "delegations"'])
inv("targets+releases.lower-type", mod(R, lambda d: d.update(_type="targets")), ["TUFSIGN_ERR_METADATA", "signed._type", 'expected _type "Targets", not "targets"'])
inv("targets+releases.version-float", None, ["TUFSIGN_ERR_METADATA", "signed.version", "number 2.0 is not a plain integer literal"], raw=rb.replace('"version":2}', '"version":2.0}'))
inv("targets+releases.version-zero", mod(R, lambda d: d.update(version=0)), ["TUFSIGN_ERR_METADATA", "signed.version", "number 0 is below 1"])
inv("targets+releases.length-exp", None, ["TUFSIGN_ERR_METADATA", "signed.targets.v1.length", "number 5e0 is not a plain integer literal"], raw=rb.replace('"length":5', '"length":5e0'))
inv("targets+releases.length-2p53", mod(R, lambda d: d["targets"]["v1"].update(length=2**53)), ["TUFSIGN_ERR_METADATA", "signed.targets.v1.length", "not below 2^53"])
inv("targets+releases.name-newline", None, ["TUFSIGN_ERR_METADATA", "signed.targets", "control character"], raw=rb.replace('"v1":', '"v\\n1":'))
inv("targets+releases.name-bad-utf8", None, ["TUFSIGN_ERR_METADATA", "signed.targets", "not valid UTF-8"], raw=rb.replace('"v1":', '"v\udcff1":'))
inv("targets+releases.name-surrogate", None, ["TUFSIGN_ERR_METADATA", "signed.targets", "unpaired surrogate"], raw=rb.replace('"v1":', '"v\\ud8001":'))
inv("targets+releases.custom-float", None, ["TUFSIGN_ERR_METADATA", "signed.targets.v1.custom.a", "number 1.5 is not a plain integer literal"], raw=rb.replace('"v1":{', '"v1":{"custom":{"a":1.5},'))
inv("targets+releases.custom-unsorted", None, ["TUFSIGN_ERR_METADATA", "signed.targets.v1.custom", "not in canonical form"], raw=rb.replace('"v1":{', '"v1":{"custom":{"b":1,"a":2},'))
inv("targets+releases.custom-escaped", None, ["TUFSIGN_ERR_METADATA", "signed.targets.v1.custom", "not in canonical form"], raw=rb.replace('"v1":{', '"v1":{"custom":"caf\\u00e9",'))
inv("targets+releases.custom-null", None, ["TUFSIGN_ERR_METADATA", "signed.targets.v1.custom", "custom data is null"], raw=rb.replace('"v1":{', '"v1":{"custom":null,'))
inv("targets+releases.hash-size", mod(R, lambda d: d["targets"]["v1"]["hashes"].update(sha256=b64(b"short"))), ["TUFSIGN_ERR_METADATA", "signed.targets.v1.hashes.sha256", 'hash "sha256" has the wrong size'])
inv("targets+releases.hash-md5", mod(R, lambda d: d["targets"]["v1"]["hashes"].update(md5=b64(bytes(16)))), ["TUFSIGN_ERR_METADATA", "signed.targets.v1.hashes.md5", 'unsupported hash algorithm "md5"'])
inv("targets+releases.bad-base64", mod(R, lambda d: d["targets"]["v1"]["hashes"].update(sha256="not base64!")), ["TUFSIGN_ERR_METADATA", "signed.targets.v1.hashes.sha256", 'invalid base64 "not base64!"'])
inv("targets+releases.method-upper", None, ["TUFSIGN_ERR_METADATA", "signatures[0].method", 'signature method "EdDSA" is not lower case'], raw=fileb(R, [(kid("ed25519", ed1), "EdDSA", b64(bytes(64)))]))
inv("targets+releases.trailing-data", None, ["TUFSIGN_ERR_JSON", "", "unexpected data after the value"], raw=rb + "\n x")
inv("targets+releases.truncated", None, ["TUFSIGN_ERR_JSON", "signed.targets.v1", "expected ',' or '}'"], raw=rb[:rb.index('"length":5') + 10])
inv("targets+releases.raw-tab", None, ["TUFSIGN_ERR_JSON", "signed.targets", "control character in string"], raw=rb.replace('"v1":', '"v\t1":'))
T = targets
inv("targets.delegation-upper", mod(T, lambda d: d["delegations"]["roles"][0].update(name="targets/Releases")), ["TUFSIGN_ERR_METADATA", "signed.delegations.roles[0]", "only a-z, 0-9"])
inv("targets.delegation-grandchild", mod(T, lambda d: d["delegations"]["roles"][0].update(name="targets/a/b")), ["TUFSIGN_ERR_METADATA", "signed.delegations.roles", 'delegation "targets/a/b" is not a direct child of "targets"'])
inv("targets.delegation-empty-segment", mod(T, lambda d: d["delegations"]["roles"][0].update(name="targets//x")), ["TUFSIGN_ERR_METADATA", "signed.delegations.roles[0]", "empty, '.' or '..' segment"])
inv("targets.delegation-empty-paths", mod(T, lambda d: d["delegations"]["roles"][0].update(paths=[])), ["TUFSIGN_ERR_METADATA", "signed.delegations.roles[0].paths", 'empty "paths"'])
inv("targets.delegation-unknown-key", mod(T, lambda d: d["delegations"]["roles"][0].update(keyids=["0" * 64])), ["TUFSIGN_ERR_METADATA", "signed.delegations.roles", "which is not in keys"])
inv("targets.keyid-mismatch", None, ["TUFSIGN_ERR_METADATA", "signed.delegations.keys." + "f" * 64, 'has key ID "%s"' % kid("ed25519", ed2)], raw=fileb(T, sig).replace('"%s":{"keytype"' % kid("ed25519", ed2), '"%s":{"keytype"' % ("f" * 64), 1))
inv("targets.private-key", None, ["TUFSIGN_ERR_METADATA", "signed.delegations.keys.%s.keyval.private" % sorted([kid("ed25519", ed2), kid("ecdsa", spki)])[0], "private key material"], raw=fileb(T, sig).replace('"private":null', '"private":"AA=="', 1))
inv("targets.keytype-upper", None, ["TUFSIGN_ERR_METADATA", "signed.delegations.keys.%s.keytype" % kid("ed25519", ed2), 'unsupported keytype "ED25519"'], raw=fileb(T, sig).replace('"keytype":"ed25519"', '"keytype":"ED25519"', 1))
Ro = root
inv("root.missing-timestamp-role", mod(Ro, lambda d: d["roles"].pop("timestamp")), ["TUFSIGN_ERR_METADATA", "signed.roles", 'missing role "timestamp"'])
inv("root.plain-root-key", mod(Ro, lambda d: d["roles"]["root"].update(keyids=[kid("ecdsa", spki)])), ["TUFSIGN_ERR_METADATA", "signed.roles.root", "is not a certificate"])
inv("root.missing-consistent", mod(Ro, lambda d: d.pop("consistent_snapshot")), ["TUFSIGN_ERR_METADATA", "signed", 'missing member "consistent_snapshot"'])
inv("root.threshold-zero", mod(Ro, lambda d: d["roles"]["targets"].update(threshold=0)), ["TUFSIGN_ERR_METADATA", "signed.roles.targets.threshold", "number 0 is below 1"])
inv("root.bad-expires", mod(Ro, lambda d: d.update(expires="2030-01-01 00:00:00Z")), ["TUFSIGN_ERR_METADATA", "signed.expires", "not in the form YYYY-MM-DDTHH:MM:SS"])
inv("root.feb-30", mod(Ro, lambda d: d.update(expires="2030-02-30T00:00:00Z")), ["TUFSIGN_ERR_METADATA", "signed.expires", "a field is out of range"])
inv("timestamp.extra-meta", mod(timestamp, lambda d: d["meta"].update(root=d["meta"]["snapshot"])), ["TUFSIGN_ERR_METADATA", "signed.meta", 'timestamp meta must list exactly "snapshot"'])
inv("snapshot.sha512-only", mod(snapshot, lambda d: (d["meta"]["targets"]["hashes"].pop("sha256"), d["meta"]["targets"]["hashes"].update(sha512=h512))), ["TUFSIGN_ERR_METADATA", "signed.meta.targets", "no sha256 hash"])
inv("snapshot.wrong-type", mod(snapshot, lambda d: d.update(_type="Timestamp")), ["TUFSIGN_ERR_METADATA", "signed._type", 'expected _type "Snapshot", not "Timestamp"'])
