export { ValueError } from '@redproc/shared'
export { createServiceApp, HttpError, listen } from '../src/index.js'
