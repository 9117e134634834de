# The scanner of check_sql.sh (POSIX awk, mawk included). Reads one C++ file, splits it
# into statements (at ; { } outside parentheses, and at the end of a preprocessor line),
# replaces each string literal by @N@ (adjacent literals are one, as the compiler joins
# them) and prints findings as: file<TAB>line<TAB>message<TAB>source line.

function reset_statement() {
  stmt = ""; nlit = 0; last_lit = 0; depth = 0; stmt_line = NR
}

function is_sql(text) {
  return text ~ /(SELECT .*FROM|INSERT INTO|DELETE FROM|UPDATE [A-Za-z_]+ (AS [A-Za-z_]+ )?SET|WHERE |VALUES ?\(|CREATE (TABLE|INDEX|UNIQUE|VIRTUAL|TRIGGER)|DROP (TABLE|INDEX)|ALTER TABLE| LIMIT |ORDER BY|GROUP BY| IN \(|^PRAGMA )/
}

function line_at(pos,    before, count, i) {
  before = substr(stmt, 1, pos - 1)
  count = gsub(/\n/, "\n", before)
  return stmt_line + count
}

function report(line, message) {
  printf "%s\t%d\t%s\t%s\n", file, line, message, source[line]
}

# The text of argument `n` (1-based) of the call whose "(" is at `open`, or "" without it.
function argument(open, n,    i, c, d, index_now, start) {
  d = 0; index_now = 1; start = open + 1
  for (i = open + 1; i <= length(stmt); i++) {
    c = substr(stmt, i, 1)
    if (c == "(" || c == "[" || c == "{") d++
    else if (c == ")" || c == "]" || c == "}") {
      if (d == 0) return index_now == n ? substr(stmt, start, i - start) : ""
      d--
    } else if (c == "," && d == 0) {
      if (index_now == n) return substr(stmt, start, i - start)
      index_now++; start = i + 1
    }
  }
  return ""
}

function check_built_sql(    i, p, before, after, formatting) {
  formatting = stmt ~ /(format|printf)[ \t\n]*\(|<<|\+=|append[ \t\n]*\(/
  for (i = 1; i <= nlit; i++) {
    if (!is_sql(lit[i])) continue
    p = index(stmt, "@" i "@")
    before = substr(stmt, 1, p - 1); sub(/[ \t\n]+$/, "", before)
    after = substr(stmt, p + length("@" i "@")); sub(/^[ \t\n]+/, "", after)
    if ((before ~ /\+$/ && before !~ /\+\+$/) || (after ~ /^\+/ && after !~ /^\+\+/) || formatting) {
      report(litline[i], "SQL text built from values (concatenated or formatted); bind them as parameters")
    }
  }
}

function check_sinks(    rest, offset, name, open, n, arg, start) {
  rest = stmt; offset = 0
  while (match(rest, /(sqlite3_prepare[_a-z0-9]*|sqlite3_exec|PQexecParams|PQexec|PQprepare|PQsendQueryParams|PQsendQuery|PQsendPrepare|(\.|->)(exec_once|exec|cached)|make_unique<Statement>|Statement[ \t]+[A-Za-z_][A-Za-z0-9_]*|Statement)[ \t\n]*\(/)) {
    start = offset + RSTART
    name = substr(rest, RSTART, RLENGTH)
    open = offset + RSTART + RLENGTH - 1
    offset += RSTART + RLENGTH - 1
    rest = substr(rest, RSTART + RLENGTH)
    # Statement( after "::" or inside a longer name is a definition or another type.
    if (name ~ /^Statement/ && start > 1 && substr(stmt, start - 1, 1) ~ /[A-Za-z0-9_:]/) continue
    n = 1
    if (name ~ /^(sqlite3_|PQexec|PQsendQuery|make_unique|Statement)/) n = 2
    if (name ~ /^(PQprepare|PQsendPrepare)/) n = 3
    arg = argument(open, n)
    gsub(/^[ \t\n]+|[ \t\n]+$/, "", arg)
    if (arg == "") continue
    # A named constant, a member of one, a variable holding one, or a literal; a parameter
    # declaration of the helpers themselves (their callers are checked).
    if (arg ~ /^[A-Za-z_][A-Za-z0-9_]*((\.|->|::)[A-Za-z_][A-Za-z0-9_]*)*$/) continue
    if (arg ~ /^(@[0-9]+@[ \t\n]*)+$/) continue
    if (arg ~ /^const (char ?\* ?|Query ?& ?)[A-Za-z_][A-Za-z0-9_]*$/) continue
    sub(/[ \t\n]*\($/, "", name)
    arg = with_literals(arg)
    report(line_at(start), "the SQL passed to " name " is not a named constant: " arg)
  }
}

function emit() {
  if (stmt ~ /[^ \t\n]/) { check_built_sql(); check_sinks() }
  reset_statement()
}

function append_code(c) {
  stmt = stmt c
  if (c !~ /[ \t\n]/) last_lit = 0
}

BEGIN { state = "code"; reset_statement() }

{
  source[NR] = $0
  gsub(/^[ \t]+|[ \t]+$/, "", source[NR])
  gsub(/\t/, " ", source[NR])
  line = $0
  if (state == "code" && line ~ /^[ \t]*#/) { emit(); preprocessor = 1 }
  n = length(line)
  for (i = 1; i <= n; i++) {
    c = substr(line, i, 1)
    if (state == "block") {
      if (c == "*" && substr(line, i + 1, 1) == "/") { state = "code"; i++ }
      continue
    }
    if (state == "raw") {
      p = index(substr(line, i), raw_end)
      if (p == 0) { text = text substr(line, i) "\n"; i = n; continue }
      text = text substr(line, i, p - 1); i += p + length(raw_end) - 2
      state = "code"; close_literal()
      continue
    }
    if (state == "string") {
      if (c == "\\") { text = text substr(line, i, 2); i++; continue }
      if (c == "\"") { state = "code"; close_literal(); continue }
      text = text c
      continue
    }
    if (state == "char") {
      if (c == "\\") { i++; continue }
      if (c == "'") { state = "code"; append_code("'c'") }
      continue
    }
    # code
    if (c == "/" && substr(line, i + 1, 1) == "/") break
    if (c == "/" && substr(line, i + 1, 1) == "*") { state = "block"; i++; continue }
    if (c == "\"") {
      if (i > 1 && substr(line, i - 1, 1) == "R") {
        p = index(substr(line, i + 1), "(")
        raw_end = ")" substr(line, i + 1, p - 1) "\""
        stmt = substr(stmt, 1, length(stmt) - 1)  # the R prefix
        state = "raw"; text = ""; lit_line = NR; i += p
        continue
      }
      state = "string"; text = ""; lit_line = NR
      continue
    }
    if (c == "'" && !(i > 1 && substr(line, i - 1, 1) ~ /[0-9]/)) { state = "char"; continue }
    if (c == "(") depth++
    if (c == ")" && depth > 0) depth--
    if ((c == ";" || c == "{" || c == "}") && depth == 0 && !preprocessor) { emit(); continue }
    append_code(c)
  }
  if (state == "code" && preprocessor && line !~ /\\$/) { preprocessor = 0; emit(); stmt_line = NR + 1; next }
  stmt = stmt "\n"
}

function close_literal() {
  if (last_lit) { lit[nlit] = lit[nlit] text; return }
  nlit++
  lit[nlit] = text; litline[nlit] = lit_line
  stmt = stmt "@" nlit "@"
  last_lit = 1
}

END { emit() }

# `text` with each @N@ shown as the literal it stands for.
function with_literals(text,    i) {
  for (i = 1; i <= nlit; i++) {
    while (index(text, "@" i "@") > 0) {
      text = substr(text, 1, index(text, "@" i "@") - 1) "\"" lit[i] "\"" substr(text, index(text, "@" i "@") + length("@" i "@"))
    }
  }
  return text
}
