/** Every workload of the benchmark, in the numbering of the report. */
import type { Workload } from '../workload.js'
import { codec } from './codec.js'
import { dict } from './dict.js'
import { http } from './http.js'
import { joinableQueue } from './joinable-queue.js'
import { locks } from './locks.js'
import { managerHttp } from './manager-http.js'
import { memory } from './memory.js'
import { plainQueue } from './plain-queue.js'
import { pool } from './pool.js'
import { putRate } from './put-rate.js'
import { scaleOut, scaleOutUnavailable } from './scale-out.js'

export interface Entry {
  number: number
  /** The workload, or why it is not measured yet. */
  workload?: Workload
  id: string
  title: string
  pending?: string
}

export const ENTRIES: Entry[] = [
  { number: 1, id: joinableQueue.id, title: joinableQueue.title, workload: joinableQueue },
  { number: 2, id: putRate.id, title: putRate.title, workload: putRate },
  { number: 3, id: plainQueue.id, title: plainQueue.title, workload: plainQueue },
  { number: 4, id: dict.id, title: dict.title, workload: dict },
  { number: 5, id: locks.id, title: locks.title, workload: locks },
  { number: 6, id: pool.id, title: pool.title, workload: pool },
  { number: 7, id: http.id, title: http.title, workload: http },
  { number: 8, id: memory.id, title: memory.title, workload: memory },
  { number: 9, id: managerHttp.id, title: managerHttp.title, workload: managerHttp },
  scaleOutUnavailable
    ? { number: 10, id: scaleOut.id, title: scaleOut.title, pending: scaleOutUnavailable }
    : { number: 10, id: scaleOut.id, title: scaleOut.title, workload: scaleOut },
  { number: 11, id: codec.id, title: codec.title, workload: codec },
]
