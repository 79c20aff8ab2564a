#!/usr/bin/env bash
# The `data` branch: where the scheduled workflow keeps its database between runs (git scraping).
#
#   scripts/data-branch.sh restore   fetch the branch's NDJSON export and import it into the database
#   scripts/data-branch.sh save      append the database's new/changed rows to the export, commit, push
#
# The branch holds one append-only file, data/export.ndjson, in the `database export` format
# (ARCHITECTURE.md "Export format"): every save adds only the lines that are not in it yet, as a
# new commit on top of the one restored (never a force push). If another run pushed meanwhile, its
# rows are imported, the export is redone on top of its commit, and the push is tried again.
# Commits are made with git plumbing (no checkout of the branch, works in a shallow clone).
#
# Run it from the repository (any clone whose remote holds the branch). The database and config
# are mediastrends' own: set MEDIASTRENDS_DIRCONF / MEDIASTRENDS_MODE (or MEDIASTRENDS__SQLITE__PATH).
# Environment (defaults in brackets):
#   DATA_REMOTE [origin]   DATA_BRANCH [data]   DATA_FILE [data/export.ndjson] (.ndjson.gz: compressed)
#   DATA_DIR [.data-branch]  work folder: export.ndjson (the branch's file) and base (restored commit)
#   DATA_PUSH_TRIES [3]    MEDIASTRENDS [node <repo>/bin/mediastrends.mjs]
#   DATA_MESSAGE           extra line for the commit message (the workflow passes its run URL)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
remote="${DATA_REMOTE:-origin}"
branch="${DATA_BRANCH:-data}"
file="${DATA_FILE:-data/export.ndjson}"
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

# The work copy keeps the branch file's name: a .gz file is an export in gzip members.
export_file="$dir/$(basename "$file")"

# Lines (rows and headers) of an export file, plain or gzip.
count_lines() { if [[ "$1" == *.gz ]]; then gzip -dc "$1" | wc -l; else wc -l <"$1"; fi; }
base_file="$dir/base"
tracking="refs/remotes/$remote/$branch"

# Fetch the branch head into $tracking; prints its commit, or nothing when the branch does not exist.
fetch_head() {
  local rc=0
  git ls-remote --exit-code --heads "$remote" "refs/heads/$branch" >/dev/null || rc=$?
  if [ "$rc" -eq 2 ]; then return 0; fi # no such branch yet
  [ "$rc" -eq 0 ] || die "cannot reach remote '$remote' (git ls-remote exit $rc)"
  git fetch --quiet --no-tags --depth=1 "$remote" "+refs/heads/$branch:$tracking" ||
    die "cannot fetch branch '$branch' from '$remote'"
  git rev-parse --verify --quiet "$tracking^{commit}"
}

# Write the branch file of commit $1 (or nothing) to $export_file.
checkout_file() {
  if [ -n "$1" ] && git cat-file -e "$1:$file" 2>/dev/null; then
    git cat-file blob "$1:$file" >"$export_file"
  else
    : >"$export_file"
  fi
}

import_file() {
  if [ -s "$export_file" ]; then
    "${ms[@]}" database import "$export_file" >&2
  fi
}

restore() {
  mkdir -p "$dir"
  local head
  head="$(fetch_head)"
  checkout_file "$head"
  if [ -n "$head" ]; then
    say "restoring from $remote/$branch $(git rev-parse --short "$head") ($(count_lines "$export_file") lines)"
  else
    say "no branch '$branch' on '$remote' yet: starting from an empty export"
  fi
  import_file
  printf '%s\n' "${head:-none}" >"$base_file"
}

# Commit $export_file on top of $1 (or as the first commit); prints the new commit.
commit_on() {
  local parent="$1" rows="$2" blob tree index msg
  blob="$(git hash-object -w "$export_file")"
  index="$(mktemp)"
  rm -f "$index"
  if [ -n "$parent" ]; then GIT_INDEX_FILE="$index" git read-tree "$parent"; fi
  GIT_INDEX_FILE="$index" git update-index --add --cacheinfo "100644,$blob,$file"
  tree="$(GIT_INDEX_FILE="$index" git write-tree)"
  rm -f "$index"
  msg="data: $rows new row(s)"
  if [ -n "${DATA_MESSAGE:-}" ]; then msg="$msg"$'\n\n'"$DATA_MESSAGE"; fi
  if [ -n "$parent" ]; then
    git commit-tree "$tree" -p "$parent" -m "$msg"
  else
    git commit-tree "$tree" -m "$msg"
  fi
}

save() {
  [ -f "$base_file" ] || die "$base_file not found: run 'data-branch.sh restore' first (saving without it could drop history)"
  local base attempt base_size new_size rows commit
  base="$(cat "$base_file")"
  [ "$base" = none ] && base=""
  for ((attempt = 1; attempt <= tries; attempt++)); do
    "${ms[@]}" database export "$export_file" --append >&2
    new_size="$(wc -c <"$export_file")"
    # Append-only: the branch's content must be an unchanged prefix of the new file.
    base_size=0
    if [ -n "$base" ] && git cat-file -e "$base:$file" 2>/dev/null; then
      base_size="$(git cat-file -s "$base:$file")"
      cmp -s -n "$base_size" <(git cat-file blob "$base:$file") "$export_file" ||
        die "$export_file no longer starts with the content of $remote/$branch: refusing to rewrite history"
    fi
    if [ "$new_size" -eq "$base_size" ]; then
      say "no new rows: nothing to commit"
      return 0
    fi
    if [[ "$export_file" == *.gz ]]; then # the appended bytes are whole gzip members
      rows="$(tail -c +"$((base_size + 1))" "$export_file" | gzip -dc | grep -vc '^{' || true)"
    else
      rows="$(tail -c +"$((base_size + 1))" "$export_file" | grep -vc '^{' || true)"
    fi
    commit="$(commit_on "$base" "$rows")"
    if git push --quiet "$remote" "$commit:refs/heads/$branch" 2>"$dir/push.err"; then
      say "pushed $rows new row(s) to $remote/$branch ($(git rev-parse --short "$commit"))"
      printf '%s\n' "$commit" >"$base_file"
      return 0
    fi
    say "push refused (attempt $attempt/$tries): $(tr '\n' ' ' <"$dir/push.err")"
    # Someone else saved meanwhile: take their rows, then redo the export on top of their commit.
    local head
    head="$(fetch_head)"
    [ -n "$head" ] || die "branch '$branch' vanished from '$remote'"
    checkout_file "$head"
    import_file
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
