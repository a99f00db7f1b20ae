#!/usr/bin/env python3
"""genlog.py DIR N: writes a nodeguard audit log of N records to DIR/events.jsonl split over
events.jsonl.2, .1 and the current file, with corrupt lines mixed in, and prints the exact counts
the CLI must report as JSON (the test compares against them)."""
import json, random, sys

out_dir, n = sys.argv[1], int(sys.argv[2])
random.seed(3)
containers = [(("%064x" % random.getrandbits(256)), "svc-%d" % (i % 40), "ns-%d" % (i % 5)) for i in range(2000)]
events = ["decision", "decision", "decision", "memory_pressure", "oom_kill", "container_exit"]
t0 = (int(__import__("time").time()) - 10 * 86400) * 1000  # ten days ago, to the second
expect = {"records": 0, "corrupt": 0, "by_event": {}, "c0_records": 0, "c0_oom": 0, "pod_ns1_svc3": 0,
          "since_half": 0, "peak_c0": -1, "lowered": 0}
files = [open("%s/events.jsonl.2" % out_dir, "w"), open("%s/events.jsonl.1" % out_dir, "w"),
         open("%s/events.jsonl" % out_dir, "w")]
half = t0 + n // 2 * 10
for i in range(n):
    f = files[min(2, i * 3 // n)]
    if i % 100003 == 7:
        f.write("this is not json\n"); expect["corrupt"] += 1
    if i % 250007 == 11:
        f.write('{"schema_version":1,"time":"2026-11-26T23:1\n'); expect["corrupt"] += 1  # torn
    if i == n // 3:
        f.write('{"event":"decision","time":"2026-11-26T23:17:10Z","pad":"' + "x" * (2 * 1024 * 1024) + '"}\n')
        expect["corrupt"] += 1  # longer than the 1 MiB line cap
    cid, pod, ns = containers[i % len(containers)]
    ev = events[i % len(events)]
    ms = t0 + i * 10
    ts = "%s.%03dZ" % (__import__("time").strftime("%Y-%m-%dT%H:%M:%S", __import__("time").gmtime(ms // 1000)), ms % 1000)
    rec = {"schema_version": 1, "time": ts, "host": "h", "event": ev, "stage": "createRuntime" if ev == "decision" else "watcher",
           "nodeguard_version": "0.1.0", "container_id": cid, "pod": pod, "namespace": ns}
    if ev == "decision":
        rec["action"] = "lowered" if i % 7 == 0 else "none"
        expect["lowered"] += rec["action"] == "lowered"
    else:
        rec["peak_bytes"] = (i % 512) * 1048576
    f.write(json.dumps(rec, separators=(",", ":")) + "\n")
    expect["records"] += 1
    expect["by_event"][ev] = expect["by_event"].get(ev, 0) + 1
    if cid == containers[0][0]:
        expect["c0_records"] += 1
        expect["c0_oom"] += ev == "oom_kill"
        if "peak_bytes" in rec:
            expect["peak_c0"] = max(expect["peak_c0"], rec["peak_bytes"])
    expect["pod_ns1_svc3"] += (ns, pod) == ("ns-1", "svc-3")
    expect["since_half"] += ms >= half
expect["c0"] = containers[0][0]
expect["first_time"] = __import__("time").strftime("%Y-%m-%dT%H:%M:%S.000Z", __import__("time").gmtime(t0 // 1000))
expect["half"] = half
for f in files:
    f.close()
print(json.dumps(expect))
