#!/usr/bin/env bash
# check_sql.sh [--allow FILE] DIR...: fails, naming file:line, when C++ code under DIR
#   1. builds SQL text from values: a string literal that reads as SQL joined with `+`,
#      `+=`, `<<`, append() or a format()/printf() call in the same statement; or
#   2. hands the database anything but a named constant (or a literal) as the statement:
#      the SQL argument of sqlite3_prepare*/sqlite3_exec/PQexec/PQexecParams/PQprepare/
#      PQsendQuery*/PQsendPrepare and of our helpers (.exec, .exec_once, .cached,
#      Statement) must be an identifier such as kSelectTurns or table.upsert.
# Values go in as bound parameters, never into the text (STYLE.md practice 3).
#
# A finding that is legitimate (say, a statement whose IN (...) list of placeholders is
# built from a count) is allowed by one line in the allow-list FILE:
#   path/relative/to/DIR:exact text of the offending line  # why it is safe
# The reason is required, and an entry that matches nothing fails the check, so the list
# cannot grow stale or turn into a blanket exemption.
set -euo pipefail

allow=""
if [ "${1:-}" = "--allow" ]; then
  allow=${2:?--allow needs a file}
  shift 2
fi
[ $# -gt 0 ] || { echo "usage: check_sql.sh [--allow FILE] DIR..." >&2; exit 2; }

findings=$(mktemp)
trap 'rm -f "$findings"' EXIT

for dir in "$@"; do
  [ -d "$dir" ] || { echo "check_sql: no folder $dir" >&2; exit 2; }
  (cd "$dir" && find . -type f \( -name '*.cpp' -o -name '*.cc' -o -name '*.hpp' -o -name '*.h' \) | sed 's#^\./##' | sort) |
  while IFS= read -r file; do
    awk -v file="${dir%/}/$file" -f "$(dirname "$0")/check_sql.awk" "$dir/$file"
  done >>"$findings"
done

status=0
used=$(mktemp)
trap 'rm -f "$findings" "$used"' EXIT
# Each finding: file<TAB>line<TAB>message<TAB>source line.
while IFS=$'\t' read -r file line message source; do
  allowed=0
  if [ -n "$allow" ]; then
    entry_no=0
    while IFS= read -r entry; do
      entry_no=$((entry_no + 1))
      case "$entry" in ''|'#'*) continue ;; esac
      [[ "$entry" == *"  # "?* ]] || continue  # without its reason an entry allows nothing
      entry_file=${entry%%:*}
      entry_text=${entry#*:}
      entry_text=${entry_text%%  # *}
      if [ "$entry_file" = "$file" ] && [ "$entry_text" = "$(echo "$source" | sed -E 's/^[[:space:]]+|[[:space:]]+$//g')" ]; then
        allowed=1
        echo "$entry_no" >>"$used"
      fi
    done <"$allow"
  fi
  if [ $allowed -eq 0 ]; then
    echo "$file:$line: $message"
    status=1
  fi
done <"$findings"

if [ -n "$allow" ]; then
  entry_no=0
  while IFS= read -r entry; do
    entry_no=$((entry_no + 1))
    case "$entry" in ''|'#'*) continue ;; esac
    if [[ "$entry" != *"  # "?* ]]; then
      echo "$allow:$entry_no: allow-list entry without a reason ('  # why it is safe')"
      status=1
    elif ! grep -qx "$entry_no" "$used"; then
      echo "$allow:$entry_no: allow-list entry matches no finding; remove it"
      status=1
    fi
  done <"$allow"
fi

[ $status -eq 0 ] && echo "sql: every statement is a named constant with bound values"
exit $status
