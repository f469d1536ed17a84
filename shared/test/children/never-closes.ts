// Uses its context and ends without closing it: the process must still exit
// by itself, with what it wrote and acknowledged in Redis, as in Python.
import { type ChildConfig, childContext, report } from '../support/child-context.js'

type Mode = 'writes' | 'blocked-get' | 'holding-lock'

const { mp, config } = await childContext<ChildConfig & { mode: Mode }>()

if (config.mode === 'writes') {
  await mp.dict('d').set('k', 'v')
  // Neither put is awaited, nor the ack: all must be in Redis once it exits.
  void mp.queue('q').put('plain')
  const jq = mp.joinableQueue<string>('jq')
  void jq.put('second')
  report(await jq.get())
  void jq.taskDone()
} else if (config.mode === 'blocked-get') {
  report('waiting')
  report(await mp.queue('q').get())
} else {
  report(await mp.lock('l').acquire())
}
