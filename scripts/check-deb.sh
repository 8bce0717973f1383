#!/usr/bin/env bash
# make check-deb (CI): builds the Debian package from this checkout, installs it with dpkg, checks what a user
# and an operator get, removes and purges it, then checks make install / make uninstall into a staging folder.
# Installs its own Debian packages (bash-completion, zsh, fish for the completions); uses the private
# PostgreSQL (scripts/pg.sh) with a database of its own for a short real run of the installed binary.
# A levelfunnel package already installed on this machine is purged first.
set -euo pipefail
cd "$(dirname "$0")/.."

passes=0 failures=0
ok() { echo "  ok: $*"; passes=$((passes + 1)); }
bad() { echo "  FAILED: $*" >&2; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
step() { echo "== $*"; }
# Runs a command, showing its output only when it fails.
quietly() { local out; out=$("$@" 2>&1) || { echo "$out" >&2; echo "check-deb: $* failed" >&2; return 1; }; }

scripts/setup.sh bash-completion zsh fish man-db groff-base dpkg-dev binutils systemd

step "make deb"
start=$SECONDS
make --no-print-directory deb
echo "  built in $((SECONDS - start)) s"
deb=$(ls .build/deb/levelfunnel_*.deb)
echo "  $deb: $(du -h "$deb" | cut -f1)"

step "package contents (dpkg-deb -I, -c)"
dpkg-deb -I "$deb" | sed 's/^/  /'
contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for path in ./usr/bin/levelfunnel ./usr/share/man/man1/levelfunnel.1.gz ./usr/share/man/man1/levelfunnel-query.1.gz \
            ./usr/share/bash-completion/completions/levelfunnel ./usr/share/zsh/vendor-completions/_levelfunnel \
            ./usr/share/fish/vendor_completions.d/levelfunnel.fish ./usr/share/levelfunnel/themes/default.theme \
            ./usr/share/levelfunnel/levelfunnel.env.example ./usr/lib/systemd/system/levelfunnel-refresh.service \
            ./usr/lib/systemd/system/levelfunnel-refresh.timer ./usr/lib/systemd/system/levelfunnel-schedule.service; do
  check "contains $path" grep -qx -- "$path" <<<"$contents"
done
check "contains every theme of themes/" test "$(grep -c '^./usr/share/levelfunnel/themes/.*\.theme$' <<<"$contents")" -eq "$(ls themes/*.theme | wc -l)"
depends=$(dpkg-deb -f "$deb" Depends)
echo "  Depends: $depends"
for pkg in libpq5 libncursesw6 libc6 adduser; do check "Depends on $pkg" grep -q "\\b$pkg\\b" <<<"$depends"; done
check "Depends on no Swift package" bash -c '! grep -qi swift <<<"$1"' _ "$depends"

step "dpkg -i"
if dpkg-query -W -f='${Status}' levelfunnel 2>/dev/null | grep -q installed; then
  echo "  levelfunnel is installed: purging it first"
  dpkg -P levelfunnel >/dev/null
fi
dpkg -i "$deb"
check "levelfunnel on PATH is /usr/bin/levelfunnel" test "$(command -v levelfunnel)" = /usr/bin/levelfunnel
check "levelfunnel --help runs" bash -c 'levelfunnel --help | grep -q "^OVERVIEW: The Level Funnel"'

step "a self-contained binary"
ldd /usr/bin/levelfunnel | sed 's/^/  /'
check "ldd shows no Swift library" bash -c '! ldd /usr/bin/levelfunnel | grep -qi swift'
check "ldd finds every library" bash -c '! ldd /usr/bin/levelfunnel | grep -q "not found"'
check "no RPATH/RUNPATH" bash -c '! readelf -d /usr/bin/levelfunnel | grep -qE "RPATH|RUNPATH"'
toolchain=$(dirname "$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")")
if unshare -m true 2>/dev/null; then
  # The toolchain's folder emptied in a private mount namespace: as on a host that never had Swift.
  check "runs with $toolchain hidden" unshare -m bash -c \
    'mount -t tmpfs none "$1" && levelfunnel query --help | grep -q "^OVERVIEW"' _ "$toolchain"
else
  echo "  (no mount namespace here: the run without $toolchain is left to ldd above)"
fi

step "man pages"
check "man -w levelfunnel" test "$(man -w levelfunnel)" = /usr/share/man/man1/levelfunnel.1.gz
check "man levelfunnel renders its NAME and COMMANDS" bash -c \
  'out=$(MANWIDTH=100 man levelfunnel 2>/dev/null); grep -q "levelfunnel — The Level Funnel" <<<"$out" && grep -q "^COMMANDS" <<<"$out"'
commands=$(levelfunnel --help | sed -n '/^SUBCOMMANDS:/,/^$/p' | grep -E '^  [a-z]' | awk '{print $1}')
for cmd in "" $commands; do
  page=levelfunnel${cmd:+-$cmd}
  warnings=$(MANWIDTH=100 man --warnings=all "$page" 2>&1 >/dev/null || echo "man $page failed")
  check "man $page renders without a warning" test -z "$warnings"
  [ -z "$warnings" ] || echo "$warnings" | head -5 | sed 's/^/    /'
  # Every option --help shows is in the page (both come from the same declarations).
  rendered=$(MANWIDTH=200 man --nh --nj "$page" 2>/dev/null)
  missing=$(levelfunnel $cmd --help | sed -n '/^OPTIONS:/,$p' | grep -oE -- '(^| )--[a-z][a-z0-9-]*' | tr -d ' ' | sort -u |
            while read -r option; do grep -q -- "$option" <<<"$rendered" || echo "$option"; done)
  check "man $page has every option of levelfunnel $cmd --help" test -z "$missing"
  [ -z "$missing" ] || echo "    missing: $missing"
done

step "shell completions"
# bash: bash-completion's own loader finds the script, then the completion function runs on a command line.
bash_complete() {
  bash --norc --noprofile -c '
    source /usr/share/bash-completion/bash_completion
    __load_completion levelfunnel || exit 3
    function=$(complete -p levelfunnel | sed -n "s/.* -F \([^ ]*\) .*/\1/p")
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    "$function" levelfunnel "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    printf "%s\n" "${COMPREPLY[@]}"' bash "$@"
}
bash_query=$(bash_complete levelfunnel query --)
check "bash: levelfunnel query --<TAB> offers --game, --from, --compare-with" \
  bash -c 'grep -qx -- --game <<<"$1" && grep -qx -- --from <<<"$1" && grep -qx -- --compare-with <<<"$1"' _ "$bash_query"
check "bash: levelfunnel qu<TAB> offers query" bash -c 'grep -qx query <<<"$1"' _ "$(bash_complete levelfunnel qu)"
check "bash: levelfunnel query --source <TAB> offers fast, raw, aggregates" \
  bash -c 'test "$(sort <<<"$1" | tr "\n" " ")" = "aggregates fast raw "' _ "$(bash_complete levelfunnel query --source '')"
fish_query=$(HOME=$(mktemp -d) fish -c 'complete -C "levelfunnel query --"' | cut -f1)
check "fish: levelfunnel query --<TAB> offers --game" grep -qx -- --game <<<"$fish_query"
check "zsh: compinit finds _levelfunnel for levelfunnel" \
  test "$(zsh -f -c 'autoload -Uz compinit && compinit -u -D && print -r -- ${_comps[levelfunnel]}')" = _levelfunnel

step "themes, user, units"
check "themes in /usr/share/levelfunnel/themes" test -f /usr/share/levelfunnel/themes/solarized.theme
check "system user levelfunnel (nologin, system uid)" bash -c \
  'IFS=: read -r _ _ uid _ _ _ shell < <(getent passwd levelfunnel) && [ "$uid" -lt 1000 ] && [ "$shell" = /usr/sbin/nologin ]'
check "group levelfunnel" bash -c 'getent group levelfunnel >/dev/null'
check "/etc/levelfunnel is root:levelfunnel 750" test "$(stat -c '%U:%G %a' /etc/levelfunnel)" = "root:levelfunnel 750"
for unit in levelfunnel-refresh.service levelfunnel-schedule.service; do
  check "$unit runs /usr/bin/levelfunnel as levelfunnel" bash -c \
    'grep -q "^ExecStart=/usr/bin/levelfunnel " "$1" && grep -qx "User=levelfunnel" "$1"' _ /usr/lib/systemd/system/$unit
done
for unit in levelfunnel-refresh.timer levelfunnel-refresh.service levelfunnel-schedule.service; do
  check "$unit installed, not enabled" bash -c \
    'state=$(systemctl is-enabled "$1" 2>/dev/null); [ "$state" = disabled ] || [ "$state" = static ]' _ "$unit"
done
check "systemd-analyze verify: the units are valid and their ExecStart exists" \
  systemd-analyze verify /usr/lib/systemd/system/levelfunnel-{refresh.service,refresh.timer,schedule.service}
check "no link to a levelfunnel unit in /etc/systemd" test -z "$(find /etc/systemd -name 'levelfunnel*' 2>/dev/null)"

step "the installed binary at work (private PostgreSQL, database levelfunnel_check_deb)"
scripts/pg.sh start
psql -X -q "$(scripts/pg.sh url postgres)" -c 'SET client_min_messages = warning' \
  -c 'DROP DATABASE IF EXISTS levelfunnel_check_deb WITH (FORCE)'
scripts/pg.sh start levelfunnel_check_deb
url=$(scripts/pg.sh url levelfunnel_check_deb)
quietly levelfunnel migrate --database-url "$url"
quietly levelfunnel generate --game deb --players 80 --days 5 --levels 12 --start 2026-01-01 --database-url "$url"
quietly levelfunnel backfill --game deb --to 2026-01-05 --plain --database-url "$url"
check "verify: the fast path equals the raw path" bash -c 'levelfunnel verify --game deb --database-url "$1" >/dev/null' _ "$url"
check "query --format json answers" bash -c 'levelfunnel query --game deb --format json --database-url "$1" | grep -q "\"levels\":\[{\"levelId\":1,"' _ "$url"
# The dashboard, started by name from / (no themes/ folder near): it opens in an installed theme and F9 goes
# to the next one.
sock=$(mktemp -u /tmp/lf-check-deb-XXXXXX)
home=$(mktemp -d)
tmux -u -S "$sock" new-session -d -x 160 -y 45 -e TERM=tmux-256color -e LANG=C.UTF-8 \
  "cd / && env -u LEVELFUNNEL_THEMES -u NO_COLOR -u XDG_CONFIG_HOME HOME=$home levelfunnel tui --game deb --theme solarized --database-url '$url'; echo EXIT=\$?; sleep 60"
wait_screen() {
  local i
  for i in $(seq 100); do tmux -S "$sock" capture-pane -p | grep -q -- "$1" && return 0; sleep 0.1; done
  tmux -S "$sock" capture-pane -p | tail -3 | sed 's/^/    /' >&2
  return 1
}
check "tui opens" wait_screen "data as of"
tmux -S "$sock" send-keys F9
check "tui: F9 after solarized is high-contrast (the installed themes)" wait_screen "theme: high-contrast"
tmux -S "$sock" send-keys q
check "tui quits with status 0" wait_screen "EXIT=0"
tmux -S "$sock" kill-server 2>/dev/null || true
rm -rf "$home"
psql -X -q "$(scripts/pg.sh url postgres)" -c 'DROP DATABASE levelfunnel_check_deb WITH (FORCE)'

step "dpkg -i again (an upgrade's maintainer scripts)"
quietly dpkg -i "$deb"
check "still installed, the user kept" bash -c \
  'dpkg-query -W -f="\${Status}" levelfunnel | grep -q "install ok installed" && getent passwd levelfunnel >/dev/null'

step "dpkg -r, dpkg -P"
files=$(dpkg -L levelfunnel | while read -r f; do if [ -f "$f" ]; then echo "$f"; fi; done)
dpkg -r levelfunnel >/dev/null
left=$(for f in $files; do if [ -e "$f" ]; then echo "$f"; fi; done)
check "dpkg -r removes every file of the package ($(wc -w <<<"$files") files)" test -z "$left"
[ -z "$left" ] || echo "    left: $left"
check "no levelfunnel on PATH" bash -c '! command -v levelfunnel'
check "no man page" bash -c '! man -w levelfunnel 2>/dev/null'
check "/usr/share/levelfunnel is gone" test ! -e /usr/share/levelfunnel
dpkg -P levelfunnel >/dev/null
check "dpkg -P: the package is gone" bash -c '! dpkg-query -W -f="\${Status}" levelfunnel 2>/dev/null | grep -q installed'
check "dpkg -P: /etc/levelfunnel is gone" test ! -e /etc/levelfunnel

step "make install, make uninstall (DESTDIR, PREFIX=/usr/local)"
stage=$(mktemp -d)
quietly make --no-print-directory install DESTDIR="$stage" PREFIX=/usr/local
for path in bin/levelfunnel share/man/man1/levelfunnel.1.gz share/man/man1/levelfunnel-query.1.gz \
            share/bash-completion/completions/levelfunnel share/zsh/site-functions/_levelfunnel \
            share/fish/vendor_completions.d/levelfunnel.fish share/levelfunnel/themes/default.theme \
            share/levelfunnel/levelfunnel.env.example lib/systemd/system/levelfunnel-refresh.timer; do
  check "make install: /usr/local/$path" test -f "$stage/usr/local/$path"
done
check "make install: the unit runs /usr/local/bin/levelfunnel" \
  grep -q '^ExecStart=/usr/local/bin/levelfunnel refresh' "$stage/usr/local/lib/systemd/system/levelfunnel-refresh.service"
check "make install: man finds the page" test "$(man -M "$stage/usr/local/share/man" -w levelfunnel-query)" = \
  "$stage/usr/local/share/man/man1/levelfunnel-query.1.gz"
quietly make --no-print-directory uninstall DESTDIR="$stage" PREFIX=/usr/local
check "make uninstall leaves no file" test -z "$(find "$stage" -type f)"
rm -rf "$stage"

echo "check-deb: $passes passed, $failures failed"
[ "$failures" -eq 0 ]
