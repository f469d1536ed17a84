import { styleText } from 'node:util'

type Format = Parameters<typeof styleText>[0]

/** Styles text for one stream: colours on a terminal, plain text anywhere else. */
export type Paint = (format: Format, text: string) => string

/**
 * The paint for `stream`: colours when it is a terminal that shows them
 * (`NO_COLOR` turns them off) or when `FORCE_COLOR` asks for them.
 */
export function paintFor(stream: NodeJS.WriteStream): Paint {
  const forced = process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0'
  const colours = forced || (stream.isTTY === true && stream.hasColors())
  return colours ? (format, text) => styleText(format, text) : (_format, text) => text
}

/** A column of a table: its heading, and numbers line up on the right. */
export interface Column {
  heading: string
  align?: 'left' | 'right'
}

/** Rows under headings, each column as wide as its widest cell; `empty` stands for no rows. */
export function table(columns: Column[], rows: string[][], paint: Paint, empty: string): string {
  if (rows.length === 0) return paint('dim', empty)
  const widths = columns.map((column, i) =>
    Math.max(column.heading.length, ...rows.map((row) => (row[i] ?? '').length)),
  )
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => {
        const width = widths[i] ?? 0
        return columns[i]?.align === 'right' ? cell.padStart(width) : cell.padEnd(width)
      })
      .join('  ')
      .trimEnd()
  const heading = paint('bold', line(columns.map((column) => column.heading)))
  return [heading, ...rows.map(line)].join('\n')
}

/** A duration for people: `850 ms`, `12.5 s`, `3 m 20 s`, `2 h 5 m`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  const seconds = Math.floor(ms / 1000)
  if (seconds < 3600) return `${Math.floor(seconds / 60)} m ${seconds % 60} s`
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} m`
}

/** What a command prints: its result as JSON for scripts, or as text for people. */
export function print(json: boolean, result: unknown, human: (paint: Paint) => string): void {
  const text = json ? JSON.stringify(result, null, 2) : human(paintFor(process.stdout))
  process.stdout.write(`${text}\n`)
}
