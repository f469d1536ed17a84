import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

/** A tasks module's URL, from a path (relative to the working directory) or a URL. */
export function moduleUrl(tasks: string | URL): string {
  if (tasks instanceof URL) return tasks.href
  return /^[a-z]+:/i.test(tasks) ? tasks : pathToFileURL(resolve(tasks)).href
}
