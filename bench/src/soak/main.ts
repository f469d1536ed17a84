/**
 * npm run soak [-- --minutes N] [--keep-jobs K]
 *
 * Runs mixed traffic for N minutes on a private Redis: jobs run by a consumer
 * service, joinable and plain queues, pool maps served by a second consumer
 * service, locks, a semaphore, and shared state through the api service, each
 * kind paced to a fixed budget. Prints a progress line every sample period
 * (stderr) and a summary (stdout), writes bench/results/soak-<date>.json, and
 * exits 1 if an operation failed or memory grew.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { type Context, connect, RemoteManager } from '@redproc/shared'
import { info, type PrivateRedis, startPrivateRedis } from '../private-redis.js'
import { killAllChildren } from '../processes.js'
import { type Service, serviceMain, startApi, startService } from '../services.js'
import {
  clock,
  keyShapes,
  progressLine,
  type Sample,
  takeSample,
  type WatchedProcess,
} from './samples.js'
import { BUDGET, JOBS_QUEUE, KINDS, POOL_QUEUE, startTraffic, Tally } from './traffic.js'
import { judge, LIMITS, memoryChecks, summary } from './verdict.js'

const NAMESPACE = 'soak'
/** Samples in a short run; a long one samples every 10 s. */
const SAMPLES = 12
const MAX_PERIOD_MS = 10_000
/** The share of the run before the sample that memory is compared from. */
const WARM_UP = 0.2
const DEFAULT_KEEP_JOBS = 100

const USAGE = `usage: npm run soak [-- --minutes N] [--keep-jobs K]

  --minutes    how long the traffic runs (default 10; decimals allowed)
  --keep-jobs  completed jobs the jobs queue keeps (removeOnComplete: K, default ${DEFAULT_KEEP_JOBS});
               a K larger than the run's jobs shows the verdict failing as they pile up
`

const flags = readFlags()
if (flags.help) {
  process.stdout.write(USAGE)
  process.exit(0)
}
const minutes = Number(flags.minutes)
const keepJobs = Number(flags['keep-jobs'])
if (!(minutes > 0 && minutes <= 7 * 24 * 60) || !Number.isInteger(keepJobs) || keepJobs < 1) {
  process.stderr.write(
    `--minutes takes a number of minutes above 0, --keep-jobs a whole number from 1\n${USAGE}`,
  )
  process.exit(2)
}

const durationMs = minutes * 60_000
const periodMs = Math.min(MAX_PERIOD_MS, durationMs / SAMPLES)
const sampleCount = Math.round(durationMs / periodMs)
const log = (line: string) => process.stderr.write(`${line}\n`)

let redis: PrivateRedis | undefined
const cleanup = async () => {
  killAllChildren()
  await redis?.stop()
}
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    log(`[soak] ${signal}: stopping the services and Redis`)
    cleanup().finally(() => process.exit(130))
  })

const startedAt = new Date()
const stamp = startedAt.toISOString().slice(0, 19).replaceAll(':', '-')
let mp: Context | undefined
let manager: RemoteManager | undefined

try {
  const loadBefore = loadavg()
  redis = await startPrivateRedis()
  const { admin } = redis
  log(`[soak] private redis-server on ${redis.url}`)
  const redisUrl = redis.url
  const consumer = (queue: string, concurrency: number) =>
    startService(
      [serviceMain('consumer'), '--queue', queue, '--concurrency', String(concurrency)],
      { REDIS_URL: redisUrl, REDPROC_NAMESPACE: NAMESPACE, LOG_LEVEL: 'info' },
    )
  const consumers: Record<string, Service> = {
    [`consumer ${JOBS_QUEUE}`]: consumer(JOBS_QUEUE, 4),
    [`consumer ${POOL_QUEUE}`]: consumer(POOL_QUEUE, 2),
  }
  const authkey = randomBytes(24).toString('base64url')
  const api = await startApi({ redisUrl, namespace: NAMESPACE, authkey })
  await Promise.all(Object.values(consumers).map((service) => service.line('consumer started')))
  const services: Record<string, Service> = { ...consumers, api: api.service }
  mp = await connect({ redis: redisUrl, namespace: NAMESPACE })
  manager = await RemoteManager.connect(api.url, { authkey })
  const watched: WatchedProcess[] = [
    { label: 'soak', pid: process.pid },
    ...Object.entries(services).map(([label, service]) => ({
      label,
      pid: service.child.pid as number,
    })),
  ]

  const perSecond = KINDS.reduce((sum, kind) => sum + BUDGET[kind].perSecond, 0)
  log(
    `[soak] ${minutes} min, a sample every ${periodMs / 1000} s, memory compared from ${clock(durationMs * WARM_UP)} on; budget per second:`,
  )
  for (const kind of KINDS) {
    const { perSecond, unit, what } = BUDGET[kind]
    log(`[soak]   ${kind.padEnd(9)} ${String(perSecond).padStart(4)} ${unit.padEnd(5)}  ${what}`)
  }
  log(
    `[soak]   in all ${perSecond} operations a second, at most ${Math.round(perSecond * (durationMs / 1000)).toLocaleString('en-US')} in the run`,
  )

  const tally = new Tally()
  const samples: Sample[] = [await takeSample(0, tally, watched, admin)]
  const started = performance.now()
  const traffic = startTraffic(mp, manager, { keepJobs }, tally)
  let baselineIndex: number | undefined
  let baselineShapes: Record<string, number> = {}
  for (let k = 1; k <= sampleCount; k++) {
    await sleep(Math.max(0, started + k * periodMs - performance.now()))
    const sample = await takeSample(performance.now() - started, tally, watched, admin)
    log(progressLine(samples.at(-1) as Sample, sample))
    samples.push(sample)
    if (baselineIndex === undefined && sample.atMs >= durationMs * WARM_UP) {
      baselineIndex = samples.length - 1
      baselineShapes = await keyShapes(admin)
    }
  }
  const endShapes = await keyShapes(admin)
  const problems = await traffic.stop()
  await manager.close()
  await mp.close()
  for (const [label, service] of Object.entries(services)) {
    const ended = await service.stop()
    if (ended !== 'exit code 0') problems.push(`${label} ended with ${ended}`)
    if (service.warnings > 0)
      problems.push(
        `${label} logged ${service.warnings} warnings, the first: ${service.warningLines[0]}`,
      )
  }

  baselineIndex ??= samples.length - 1
  const verdict = judge(memoryChecks(samples, baselineIndex), tally, problems)
  // When keys grew, which: in-flight keys may show here too, a leak stands out by its count.
  const keysGrew = verdict.checks.some((c) => c.unit === 'keys' && !c.ok)
  const grown = Object.entries(endShapes)
    .map(([shape, keys]) => [shape, keys - (baselineShapes[shape] ?? 0)] as const)
    .filter(([, growth]) => keysGrew && growth > 0)
  process.stdout.write(
    `${summary(verdict, tally, (samples[baselineIndex] as Sample).atMs, (samples.at(-1) as Sample).atMs)}\n${grown
      .map(([shape, growth]) => `keys grown: ${shape} +${growth}\n`)
      .join('')}`,
  )

  const jsonName = `results/soak-${stamp}.json`
  const bench = new URL('../../', import.meta.url)
  mkdirSync(new URL('results/', bench), { recursive: true })
  const server = await info(admin, 'server')
  writeFileSync(
    new URL(jsonName, bench),
    `${JSON.stringify(
      {
        date: startedAt,
        command: commandLine(),
        minutes,
        samplePeriodMs: periodMs,
        warmUpMs: durationMs * WARM_UP,
        keepJobs,
        budget: BUDGET,
        limits: LIMITS,
        versions: { node: process.version, redis: server.redis_version },
        machine: {
          cpus: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}`,
          loadBefore,
          loadAfter: loadavg(),
        },
        ok: verdict.ok,
        checks: verdict.checks,
        problems: verdict.problems,
        totals: tally.ops,
        errors: tally.errors,
        keyShapes: { baseline: baselineShapes, end: endShapes },
        samples,
      },
      null,
      2,
    )}\n`,
  )
  log(`[soak] wrote bench/${jsonName}`)
  process.exitCode = verdict.ok ? 0 : 1
} catch (error) {
  log(`[soak] failed: ${error instanceof Error ? (error.stack ?? error.message) : error}`)
  process.exitCode = 1
} finally {
  await manager?.close()
  await mp?.close()
  await cleanup()
}

function readFlags() {
  try {
    return parseArgs({
      options: {
        minutes: { type: 'string', default: '10' },
        'keep-jobs': { type: 'string', default: String(DEFAULT_KEEP_JOBS) },
        help: { type: 'boolean', default: false },
      },
    }).values
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : error}\n${USAGE}`)
    process.exit(2)
  }
}

/** The command that reproduces this run. */
function commandLine(): string {
  const args = process.argv.slice(2)
  const tail = args.length > 0 ? ` -- ${args.join(' ')}` : ''
  return process.env.npm_lifecycle_event === 'soak'
    ? `npm run soak${tail}`
    : `tsx bench/src/soak/main.ts${args.length > 0 ? ` ${args.join(' ')}` : ''}`
}
