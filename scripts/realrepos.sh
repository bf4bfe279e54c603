#!/usr/bin/env bash
# The "Real public repositories" figures of docs/detectors.md: atoguard and
# gitleaks on the full history of public repositories (bare mirrors).
#
#   scripts/realrepos.sh [OWNER/NAME...]
#
# Repositories come from $REALREPOS_DIR/<owner>+<name>/repo (default
# /work/.mirror, where snapshots already are), else are cloned there with
# `git clone --mirror`. gitleaks is $GITLEAKS, or on the PATH, or installed
# at the pinned version into a temporary GOBIN. Prints Markdown on stdout;
# credential findings not yet judged go to $TMPDIR/realrepos-unlabelled.tsv (fingerprints and
# locations only, never a secret) for scan/internal/realrepos/labels.tsv.
set -euo pipefail
cd "$(dirname "$0")/.."
repos=("$@")
if [ ${#repos[@]} -eq 0 ]; then
  repos=(twilio/twilio-python twilio/twilio-node twilio/twilio-java twilio/twilio-cli gitleaks/gitleaks)
fi
dir=${REALREPOS_DIR:-/work/.mirror}
gl=${GITLEAKS:-$(command -v gitleaks || true)}
if [ -z "$gl" ]; then
  gobin=$(mktemp -d)
  GOBIN=$gobin go install github.com/zricethezav/gitleaks/v8@v8.30.1
  gl=$gobin/gitleaks
fi
args=()
for r in "${repos[@]}"; do
  git_dir="$dir/${r/\//+}/repo"
  if [ ! -d "$git_dir" ]; then
    mkdir -p "$(dirname "$git_dir")"
    git clone -q --mirror "https://github.com/$r" "$git_dir"
  fi
  args+=("${r#*/}=$git_dir")
done
go run ./scan/internal/realrepos -gitleaks "$gl" -labels scan/internal/realrepos/labels.tsv \
  -unlabelled "${TMPDIR:-/tmp}/realrepos-unlabelled.tsv" "${args[@]}"
