// docker-compose.yml and the Dockerfile checked against the packages they
// run: no Docker engine is needed for that. `docker compose config` runs too
// when an engine with compose answers.
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { ROOT } from '@redproc/test-support'
import { parse } from 'yaml'

interface ComposeService {
  build?: { context: string; dockerfile: string }
  image?: string
  command?: string[]
  environment?: Record<string, string>
  ports?: string[]
  healthcheck?: { test: string[] }
  depends_on?: Record<string, { condition: string }>
  deploy?: { replicas?: number }
}

const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>
}
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')

/** The environment variables a service's source reads (`env.NAME`). */
function variablesRead(...sources: string[]): Set<string> {
  const names = new Set<string>()
  for (const source of sources) {
    for (const match of readFileSync(join(ROOT, source), 'utf8').matchAll(/env\.([A-Z_]+)/g)) {
      names.add(match[1] as string)
    }
  }
  return names
}

const KIT_CONFIG = 'packages/service-kit/src/config.ts'
const SERVICES = {
  api: { dir: 'services/api', sources: ['services/api/src/config.ts'] },
  producer: { dir: 'services/producer', sources: ['services/producer/src/config.ts', KIT_CONFIG] },
  consumer: { dir: 'services/consumer', sources: ['services/consumer/src/config.ts', KIT_CONFIG] },
} as const

describe('docker-compose.yml', () => {
  it('runs Redis with AOF on and a healthcheck, and the services wait for it', () => {
    const redis = compose.services.redis
    assert.ok(redis?.command?.join(' ').includes('--appendonly yes'))
    assert.deepEqual(redis?.healthcheck?.test, ['CMD', 'redis-cli', 'ping'])
    for (const name of Object.keys(SERVICES)) {
      assert.equal(compose.services[name]?.depends_on?.redis?.condition, 'service_healthy', name)
    }
  })

  for (const [name, { dir, sources }] of Object.entries(SERVICES)) {
    it(`builds and runs the ${name} as its package says`, () => {
      const service = compose.services[name]
      assert.ok(service, `no service ${name}`)
      assert.equal(service.build?.context, '.')
      assert.ok(existsSync(join(ROOT, service.build?.dockerfile ?? '')), 'the Dockerfile exists')
      const pkg = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8'))
      // The command is the package's own entry: its bin file, or its directory (main).
      const [node, entry] = service.command ?? []
      assert.equal(node, 'node')
      const bin = Object.values(pkg.bin ?? {})[0] as string
      assert.ok(
        entry === join(dir, bin) || (entry === dir && pkg.main === bin.replace('./', '')),
        `${name} runs ${entry}, its package's entry is ${bin}`,
      )
      // The image copies what the command needs, and installs from the package's manifest.
      assert.ok(dockerfile.includes(`COPY ${dir}/package.json ${dir}/`), 'manifest copied')
      assert.ok(dockerfile.includes(`/app/${dir}/dist ${dir}/dist`), 'dist copied')
      for (const dependency of Object.keys(pkg.dependencies ?? {})) {
        if (!dependency.startsWith('@redproc/')) continue
        const where =
          dependency === '@redproc/shared' ? 'shared' : `packages/${dependency.slice(9)}`
        assert.ok(dockerfile.includes(`/app/${where}/dist ${where}/dist`), `${dependency} copied`)
      }
      // Every variable set is one the service reads.
      const read = variablesRead(...sources)
      for (const variable of Object.keys(service.environment ?? {})) {
        assert.ok(read.has(variable), `${name} does not read ${variable}`)
      }
      assert.equal(service.environment?.REDIS_URL, 'redis://redis:6379')
    })
  }

  for (const name of ['api', 'producer']) {
    it(`publishes the ${name} on its PORT and probes /readyz there, on every interface`, () => {
      const service = compose.services[name] as ComposeService
      const port = service.environment?.PORT
      assert.deepEqual(service.ports, [`${port}:${port}`])
      assert.equal(service.environment?.HOST, '0.0.0.0')
      assert.match(service.environment?.REDPROC_AUTHKEY ?? '', /^\$\{REDPROC_AUTHKEY:\?/)
      assert.ok(service.healthcheck?.test.join(' ').includes(`127.0.0.1:${port}/readyz`))
    })
  }

  it('scales consumers by replicas, probes their health port, and gives SIGTERM time', () => {
    const consumer = compose.services.consumer as ComposeService & { stop_grace_period?: string }
    assert.ok((consumer.deploy?.replicas ?? 0) >= 2)
    assert.equal(consumer.ports, undefined, 'replicas cannot share a published port')
    const port = consumer.environment?.REDPROC_HEALTH_PORT
    assert.ok(consumer.healthcheck?.test.join(' ').includes(`127.0.0.1:${port}/readyz`))
    assert.ok(consumer.stop_grace_period)
  })

  it('passes `docker compose config` where a Docker engine with compose answers', (t) => {
    const engine = spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 })
    const composeCli = spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' })
    if (engine.status !== 0 || composeCli.status !== 0) {
      t.diagnostic('skipped `docker compose config`: no Docker engine with compose answers here')
      console.log('compose test: skipped `docker compose config` (no Docker engine with compose)')
      return
    }
    execFileSync('docker', ['compose', '-f', join(ROOT, 'docker-compose.yml'), 'config', '-q'], {
      env: { ...process.env, REDPROC_AUTHKEY: 'compose-test-key-0123456789' },
    })
  })
})
