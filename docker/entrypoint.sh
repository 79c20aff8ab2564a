#!/bin/bash
# The image's entrypoint (under tini). Runs any mediastrends command, `serve` by default:
#
#   docker run … mediastrends                      → mediastrends serve
#   docker run … mediastrends torrents stats       → mediastrends torrents stats
#   docker run … mediastrends mediastrends run     → mediastrends run (the word may be repeated)
#   docker run … mediastrends bash                 → any other program of the image, as given
#
# Started as root (the default), it gives the `mediastrends` user the uid/gid of PUID/PGID
# (default 1000, the linuxserver.io convention of the *arr images), fixes the owner of what in
# /config and /data is not theirs, and runs the command as that user (never as root). Started as
# another user (`--user`), it runs the command as that user.
#
# Environment:
#   PUID, PGID                 uid/gid the command runs as (default 1000)
#   MEDIASTRENDS_DIRCONF       config folder (/config); a mediastrends.$MEDIASTRENDS_MODE.ini is
#   MEDIASTRENDS_MODE          written there on first start (mode "home") when there is none
#   WAIT_FOR                   host:port list (e.g. "prowlarr:9696") waited for before a command
#                              that fetches (serve, run, torrents add); JACKETT (the older image's
#                              name, e.g. "jackett:9117") works too
#   WAIT_TIMEOUT               seconds to wait (default 120); then the command starts anyway
set -euo pipefail

say() { printf '[entrypoint] %s\n' "$*" >&2; }

# ---- which command ----
if [ "$#" -eq 0 ]; then set -- serve; fi
if [ "$1" = mediastrends ]; then
  shift
  if [ "$#" -eq 0 ]; then set -- --help; fi
fi
case "$1" in
  serve | run | demo | database | config | torrents | movies | series | site | help | -*)
    set -- /usr/local/bin/mediastrends "$@" ;;
  *)
    if ! command -v "$1" >/dev/null 2>&1; then set -- /usr/local/bin/mediastrends "$@"; fi ;;
esac
# Does the command fetch from the indexer (serve, run, torrents add)? Then wait for it first.
fetches=false
if [ "$1" = /usr/local/bin/mediastrends ]; then
  words=()
  skip=false
  for a in "${@:2}"; do
    if $skip; then skip=false; continue; fi
    case "$a" in
      -f | --config-dir | -m | --mode | --now) skip=true ;;
      -*) ;;
      *) words+=("$a") ;;
    esac
  done
  case "${words[0]:-} ${words[1]:-}" in "serve "* | "run "* | "torrents add") fetches=true ;; esac
fi

# ---- the first start: a config to edit ----
conf_dir="${MEDIASTRENDS_DIRCONF:-/config}"
mode="${MEDIASTRENDS_MODE:-home}"
seed_config() {
  local ini="$conf_dir/mediastrends.$mode.ini"
  [ -e "$ini" ] && return 0
  [ -d "$conf_dir" ] && [ -w "$conf_dir" ] || return 0
  say "no $ini: writing one to edit (then restart the container)"
  cat >"$ini" <<'INI'
# mediastrends in a container: written on first start, yours to edit (README "Run at home").
# Put indexers.yaml and trackers.yaml beside this file. Any key can also come from the
# environment: MEDIASTRENDS__SECTION__KEY (e.g. MEDIASTRENDS__JACKETTAPI__APIKEY).
[directory]
base = /config
data = /data
sqlite = /data
logs = /data/logs

[jackettapi]
# the indexer's container, by its compose service name. Prowlarr: port 9696, path /{indexer}/api
# (indexers.yaml names indexers by their Prowlarr id). Jackett: port 9117 and
# path = /api/v2.0/indexers/{indexer}/results/torznab/
domain = prowlarr
port = 9696
path = /{indexer}/api
# better: MEDIASTRENDS__JACKETTAPI__APIKEY in compose.yaml
apikey =

[site]
# the address the site is seen at (its path becomes the base of every link)
base_url = http://localhost:8080/

[serve]
interval = 4h
port = 8080
INI
}

# ---- waiting for the indexer ----
wait_for() {
  local targets="${WAIT_FOR:-${JACKETT:-}}" timeout="${WAIT_TIMEOUT:-120}" t hostport host port
  [ -n "$targets" ] || return 0
  for hostport in ${targets//,/ }; do
    host="${hostport%:*}"
    port="${hostport##*:}"
    if [ "$host" = "$port" ]; then port=80; fi
    t=0
    until timeout 3 bash -c ": </dev/tcp/$host/$port" 2>/dev/null; do
      if [ "$t" -ge "$timeout" ]; then
        say "$host:$port still unreachable after ${timeout} s: starting anyway (its steps will report it)"
        break
      fi
      [ "$t" -eq 0 ] && say "waiting for $host:$port (up to ${timeout} s) …"
      sleep 2
      t=$((t + 2))
    done
  done
}

if [ "$(id -u)" = 0 ]; then
  PUID="${PUID:-1000}"
  PGID="${PGID:-1000}"
  case "$PUID$PGID" in *[!0-9]*) say "PUID and PGID must be numbers (got '$PUID', '$PGID')"; exit 2 ;; esac
  if [ "$PUID" = 0 ]; then say "PUID=0: refusing to run as root; use the uid that owns your volumes"; exit 2; fi
  if [ "$(id -g mediastrends)" != "$PGID" ]; then groupmod --non-unique --gid "$PGID" mediastrends; fi
  if [ "$(id -u mediastrends)" != "$PUID" ]; then usermod --non-unique --uid "$PUID" mediastrends; fi
  chgrp "$PGID" /app
  for d in "$conf_dir" /data /app/data /app/dist /app/node_modules/.astro /app/node_modules/.vite /home/mediastrends; do
    mkdir -p "$d"
    # only what is not the user's already: cheap on every start after the first
    find "$d" -xdev \( ! -user "$PUID" -o ! -group "$PGID" \) -exec chown -h "$PUID:$PGID" {} + 2>/dev/null || true
  done
  export HOME=/home/mediastrends USER=mediastrends
  seed_config
  if [ -e "$conf_dir/mediastrends.$mode.ini" ]; then chown -h "$PUID:$PGID" "$conf_dir/mediastrends.$mode.ini" || true; fi
  if $fetches; then wait_for; fi
  exec setpriv --reuid="$PUID" --regid="$PGID" --init-groups "$@"
fi
seed_config
if $fetches; then wait_for; fi
exec "$@"
