"""multiprocessing.Manager().dict() proxy operations: set and get, one caller
awaiting each operation, then CALLERS threads at once (each thread gets its
own connection to the manager, as proxies do). Prints one JSON line:
{"type": "result", "set1": ops/s, "get1": ..., "setMany": ..., "getMany": ...}.

usage: python3 manager_dict.py N CALLERS KEYS
"""

import json
import multiprocessing as mp
import sys
import threading
import time


def sequential(n, op):
    t0 = time.perf_counter()
    for i in range(n):
        op(i)
    return n / (time.perf_counter() - t0)


def concurrent(n, callers, op):
    per_caller = n // callers
    gate = threading.Barrier(callers + 1)

    def caller(c):
        op(c)  # opens this thread's connection to the manager before timing
        gate.wait()
        for i in range(per_caller):
            op(c * per_caller + i)

    threads = [threading.Thread(target=caller, args=(c,)) for c in range(callers)]
    for t in threads:
        t.start()
    gate.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return per_caller * callers / (time.perf_counter() - t0)


def main():
    n, callers, keys = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    with mp.Manager() as manager:
        d = manager.dict()

        def put(i):
            d["k%d" % (i % keys)] = {"n": i}

        def get(i):
            d.get("k%d" % (i % keys))

        result = {"type": "result"}
        result["set1"] = sequential(n, put)
        result["get1"] = sequential(n, get)
        result["setMany"] = concurrent(n, callers, put)
        result["getMany"] = concurrent(n, callers, get)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
