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
import { type Context, connect, currentProcess } from '@redproc/shared'

type Task = { task: 'double'; arg: number } | null

const functions = {
  double: (n: number) => n * 2,
}

const namespace = 'example-producer-consumer'
const sleepScaleMs = Number(process.env.PRODUCER_SLEEP_MS ?? 1000)
export async function producer(mp: Context, tasksName: string): Promise<void> {
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
}

export async function consumer(mp: Context, tasksName: string, resultsName: string): Promise<void> {
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
}

// Python's `if __name__ == '__main__':` — the children import this module for their tasks.
if (currentProcess().name === 'MainProcess') {
  await using mp = await connect({ namespace })
  // Fresh names play the part of the queue objects handed to each Process.
  const run = randomUUID().slice(0, 8)
  const tasksQueue = mp.joinableQueue<Task>(`tasks-${run}`)
  const resultsQueue = mp.queue<number>(`results-${run}`)

  const tasks = new URL(import.meta.url)
  const processes = [
    mp.process({ target: 'producer', args: [tasksQueue.name], tasks }),
    mp.process({ target: 'consumer', args: [tasksQueue.name, resultsQueue.name], tasks }),
  ]
  for (const p of processes) p.start()

  await tasksQueue.join()
  for (const p of processes) {
    await p.join()
    if (p.exitCode !== 0) throw new Error('a child process failed')
  }

  while (!(await resultsQueue.empty())) {
    console.log('Result:', await resultsQueue.get())
  }
}
