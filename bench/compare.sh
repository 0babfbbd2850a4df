#!/usr/bin/env bash
# Side by side on this machine: the XMPP anchor (two Prosody servers federating over loopback,
# ../shared/anchors/xmpp) and `hotline bench`, one after the other, then each figure with the ratio.
#
#   bench/compare.sh [--quick] [--profile tls|plain]
#
# --quick    reduced runs of both (about 2 minutes in all); default: the full runs (about 10 minutes)
# --profile  which Prosody s2s profile to run: tls (default; certificates, like Hotline's mTLS) or plain
# Env: ANCHOR_DIR (default ../shared/anchors/xmpp beside the repo), OUT_DIR (default artifacts/compare).
# If Prosody cannot be installed or run here, the XMPP side falls back to the figures recorded in
# the anchor's results/summary.md, and the output says so.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
QUICK=0
PROFILE=tls
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --profile) PROFILE=$2; shift ;;
    *) echo "usage: $0 [--quick] [--profile tls|plain]" >&2; exit 2 ;;
  esac
  shift
done
ANCHOR=${ANCHOR_DIR:-$ROOT/../shared/anchors/xmpp}
[ -d "$ANCHOR" ] || ANCHOR=/work/shared/anchors/xmpp
OUT=${OUT_DIR:-$ROOT/artifacts/compare}
mkdir -p "$OUT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# 1. The XMPP peer, on a copy of the anchor (shared/ is read-only).
XMPP_JSON=""
XMPP_NOTE=""
if ! command -v prosody >/dev/null 2>&1 || ! command -v prosodyctl >/dev/null 2>&1; then
  echo "compare: installing Debian's prosody, lua-unbound, lua-sec, tcpdump (what the anchor's README installs)"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q prosody lua-unbound lua-sec tcpdump) \
      >"$OUT/apt.log" 2>&1 || XMPP_NOTE="apt-get could not install prosody (see $OUT/apt.log)"
  else
    XMPP_NOTE="prosody is not installed and this user cannot install it"
  fi
fi
if [ -z "$XMPP_NOTE" ] && command -v prosody >/dev/null 2>&1; then
  WORK=$(mktemp -d /tmp/hotline-compare-xmpp.XXXXXX)
  chmod 755 "$WORK"                       # Prosody runs as user prosody and loads the plugin from here
  cp -r "$ANCHOR"/. "$WORK"/
  chmod -R u+w,a+rX "$WORK"
  rm -rf "$WORK/results"
  if [ "$QUICK" = 1 ]; then
    ARGS=(--phases pingpong,burst,sweep --n-latency 300 --n-burst 5000 --repeats 1 --sweep-rates 10000 --sweep-secs 2)
  else
    ARGS=(--phases pingpong,burst,sweep,crash --repeats 3 --sweep-rates 5000,10000,15000)
  fi
  echo "compare: running the XMPP anchor ($PROFILE s2s): ${ARGS[*]}"
  if RUN="$WORK/run" OUT_DIR="$WORK/results" "$WORK/run_all.sh" "$PROFILE" off 0 "${ARGS[@]}" >"$OUT/xmpp.log" 2>&1 \
      && [ -f "$WORK/results/$PROFILE-limits_off/main.json" ]; then
    cp "$WORK/results/$PROFILE-limits_off/main.json" "$OUT/xmpp-main.json"
    XMPP_JSON="$OUT/xmpp-main.json"
  else
    XMPP_NOTE="the XMPP anchor did not complete here (see $OUT/xmpp.log)"
  fi
  RUN="$WORK/run" "$WORK/servers.sh" stop all >/dev/null 2>&1 || true
  rm -rf "$WORK"
fi

# 2. Hotline, on the same machine, right after.
echo "compare: building and running hotline bench"
dotnet publish "$ROOT/src/Hotline" -c Release -o "$OUT/hotline" --nologo -v q >"$OUT/build.log" 2>&1 || { cat "$OUT/build.log"; exit 1; }
BENCH_ARGS=(bench --json "$OUT/hotline.json")
[ "$QUICK" = 1 ] && BENCH_ARGS+=(--quick)
(cd "$ROOT" && dotnet "$OUT/hotline/hotline.dll" "${BENCH_ARGS[@]}") | tee "$OUT/hotline.log"

# 3. Side by side.
echo
if [ -n "$XMPP_JSON" ]; then
  python3 "$ROOT/bench/compare.py" --hotline "$OUT/hotline.json" --xmpp "$XMPP_JSON" --config "$PROFILE-limits_off" | tee "$OUT/compare.md"
else
  echo "compare: XMPP NOT MEASURED: $XMPP_NOTE. Falling back to the figures recorded in $ANCHOR/results/summary.md."
  python3 "$ROOT/bench/compare.py" --hotline "$OUT/hotline.json" --recorded "$ANCHOR/results/summary.md" --config "$PROFILE-limits_off" | tee "$OUT/compare.md"
fi
