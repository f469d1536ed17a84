import type { Redis } from 'ioredis'

interface Waiter<T> {
  resolve(value: T): void
  reject(error: unknown): void
}

/**
 * The plain queue a careful ioredis user writes by hand, the baseline of the
 * plain-queue workload: the puts of one event-loop turn go in one RPUSH, and
 * the gets waiting in a process share one BLMPOP … COUNT on one connection,
 * whose items go to the gets in order. JSON in, JSON out, no checks.
 */
export class HandBatchedQueue {
  private puts: Array<{ text: string } & Waiter<void>> = []
  private readonly items: string[] = []
  private readonly gets: Waiter<unknown>[] = []
  private popping = false

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
  ) {}

  put(item: unknown): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.puts.push({ text: JSON.stringify(item), resolve, reject }) === 1)
        setImmediate(() => this.sendPuts())
    })
  }

  get(): Promise<unknown> {
    const text = this.items.shift()
    if (text !== undefined) return Promise.resolve(JSON.parse(text))
    return new Promise((resolve, reject) => {
      this.gets.push({ resolve, reject })
      if (!this.popping) void this.pop()
    })
  }

  private sendPuts(): void {
    const batch = this.puts
    this.puts = []
    this.redis.rpush(this.key, ...batch.map((put) => put.text)).then(
      () => {
        for (const put of batch) put.resolve()
      },
      (error: unknown) => {
        for (const put of batch) put.reject(error)
      },
    )
  }

  /** Pops as many items as gets wait, blocking until there is one, while gets wait. */
  private async pop(): Promise<void> {
    this.popping = true
    try {
      while (this.gets.length > 0) {
        const reply = await this.redis.blmpop(0, 1, this.key, 'LEFT', 'COUNT', this.gets.length)
        this.items.push(...(reply?.[1] ?? []))
        while (this.gets.length > 0 && this.items.length > 0)
          this.gets.shift()?.resolve(JSON.parse(this.items.shift() as string))
      }
    } catch (error) {
      for (const get of this.gets.splice(0)) get.reject(error)
    } finally {
      this.popping = false
    }
  }
}
