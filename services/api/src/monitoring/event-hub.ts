/** One server-sent event; those with an id are kept for `Last-Event-ID` resume. */
export interface HubEvent {
  id?: number
  type: string
  data: unknown
}

type Listener = (event: HubEvent) => void

/**
 * Fans events out to the SSE connections, keeping the last `capacity`
 * numbered ones so a client that reconnects with `Last-Event-ID` gets what
 * it missed. Ids count up from 1 for the life of this process.
 */
export class EventHub {
  private readonly kept: Array<HubEvent & { id: number }> = []
  private readonly listeners = new Set<Listener>()
  private nextId = 1

  constructor(private readonly capacity = 1000) {}

  get subscribers(): number {
    return this.listeners.size
  }

  /** Publishes a numbered event, kept for resume. */
  publish(type: string, data: unknown): void {
    const event = { id: this.nextId++, type, data }
    this.kept.push(event)
    if (this.kept.length > this.capacity) this.kept.shift()
    for (const listener of this.listeners) listener(event)
  }

  /** Publishes an event without an id: the latest state, which a resume does not replay. */
  broadcast(type: string, data: unknown): void {
    for (const listener of this.listeners) listener({ type, data })
  }

  /** Numbered events after `lastId` still kept, then every new one; returns the unsubscribe. */
  subscribe(listener: Listener, lastId?: number): () => void {
    if (lastId !== undefined) {
      for (const event of this.kept) if (event.id > lastId) listener(event)
    }
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
