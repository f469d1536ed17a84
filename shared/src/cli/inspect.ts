import type { Command } from 'commander'
import { decode, type Json } from '../codec.js'
import type { Context } from '../context.js'
import type { ObjectKind } from '../objects.js'
import { listWorkers } from '../queues/workers.js'
import { scanKeys } from '../redis/scan.js'
import { inspectSync } from '../synchronize/inspect.js'
import { nameParser, parseCount, withContext } from './global-options.js'
import { parseKind } from './kind-argument.js'
import { duration, type Paint, print, table } from './output.js'

type Field = string | number | boolean | null
type Row = Record<string, Field>

/** One object in detail: figures, rows (leases, workers, holders) and, for shared state, its content. */
export interface Inspection {
  kind: ObjectKind
  name: string
  namespace: string
  /** How many Redis keys it has; 0 for an object that holds nothing. */
  keys: number
  [detail: string]: Field | Row[] | Json | undefined
}

export function addInspectCommand(program: Command): void {
  program
    .command('inspect')
    .description('one object in detail: its content, counts, holders and waiters')
    .argument('<kind>', 'its kind (queue, joinable-queue, dict, lock, …)', parseKind)
    .argument('<name>', 'its name', nameParser('name'))
    .option('--limit <n>', 'the most items, entries or leases to show', parseCount(1), 50)
    .action(
      async (kind: ObjectKind, name: string, options: { limit: number }, command: Command) => {
        await withContext(command, async (mp, { json }) => {
          const inspection = await inspectObject(mp, kind, name, options.limit)
          print(json, inspection, (paint) => renderInspection(inspection, paint))
        })
      },
    )
}

/** Reads one object without changing it (no handle creates anything on the way). */
export async function inspectObject(
  mp: Context,
  kind: ObjectKind,
  name: string,
  limit: number,
): Promise<Inspection> {
  const objectKeys = mp.keys(kind, name)
  const keys: string[] = []
  for await (const key of scanKeys(mp.redis, objectKeys.pattern)) keys.push(key)
  const head = { kind, name, namespace: mp.options.namespace, keys: keys.length }
  return { ...head, ...(await details(mp, kind, name, limit, keys.sort())) }
}

async function details(
  mp: Context,
  kind: ObjectKind,
  name: string,
  limit: number,
  keys: string[],
): Promise<Record<string, Field | Row[] | Json>> {
  const objectKeys = mp.keys(kind, name)
  switch (kind) {
    case 'queue': {
      const queue = mp.queue(name)
      return { size: await queue.qsize(), full: await queue.full() }
    }
    case 'joinable-queue': {
      const queue = mp.joinableQueue(name)
      try {
        const [counts, leases, workers] = await Promise.all([
          queue.counts(),
          queue.leases({ limit }),
          listWorkers(mp, name),
        ])
        return {
          waiting: counts.waiting,
          leased: counts.active,
          delayed: counts.delayed,
          unfinished: counts.unfinished,
          completed: counts.completed,
          failed: counts.failed,
          totals: counts.totals,
          shutdown: counts.shutdown,
          leases: leases.map((lease) => ({ ...lease })),
          workers: workers.map(({ host, pid, concurrency, processed, failed, uptimeMs }) => ({
            host,
            pid,
            slots: concurrency,
            processed,
            failed,
            uptimeMs,
          })),
        }
      } finally {
        await queue.close()
      }
    }
    case 'dict': {
      const dict = mp.dict(name)
      const content: Record<string, Json> = {}
      let cursor = '0'
      do {
        const page = await dict.page(cursor, limit)
        for (const [key, value] of Object.entries(page.items)) {
          if (Object.keys(content).length < limit) content[key] = value
        }
        cursor = page.cursor
      } while (cursor !== '0' && Object.keys(content).length < limit)
      return { size: await dict.size(), shown: Object.keys(content).length, content }
    }
    case 'namespace':
      return { content: await mp.namespace(name).toObject() }
    case 'list': {
      const list = mp.list(name)
      const content = await list.slice(0, limit)
      return { length: await list.length(), shown: content.length, content }
    }
    case 'array': {
      // Read as the list it is: the array's own reads would create it.
      const key = mp.keys('array', name).base
      const [length, texts] = await Promise.all([
        mp.redis.llen(key),
        mp.redis.lrange(key, 0, limit - 1),
      ])
      const content = texts.map((text) => decode(text, `array '${name}'`))
      return { length, shown: content.length, content }
    }
    case 'value': {
      const entry = await mp.value(name).entry()
      return { content: entry === undefined ? null : entry.value }
    }
    case 'pipe': {
      // An end's inbox is a list; other keys mark a closed end.
      const rows: Row[] = []
      for (const key of keys) {
        const type = await mp.redis.type(key)
        const length = type === 'list' ? await mp.redis.llen(key) : null
        rows.push({ key: key.slice(objectKeys.base.length + 1) || '(main)', type, length })
      }
      return { parts: rows }
    }
    default: {
      const state = (await inspectSync(mp)).find(
        (found) => found.kind === kind && found.name === name && !('of' in found && found.of),
      )
      if (state === undefined) return {}
      const { kind: _kind, name: _name, ...rest } = state
      return rest as Record<string, Field | Row[]>
    }
  }
}

function renderInspection(inspection: Inspection, paint: Paint): string {
  const { kind, name, namespace, keys, ...rest } = inspection
  const title = `${paint('bold', `${kind} '${name}'`)} in namespace '${namespace}'`
  const figures: string[][] = [['keys', String(keys)]]
  const sections: string[] = []
  for (const [field, value] of Object.entries(rest)) {
    if (field === 'content') {
      sections.push(`${paint('bold', 'content')}\n${renderContent(value as Json)}`)
    } else if (Array.isArray(value)) {
      sections.push(`${paint('bold', field)}\n${rowsTable(value as Row[], paint)}`)
    } else {
      figures.push([label(field), cell(field, value as Field)])
    }
  }
  const width = Math.max(...figures.map(([field]) => (field as string).length))
  const lines = figures.map(([field, value]) => `${(field as string).padEnd(width)}  ${value}`)
  return [title, lines.join('\n'), ...sections].join('\n\n')
}

/** A collection one entry a line (`key  value`, `[i]  item`), each value as compact JSON. */
function renderContent(content: Json): string {
  if (content === null || typeof content !== 'object') return JSON.stringify(content)
  const entries = Array.isArray(content)
    ? content.map((item, i): [string, Json] => [`[${i}]`, item])
    : Object.entries(content)
  if (entries.length === 0) return Array.isArray(content) ? '[]' : '{}'
  const width = Math.max(...entries.map(([key]) => key.length))
  return entries.map(([key, value]) => `${key.padEnd(width)}  ${JSON.stringify(value)}`).join('\n')
}

function rowsTable(rows: Row[], paint: Paint): string {
  const fields = Object.keys(rows[0] ?? {})
  return table(
    fields.map((field) => ({
      heading: label(field).toUpperCase(),
      align: typeof rows[0]?.[field] === 'number' ? ('right' as const) : ('left' as const),
    })),
    rows.map((row) => fields.map((field) => cell(field, row[field] ?? null))),
    paint,
    'none',
  )
}

/** `leaseMs` reads `lease`: its value is shown as a duration. */
function label(field: string): string {
  return field.replace(/Ms$/, '')
}

function cell(field: string, value: Field): string {
  if (value === null) return '-'
  return field.endsWith('Ms') && typeof value === 'number' ? duration(value) : String(value)
}
