import { RedprocTypeError } from './errors.js'

/** Python's "indices must be integers". */
export function checkIndex(index: unknown, what = 'index'): number {
  if (!Number.isSafeInteger(index)) {
    throw new RedprocTypeError(`${what} must be an integer, not ${describe(index)}`)
  }
  return index as number
}

/** Hash fields are strings: dict keys and namespace attributes. */
export function checkKey(key: unknown, what = 'key'): string {
  if (typeof key !== 'string')
    throw new RedprocTypeError(`${what} must be a string, not ${describe(key)}`)
  return key
}

export function checkFiniteNumber(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RedprocTypeError(`${what} must be a finite number, not ${describe(value)}`)
  }
  return value
}

function describe(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (typeof value === 'string') return JSON.stringify(value)
  return value === null ? 'null' : `a ${typeof value}`
}
