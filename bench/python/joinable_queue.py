"""multiprocessing.JoinableQueue end to end: put N items, consumer processes
get + task_done, join. Prints one JSON line: {"type": "result", ...}.

usage: python3 joinable_queue.py N CONSUMERS
"""

import json
import multiprocessing as mp
import os
import queue
import sys
import time


def consume(q, started, parent):
    started.wait()
    while True:
        try:
            item = q.get(timeout=1)
        except queue.Empty:
            # Leave when the benchmark that started us is gone.
            if os.getppid() != parent:
                return
            continue
        q.task_done()
        if item is None:
            return


def main():
    n, consumers = int(sys.argv[1]), int(sys.argv[2])
    q = mp.JoinableQueue()
    started = mp.Barrier(consumers + 1)
    procs = [
        mp.Process(target=consume, args=(q, started, os.getpid()), daemon=True)
        for _ in range(consumers)
    ]
    for p in procs:
        p.start()
    started.wait()  # every consumer is up and waiting
    items = [{"n": i} for i in range(n)]
    t0 = time.perf_counter()
    for item in items:
        q.put(item)
    t1 = time.perf_counter()
    q.join()
    t2 = time.perf_counter()
    for _ in procs:
        q.put(None)
    for p in procs:
        p.join()
    print(
        json.dumps(
            {
                "type": "result",
                "throughput": n / (t2 - t0),
                "enqueue": n / (t1 - t0),
                "totalMs": (t2 - t0) * 1000,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
