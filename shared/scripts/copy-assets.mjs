// tsc copies no assets: put the Lua scripts and the worker-thread entry beside
// the JavaScript that loads them.
import { chmodSync, cpSync, readdirSync } from 'node:fs'

const src = new URL('../src/', import.meta.url)
const dist = new URL('../dist/', import.meta.url)
for (const file of readdirSync(src, { recursive: true, encoding: 'utf8' })) {
  if (file.endsWith('.lua') || file.endsWith('.mjs'))
    cpSync(new URL(file, src), new URL(file, dist))
}
// npm marks a bin executable when it installs the package; in this workspace
// it links the bin before the build writes it, so the build does it.
chmodSync(new URL('cli/main.js', dist), 0o755)
