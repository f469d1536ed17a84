// tsc copies no assets: put every Lua script beside the JavaScript that loads it.
import { cpSync, readdirSync } from 'node:fs'

const src = new URL('../src/', import.meta.url)
const dist = new URL('../dist/', import.meta.url)
for (const file of readdirSync(src, { recursive: true, encoding: 'utf8' })) {
  if (file.endsWith('.lua')) cpSync(new URL(file, src), new URL(file, dist))
}
