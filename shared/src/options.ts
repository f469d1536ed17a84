import { checkFunction, checkIndex, checkTimeout, describe } from './arguments.js'
import { RedprocTypeError, ValueError } from './errors.js'

/**
 * Checks one option's value (never `undefined`: an absent option is left to
 * the defaults) and returns it as the option's type, or throws a
 * `RedprocError`. `name` is the option's name, for the message.
 */
export type Check<T> = (value: unknown, name: string) => T

/**
 * A check for every option of `O`: a new field of an options type does not
 * compile until it has one, so no method can take it unchecked.
 */
export type Schema<O> = { readonly [K in keyof Required<O>]: Check<O[K]> }

const NO_OPTIONS = Object.freeze({})

/**
 * The gate of every options object a public method takes. `undefined` means
 * no options; anything but an object, a key the schema does not name, or a
 * value of the wrong type fails with `TYPE_ERROR` (a value of the right type
 * out of range with `VALUE_ERROR`), before Redis is touched. Returns the
 * checked values, normalized by their checks (an infinite timeout becomes
 * `undefined`, "forever").
 */
export function checkOptions<O extends object>(
  options: O | undefined,
  schema: Schema<O>,
  what: string,
): Readonly<O> {
  if (options === undefined) return NO_OPTIONS as O
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new RedprocTypeError(`${what} must be an object, not ${describe(options)}`)
  }
  const checks = schema as Record<string, Check<unknown>>
  const checked: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(options)) {
    if (!Object.hasOwn(checks, key)) {
      const known = Object.keys(checks).join(', ')
      throw new RedprocTypeError(
        `${what} has no option ${JSON.stringify(key)}${known ? `; it takes ${known}` : ''}`,
      )
    }
    if (value !== undefined) checked[key] = (checks[key] as Check<unknown>)(value, key)
  }
  return checked as O
}

/** The checks options are made of. */
export const option = {
  boolean: ((value, name) => {
    if (typeof value !== 'boolean') {
      throw new RedprocTypeError(`${name} must be a boolean, not ${describe(value)}`)
    }
    return value
  }) as Check<boolean>,

  string: ((value, name) => {
    if (typeof value !== 'string') {
      throw new RedprocTypeError(`${name} must be a string, not ${describe(value)}`)
    }
    return value
  }) as Check<string>,

  /** An integer of at least `min`: TYPE_ERROR when not an integer, VALUE_ERROR below `min`. */
  integer(min = Number.MIN_SAFE_INTEGER): Check<number> {
    return (value, name) => {
      const n = checkIndex(value, name)
      if (n < min) throw new ValueError(`${name} must be at least ${min}, not ${n}`)
      return n
    }
  },

  /** A duration in ms: not negative; `Infinity` is forever and comes back `undefined`. */
  timeout: ((value, name) => checkTimeout(value, name)) as Check<number | undefined>,

  /** One of a few strings: VALUE_ERROR for another string, as Python's `ValueError: invalid mode`. */
  oneOf<const V extends string>(...values: V[]): Check<V> {
    return (value, name) => {
      const text = option.string(value, name)
      if (!(values as string[]).includes(text)) {
        const allowed = values.map((v) => `'${v}'`).join(' or ')
        throw new ValueError(`${name} must be ${allowed}, not ${JSON.stringify(text)}`)
      }
      return text as V
    }
  },

  signal: ((value, name) => {
    if (!(value instanceof AbortSignal)) {
      throw new RedprocTypeError(`${name} must be an AbortSignal, not ${describe(value)}`)
    }
    return value
  }) as Check<AbortSignal>,

  function<F extends (...args: never[]) => unknown>(): Check<F> {
    return (value, name) => checkFunction<F>(value, name)
  },
}
