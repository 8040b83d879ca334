#!/bin/bash
# Target names with HTML characters, non-ASCII letters and quotes, custom
# target data, a batch of tags from a targets file, and remove: both oracles
# accept every one of them.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"
. "$TUFSIGN_SOURCE_DIR/tests/lib/oracles.sh"
. "$TUFSIGN_SOURCE_DIR/tests/e2e/e2e.sh"

e2e_setup
gen_key root
gen_key targets
gun=$(unique_gun)
init_repo "$gun" root targets

names=('a<b>&c' 'café-é' '中文标签' "it's-\"quoted\"" 'back\slash' 'x/y/z')
declare -A digest size
for name in "${names[@]}"; do
	make_manifest "$TEST_DIR/m.json"
	digest[$name]=$DIGEST
	size[$name]=$SIZE
	assert_exit 0 ts sign "$gun" "$name" --key "$(key_uri targets)" --digest "sha256:$DIGEST" \
		--size "$SIZE"
done

# custom data: unsorted keys and HTML characters, stored canonical
custom='{"zeta":1,"alpha":"a<b&c","nested":{"y":[1,2,{"b":true,"a":null}],"x":"café"}}'
make_manifest "$TEST_DIR/custom.json"
assert_exit 0 ts sign "$gun" with-custom --key "$(key_uri targets)" --manifest "$TEST_DIR/custom.json" \
	--custom "$custom"
assert_exit 0 ts --json list "$gun"
assert_eq '{"alpha":"a<b&c","nested":{"x":"café","y":[1,2,{"a":null,"b":true}]},"zeta":1}' \
	"$(jq -c '.targets[] | select(.tag == "with-custom") | .custom' <<<"$STDOUT")" "custom data"
assert_contains "$(server_get "$gun" targets.json)" '"custom":{"alpha":"a\u003cb\u0026c","nested":{"x":"café"'
check_oracles "$gun" with-custom "$DIGEST" "$SIZE"

for name in "${names[@]}"; do
	check_tufsign "$gun" "$name" "${digest[$name]}" "${size[$name]}"
	check_oracles "$gun" "$name" "${digest[$name]}" "${size[$name]}"
done
listing=$(oracle_notary_list "$gun")
for name in 'a<b>&c' 'café-é' '中文标签'; do
	assert_contains "$listing" "$name " "notary list"
done

# A batch of tags in one publish, one of them replacing an existing tag.
{
	echo "# tag digest size"
	for i in 1 2 3; do
		make_manifest "$TEST_DIR/b$i.json"
		echo "batch-$i sha256:$DIGEST $SIZE"
	done
	make_manifest "$TEST_DIR/b4.json"
	echo "café-é	sha256:$DIGEST	$SIZE"
} >"$TEST_DIR/targets.txt"
version_before=$(server_get "$gun" targets.json | jq -r .signed.version)
assert_exit 0 ts sign "$gun" --key "$(key_uri targets)" --targets-file "$TEST_DIR/targets.txt"
assert_eq 4 "$(wc -l <<<"$STDOUT")" "lines printed for the batch"
assert_eq $((version_before + 1)) "$(server_get "$gun" targets.json | jq -r .signed.version)" \
	"targets version after the batch"
check_oracles "$gun" "café-é" "$DIGEST" "$SIZE"
check_tufsign "$gun" batch-2 "$(awk '$1 == "batch-2" {print substr($2, 8)}' "$TEST_DIR/targets.txt")" \
	"$(awk '$1 == "batch-2" {print $3}' "$TEST_DIR/targets.txt")"

# remove a tag with an HTML character
assert_exit 0 ts --json remove "$gun" 'a<b>&c' --key "$(key_uri targets)"
assert_eq '["a<b>&c"]' "$(jq -c .removed <<<"$STDOUT")" "removed tags"
assert_exit 8 ts verify "$gun" 'a<b>&c'
assert_exit 1 oracle_notary_lookup "$gun" 'a<b>&c'
echo "PASS: names, custom data, batch and remove in $gun"
