// Preloaded with `node --import` into a child whose loaded modules a test
// inspects: every ES module URL the loader resolves, and at exit every
// CommonJS file in require.cache, go to the file named by RECORD_MODULES,
// one per line. ESM has no registry to read afterwards, hence the hook.
import { appendFileSync } from 'node:fs'
import { createRequire, register } from 'node:module'

const file = process.env.RECORD_MODULES
if (!file) throw new Error('RECORD_MODULES names no file to record the loaded modules in')
register('./record-modules-hooks.mjs', import.meta.url, { data: { file } })
const require = createRequire(import.meta.url)
process.on('exit', () => appendFileSync(file, `${Object.keys(require.cache).join('\n')}\n`))
