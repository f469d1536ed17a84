/**
 * npm run bench [-- --quick] [--only <id|number>[,…]] [--runs <k>] [--n <items>]
 *
 * Starts a private Redis, runs the workloads with their contenders
 * interleaved, prints medians and ratios, and writes bench/RESULTS.md (after a full
 * run of every workload) and bench/results/<date>.json. Progress goes to stderr.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { type PrivateRedis, startPrivateRedis } from './private-redis.js'
import { ensureChildrenBuilt, killAllChildren } from './processes.js'
import { consoleTable, markdown, type PendingWorkload, targetsTable } from './report.js'
import { runWorkload, type WorkloadResult } from './runner.js'
import { summarize } from './summary.js'
import { evaluateTargets } from './targets.js'
import { versions } from './versions.js'
import { ENTRIES } from './workloads/index.js'

const DEFAULT_N = 20_000
const QUICK_DIVISOR = 10

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    runs: { type: 'string' },
    n: { type: 'string' },
    profile: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
})

if (flags.help) {
  process.stdout.write(
    [
      'usage: npm run bench [-- --quick] [--only <id|number>[,…]] [--runs <k>] [--n <items>] [--profile]',
      '',
      '  --quick     a smoke run: N / 10',
      '  --only      run these workloads only; the report then goes to results/, not RESULTS.md',
      '              (so does the report of a --quick run)',
      '  --runs      runs per contender (default 3)',
      '  --n         items per run (default 20000)',
      '  --profile   write CPU profiles of every run to results/profiles/ and name the hottest functions',
      '',
      'workloads:',
      ...ENTRIES.map(
        (e) => `  ${e.number}  ${e.id.padEnd(16)} ${e.title}${e.pending ? ` (${e.pending})` : ''}`,
      ),
      '',
    ].join('\n'),
  )
  process.exit(0)
}

const bench = new URL('..', import.meta.url)
const quick = flags.quick ?? false
const runs = Number(flags.runs ?? 3)
const defaultN = Number(flags.n ?? DEFAULT_N)
const python = process.env.PYTHON ?? 'python3'
const only = flags.only?.split(',').map((s) => s.trim())
const selected = ENTRIES.filter(
  (e) => !only || only.includes(e.id) || only.includes(String(e.number)),
)
if (only && selected.length === 0) {
  process.stderr.write(`no workload matches --only ${flags.only}; see --help\n`)
  process.exit(2)
}
for (const [flag, value] of [
  ['--runs', runs],
  ['--n', defaultN],
] as const)
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`${flag} takes a positive whole number\n`)
    process.exit(2)
  }
const log = (line: string) => process.stderr.write(`${line}\n`)

let redis: PrivateRedis | undefined
const cleanup = async () => {
  killAllChildren()
  await redis?.stop()
}
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    log(`[bench] ${signal}: stopping children and Redis`)
    cleanup().finally(() => process.exit(130))
  })

const startedAt = new Date()
const stamp = startedAt.toISOString().slice(0, 19).replaceAll(':', '-')

try {
  ensureChildrenBuilt()
  const loadBefore = loadavg()
  redis = await startPrivateRedis()
  log(`[bench] private redis-server on ${redis.url}${quick ? ' (quick run)' : ''}`)
  const toRun = selected.filter((e) => e.workload)
  const results: WorkloadResult[] = []
  for (const [index, entry] of toRun.entries()) {
    const workload = entry.workload
    if (!workload) continue
    results.push(
      await runWorkload(workload, `${index + 1}/${toRun.length}`, {
        admin: redis.admin,
        redisUrl: redis.url,
        redisPort: redis.port,
        python,
        quick,
        runs,
        defaultN,
        quickDivisor: QUICK_DIVISOR,
        timeoutMs: quick ? 90_000 : 600_000,
        profileDir: flags.profile
          ? fileURLToPath(new URL(`results/profiles/${stamp}/`, bench))
          : undefined,
        log,
      }),
    )
  }
  const summaries = results.map(summarize)
  const targets = evaluateTargets(summaries)
  const pending: PendingWorkload[] = selected
    .filter((e) => e.pending)
    .map((e) => ({ number: e.number, title: e.title, reason: e.pending as string }))

  const suffix = `${quick ? '-quick' : ''}${only ? `-only-${only.join('-')}` : ''}`
  const jsonName = `results/${stamp}${suffix}.json`
  const info = {
    date: startedAt,
    command: commandLine(),
    quick,
    runs,
    versions: await versions(redis.admin, python),
    machine: {
      cpus: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}`,
      loadBefore,
      loadAfter: loadavg(),
    },
    numbers: new Map(ENTRIES.map((e) => [e.id, e.number])),
    jsonPath: jsonName,
  }

  process.stdout.write(`${consoleTable(summaries)}\n\nTargets\n${targetsTable(targets)}\n`)
  mkdirSync(new URL('results/', bench), { recursive: true })
  writeFileSync(
    new URL(jsonName, bench),
    `${JSON.stringify(
      {
        ...info,
        numbers: undefined,
        workloads: summaries.map((s) => ({
          id: s.workload.id,
          number: info.numbers.get(s.workload.id),
          title: s.workload.title,
          description: s.workload.description,
          n: s.n,
          metrics: s.workload.metrics,
          contenders: s.workload.contenders.map((c) => ({ name: c.name, note: c.note })),
          cells: s.cells,
          runs: s.runs,
        })),
        targets: targets.map((t) => ({ ...t.target, status: t.status, measured: t.measured })),
        notYetMeasured: pending,
      },
      null,
      2,
    )}\n`,
  )
  const report = markdown(summaries, targets, pending, info)
  // Only a full run of every workload replaces the committed report.
  if (only || quick) {
    const partial = `results/${stamp}${suffix}.md`
    writeFileSync(new URL(partial, bench), report)
    log(
      `[bench] wrote bench/${jsonName} and bench/${partial} (RESULTS.md is written by full runs of every workload)`,
    )
  } else {
    writeFileSync(new URL('RESULTS.md', bench), report)
    log(`[bench] wrote bench/RESULTS.md and bench/${jsonName}`)
  }
  const failed = results.some((r) => r.runs.some((run) => !run.ok))
  process.exitCode = failed ? 1 : 0
} catch (error) {
  log(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : error}`)
  process.exitCode = 1
} finally {
  await cleanup()
}

/** The command that reproduces this run. */
function commandLine(): string {
  const args = process.argv.slice(2)
  const tail = args.length > 0 ? ` -- ${args.join(' ')}` : ''
  return process.env.npm_lifecycle_event === 'bench'
    ? `npm run bench${tail}`
    : `tsx bench/src/main.ts${args.length > 0 ? ` ${args.join(' ')}` : ''}`
}
