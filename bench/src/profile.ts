/**
 * CPU profiles for `--profile`: the benchmark process is profiled through the
 * inspector around each contender run, and the Node children it starts write
 * their own with `--cpu-prof`, all into one folder per run. Each profile is
 * then reduced to its functions with the most self time.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { join } from 'node:path'

export interface HotFunction {
  name: string
  /** Share of the profile's samples spent in this function itself, %. */
  selfPct: number
}

export interface ProfileSummary {
  file: string
  top: HotFunction[]
}

interface CpuProfile {
  nodes: Array<{
    id: number
    callFrame: { functionName: string; url: string; lineNumber: number }
    hitCount?: number
  }>
}

/** Node flags that make a child write its profile into `dir` when it exits. */
export function childProfileFlags(dir: string): string[] {
  return ['--cpu-prof', '--cpu-prof-dir', dir]
}

export class RunProfiler {
  private session: Session | undefined

  async start(dir: string): Promise<void> {
    mkdirSync(dir, { recursive: true })
    this.session ??= new Session()
    this.session.connect()
    await this.session.post('Profiler.enable')
    await this.session.post('Profiler.start')
  }

  /** Stops the benchmark process's profile, writes it, and summarizes every profile in `dir`. */
  async stop(dir: string): Promise<ProfileSummary[]> {
    if (this.session) {
      const { profile } = await this.session.post('Profiler.stop')
      this.session.disconnect()
      writeFileSync(join(dir, 'benchmark-process.cpuprofile'), JSON.stringify(profile))
    }
    return readdirSync(dir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((file) => ({
        file: join(dir, file),
        top: hottest(JSON.parse(readFileSync(join(dir, file), 'utf8'))),
      }))
  }
}

/** The functions with the most self time; idle time is left out. */
export function hottest(profile: CpuProfile, count = 6): HotFunction[] {
  const byName = new Map<string, number>()
  let total = 0
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame
    if (functionName === '(idle)' || !node.hitCount) continue
    const file = url.split('/node_modules/').pop()?.split('/').slice(-2).join('/') ?? ''
    const name = `${functionName || '(anonymous)'}${file ? ` ${file}:${lineNumber + 1}` : ''}`
    byName.set(name, (byName.get(name) ?? 0) + node.hitCount)
    total += node.hitCount
  }
  return [...byName.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, hits]) => ({ name, selfPct: (hits / Math.max(total, 1)) * 100 }))
}
