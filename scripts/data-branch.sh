#!/usr/bin/env bash
# The `data` branch: where the scheduled workflow keeps its database between runs (git scraping).
#
#   scripts/data-branch.sh restore   fetch the branch, import the files this run needs
#   scripts/data-branch.sh save      write the rows the branch lacks as new files, commit, push
#
# Layout (pipeline/db/partitions.ts, README "Where the data lives"): add-only gzip'd NDJSON files in
# the `database export` format (natural keys, no local ids):
#   snapshot/YYYY-MM/{base,changes}-<stamp>.ndjson.gz    torrents, trackers, links, media, metadata…
#   archive/YYYY-MM/<stamp>.ndjson.gz                     torrents let go long ago, and their movie links
#   <table>/<week's Monday>/<stamp>.ndjson.gz             stats, trends, charts, activity, runs…
#                                                         (header: its rows per time, "counts")
# The tracker links and status history of torrents let go long ago are not in later months'
# snapshots (they stay in the months they were live in).
# A restore imports the latest month's snapshot, every archive file and, per growing table, only the weeks a run needs
# (the trend window, the site's chart range), so its cost does not grow with the branch's age. A
# save adds new files only (a closed week never changes), as a new commit on top of the one
# restored (never a force push). If another run pushed meanwhile, its added files are imported,
# the save is redone on top of its commit, and the push is tried again. Commits are made with git
# plumbing (no checkout of the branch; works in a shallow clone). A damaged file on the branch is
# named and skipped: the others are restored and publishing goes on. A branch of the older layout
# (one data/export.ndjson[.gz]) is read, and replaced by the new layout at the next save (the old
# file stays in the branch's history).
#
# Run it from the repository (any clone whose remote holds the branch). The database and config
# are mediastrends' own: set MEDIASTRENDS_DIRCONF / MEDIASTRENDS_MODE (or MEDIASTRENDS__SQLITE__PATH).
# Environment (defaults in brackets):
#   DATA_REMOTE [origin]   DATA_BRANCH [data]   DATA_PUSH_TRIES [3]
#                          (a URL or path, rather than a remote's name, is recorded in the clone
#                          as the remote "mediastrends-data": partial fetches need a named remote)
#   DATA_DIR [.data-branch]  work folder: known/ (the branch files restored), out/ (a save's new
#                          files), base (the commit restored)
#   MEDIASTRENDS [node <repo>/bin/mediastrends.mjs]
#   DATA_MESSAGE           extra line for the commit message (the workflow passes its run URL)
#   DATA_PRUNE [0]         1: after a restore, delete the rows older than a run reads (they stay on
#                          the branch), so a database kept between runs (a cache) stays the size of
#                          a fresh restore. Leave it off for a database that keeps its own history.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
remote="${DATA_REMOTE:-origin}"
branch="${DATA_BRANCH:-data}"
dir="${DATA_DIR:-.data-branch}"
tries="${DATA_PUSH_TRIES:-3}"
if [ -n "${MEDIASTRENDS:-}" ]; then
  read -r -a ms <<<"$MEDIASTRENDS"
else
  ms=(node "$here/../bin/mediastrends.mjs")
fi
export GIT_AUTHOR_NAME="${GIT_AUTHOR_NAME:-github-actions[bot]}"
export GIT_AUTHOR_EMAIL="${GIT_AUTHOR_EMAIL:-41898282+github-actions[bot]@users.noreply.github.com}"
export GIT_COMMITTER_NAME="${GIT_COMMITTER_NAME:-$GIT_AUTHOR_NAME}"
export GIT_COMMITTER_EMAIL="${GIT_COMMITTER_EMAIL:-$GIT_AUTHOR_EMAIL}"

say() { printf 'data-branch: %s\n' "$*" >&2; }
die() {
  say "error: $*"
  exit 1
}

mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
known="$dir/known"
base_file="$dir/base"
legacy=(data/export.ndjson data/export.ndjson.gz)

# The remote's name for fetches: a partial fetch needs a named remote (it is recorded as the
# promisor of the blobs left out). A URL or path in DATA_REMOTE gets the name "mediastrends-data".
if git remote get-url "$remote" >/dev/null 2>&1; then
  fetch_remote="$remote"
else
  fetch_remote=mediastrends-data
  git config "remote.$fetch_remote.url" "$remote"
fi
tracking="refs/remotes/$fetch_remote/$branch"

# Fetch the branch head into $tracking; prints its commit, or nothing when the branch does not exist.
# Only the commit and its trees come (--filter=blob:none; a server without partial clone sends the
# whole tree instead): the files a run reads are fetched by extract, so a restore does not download
# the branch's whole history of closed weeks.
fetch_head() {
  local rc=0
  git ls-remote --exit-code --heads "$remote" "refs/heads/$branch" >/dev/null || rc=$?
  if [ "$rc" -eq 2 ]; then return 0; fi # no such branch yet
  [ "$rc" -eq 0 ] || die "cannot reach remote '$remote' (git ls-remote exit $rc)"
  git fetch --quiet --no-tags --depth=1 --filter=blob:none "$fetch_remote" "+refs/heads/$branch:$tracking" ||
    die "cannot fetch branch '$branch' from '$remote'"
  git rev-parse --verify --quiet "$tracking^{commit}"
}

# Fetch, in one request, the blobs under the paths $2… of commit $1 that are not here (as git
# does for a partial clone's checkout); without it each would be fetched on its own.
fetch_blobs() {
  local commit="$1"
  shift
  local paths=("$@")
  git rev-list --objects --missing=print "$commit" | sed -n 's/^?//p' | LC_ALL=C sort >"$dir/missing.txt"
  [ -s "$dir/missing.txt" ] || return 0
  git ls-tree -r "$commit" -- "${paths[@]}" | awk '$2 == "blob" { print $3 }' | LC_ALL=C sort |
    LC_ALL=C comm -12 - "$dir/missing.txt" >"$dir/wanted.txt"
  [ -s "$dir/wanted.txt" ] || return 0
  git -c fetch.negotiationAlgorithm=noop fetch --quiet --no-tags --no-write-fetch-head \
    --recurse-submodules=no --filter=blob:none --stdin "$fetch_remote" <"$dir/wanted.txt" ||
    die "cannot fetch $(wc -l <"$dir/wanted.txt") file(s) of branch '$branch' from '$remote'"
}

# Extract the paths (files or folders) listed in file $2 from commit $1 into folder $3, through a
# temporary index (git archive would fetch every blob of the commit missing here, one by one).
extract() {
  local commit="$1" list="$2" into="$3" index
  mkdir -p "$into"
  [ -s "$list" ] || return 0
  local paths=()
  mapfile -t paths <"$list"
  fetch_blobs "$commit" "${paths[@]}"
  index="$(mktemp)"
  rm -f "$index"
  GIT_INDEX_FILE="$index" git read-tree "$commit"
  git ls-tree -r -z --name-only "$commit" -- "${paths[@]}" |
    GIT_INDEX_FILE="$index" git -c core.autocrlf=false --work-tree="$into" checkout-index -f -z --stdin
  rm -f "$index"
}

# Import the branch files under folder $1 (a damaged file is named, the others imported).
import_dir() {
  local rc=0
  local prune=()
  if [ "${DATA_PRUNE:-0}" = 1 ]; then prune=(--prune); fi
  "${ms[@]}" database partitions restore "${prune[@]}" "$1" >&2 || rc=$?
  case "$rc" in
  0) ;;
  1) say "warning: some data branch files are damaged or hold bad lines (named above); the rest was restored" ;;
  *) die "importing the data branch failed (exit $rc)" ;;
  esac
}

restore() {
  local started=$SECONDS
  rm -rf "$known"
  mkdir -p "$known"
  local head
  head="$(fetch_head)"
  if [ -n "$head" ]; then
    git ls-tree -r --name-only "$head" >"$dir/tree.txt"
    "${ms[@]}" database partitions pick "$dir/tree.txt" >"$dir/needed.txt"
    say "restoring from $remote/$branch $(git rev-parse --short "$head") ($(wc -l <"$dir/needed.txt") of $(wc -l <"$dir/tree.txt") paths needed)"
    extract "$head" "$dir/needed.txt" "$known"
    say "fetched in $((SECONDS - started)) s; importing"
    import_dir "$known"
    say "restored in $((SECONDS - started)) s"
  else
    say "no branch '$branch' on '$remote' yet: starting empty"
  fi
  printf '%s\n' "${head:-none}" >"$base_file"
}

# Commit the files listed in $dir/new.txt (under $dir/out) on top of $1 (or as the first commit),
# dropping the legacy single file; prints the new commit.
commit_on() {
  local parent="$1" msg="$2" tree index
  index="$(mktemp)"
  rm -f "$index"
  if [ -n "$parent" ]; then GIT_INDEX_FILE="$index" git read-tree "$parent"; fi
  sed "s|^|$dir/out/|" "$dir/new.txt" | git hash-object -w --stdin-paths >"$dir/new.oids"
  paste -d '\t' <(sed 's/^/100644 /' "$dir/new.oids") "$dir/new.txt" | GIT_INDEX_FILE="$index" git update-index --index-info
  for f in "${legacy[@]}"; do GIT_INDEX_FILE="$index" git update-index --force-remove "$f"; done
  # --missing-ok: the parent's files that a partial fetch left on the server are not checked (git
  # would fetch every one of them).
  tree="$(GIT_INDEX_FILE="$index" git write-tree --missing-ok)"
  rm -f "$index"
  if [ -n "${DATA_MESSAGE:-}" ]; then msg="$msg"$'\n\n'"$DATA_MESSAGE"; fi
  if [ -n "$parent" ]; then
    git commit-tree "$tree" -p "$parent" -m "$msg"
  else
    git commit-tree "$tree" -m "$msg"
  fi
}

save() {
  [ -f "$base_file" ] || die "$base_file not found: run 'data-branch.sh restore' first (saving without it could drop history)"
  local base attempt summary commit head
  base="$(cat "$base_file")"
  [ "$base" = none ] && base=""
  mkdir -p "$known"
  for ((attempt = 1; attempt <= tries; attempt++)); do
    rm -rf "$dir/out"
    mkdir -p "$dir/out"
    summary="$("${ms[@]}" database partitions save "$known" "$dir/out")"
    (cd "$dir/out" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) >"$dir/new.txt"
    if [ ! -s "$dir/new.txt" ]; then
      say "no new rows: nothing to commit"
      return 0
    fi
    commit="$(commit_on "$base" "data: $summary")"
    if git push --quiet "$remote" "$commit:refs/heads/$branch" 2>"$dir/push.err"; then
      say "pushed $summary to $remote/$branch ($(git rev-parse --short "$commit"))"
      cp -R "$dir/out/." "$known/"
      printf '%s\n' "$commit" >"$base_file"
      return 0
    fi
    say "push refused (attempt $attempt/$tries): $(tr '\n' ' ' <"$dir/push.err")"
    # Someone else saved meanwhile: import the files they added, then redo the save on top of them.
    head="$(fetch_head)"
    [ -n "$head" ] || die "branch '$branch' vanished from '$remote'"
    if [ -n "$base" ]; then
      git diff-tree -r --name-only --diff-filter=AM "$base" "$head" >"$dir/added.txt"
    else
      git ls-tree -r --name-only "$head" >"$dir/added.txt"
    fi
    rm -rf "$dir/added"
    extract "$head" "$dir/added.txt" "$dir/added"
    say "importing $(wc -l <"$dir/added.txt") file(s) another run added"
    import_dir "$dir/added"
    cp -R "$dir/added/." "$known/"
    base="$head"
    printf '%s\n' "$base" >"$base_file"
  done
  die "could not push to $remote/$branch after $tries attempts"
}

case "${1:-}" in
restore) restore ;;
save) save ;;
*)
  echo "usage: $0 restore|save   (see the comment at the top of this file)" >&2
  exit 2
  ;;
esac
