"""multiprocessing.managers.BaseManager over TCP with an authkey: a server
process serves a dict, and CALLERS threads (each with its own connection, as
proxies are per thread) set then get N keys through the remote dict proxy.
Prints one JSON line:
{"type": "result", "setRate": ops/s, "getRate": ..., "p50": ms, "p99": ms}

usage: python3 base_manager_dict.py N CALLERS KEYS
"""

import json
import os
import sys
import threading
import time
from multiprocessing.managers import BaseManager, DictProxy

AUTHKEY = b"secret"
# Many connects at once make the manager server slow to answer challenges.
CONNECTS_AT_ONCE = 8
shared = {}


class RemoteManager(BaseManager):
    pass


RemoteManager.register("get_dict", callable=lambda: shared, proxytype=DictProxy)


def run(address, n, callers, keys):
    """Both phases on the same threads and connections; returns (set ops/s, get ops/s, latencies)."""
    per_caller = n // callers
    gate = threading.Barrier(callers + 1, timeout=120)  # a dead caller fails the run, not hangs it
    connecting = threading.BoundedSemaphore(CONNECTS_AT_ONCE)
    latencies = []
    lock = threading.Lock()
    # The proxies outlive their threads: a proxy's finalizer opens a connection
    # of its own to decref, and 50 at once at thread exit hang the server.
    proxies = []

    def caller(c):
        with connecting:
            manager = RemoteManager(address=address, authkey=AUTHKEY)
            manager.connect()
            d = manager.get_dict()
            d.get("warm-up")  # opens this thread's connection before timing
        with lock:
            proxies.append((manager, d))
        mine = []
        for phase in ("set", "get"):
            gate.wait()
            for i in range(per_caller):
                key = "k%d" % ((c * per_caller + i) % keys)
                started = time.perf_counter()
                if phase == "set":
                    d[key] = {"n": i}
                else:
                    d.get(key)
                mine.append((time.perf_counter() - started) * 1000)
            gate.wait()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=caller, args=(c,)) for c in range(callers)]
    for t in threads:
        t.start()
    rates = []
    for _ in ("set", "get"):
        gate.wait()
        t0 = time.perf_counter()
        gate.wait()
        rates.append(per_caller * callers / (time.perf_counter() - t0))
    for t in threads:
        t.join()
    return rates[0], rates[1], latencies, proxies


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, -(-p * len(ordered) // 100) - 1))]


def main():
    n, callers, keys = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    manager = RemoteManager(address=("127.0.0.1", 0), authkey=AUTHKEY)
    manager.start()
    try:
        set_rate, get_rate, latencies, _proxies = run(manager.address, n, callers, keys)
        print(json.dumps({
            "type": "result",
            "setRate": set_rate,
            "getRate": get_rate,
            "p50": percentile(latencies, 50),
            "p99": percentile(latencies, 99),
        }), flush=True)
    finally:
        manager.shutdown()
    # Skip the proxies' finalizers: they would each try to reach the stopped server.
    os._exit(0)


if __name__ == "__main__":
    main()
