import { z } from 'zod'

/** Any JSON value, present: `{ "value": null }` is a value, `{}` is not. */
export const json = z.json()

export const valueBody = z.strictObject({ value: json })

/** An integer in a path or query string; negative indices count from the end. */
export const integerText = z
  .string()
  .regex(/^-?\d{1,15}$/, 'must be an integer')
  .transform(Number)
