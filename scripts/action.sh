#!/usr/bin/env bash
# Entry point of the GitHub Action (action.yml): scans what a pull request or a
# push adds (`scan --history --since-commit BASE`), prints the findings to the
# job log and writes a SARIF file for code-scanning upload. Inputs arrive as
# environment variables so the script runs the same way locally:
#   ATOGUARD_BIN   the atoguard binary (default: atoguard on PATH)
#   INPUT_PATH     the repository to scan (default .)
#   INPUT_BASE     the base commit; empty or all zeros scans the whole history
#   INPUT_SARIF    the SARIF file to write (default atoguard.sarif)
#   INPUT_EXIT_CODE  status when findings exist (default 1; 0 reports only)
#   INPUT_ARGS     extra scan flags, split on spaces (e.g. --include-placeholders)
set -euo pipefail
bin="${ATOGUARD_BIN:-atoguard}"
path="${INPUT_PATH:-.}"
sarif="${INPUT_SARIF:-atoguard.sarif}"
base="${INPUT_BASE:-}"
exit_code="${INPUT_EXIT_CODE:-1}"
read -r -a extra <<< "${INPUT_ARGS:-}"

args=(scan --history)
if [ -n "$base" ] && ! [[ "$base" =~ ^0+$ ]]; then
  # A shallow checkout may lack the base: fetch it, or say what to change.
  if ! git -C "$path" cat-file -e "${base}^{commit}" 2>/dev/null; then
    git -C "$path" fetch --quiet --no-tags origin "$base" 2>/dev/null || {
      echo "atoguard action: base commit $base is not in the checkout; use actions/checkout with fetch-depth: 0" >&2
      exit 2
    }
  fi
  args+=(--since-commit "$base")
fi

# The log shows the findings (secrets masked); the SARIF run sets the status.
"$bin" "${args[@]}" "${extra[@]}" --quiet --exit-code 0 "$path"
status=0
"$bin" "${args[@]}" "${extra[@]}" --quiet --format sarif --output "$sarif" --exit-code "$exit_code" "$path" || status=$?
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "sarif-file=$sarif" >> "$GITHUB_OUTPUT"
fi
exit "$status"
