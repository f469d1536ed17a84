import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Request, RequestHandler, Response } from 'express'
import { bearerAuth, sameSecret } from '../src/index.js'

/** A long key, so that a compare that stops at the first wrong character would take visibly less. */
const KEY = 'k'.repeat(16_384)
/** Wrong in its last character: a prefix-dependent compare reads the whole key before it fails. */
const RIGHT_PREFIX = `${KEY.slice(0, -1)}x`
/** Wrong in its first character: such a compare fails at once. */
const WRONG_PREFIX = `x${KEY.slice(1)}`

type Check = (candidate: string) => unknown

/** The middleware as a request meets it: header in, 401 out through next(). */
function middlewareCheck(handler: RequestHandler): Check {
  const res = { setHeader() {} } as unknown as Response
  return (candidate) => {
    const req = { headers: { authorization: `Bearer ${candidate}` } } as Request
    handler(req, res, () => {})
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

/**
 * Times batches of checks of the two candidates, interleaved so that the
 * machine's other load falls on both alike, and returns how far apart their
 * medians are, relative to the faster one.
 */
function prefixEffect(check: Check, samples = 300, batch = 10): number {
  const times: Record<string, number[]> = { right: [], wrong: [] }
  for (let i = 0; i < samples; i++) {
    const order = i % 2 === 0 ? (['right', 'wrong'] as const) : (['wrong', 'right'] as const)
    for (const which of order) {
      const candidate = which === 'right' ? RIGHT_PREFIX : WRONG_PREFIX
      const start = process.hrtime.bigint()
      for (let j = 0; j < batch; j++) check(candidate)
      times[which]?.push(Number(process.hrtime.bigint() - start))
    }
  }
  const right = median(times.right as number[])
  const wrong = median(times.wrong as number[])
  return Math.abs(right - wrong) / Math.min(right, wrong)
}

/** The smallest effect of up to three runs: noise rarely strikes thrice, a leak always shows. */
function smallestPrefixEffect(check: Check): number {
  let smallest = Number.POSITIVE_INFINITY
  for (let run = 0; run < 3 && smallest >= 0.1; run++) {
    smallest = Math.min(smallest, prefixEffect(check))
  }
  return smallest
}

describe('the key compare takes as long for a key wrong in its last character as in its first', () => {
  it('sameSecret, which the Bearer check and the dashboard login use', (t) => {
    const check: Check = (candidate) => sameSecret(candidate, KEY)
    const effect = smallestPrefixEffect(check)
    t.diagnostic(`medians differ by ${(effect * 100).toFixed(1)}%`)
    assert.ok(effect < 0.1, `the time depends on the prefix: medians differ by ${effect}`)
  })

  it('the Bearer middleware as a request meets it', (t) => {
    const check = middlewareCheck(bearerAuth(KEY))
    const effect = smallestPrefixEffect(check)
    t.diagnostic(`medians differ by ${(effect * 100).toFixed(1)}%`)
    assert.ok(effect < 0.1, `the time depends on the prefix: medians differ by ${effect}`)
  })

  it('while the same measure sees the prefix in a plain === compare', (t) => {
    const effect = prefixEffect((candidate) => candidate === KEY)
    t.diagnostic(`a plain compare: medians differ by ${(effect * 100).toFixed(0)}%`)
    assert.ok(effect > 0.5, `the measure cannot see a leak: medians differ by only ${effect}`)
  })
})
