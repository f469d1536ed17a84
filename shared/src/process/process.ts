import { type ChildProcess, spawn } from 'node:child_process'
import { constants } from 'node:os'
import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ContextOptions } from '../connect-options.js'
import { ValueError } from '../errors.js'
import { checkWaitOptions, Deadline } from '../waits.js'
import { PROCESS_NAME_ENV } from './current-process.js'
import {
  type ChildConfig,
  connectOptionsForChild,
  type JoinOptions,
  PROCESS_CONFIG_ENV,
  type ResolvedProcessOptions,
} from './process-options.js'

type State = 'initial' | 'started' | 'exited'

/** Started and not yet exited, for `activeChildren()`. */
const active = new Set<Process>()

/** Numbers the default names, as Python's `Process-1`, `Process-2` … */
let made = 0

/** Flags of this process a child must not copy: a debugger port, the test runner, a watcher. */
const NOT_FORWARDED = /^--(inspect|debug|test|watch|cpu-prof|heap-prof)/

/**
 * `multiprocessing.Process`: runs the task `target` of the module `tasks` in
 * a new Node process, connected to the same Redis and namespace as the
 * context that made it. The task is called with that child's context, then
 * `args`. Like Python's, a process still running keeps its parent alive.
 */
export class Process {
  readonly name: string
  private readonly options: ResolvedProcessOptions
  private readonly context: ContextOptions
  private state: State = 'initial'
  private child: ChildProcess | undefined
  private exited: Promise<void> | undefined
  private code: number | null = null

  /** @internal made by `mp.process()`. */
  constructor(context: ContextOptions, options: ResolvedProcessOptions) {
    made++
    this.context = context
    this.options = options
    this.name = options.name ?? `Process-${made}`
  }

  /** The child's pid once started. */
  get pid(): number | undefined {
    return this.child?.pid
  }

  /**
   * Python's `exitcode`: null until the child exits, then its exit code, or
   * minus the signal that ended it (-15 after `terminate()`).
   */
  get exitCode(): number | null {
    return this.code
  }

  isAlive(): boolean {
    return this.state === 'started'
  }

  /** Starts the child; a process starts once. */
  start(): void {
    if (this.state !== 'initial')
      throw new ValueError(`${this.describe()}: cannot start a process twice`)
    const { target, tasks, args } = this.options
    const config: ChildConfig = {
      target,
      tasks,
      args,
      connect: connectOptionsForChild(this.context),
    }
    const entry = fileURLToPath(
      new URL(`./process-entry${extname(import.meta.url)}`, import.meta.url),
    )
    // The parent's loader flags (`--import tsx`) let the child load what it could.
    const flags = process.execArgv.filter((flag) => !NOT_FORWARDED.test(flag))
    const child = spawn(process.execPath, [...flags, entry], {
      stdio: 'inherit',
      env: {
        ...process.env,
        [PROCESS_CONFIG_ENV]: JSON.stringify(config),
        [PROCESS_NAME_ENV]: this.name,
      },
    })
    this.child = child
    this.state = 'started'
    active.add(this)
    this.exited = new Promise((resolve) => {
      const ended = (code: number | null, signal: NodeJS.Signals | null) => {
        this.code = code ?? -(signal ? constants.signals[signal] : 1)
        this.state = 'exited'
        active.delete(this)
        resolve()
      }
      child.once('exit', ended)
      // Spawning itself failed (no process was made): it ends as a failed child does.
      child.once('error', () => {
        if (this.state === 'started' && child.pid === undefined) ended(1, null)
      })
    })
  }

  /**
   * Waits until the child exits, or `timeout` passes: like Python's, it then
   * returns all the same; `exitCode` (null) and `isAlive()` tell which.
   */
  async join(options?: JoinOptions): Promise<void> {
    const { timeoutMs, signal } = checkWaitOptions(options, 'join')
    const exited = this.exited
    if (!exited) throw new ValueError(`${this.describe()}: can only join a started process`)
    if (this.state === 'exited') return
    await new Deadline(timeoutMs).race(exited, signal, 'join')
  }

  /** Asks the child to end (SIGTERM), as Python's `terminate()`. */
  terminate(): void {
    this.signal('SIGTERM')
  }

  /** Ends the child at once (SIGKILL), as Python's `kill()`. */
  kill(): void {
    this.signal('SIGKILL')
  }

  private signal(signal: NodeJS.Signals): void {
    if (this.state === 'initial') throw new ValueError(`${this.describe()} has not been started`)
    if (this.state === 'started') this.child?.kill(signal)
  }

  private describe(): string {
    return `process '${this.name}'`
  }
}

/** `multiprocessing.active_children()`: the processes started here that have not exited. */
export function activeChildren(): Process[] {
  return [...active]
}
