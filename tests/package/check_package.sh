#!/usr/bin/env bash
# check_package.sh DEB VERSION: checks a Debian package of aurite without installing it:
# its metadata (name, version, Depends computed from the shared libraries, nothing of Qt,
# Poco or MariaDB), its contents, and that the example project runs from a copy of the
# installed example folder, with the programs unpacked as apt would put them under /usr
# and only the system folders on PATH.
set -euo pipefail
deb=$1 version=$2
fail() { echo "check_package: $deb: $*" >&2; exit 1; }
[ -f "$deb" ] || fail "no such file"

field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = aurite ] || fail "Package is '$(field Package)', not aurite"
[ "$(field Version)" = "$version" ] || fail "Version is '$(field Version)', not $version"
[ "$(field Architecture)" = "$(dpkg --print-architecture)" ] || fail "Architecture is '$(field Architecture)'"
depends=$(field Depends)
for library in libc6 libstdc++6 libpq5 libsqlite3-0; do
  [[ "$depends" == *"$library "* || "$depends" == *"$library," || "$depends" == *"$library" ]] ||
    fail "Depends lacks $library: $depends"
done
if grep -qiE 'qt|poco|mariadb|valijson' <<<"$depends"; then fail "Depends names Qt, Poco, MariaDB or valijson: $depends"; fi

contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for path in ./usr/bin/aurite ./usr/libexec/aurite/aurite-example-weather-server \
            ./usr/libexec/aurite/aurite-example-planning-server ./usr/lib/aurite/plugins/libaurite_example_workflow.so \
            ./usr/lib/libaurite.a ./usr/include/aurite/host/host_manager.hpp ./usr/lib/cmake/aurite/auriteConfig.cmake \
            ./usr/lib/cmake/aurite/auriteTargets.cmake ./usr/share/aurite/examples/demo/aurite_config.json \
            ./usr/share/man/man1/aurite.1.gz; do
  grep -qxF "$path" <<<"$contents" || fail "does not hold $path"
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg-deb -x "$deb" "$work/root"
zcat "$work/root/usr/share/man/man1/aurite.1.gz" | grep -q '^\.TH AURITE 1' || fail "the manual page is not a man page"
zcat "$work/root/usr/share/man/man1/aurite.1.gz" | grep -q 'validate' || fail "the manual page lacks the commands"
aurite="$work/root/usr/bin/aurite"
[ "$("$aurite" --version)" = "aurite $version" ] || fail "aurite --version prints '$("$aurite" --version)'"

# A copy of the installed example folder, run the way the README says.
cp -r "$work/root/usr/share/aurite/examples/demo" "$work/demo"
run() { (cd "$work/demo" && env -u AURITE_PLUGIN_PATH PATH=/usr/bin:/bin AURITE_ENABLE_DB=false "$aurite" "$@"); }
answer=$(run run "Weather Agent" "What should I wear in Oslo?" --config aurite_config.json) ||
  fail "the Weather Agent did not run: $answer"
grep -q 'Weather in Oslo' <<<"$answer" || fail "the Weather Agent's answer does not name Oslo: $answer"
answer=$(run run "Example Custom Workflow" "Quito" --config aurite_config.json --json) ||
  fail "the custom workflow did not run: $answer"
grep -q 'Weather in Quito' <<<"$answer" || fail "the custom workflow's answer does not name Quito: $answer"
echo "check_package: $deb: aurite $version, Depends: $depends; the example project runs from a copy"
