# doc-examples-prelude: sourced before every docs example (test/support/doc-examples.ts).
# curl notes the HTTP status of each answer in $DOCS_LOG; __docs_mark separates the output of
# two groups of `# →` lines.
set -euo pipefail
curl() {
  local head status rc=0
  head=$(mktemp)
  command curl -D "$head" "$@" || rc=$?
  status=$(awk '/^HTTP\//{gsub(/\r/, ""); code=$2} END{print code}' "$head")
  rm -f "$head"
  echo "status ${status:-000}" >> "$DOCS_LOG"
  # A stream cut by --max-time (28) after a 200 is what the example asked for.
  if [ "$rc" -eq 28 ] && [ "${status:-}" = "200" ]; then return 0; fi
  return "$rc"
}
__docs_mark() { printf '\n\036MARK %s\036\n' "$1"; echo "mark $1" >> "$DOCS_LOG"; }
