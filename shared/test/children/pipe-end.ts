// Opens one end of a pipe and runs `steps` on it in order, printing what each
// gave: { value } / { bytes: base64 } / { ready } / { error: code }.
import { isRedprocError, type Json } from '../../src/index.js'
import { type ChildConfig, childContext, report } from '../support/child-context.js'

type Step =
  | { send: Json }
  | { sendBytes: string }
  | { recv: { timeout?: number } }
  | { recvBytes: { timeout?: number } }
  | { poll: number }
  | { close: true }

/** What one step gave; the child reports one per step, in order. */
export interface StepResult {
  value?: Json
  bytes?: string
  ready?: boolean
  error?: string
}

interface Config extends ChildConfig {
  name: string
  end: 0 | 1
  duplex?: boolean
  steps: Step[]
}

const { mp, config } = await childContext<Config>()
const conn = mp.pipe(config.name, { duplex: config.duplex ?? true })[config.end]
const results: StepResult[] = []
for (const step of config.steps) {
  try {
    if ('send' in step) {
      await conn.send(step.send)
      results.push({ value: null })
    } else if ('sendBytes' in step) {
      await conn.sendBytes(Buffer.from(step.sendBytes, 'base64'))
      results.push({ value: null })
    } else if ('recv' in step) results.push({ value: await conn.recv(step.recv) })
    else if ('recvBytes' in step) {
      results.push({ bytes: (await conn.recvBytes(step.recvBytes)).toString('base64') })
    } else if ('poll' in step) results.push({ ready: await conn.poll(step.poll) })
    else {
      await conn.close()
      results.push({ value: null })
    }
  } catch (error) {
    if (!isRedprocError(error)) throw error
    results.push({ error: error.code })
  }
}
report(results)
await mp.close()
