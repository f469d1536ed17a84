import type { RequestHandler } from 'express'
import { HttpError } from './http-error.js'

/**
 * How deep a JSON body may nest: the library stores values up to 1,000
 * levels, and a body wraps them in a few more. Deeper bodies are refused
 * before validation, whose recursion would run out of stack first.
 */
const MAX_BODY_DEPTH = 1024

/** Refuses a parsed JSON body nested deeper than `maxDepth` with 400 NOT_SERIALIZABLE. */
export function limitJsonDepth(maxDepth = MAX_BODY_DEPTH): RequestHandler {
  return (req, _res, next) => {
    try {
      checkJsonDepth(req.body, maxDepth)
    } catch (error) {
      next(error)
      return
    }
    next()
  }
}

/** Throws 400 NOT_SERIALIZABLE for a parsed JSON body nested deeper than `maxDepth`. */
export function checkJsonDepth(body: unknown, maxDepth = MAX_BODY_DEPTH): void {
  if (nestedDeeperThan(body, maxDepth)) {
    throw new HttpError(
      400,
      'NOT_SERIALIZABLE',
      `the request body is nested deeper than ${maxDepth} levels`,
    )
  }
}

/** Without recursion: the value may be nested deeper than the stack is. */
function nestedDeeperThan(value: unknown, maxDepth: number): boolean {
  const pending: Array<[unknown, number]> = [[value, 0]]
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, depth] = next
    if (typeof item !== 'object' || item === null) continue
    if (depth >= maxDepth) return true
    for (const child of Object.values(item)) pending.push([child, depth + 1])
  }
  return false
}
