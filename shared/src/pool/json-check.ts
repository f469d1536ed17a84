import { checkSerializable, type Json } from '../codec.js'

/**
 * Refuses a value that is not plain JSON with `NOT_SERIALIZABLE`, as
 * `encode` does, without serializing it: strings, booleans, null and finite
 * numbers, which most pool items and results are, pass without a walk, and
 * the description of the value is only built for the others.
 */
export function checkJson(value: unknown, describe: () => string): Json {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'number':
      if (Number.isFinite(value)) return value
      break
    case 'object':
      if (value === null) return value
      break
  }
  checkSerializable(value, describe())
  return value as Json
}
