#!/usr/bin/env node
// Fails when the import graph of shared/src has a circle, or a file imports
// one on a higher floor. Type-only imports count: a circle of types still
// ties the files together. Run by `npm run lint`; `--stats` prints the figures.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../shared/src')

/**
 * The floors of shared/src, lowest first: a file may import its own floor or
 * a lower one. The longest matching prefix decides a file's floor.
 */
const FLOORS = [
  [
    'arguments.ts',
    'codec.ts',
    'errors.ts',
    'logger.ts',
    'options.ts',
    'tasks-module.ts',
    'timers.ts',
    'waits.ts',
  ],
  ['redis/'],
  ['connection/', 'managers/', 'queues/', 'sharedctypes/', 'synchronize/'],
  ['connect-options.ts', 'drop.ts', 'objects.ts', 'pool/', 'process/'],
  ['context.ts'],
  ['cli/', 'index.ts', 'process/process-entry.ts'],
]

function floorOf(file) {
  let best
  for (const [floor, prefixes] of FLOORS.entries()) {
    for (const prefix of prefixes) {
      if (file.startsWith(prefix) && (!best || prefix.length > best.prefix.length)) {
        best = { floor, prefix }
      }
    }
  }
  return best?.floor
}

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return /\.(ts|mjs)$/.test(entry.name) ? [relative(ROOT, path)] : []
  })
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g

function importsOf(file) {
  const text = readFileSync(join(ROOT, file), 'utf8')
  const found = new Set()
  for (const match of text.matchAll(IMPORT)) {
    const target = relative(ROOT, resolve(ROOT, dirname(file), match[1] ?? match[2] ?? match[3]))
    found.add(target.replace(/\.js$/, '.ts'))
  }
  return [...found]
}

/** Tarjan's strongly connected components with more than one file (or a file importing itself). */
function circles(graph) {
  const index = new Map()
  const low = new Map()
  const stack = []
  const onStack = new Set()
  const found = []
  let next = 0
  const visit = (file) => {
    index.set(file, next)
    low.set(file, next++)
    stack.push(file)
    onStack.add(file)
    for (const target of graph.get(file) ?? []) {
      if (!graph.has(target)) continue
      if (!index.has(target)) {
        visit(target)
        low.set(file, Math.min(low.get(file), low.get(target)))
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file), index.get(target)))
      }
    }
    if (low.get(file) !== index.get(file)) return
    const component = []
    let member
    do {
      member = stack.pop()
      onStack.delete(member)
      component.push(member)
    } while (member !== file)
    if (component.length > 1 || graph.get(file).includes(file)) found.push(component.sort())
  }
  for (const file of graph.keys()) if (!index.has(file)) visit(file)
  return found
}

const files = sourceFiles(ROOT).sort()
const graph = new Map(files.map((file) => [file, importsOf(file)]))
const problems = []

for (const file of files) {
  if (floorOf(file) === undefined) problems.push(`${file}: on no floor (add it to FLOORS)`)
}
const upward = []
for (const [file, targets] of graph) {
  for (const target of targets) {
    if (!graph.has(target)) {
      problems.push(`${file}: imports ${target}, which does not exist`)
    } else if (floorOf(target) > floorOf(file)) {
      upward.push(`${file} -> ${target}`)
    }
  }
}
for (const edge of upward) problems.push(`upward import: ${edge}`)
const found = circles(graph)
for (const component of found) {
  problems.push(`import circle of ${component.length} files: ${component.join(', ')}`)
}

if (process.argv.includes('--stats')) {
  const inCircles = found.reduce((sum, component) => sum + component.length, 0)
  console.log(
    `${files.length} files, ${found.length} circles holding ${inCircles} files, ${upward.length} upward imports`,
  )
}
if (problems.length > 0) {
  console.error(`shared/src imports:\n  ${problems.join('\n  ')}`)
  process.exit(1)
}
