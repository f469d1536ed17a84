// What a joinable queue hands its consumers: the items taken, and what came with them.

/** One item a consumer took: the BullMQ job id, the token its lock holds, its JSON. */
export interface Taken {
  readonly id: string
  readonly token: string
  readonly data: string
  /** Whether a put counted it as unfinished (read by the take, for the ack). */
  readonly counted: boolean
}

/** What a queue's state says about shutdown: not shut down, graceful or immediate. */
export type ShutdownState = '' | 'graceful' | 'immediate'

export interface TakeResult {
  shutdown: ShutdownState
  items: Taken[]
}

/** Where a finished run left its job; 'lost' when the job's lease had passed to another consumer. */
export type FinishedAs = 'completed' | 'failed' | 'retrying' | 'lost'
