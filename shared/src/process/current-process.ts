import { availableParallelism, hostname } from 'node:os'

/** Where a child started by `mp.process()` finds its name. */
export const PROCESS_NAME_ENV = 'REDPROC_PROCESS_NAME'

export interface ProcessInfo {
  /** `'MainProcess'`, or the name its `mp.process()` gave it. */
  readonly name: string
  readonly pid: number
  /** The machine, since processes sharing a namespace may run on many. */
  readonly host: string
}

/** `multiprocessing.current_process()`: who this process is. */
export function currentProcess(): ProcessInfo {
  return Object.freeze({
    name: process.env[PROCESS_NAME_ENV] || 'MainProcess',
    pid: process.pid,
    host: hostname(),
  })
}

/** `multiprocessing.cpu_count()`: the CPUs this process may use. */
export function cpuCount(): number {
  return availableParallelism()
}
