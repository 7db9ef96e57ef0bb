#!/usr/bin/env bash
# One-time system setup for the full test tier (`.ci/run` calls it first): installs with apt-get what the
# tests need from the system and are never allowed to install themselves: Debian's chromium (the report
# and sweep-page tests drive /usr/bin/chromium headless through playwright-core) and redis-server (the
# queue tests start their own on 127.0.0.1; the package's own service is not needed and not started).
# Needs root on Debian/Ubuntu; does nothing when everything is there.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/redis-server ] || missing+=(redis-server)
if [ ${#missing[@]} -eq 0 ]; then echo "setup-system: nothing to install"; exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-system: missing ${missing[*]}; install them as root with: apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "setup-system: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup-system: installed ${missing[*]}"
