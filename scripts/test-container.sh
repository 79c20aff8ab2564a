#!/usr/bin/env bash
# The container test (`npm run test:container`; not part of `npm test`: it takes minutes).
#
# Builds the image of ./Dockerfile with podman on a base made here (no image registry needed):
# debootstrap minbase bookworm from apt's own mirror + this machine's `node`, imported with
# `podman import`. node_modules comes from this machine (no npm registry inside a build):
# --build-arg NODE_MODULES=context --build-context node_modules=./node_modules. Then, in
# containers on the host network:
#   1. `mediastrends demo` (loopback tracker and indexer, the real pipeline) into a /data volume;
#   2. `mediastrends serve` (the image's default command) on that database: it builds the site and
#      serves it on 127.0.0.1; the home page must list the demo's trending movies; /healthz 200;
#   3. any command runs (`config show`), as the non-root user of PUID;
#   4. `podman stop` (SIGTERM): exit code 0, no run left 'running'.
# Needs root, podman, runc, debootstrap (apt-get install -y podman runc debootstrap).
#
# Environment: CONTAINER_TEST_DIR [/var/tmp/mediastrends-container-test] (the base image's rootfs
# and the volumes), KEEP_IMAGES [1] (0: remove the images at the end).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
work="${CONTAINER_TEST_DIR:-/var/tmp/mediastrends-container-test}"
t_start=$(date +%s)
say() { printf '[test-container %3ss] %s\n' "$(($(date +%s) - t_start))" "$*" >&2; }
fail() {
  say "FAIL: $*"
  exit 1
}

for tool in podman debootstrap; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (apt-get install -y podman runc debootstrap)"
done
[ -x /usr/sbin/runc ] || fail "/usr/sbin/runc is not installed (apt-get install -y runc)"
[ "$(id -u)" = 0 ] || fail "run as root (debootstrap and podman here need it)"
[ -d node_modules ] || fail "node_modules/ is missing: npm ci first"

mkdir -p "$work"
export CONTAINERS_CONF="$work/containers.conf"
cat >"$CONTAINERS_CONF" <<'EOF'
[containers]
default_ulimits = []

[engine]
cgroup_manager = "cgroupfs"
EOF
pm() { podman --runtime /usr/sbin/runc "$@"; }
# no systemd here for podman's health-check timers: /healthz is checked by this script
run_flags=(--rm --network host --no-healthcheck)

# ---- the base image: Debian bookworm minbase + this machine's node ----
node_bin="$(command -v node)"
node_version="$("$node_bin" --version)"
base="localhost/mediastrends-base:bookworm-node${node_version#v}"
if pm image exists "$base"; then
  say "base image $base: already there"
else
  mirror="$(grep -hs -E '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -m1 -E 'debian/?$' || true)"
  [ -n "$mirror" ] || mirror="$(grep -hs -E '^deb ' /etc/apt/sources.list | awk '{print $2}' | grep -m1 -E 'debian/?$' || true)"
  [ -n "$mirror" ] || fail "no Debian mirror found in /etc/apt/sources*"
  rootfs="$work/rootfs"
  rm -rf "$rootfs"
  say "debootstrap bookworm from $mirror …"
  debootstrap --variant=minbase --include=tini,git,openssh-client,ca-certificates,passwd \
    bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || fail "debootstrap failed: see $work/debootstrap.log"
  cp "$node_bin" "$rootfs/usr/local/bin/node"
  rm -rf "$rootfs/var/cache/apt/archives/"*.deb "$rootfs/var/lib/apt/lists/"*
  tar -C "$rootfs" -c . | pm import - "$base" >/dev/null
  rm -rf "$rootfs"
  say "base image $base imported"
fi

# ---- the image ----
image="localhost/mediastrends:test"
say "podman build (node_modules from this machine) …"
t_build=$(date +%s)
pm build --quiet --format docker \
  --build-arg "BASE=$base" --build-arg NODE_MODULES=context --build-arg APT_PACKAGES= \
  --build-context "node_modules=$here/node_modules" \
  -t "$image" -f Dockerfile . >"$work/build.log" 2>&1 || {
  tail -30 "$work/build.log" >&2
  fail "podman build failed: see $work/build.log"
}
say "image built in $(($(date +%s) - t_build)) s"

# ---- volumes ----
data="$work/data"
config="$work/config"
rm -rf "$data" "$config"
mkdir -p "$data" "$config"
puid=1234
pgid=1234
name="mediastrends-test-$$"
cleanup() {
  pm rm -f "$name" >/dev/null 2>&1 || true
  if [ "${KEEP_IMAGES:-1}" = 0 ]; then pm rmi -f "$image" "$base" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

# ---- 3. any command, as the PUID user ----
who="$(pm run "${run_flags[@]}" -e PUID=$puid -e PGID=$pgid -v "$config:/config" "$image" id -u)"
[ "$who" = "$puid" ] || fail "commands run as uid '$who', expected PUID $puid"
pm run "${run_flags[@]}" -e PUID=$puid -e PGID=$pgid -v "$config:/config" -v "$data:/data" "$image" \
  config show >"$work/config-show.txt" 2>&1 || {
  cat "$work/config-show.txt" >&2
  fail "'config show' failed in the container"
}
[ -f "$config/mediastrends.home.ini" ] || fail "the first start did not write /config/mediastrends.home.ini"
[ "$(stat -c %u "$config/mediastrends.home.ini")" = "$puid" ] || fail "the written config is not owned by PUID"
say "any command runs as uid $puid; the first start wrote mediastrends.home.ini"

# ---- 1. the demo ----
say "mediastrends demo in a container …"
t_demo=$(date +%s)
pm run "${run_flags[@]}" -e PUID=$puid -e PGID=$pgid -v "$config:/config" -v "$data:/data" "$image" \
  demo --dir /data/demo --days 2 --scrapes-per-day 2 --no-build >"$work/demo.log" 2>&1 || {
  tail -30 "$work/demo.log" >&2
  fail "mediastrends demo failed in the container"
}
say "demo done in $(($(date +%s) - t_demo)) s: $(grep -m1 'trending movies' "$work/demo.log" || echo '?')"
db="$data/demo/demo.db"
[ -f "$db" ] || fail "no demo database at $db"

# The demo's trending movies, read from its database on this side.
titles="$(
  cd "$here" && node -e '
    const Database = require("better-sqlite3")
    const db = new Database(process.argv[1], { readonly: true })
    const rows = db.prepare(`SELECT m.title FROM media_trends mt JOIN media m ON m.id = mt.media_id
      WHERE m.kind = ? AND mt.time = (SELECT max(time) FROM media_trends) ORDER BY mt.rank LIMIT 3`).all("movie")
    for (const r of rows) console.log(r.title)
  ' "$db"
)"
[ -n "$titles" ] || fail "the demo database has no trending movie"

# ---- 2. serve ----
port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
say "mediastrends serve in a container on 127.0.0.1:$port …"
t_serve=$(date +%s)
pm run -d --name "$name" --network host --no-healthcheck -e PUID=$puid -e PGID=$pgid \
  -e MEDIASTRENDS__SQLITE__PATH=/data/demo/demo.db -e MEDIASTRENDS__SERVE__HOST=127.0.0.1 \
  -e MEDIASTRENDS__SERVE__PORT="$port" -e SITE_URL="http://127.0.0.1:$port/" \
  -v "$config:/config" -v "$data:/data" "$image" >/dev/null
home="$work/home.html"
for _ in $(seq 1 300); do
  if curl -fsS -o "$home" "http://127.0.0.1:$port/" 2>/dev/null; then break; fi
  if curl -fsS "http://127.0.0.1:$port/healthz" 2>/dev/null | grep -q '"lastBuild":{[^}]*"ok":false'; then
    pm logs "$name" >&2 || true
    fail "the site build failed in the container"
  fi
  if [ "$(pm inspect --format '{{.State.Running}}' "$name")" != true ]; then
    pm logs "$name" >&2 || true
    fail "the serve container stopped"
  fi
  sleep 2
done
[ -s "$home" ] || {
  pm logs "$name" >&2 || true
  fail "the site was not served within 10 minutes"
}
say "site served $(($(date +%s) - t_serve)) s after start"
html="$(sed -e 's/&#39;/'"'"'/g; s/&amp;/\&/g; s/&quot;/"/g' "$home")"
while IFS= read -r title; do
  grep -qF -- "$title" <<<"$html" || fail "the home page does not list the trending movie '$title'"
done <<<"$titles"
say "the home page lists the demo's trending movies: $(paste -sd, <<<"$titles")"
code="$(curl -s -o "$work/healthz.json" -w '%{http_code}' "http://127.0.0.1:$port/healthz")"
[ "$code" = 200 ] || fail "/healthz answered $code: $(cat "$work/healthz.json")"
grep -q '"lastBuild":{"at":"[^"]*","ok":true' "$work/healthz.json" || fail "/healthz: no successful build: $(cat "$work/healthz.json")"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/no/such/page/")" = 404 ] || fail "a missing page is not a 404"
[ "$(curl -s --path-as-is -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/../etc/passwd")" = 400 ] ||
  fail "/../ is not refused"

# ---- 4. SIGTERM ----
pm stop --time 120 "$name" >/dev/null
exit_code="$(pm inspect --format '{{.State.ExitCode}}' "$name")"
pm logs "$name" >"$work/serve.log" 2>&1 || true
[ "$exit_code" = 0 ] || {
  tail -20 "$work/serve.log" >&2
  fail "serve exited with $exit_code after SIGTERM"
}
grep -q 'SIGTERM: stopping' "$work/serve.log" || fail "serve did not log its SIGTERM stop"
running="$(
  cd "$here" && node -e '
    const db = new (require("better-sqlite3"))(process.argv[1], { readonly: true })
    console.log(db.prepare("SELECT count(*) n FROM runs WHERE status = ?").get("running").n)
  ' "$db"
)"
[ "$running" = 0 ] || fail "$running run row(s) left 'running'"
[ ! -e "$db.lock" ] || fail "the run lock's info file is still there"
say "podman stop: exit 0, no run left running, lock released"
say "PASS in $(($(date +%s) - t_start)) s"
