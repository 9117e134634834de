#!/usr/bin/env bash
# Tests check_sql.sh itself on the fixtures in tests/data/sql_check: it must fail on each
# bad shape naming file:line, pass the accepted shapes, honour an allow-list entry and
# reject one without a reason or one that matches nothing. Run from the source folder.
set -uo pipefail
check=tests/checks/check_sql.sh
data=tests/data/sql_check
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

bash "$check" "$data/bad" >"$tmp/bad.out"
[ $? -eq 1 ] || fail "the bad fixture passed"
diff -u "$data/bad.expect" "$tmp/bad.out" || fail "the findings on the bad fixture differ from bad.expect"

bash "$check" "$data/good" >"$tmp/good.out" || fail "the good fixture failed: $(cat "$tmp/good.out")"

# One finding allowed with its reason: the other findings still fail the check.
echo "$data/bad/built_sql.cpp:PQprepare(conn, \"by_name\", make_query().c_str(), 1, nullptr);  # fixture: reason given" >"$tmp/allow"
bash "$check" --allow "$tmp/allow" "$data/bad" >"$tmp/allowed.out"
[ $? -eq 1 ] || fail "allowing one finding let the others pass"
grep -q 'built_sql.cpp:28:' "$tmp/allowed.out" && fail "the allowed finding was still reported"
[ "$(wc -l <"$tmp/allowed.out")" -eq $(($(wc -l <"$data/bad.expect") - 1)) ] || fail "allowing one finding hid others"

echo "$data/bad/built_sql.cpp:PQprepare(conn, \"by_name\", make_query().c_str(), 1, nullptr);" >"$tmp/no_reason"
bash "$check" --allow "$tmp/no_reason" "$data/bad" >"$tmp/no_reason.out"
grep -q 'without a reason' "$tmp/no_reason.out" || fail "an entry without a reason was accepted"
grep -q 'built_sql.cpp:28:' "$tmp/no_reason.out" || fail "an entry without a reason allowed its finding"

echo "$data/good/constant_sql.cpp:nothing like this line  # stale" >"$tmp/stale"
bash "$check" --allow "$tmp/stale" "$data/good" >"$tmp/stale.out"
[ $? -eq 1 ] && grep -q 'matches no finding' "$tmp/stale.out" || fail "a stale allow-list entry was accepted"

[ $failures -eq 0 ] && echo "check_sql.sh: flags every bad shape and only those"
exit $(( failures > 0 ))
