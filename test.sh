#!/usr/bin/env bash
# Runs every test. Installs what the tests need when it is missing (Debian's Chromium for the console tests).
set -euo pipefail
cd "$(dirname "$0")"
export TMPDIR="${TMPDIR:-/tmp}/hotline-test-tmp"
mkdir -p "$TMPDIR"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# The console's browser tests drive Debian's Chromium (never a downloaded browser).
if [ ! -x /usr/bin/chromium ]; then
  echo "test.sh: installing Debian's chromium for the console tests"
  apt-get update -q && apt-get install -y -q chromium
fi
# Korean and Chinese glyphs for the screenshots of the console in ko and zh (the tests pass without them).
if ! fc-list 2>/dev/null | grep -qi 'wqy\|cjk'; then
  apt-get install -y -q fonts-wqy-zenhei || echo "test.sh: no CJK font: ko/zh screenshots will show boxes"
fi
dotnet build Hotline.slnx -c Release --nologo -v q
dotnet test Hotline.slnx -c Release --no-build --nologo -v q --logger "console;verbosity=normal" "$@"
