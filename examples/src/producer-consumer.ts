// The seed's producer / consumer program: a JoinableQueue of tasks, a Queue
// of results, and a null sentinel that stops the consumer.
//
//   def producer(in_queue):
//       while 1:
//           wt = random()
//           time.sleep(wt)
//           in_queue.put((double, wt))
//           if wt > 0.9:
//               in_queue.put(None)
//               print 'stop producer'
//               break
//
//   def consumer(in_queue, out_queue):
//       while 1:
//           task = in_queue.get()
//           if task is None:
//               break
//           func, arg = task
//           result = func(arg)
//           in_queue.task_done()
//           out_queue.put(result)
//
//   main: start both, tasks_queue.join(), join both processes, then print
//   'Result:', result for each result until results_queue.empty().
//
// A function cannot cross processes, so a task names it ({ task: 'double' })
// and the consumer looks it up: how redproc's pools work too.
//
// Run: npm run producer-consumer --workspace examples
//   REDIS_URL (default local); PRODUCER_SLEEP_MS scales the producer's random
//   sleep (default 1000: random() seconds, as in the seed).
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { connect } from '@redproc/shared'
import { startProcess } from './process.js'

type Task = { task: 'double'; arg: number } | null

const functions = {
  double: (n: number) => n * 2,
}

const namespace = 'example-producer-consumer'
const sleepScaleMs = Number(process.env.PRODUCER_SLEEP_MS ?? 1000)
const [role, tasksName = '', resultsName = ''] = process.argv.slice(2)

if (role === 'producer') {
  await using mp = await connect({ namespace })
  const inQueue = mp.joinableQueue<Task>(tasksName)
  while (true) {
    const wt = Math.random()
    await sleep(wt * sleepScaleMs)
    await inQueue.put({ task: 'double', arg: wt })
    if (wt > 0.9) {
      await inQueue.put(null)
      console.log('stop producer')
      break
    }
  }
} else if (role === 'consumer') {
  await using mp = await connect({ namespace })
  const inQueue = mp.joinableQueue<Task>(tasksName)
  const outQueue = mp.queue<number>(resultsName)
  while (true) {
    const task = await inQueue.get()
    if (task === null) {
      // The seed breaks here without task_done(), so its join() waits forever.
      inQueue.taskDone()
      break
    }
    const result = functions[task.task](task.arg)
    inQueue.taskDone()
    await outQueue.put(result)
  }
} else {
  await using mp = await connect({ namespace })
  // Fresh names play the part of the queue objects handed to each Process.
  const run = randomUUID().slice(0, 8)
  const tasksQueue = mp.joinableQueue<Task>(`tasks-${run}`)
  const resultsQueue = mp.queue<number>(`results-${run}`)

  const url = new URL(import.meta.url)
  const processes = [
    startProcess(url, ['producer', tasksQueue.name]),
    startProcess(url, ['consumer', tasksQueue.name, resultsQueue.name]),
  ]

  await tasksQueue.join()
  for (const p of processes) {
    if ((await p.exited) !== 0) throw new Error('a child process failed')
  }

  while (!(await resultsQueue.empty())) {
    console.log('Result:', await resultsQueue.get())
  }
}
