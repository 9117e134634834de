#!/usr/bin/env bash
# check_reliability_doc.sh DOC BUILD_DIR: every promise in DOC (a row of a table headed
# "| promise | test |") names at least one test, and every test it names (`Suite.Case`,
# or `Suite.*` for a whole suite) is one CTest knows in BUILD_DIR. A renamed or deleted
# test therefore fails this check instead of leaving a promise without proof.
set -euo pipefail
doc=${1:?usage: check_reliability_doc.sh DOC BUILD_DIR}
build=${2:?usage: check_reliability_doc.sh DOC BUILD_DIR}

tests=$(ctest --test-dir "$build" -N | sed -n 's/^ *Test *#[0-9]*: //p')
[ -n "$tests" ] || { echo "$build: CTest lists no tests" >&2; exit 2; }

# One line per promise: "LINE<TAB>name name ...", names being the backticked words shaped
# Suite.Case (no slash, no space: file names and commands are not tests).
promises=$(awk '
  /^\| *promise *\| *test *\|/ { in_table = 1; next }
  !/^\|/ { in_table = 0 }
  in_table && /^\|---/ { next }
  in_table {
    names = ""
    row = $0
    while (match(row, /`[A-Za-z_][A-Za-z0-9_]*\.([A-Za-z_][A-Za-z0-9_]*|\*)`/)) {
      names = names " " substr(row, RSTART + 1, RLENGTH - 2)
      row = substr(row, RSTART + RLENGTH)
    }
    print NR "\t" names
  }' "$doc")
[ -n "$promises" ] || { echo "$doc: no promise tables found" >&2; exit 2; }

failures=0
while IFS=$'\t' read -r line names; do
  if [ -z "${names// /}" ]; then
    echo "$doc:$line: this promise names no test"
    failures=$((failures + 1))
    continue
  fi
  for name in $names; do
    # CTest names carry prefixes and parameter suffixes (api.ApiSecurity.X,
    # Backends/HistoryStoreTest.X/sqlite): match the name as a whole dotted segment.
    pattern="(^|[./])${name//./\\.}(/|$)"
    [ "${name#*.}" = "*" ] && pattern="(^|[./])${name%%.*}\\."
    if ! grep -Eq "$pattern" <<<"$tests"; then
      echo "$doc:$line: \`$name\` is not a test CTest knows"
      failures=$((failures + 1))
    fi
  done
done <<<"$promises"

[ "$failures" -eq 0 ] || { echo "$failures problem(s) in $doc" >&2; exit 1; }
echo "every promise in $doc names tests that exist ($(wc -l <<<"$promises") promises)"
