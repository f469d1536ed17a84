// The README's first snippets, run as a newcomer would: the JavaScript one as
// a plain `.mjs` file on the Node that runs the tests, the TypeScript one
// under tsx, both against a real Redis.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it, type TestContext } from 'node:test'
import { promisify } from 'node:util'
import { openContext, uniqueNamespace } from './support/redis.js'

const run = promisify(execFile)
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
const library = new URL('../src/index.ts', import.meta.url).href

/** The first code block of `language` in the README. */
function firstBlock(language: string): string {
  const block = new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, 'm').exec(readme)?.[1]
  assert.ok(block, `the README has a ${language} block`)
  return block
}

/**
 * Writes `code` to a file of its own, with the library's import pointed at
 * this checkout and its namespace made unique (and deleted after the test).
 */
async function asProgram(t: TestContext, code: string, file: string): Promise<[string, string]> {
  const namespace = uniqueNamespace()
  await openContext(t, 'single', namespace)
  const dir = mkdtempSync(join(tmpdir(), 'redproc-readme-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, file)
  writeFileSync(
    path,
    code.replace(`'@redproc/shared'`, `'${library}'`).replace(`'app'`, `'${namespace}'`),
  )
  return [path, namespace]
}

describe('README', () => {
  it('opens with JavaScript that Node parses as a plain module', async (t) => {
    const code = firstBlock('js')
    assert.doesNotMatch(code, /await using/, 'Node 20 runs `await using` only once compiled')
    const dir = mkdtempSync(join(tmpdir(), 'redproc-readme-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    const path = join(dir, 'app.mjs')
    writeFileSync(path, code)
    await run(process.execPath, ['--check', path])
  })

  it('whose program prints what its comment says and closes its context', async (t) => {
    const [path] = await asProgram(t, firstBlock('js'), 'app.mjs')
    const { stdout } = await run(process.execPath, ['--import', 'tsx', path], { timeout: 20_000 })
    assert.equal(stdout.trim(), "{ ada: { langs: [ 'ts' ] } }")
  })

  it('then shows the same with `await using`, which runs under tsx', async (t) => {
    const code = firstBlock('ts')
    assert.match(code, /await using mp = await connect/)
    const [path, namespace] = await asProgram(t, code, 'app.mts')
    await run(process.execPath, ['--import', 'tsx', path], { timeout: 20_000 })
    const mp = await openContext(t, 'single', namespace)
    assert.equal(await mp.value('hits').get(), 1)
  })
})
