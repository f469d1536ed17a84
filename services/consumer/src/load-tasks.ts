import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Tasks } from '@redproc/shared'

/** A tasks module that cannot serve: the consumer says why in one line and exits 1. */
export class TasksModuleError extends Error {
  override readonly name = 'TasksModuleError'
}

/** The URL of the tasks module: `--tasks` (a path from the working directory, or a URL), else the default tasks. */
export function tasksModuleUrl(tasks: string | undefined): URL {
  if (tasks === undefined) return new URL('./tasks.js', import.meta.url)
  return /^[a-z]+:/i.test(tasks) ? new URL(tasks) : pathToFileURL(resolve(tasks))
}

/** Imports the tasks module; its exported functions are the tasks. */
export async function loadTasks(url: URL): Promise<Tasks> {
  let module: Record<string, unknown>
  try {
    module = await import(url.href)
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error)
    throw new TasksModuleError(`tasks module ${url.href} could not be loaded: ${message}`)
  }
  const tasks = Object.fromEntries(
    Object.entries(module).filter(([, value]) => typeof value === 'function'),
  )
  if (Object.keys(tasks).length === 0) {
    throw new TasksModuleError(`tasks module ${url.href} exports no function: nothing to run`)
  }
  return tasks
}
