// tsc copies no assets: put the Lua scripts and the worker-thread entry beside
// the JavaScript that loads them.
import { cpSync, readdirSync } from 'node:fs'

const src = new URL('../src/', import.meta.url)
const dist = new URL('../dist/', import.meta.url)
for (const file of readdirSync(src, { recursive: true, encoding: 'utf8' })) {
  if (file.endsWith('.lua') || file.endsWith('.mjs'))
    cpSync(new URL(file, src), new URL(file, dist))
}
