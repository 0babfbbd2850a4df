#!/usr/bin/env bash
# Runs every test. Installs what the tests need when it is missing (Debian's Chromium for the console tests).
set -euo pipefail
cd "$(dirname "$0")"
export TMPDIR="${TMPDIR:-/tmp}/hotline-test-tmp"
mkdir -p "$TMPDIR"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build Hotline.slnx -c Release --nologo -v q
dotnet test Hotline.slnx -c Release --no-build --nologo -v q --logger "console;verbosity=normal" "$@"
