import type { z } from 'zod'
import { HttpError } from './http-error.js'

/**
 * `value` parsed by `schema`, or a 400 TYPE_ERROR naming the first field at
 * fault and why: `jobs[3].task: expected string, received number`.
 */
export function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
): z.output<S> {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  const path = issue?.path.length
    ? issue.path
        .map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`))
        .join('')
    : ''
  throw new HttpError(400, 'TYPE_ERROR', `${what}${path}: ${issue?.message ?? 'invalid'}`)
}
