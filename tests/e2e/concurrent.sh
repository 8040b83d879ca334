#!/bin/bash
# Four `tufsign sign` runs started at once on one GUN with different tags:
# first with a trust cache each (four agents racing on the server, so
# uploads conflict and are retried), then sharing one trust cache (its lock
# serializes them). Every run reports success only with its tag on the
# server, and all tags end up listed by tufsign and the notary client.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"
. "$TUFSIGN_SOURCE_DIR/tests/lib/oracles.sh"
. "$TUFSIGN_SOURCE_DIR/tests/e2e/e2e.sh"

e2e_setup
gen_key root
gen_key targets
gun=$(unique_gun)
init_repo "$gun" root targets

# Each racing run reads its own copy of the token, as separate signing
# agents would. Parallel logins on one SoftHSM2 token sometimes make it
# vanish from the other processes' slot lists.
for i in 1 2 3 4; do
	token_conf[i]=$(copy_token "$TEST_DIR/token-copy-$i")
done

# race ROUND SHARED: starts four signs at once; with SHARED=1 they share the
# trust cache of the test.
race() {
	local round=$1 shared=$2 i pids=() trust
	for i in 1 2 3 4; do
		make_manifest "$TEST_DIR/$round-$i.json"
		trust=$TUFSIGN_TRUST_DIR
		[ "$shared" = 1 ] || trust=$TEST_DIR/agent-$i
		SOFTHSM2_CONF=${token_conf[i]} TUFSIGN_TRUST_DIR=$trust \
			ts --json sign "$gun" "$round-$i" --key "$(key_uri targets)" \
			--manifest "$TEST_DIR/$round-$i.json" >"$TEST_DIR/$round-$i.out" \
			2>"$TEST_DIR/$round-$i.err" &
		pids+=($!)
	done
	for i in 1 2 3 4; do
		wait "${pids[i - 1]}" || fail "sign $round-$i failed: $(cat "$TEST_DIR/$round-$i.err")"
	done
}

check_round() {
	local round=$1 i versions=() attempts=0 out
	for i in 1 2 3 4; do
		out=$(cat "$TEST_DIR/$round-$i.out")
		assert_eq "true true" "$(jq -r '"\(.ok) \(.published)"' <<<"$out")" "result of $round-$i"
		assert_eq "$round-$i sha256:$(sha256sum "$TEST_DIR/$round-$i.json" | cut -d' ' -f1)" \
			"$(jq -r '.targets[0] | "\(.tag) \(.digest)"' <<<"$out")" "tag reported by $round-$i"
		versions+=("$(jq -r .targets_version <<<"$out")")
		attempts=$((attempts + $(jq -r .attempts <<<"$out")))
	done
	# Each run published its own targets version.
	assert_eq 4 "$(printf '%s\n' "${versions[@]}" | sort -u | wc -l)" \
		"distinct targets versions of $round (${versions[*]})"
	ROUND_ATTEMPTS=$attempts
}

race agents 0
check_round agents
echo "agents: $ROUND_ATTEMPTS uploads for 4 tags"
[ "$ROUND_ATTEMPTS" -gt 4 ] || echo "note: no conflict happened in this run"
race shared 1
check_round shared
assert_eq 4 "$ROUND_ATTEMPTS" "uploads with a shared trust cache (the lock serializes them)"

assert_exit 0 ts --json list "$gun"
listed=$(jq -r '.targets[].tag' <<<"$STDOUT" | sort | tr '\n' ' ')
assert_eq "agents-1 agents-2 agents-3 agents-4 shared-1 shared-2 shared-3 shared-4 " "$listed" \
	"tags listed by tufsign"
assert_eq 9 "$(jq -r .targets_version <<<"$STDOUT")" "targets version after eight signs"
notary_tags=$(oracle_notary_list "$gun" | awk 'NR > 2 && NF >= 4 {print $1}' | sort | tr '\n' ' ')
assert_eq "$listed" "$notary_tags" "tags listed by the notary client"
for i in 1 2 3 4; do
	check_oracles "$gun" "agents-$i" "$(sha256sum "$TEST_DIR/agents-$i.json" | cut -d' ' -f1)" \
		"$(stat -c %s "$TEST_DIR/agents-$i.json")"
done
echo "PASS: eight concurrent signs of $gun all landed"
