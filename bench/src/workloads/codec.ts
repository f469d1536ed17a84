import { encode } from '@redproc/shared'
import { makeItems } from '../items.js'
import { perSecond } from '../stats.js'
import type { BenchEnv, Workload } from '../workload.js'

/** Timed passes over the values per run, after one that warms the code up; the fastest counts. */
const PASSES = 10

/** The item shapes encoded: the queue workloads' items, a job record, a pool chunk's items. */
function shapes(n: number): Record<string, unknown[]> {
  const items = makeItems(n)
  return {
    item: items,
    record: items.map(({ n }) => ({
      id: `order-${n}`,
      customer: { name: 'Ada', tags: ['new', 'eu'] },
      lines: [{ sku: 'A1', qty: 2, price: 9.99 }],
      paid: n % 2 === 0,
      note: null,
    })),
    chunk: Array.from({ length: Math.ceil(n / 100) }, (_, i) =>
      items.slice(i * 100, (i + 1) * 100).map(({ n }) => n),
    ),
  }
}

/**
 * Values serialized per second, for each shape, in the fastest pass: the
 * machine's other load slows some passes down, never speeds one up.
 */
function measure(env: BenchEnv, serialize: (value: unknown) => string): Record<string, number> {
  const figures: Record<string, number> = {}
  for (const [shape, values] of Object.entries(shapes(env.n))) {
    let length = 0
    let fastest = Number.POSITIVE_INFINITY
    for (let pass = 0; pass <= PASSES; pass++) {
      const started = performance.now()
      for (const value of values) length += serialize(value).length
      if (pass > 0) fastest = Math.min(fastest, performance.now() - started)
    }
    if (length === 0) throw new Error('nothing was serialized')
    figures[shape] = perSecond(values.length, fastest)
  }
  return figures
}

/** Workload 10: what the checks of `encode()` cost beside plain `JSON.stringify`. */
export const codec: Workload = {
  id: 'codec',
  title: 'encode() beside JSON.stringify',
  n: 200_000,
  description: `Every value redproc writes goes through \`encode()\`: a check that the value comes back identical (no undefined, functions, BigInt, NaN, class instances, cycles …), then \`JSON.stringify\`. One process, no Redis: N values of each shape, the fastest of ${PASSES} passes after a warm-up pass. Shapes: \`{ n }\` (the queue workloads' items), a small nested record, and arrays of 100 numbers (a pool chunk's items).`,
  metrics: [
    { key: 'item', label: '{ n } items', unit: 'values/s', better: 'higher' },
    { key: 'record', label: 'nested records', unit: 'values/s', better: 'higher' },
    { key: 'chunk', label: 'arrays of 100 numbers', unit: 'values/s', better: 'higher' },
  ],
  contenders: [
    {
      name: 'redproc encode()',
      note: 'checks, then `JSON.stringify`',
      run: async (env) => measure(env, (value) => encode(value)),
    },
    {
      name: 'JSON.stringify',
      note: 'no checks',
      run: async (env) => measure(env, (value) => JSON.stringify(value)),
    },
  ],
}
