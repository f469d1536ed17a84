/** What `take` gives when its wait ran out with nothing taken. */
export const TIMED_OUT: unique symbol = Symbol('redproc.timedOut')

export type Popped = Buffer | typeof TIMED_OUT

/**
 * A value left at the tail of a list to say "nothing more will come" (a
 * queue's shutdown, a pipe's EOF). Every waiter must see it, so whoever pops
 * it puts it back, for as long as `flagField` of `flagKey` exists.
 */
export interface StickyToken {
  readonly token: string
  readonly flagKey: string
  readonly flagField: string
}

export interface BlockingPopOptions {
  /** Tokens to hand to every waiter rather than to one. @default [] */
  sticky?: readonly StickyToken[]
  /**
   * A list popped after the main one. Once the main key stops being a list
   * (a pop fails with WRONGTYPE), pops leave it for good and take from this
   * one only, and items given back go here: how a queue's items move under a
   * guard (see `Queue`). @default none
   */
  fallback?: string
  /** Told, after each pop that took items, which list they came from. */
  afterPop?: (from: string) => void
}
