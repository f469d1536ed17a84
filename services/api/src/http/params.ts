import { validate } from '@redproc/service-kit'
import type { Request } from 'express'
import { integerText } from './schemas.js'

/** A route parameter, as decoded by the router. */
export function param(req: Request, name: string): string {
  return req.params[name] as string
}

/** A list index from the path: an integer, else 400 TYPE_ERROR. */
export function indexParam(req: Request): number {
  return validate(integerText, param(req, 'index'), 'index')
}
