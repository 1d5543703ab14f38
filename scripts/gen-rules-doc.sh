#!/bin/sh
# Regenerate the generated parts of docs/rules.md from the binary: the
# field table (`vigil rules fields`) and the default policy table
# (`vigil rules --format json`). Everything above "## Fields" is kept.
# tests/e2e/test_docs.sh fails when the two drift apart.
set -eu
cd "$(dirname "$0")/.."
VIGIL=${VIGIL:-build/vigil}
doc=docs/rules.md
tmp=$(mktemp)

sed '/^## Fields$/,$d' "$doc" >"$tmp"
{
	echo "## Fields"
	echo
	echo "Generated from \`vigil rules fields\` by \`scripts/gen-rules-doc.sh\`."
	echo
	echo '| field | type | meaning |'
	echo '|---|---|---|'
	"$VIGIL" rules fields | awk '{n=$1; t=$2; $1=""; $2=""; sub(/^  */,""); gsub(/\|/,"\\|");
		printf "| `%s` | %s | %s |\n", n, t, $0}'
	echo
	echo "## The default policy"
	echo
	echo "Generated from \`vigil rules --format json\`. Each rule's condition, exceptions and"
	echo "false-positive notes are in its file under \`policy/\`."
	echo
	echo '| id | severity | action | name | MITRE | false positives |'
	echo '|---|---|---|---|---|---|'
	"$VIGIL" rules --format json | jq -r '"| \(.id) | \(.severity) | \(.action) | \(.name) | \(.mitre | join(", ")) | \(.false_positives | gsub("\\|"; "\\\\|") | gsub("\n"; " ")) |"'
} >>"$tmp"
mv "$tmp" "$doc"
