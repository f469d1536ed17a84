// The seed's parmap: an ordered parallel map over queues. Items go into an
// input queue with their index; nprocs worker processes move (i, f(item)) to
// an output queue; the results are sorted by index.
//
//   def apply_func(f, q_in, q_out):
//       while not q_in.empty():
//           i, item = q_in.get()
//           q_out.put((i, f(item)))
//
//   def parmap(f, items, nprocs = cpu_count()):
//       q_in, q_out = Queue(), Queue()
//       proc = [Process(target=apply_func, args=(f, q_in, q_out)) for _ in range(nprocs)]
//       sent = [q_in.put((i, item)) for i, item in enumerate(items)]
//       [p.start() for p in proc]
//       res = [q_out.get() for _ in sent]
//       [p.join() for p in proc]
//       return [item for _, item in sorted(res)]
//
// Functions cannot cross processes, so f is named and looked up in `functions`.
// (redproc's own `mp.parmap` does this on a pool; this is the seed's version.)
//
// Run: npm run parmap --workspace examples   (REDIS_URL, default local; NPROCS)
import { randomUUID } from 'node:crypto'
import { availableParallelism } from 'node:os'
import { type Context, connect, currentProcess, isRedprocError } from '@redproc/shared'

const functions = {
  square: (x: number) => x * x,
}
type FunctionName = keyof typeof functions
type Indexed = [index: number, value: number]

const namespace = 'example-parmap'

/** The worker's task: takes (i, item) until the input queue is empty. */
export async function applyFunc(
  mp: Context,
  f: FunctionName,
  qIn: string,
  qOut: string,
): Promise<void> {
  const input = mp.queue<Indexed>(qIn)
  const output = mp.queue<Indexed>(qOut)
  while (true) {
    // The seed tests empty() and then get()s, which blocks forever when another
    // worker takes the last item in between; getNowait asks both at once.
    let next: Indexed
    try {
      next = await input.getNowait()
    } catch (error) {
      if (isRedprocError(error, 'EMPTY')) return
      throw error
    }
    const [i, item] = next
    await output.put([i, functions[f](item)])
  }
}

async function parmap(
  mp: Context,
  f: FunctionName,
  items: number[],
  nprocs = availableParallelism(),
): Promise<number[]> {
  const run = randomUUID().slice(0, 8)
  const qIn = mp.queue<Indexed>(`in-${run}`)
  const qOut = mp.queue<Indexed>(`out-${run}`)
  const sent = items.map((item, i): Indexed => [i, item])
  await qIn.putMany(sent)
  const proc = Array.from({ length: nprocs }, () =>
    mp.process({ target: 'applyFunc', args: [f, qIn.name, qOut.name], tasks: import.meta.url }),
  )
  for (const p of proc) p.start()
  const res: Indexed[] = []
  for (const _ of sent) res.push(await qOut.get())
  for (const p of proc) {
    await p.join()
    if (p.exitCode !== 0) throw new Error('a worker process failed')
  }
  return res.sort((a, b) => a[0] - b[0]).map(([, item]) => item)
}

// Python's `if __name__ == '__main__':` — the workers import this module for applyFunc.
if (currentProcess().name === 'MainProcess') {
  await using mp = await connect({ namespace })
  const nprocs = Number(process.env.NPROCS ?? availableParallelism())
  const items = Array.from({ length: 100 }, (_, i) => i)
  console.log(`parmap(square, range(100)) on ${nprocs} processes:`)
  console.log(JSON.stringify(await parmap(mp, 'square', items, nprocs)))
}
