#!/usr/bin/env bash
# Runs a command (the test suite) in a copy of the work tree that has no
# parent folders to find things in: a test that reads anything outside the
# repository (a reference folder or a checkout beside it) fails here as it would for a user
# who cloned the repository alone. The copy holds the tracked files and the
# untracked ones git does not ignore, so uncommitted work is tested too, and
# a file that .gitignore hides from commits is missing here as in a clone.
# The path is fixed per user so Go's build cache is reused between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "test-isolated: not a git work tree; running in place" >&2
  exec "$@"
fi
# One copy per user and checkout, so parallel checkouts do not share one.
root="${TMPDIR:-/tmp}/atoguard-isolated-$(id -u)-$(pwd | cksum | cut -d" " -f1)"
dest="$root/atoguard"
rm -rf "$root"
mkdir -p "$dest"
git ls-files -z --cached --others --exclude-standard \
  | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
  | tar --null -T - -cf - | tar -xf - -C "$dest"
# git's metadata too: tests of --staged and history helpers may read it.
cp -a .git "$dest/.git" 2>/dev/null || cp -a "$(git rev-parse --git-dir)" "$dest/.git"
echo "test-isolated: running in $dest" >&2
cd "$dest"
status=0
"$@" || status=$?
cd / && rm -rf "$root"
exit "$status"
