#!/usr/bin/env bash
# scripts/chromium.sh — print the path of Debian's Chromium for the browser
# tests, installing it (and a CJK font, so Chinese pages render) when it is
# missing and we are root on Debian/Ubuntu, as scripts/devdb.sh does for
# PostgreSQL. Browsers cannot be downloaded by npm or Playwright here.
set -euo pipefail

find_chromium() {
	local c
	for c in "${CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
		if [[ -n $c && -x $c ]]; then
			echo "$c"
			return 0
		fi
	done
	return 1
}

if find_chromium; then
	exit 0
fi
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
	echo "chromium: installing Debian's chromium and fonts-wqy-zenhei" >&2
	export DEBIAN_FRONTEND=noninteractive
	{ apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium fonts-wqy-zenhei; } >&2
	find_chromium && exit 0
fi
echo "chromium: not found; install Debian's chromium package (apt-get install chromium) or set CHROMIUM" >&2
exit 1
