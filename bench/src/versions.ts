import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { Redis } from 'ioredis'
import { info } from './private-redis.js'

const run = promisify(execFile)

/** The versions of everything the figures depend on. */
export async function versions(admin: Redis, python: string): Promise<Record<string, string>> {
  const server = await info(admin, 'server')
  return {
    node: process.version,
    redis: server.redis_version ?? 'unknown',
    bullmq: packageVersion('bullmq'),
    'bee-queue': packageVersion('bee-queue'),
    ioredis: packageVersion('ioredis'),
    '@redproc/shared': packageVersion('@redproc/shared'),
    python: await pythonVersion(python),
  }
}

/** Walks up from the package's entry point to its package.json. */
function packageVersion(name: string): string {
  try {
    let dir = dirname(fileURLToPath(import.meta.resolve(name)))
    for (;;) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
        if (pkg.name === name) return pkg.version
      } catch {}
      const parent = dirname(dir)
      if (parent === dir) return 'unknown'
      dir = parent
    }
  } catch {
    return 'not installed'
  }
}

async function pythonVersion(python: string): Promise<string> {
  try {
    const { stdout, stderr } = await run(python, ['--version'])
    return (stdout || stderr).trim().replace(/^Python /, '')
  } catch {
    return 'not found'
  }
}
