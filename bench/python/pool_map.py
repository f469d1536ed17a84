"""multiprocessing.Pool(PROCESSES).map over the pool workload's two tasks, with
the default chunksize and with chunksize 1. The pool is started and warmed
before the clock runs, as the redproc pools are: every timed call once on a
few items, then WARM_UP_ROUNDS maps of the trivial task over N items. The
trivial map with the default chunksize is timed REPEATS times (the median
counts). Prints one JSON line:
{"type": "result", "trivial": items/s, "trivial1": ..., "cpu": ..., "cpu1": ...}.

usage: python3 pool_map.py N CPU_N ROUNDS PROCESSES WARM_UP_ROUNDS WARM_UP_ITEMS REPEATS
"""

import functools
import hashlib
import json
import multiprocessing as mp
import statistics
import sys
import time


def trivial(n):
    return n + 1


def hash_loop(n, rounds):
    """The CPU-bound task: sha256 over its own hex digest, `rounds` times."""
    digest = str(n)
    for _ in range(rounds):
        digest = hashlib.sha256(digest.encode()).hexdigest()
    return digest


def rate(pool, task, n, chunksize):
    items = list(range(n))  # made before the clock runs, as the redproc contenders' arrays
    t0 = time.perf_counter()
    results = pool.map(task, items, chunksize)
    elapsed = time.perf_counter() - t0
    if len(results) != n:
        raise RuntimeError("map returned %d of %d results" % (len(results), n))
    return n / elapsed


def main():
    n, cpu_n, rounds, processes, warm_up_rounds, warm_up_items, repeats = (
        int(a) for a in sys.argv[1:8]
    )
    cpu = functools.partial(hash_loop, rounds=rounds)
    with mp.Pool(processes) as pool:
        pool.map(trivial, range(warm_up_items * 10))
        pool.map(trivial, range(warm_up_items), 1)
        pool.map(cpu, range(processes * 4))
        pool.map(cpu, range(processes * 4), 1)
        for _ in range(warm_up_rounds):
            pool.map(trivial, range(n))
        result = {"type": "result"}
        result["trivial"] = statistics.median(
            rate(pool, trivial, n, None) for _ in range(repeats)
        )
        result["trivial1"] = rate(pool, trivial, n, 1)
        result["cpu"] = rate(pool, cpu, cpu_n, None)
        result["cpu1"] = rate(pool, cpu, cpu_n, 1)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
