export { ValueError } from '@redproc/shared'
export { HttpError, listen } from '../src/index.js'
export { createServiceApp } from '../src/service-app.js'
