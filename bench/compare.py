#!/usr/bin/env python3
"""Prints Hotline's bench figures beside the XMPP anchor's (two Prosody servers, s2s on loopback).

  compare.py --hotline HOTLINE.json (--xmpp MAIN.json [--xmpp-crash CRASH.json] | --recorded SUMMARY.md)

--xmpp: figures measured in this run by the anchor's xmppload.py.
--recorded: the anchor's recorded figures (its results/summary.md), used when Prosody could not run here.
Ratio is Hotline / XMPP; the last column says which way is better.
"""
import argparse
import json
import re
import sys


def hotline_figures(h):
    f = {}
    one = h.get("oneAtATime")
    if one:
        f["one_p50"] = one["received"]["p50Ms"]
        f["one_p99"] = one["received"]["p99Ms"]
        f["one_max"] = one["received"]["maxMs"]
    one_s = h.get("oneAtATimeStreamed")
    if one_s:
        f["one_p50_streamed"] = one_s["received"]["p50Ms"]
        f["one_p99_streamed"] = one_s["received"]["p99Ms"]
    mx = h.get("maxRate")
    if mx:
        f["max_rate"] = mx["deliveredPerSecond"]
        f["cpu_per_1000"] = mx["nodeCpuSecondsPer1000"]
    mb = h.get("maxRateBatched")
    if mb:
        f["max_rate_batched"] = mb["deliveredPerSecond"]
        f["cpu_per_1000_batched"] = mb["nodeCpuSecondsPer1000"]
    ms = h.get("maxRateStreamed")
    if ms:
        f["max_rate_streamed"] = ms["deliveredPerSecond"]
        f["cpu_per_1000_streamed"] = ms["nodeCpuSecondsPer1000"]
    for s in h.get("steps", []):
        if s["label"].startswith("fixed"):
            suffix = "_streamed" if s.get("streamed") else ""
            f["r10k_p50" + suffix] = s["received"]["p50Ms"]
            f["r10k_p99" + suffix] = s["received"]["p99Ms"]
            f["r10k_rate" + suffix] = s["achievedPerSecond"]
    mem = h.get("memory", {})
    if mem.get("idleA"):
        f["rss_idle_mb"] = max(mem["idleA"], mem["idleB"]) / 1048576
        f["rss_peak_mb"] = max(mem["peakA"], mem["peakB"]) / 1048576
    if h.get("startup"):
        f["cold_start_ms"] = h["startup"]["linkUpSeconds"] * 1000
    c = h.get("correctness", {})
    f["outage_not_delivered"] = c.get("missing", 0) + c.get("duplicated", 0)
    if h.get("catchUp"):
        f["outage_sent"] = h["catchUp"]["backlog"]
    return f


def xmpp_measured(m, crashes):
    f = {}
    pp = m.get("latency_pingpong") or {}
    if pp.get("count"):
        f["one_p50"], f["one_p99"], f["one_max"] = pp["p50_ms"], pp["p99_ms"], pp["max_ms"]
    bursts = [b for b in m.get("burst", []) if b.get("throughput_msg_per_s")]
    if bursts:
        f["max_rate"] = max(b["throughput_msg_per_s"] for b in bursts)
        f["cpu_per_1000"] = min((b["cpu_s_during"]["A"] + b["cpu_s_during"]["B"]) / b["n"] * 1000 for b in bursts)
    for s in m.get("sweep", []):
        if s["offered_rate"] == 10000 and s["latency"].get("count"):
            f["r10k_p50"], f["r10k_p99"] = s["latency"]["p50_ms"], s["latency"]["p99_ms"]
            f["r10k_rate"] = s.get("recv_rate_msg_per_s")
    mem = m.get("mem", {})
    idle = mem.get("idle_clients_connected_s2s_up")
    if idle and "rss_kB" in idle.get("A", {}):
        f["rss_idle_mb"] = max(idle["A"]["rss_kB"], idle["B"]["rss_kB"]) / 1024
        last = [v for v in mem.values() if "hwm_kB" in v.get("A", {})][-1]
        f["rss_peak_mb"] = max(last["A"]["hwm_kB"], last["B"]["hwm_kB"]) / 1024
    cold = m.get("warmup", {}).get("first_message_cold_s2s", {})
    if cold.get("count"):
        f["cold_start_ms"] = cold["p50_ms"]
    if crashes:
        s = crashes[0]["summary"]
        f["outage_not_delivered"] = s["not_delivered_total"]
        f["outage_sent"] = s["sent"]
    return f


def xmpp_recorded(text, config):
    """The anchor's summary.md tables, for one config (tls-limits_off or plain-limits_off)."""
    f = {}

    def rows(prefix):
        return [[c.strip() for c in line.strip().strip("|").split("|")]
                for line in text.splitlines() if line.startswith(f"| {prefix} |")]
    num = lambda s: float(re.sub(r"[^0-9.]", "", s))
    for r in rows(config):
        if len(r) == 5 and " / " in r[2]:          # latency table
            p50, p99, mx = (num(x) for x in r[2].split(" / "))
            f.update(one_p50=p50, one_p99=p99, one_max=mx, cold_start_ms=num(r[1]))
        elif len(r) == 9 and r[1].isdigit() and " / " in r[7]:   # burst table
            f["max_rate"] = max(f.get("max_rate", 0), num(r[2]))
            a, b, _ = (num(x) for x in r[8].split(" / "))
            f["cpu_per_1000"] = min(f.get("cpu_per_1000", 1e9), (a + b) / 20000 * 1000)
        elif len(r) == 9 and r[1] == "10000":       # sweep table
            f.update(r10k_rate=num(r[2]), r10k_p50=num(r[3]), r10k_p99=num(r[4]))
        elif len(r) == 6 and " / " in r[2]:          # memory table
            f["rss_idle_mb"] = max(num(x) for x in r[2].split(" / ")) / 1024
            f["rss_peak_mb"] = max(num(x) for x in r[5].split(" / ")) / 1024
        elif len(r) == 10 and r[1] == "1":          # crash table, first trial
            f["outage_not_delivered"] = num(r[8])
            f["outage_sent"] = 5000
    return f


ROWS = [
    ("one at a time, one-way latency p50 (ms)", "one_p50", "lower"),
    ("one at a time, one-way latency p99 (ms)", "one_p99", "lower"),
    ("one at a time, one-way latency max (ms)", "one_max", "lower"),
    ("one at a time, Hotline written to a WebSocket: p50 (ms)", "one_p50_streamed", "lower"),
    ("one at a time, Hotline written to a WebSocket: p99 (ms)", "one_p99_streamed", "lower"),
    ("highest rate, msg/s (Hotline: both directions, 30 s sustained; XMPP: one direction, 20k burst)", "max_rate", "higher"),
    ("server CPU seconds per 1,000 messages (both servers)", "cpu_per_1000", "lower"),
    ("highest rate, msg/s, Hotline sending 20 a request (XMPP's client also writes its burst without waiting)", "max_rate_batched", "higher"),
    ("server CPU seconds per 1,000 messages, Hotline sending 20 a request", "cpu_per_1000_batched", "lower"),
    ("highest rate, msg/s, Hotline streaming one a WebSocket frame (as XMPP's client writes one stanza after another)", "max_rate_streamed", "higher"),
    ("server CPU seconds per 1,000 messages, Hotline streaming", "cpu_per_1000_streamed", "lower"),
    ("offered 10,000 msg/s: rate achieved (Hotline: one a request)", "r10k_rate", "higher"),
    ("offered 10,000 msg/s: latency p50 (ms) (Hotline: one a request)", "r10k_p50", "lower"),
    ("offered 10,000 msg/s: latency p99 (ms) (Hotline: one a request)", "r10k_p99", "lower"),
    ("offered 10,000 msg/s on one stream a node: rate achieved", "r10k_rate_streamed", "higher"),
    ("offered 10,000 msg/s on one stream a node: latency p50 (ms)", "r10k_p50_streamed", "lower"),
    ("offered 10,000 msg/s on one stream a node: latency p99 (ms)", "r10k_p99_streamed", "lower"),
    ("RSS per server, idle (MB, larger of the two)", "rss_idle_mb", "lower"),
    ("RSS per server, peak (MB, larger of the two)", "rss_peak_mb", "lower"),
    ("cold start (ms; Hotline: process start to link up; XMPP: first message incl. s2s connect)", "cold_start_ms", "lower"),
    ("messages not delivered after an outage / crash (Hotline: all phases; XMPP: 5,000 with B SIGKILLed)", "outage_not_delivered", "lower"),
]


def fmt(x):
    if x is None:
        return "-"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.2f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hotline", required=True)
    ap.add_argument("--xmpp")
    ap.add_argument("--xmpp-crash")
    ap.add_argument("--recorded")
    ap.add_argument("--config", default="tls-limits_off")
    a = ap.parse_args()
    h = json.load(open(a.hotline))
    hf = hotline_figures(h)
    if a.xmpp:
        crashes = [json.load(open(a.xmpp_crash))["crash"]] if a.xmpp_crash else []
        main_json = json.load(open(a.xmpp))
        if "crash" in main_json:
            crashes.insert(0, main_json["crash"])
        xf = xmpp_measured(main_json, crashes)
        source = f"measured in this run ({a.config})"
    else:
        xf = xmpp_recorded(open(a.recorded).read(), a.config)
        source = f"RECORDED figures from {a.recorded} ({a.config}), not measured in this run"
    # XMPP has one burst, written without waiting, and one sweep, on one client stream: the figures
    # beside Hotline's batched and streamed sends too.
    for key in ("max_rate", "cpu_per_1000", "r10k_rate", "r10k_p50", "r10k_p99", "one_p50", "one_p99"):
        if key in xf:
            for suffix in ("_batched", "_streamed"):
                xf[key + suffix] = xf[key]
    print(f"### Hotline ({h['settings']['mode']} bench) vs XMPP federation (Prosody 0.12 s2s), XMPP figures {source}\n")
    print(f"Machine: {h['machine']['cpu']}, {h['machine']['cores']} cores. Hotline run: `{h['command']}`.\n")
    print("| figure | Hotline | XMPP | ratio Hotline/XMPP | better |")
    print("|---|---|---|---|---|")
    for label, key, better in ROWS:
        hv, xv = hf.get(key), xf.get(key)
        ratio = f"{hv / xv:.2f}" if hv is not None and xv not in (None, 0) else "-"
        print(f"| {label} | {fmt(hv)} | {fmt(xv)} | {ratio} | {better} |")
    print()
    print("Notes: Hotline commits every message to disk (fsync) on both nodes and acknowledges with a signed receipt;"
          " Prosody keeps s2s traffic in memory. Hotline's latencies are from the sender's API call to the receiver's"
          " event stream; XMPP's from the sending client's write to the receiving client's read.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
