#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine. Idempotent.
set -euo pipefail
need=()
command -v git >/dev/null 2>&1 || need+=(git)
# nginx: exposure web's tests start it themselves on 127.0.0.1 (a temp dir,
# no root needed); Debian puts it in /usr/sbin.
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
# postgresql: the store suite starts its own throwaway server (initdb and
# pg_ctl from /usr/lib/postgresql/*/bin, run as the user atoguard-pg when root).
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || command -v pg_ctl >/dev/null 2>&1 || need+=(postgresql)
# chromium: the dashboard's browser tests drive it headless (chromedp).
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "missing: ${need[*]} (install them, then run make test again)" >&2
    exit 1
  fi
fi
