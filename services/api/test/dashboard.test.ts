import assert from 'node:assert/strict'
import { existsSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { startConsumer } from '@redproc/test-support'
import { chromium, type Page } from 'playwright-core'
import { AUTHKEY, startApi } from './support/api.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
/** Waits until the unfinished count the page shows for queue 'jobs' satisfies `holds`. */
async function untilUnfinished(page: Page, holds: (count: number) => boolean): Promise<void> {
  const cell = page.locator('[data-queue="jobs"] [data-count="unfinished"]')
  const end = Date.now() + 30_000
  while (!holds(Number(await cell.textContent()))) {
    if (Date.now() > end) throw new Error(`the page shows ${await cell.textContent()} unfinished`)
    await page.waitForTimeout(50)
  }
}
/** The README's picture is refreshed on request only, so a test run leaves the tree clean. */
const SCREENSHOT = process.env.UPDATE_SCREENSHOT
  ? fileURLToPath(new URL('../../../docs/images/dashboard.png', import.meta.url))
  : join(tmpdir(), `redproc-dashboard-${process.pid}.png`)

it('the dashboard logs in, shows a queue counting while jobs run, and a worker go live then dead', {
  skip: existsSync(CHROMIUM)
    ? false
    : `no browser at ${CHROMIUM} (.ci/run installs Debian's chromium)`,
}, async (t) => {
  const api = await startApi(t)
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  t.after(() => browser.close())
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } })
  await page.goto(`${api.url}/`)
  await page.locator('#login').waitFor()
  await page.fill('#authkey', 'wrong key')
  await page.click('#login button[type=submit]')
  await page.locator('#login-error', { hasText: 'not the authkey' }).waitFor()
  await page.fill('#authkey', AUTHKEY)
  await page.click('#login button[type=submit]')
  await page.locator('#app').waitFor()
  assert.equal(page.url(), `${api.url}/`, 'the key never reaches the URL')

  await api.mp.dict('settings').set('mode', 'fast')
  await api.mp.lock('deploy').acquire()
  // A consumer service, as it runs in production: its own process, the default tasks.
  const consumer = await startConsumer(t, {
    namespace: api.mp.options.namespace,
    args: ['--queue', 'jobs', '--concurrency', '2', '--heartbeat-ms', '200'],
  })
  const worker = page.locator(`#workers tr[data-state="live"]`)
  await worker.waitFor()
  // Each job waits 50 ms like a call to another service, so the page sees the queue busy.
  const items = Array.from({ length: 60 }, () => 50)
  const results = api.mp.pool({ queue: 'jobs' }).map('io', items, { chunksize: 1 })
  await untilUnfinished(page, (count) => count > 0)
  await page.locator('#sync td', { hasText: 'deploy' }).waitFor()
  await page.click('#refresh-objects')
  await page.locator('#objects button', { hasText: 'settings' }).click()
  await page.locator('#object-view', { hasText: '"mode": "fast"' }).waitFor()
  await page.screenshot({ path: SCREENSHOT, fullPage: true })
  assert.ok(existsSync(SCREENSHOT))
  if (!process.env.UPDATE_SCREENSHOT) rmSync(SCREENSHOT)
  assert.equal((await results).length, items.length)
  await untilUnfinished(page, (count) => count === 0)
  // The jobs are gone once finished; the rate counts them still.
  await page.locator('[data-queue="jobs"] .rate', { hasText: /^[1-9]|^0\.[1-9]/ }).waitFor()

  consumer.signal('SIGTERM')
  await consumer.exited
  await page.locator('#workers tr[data-state="dead"]').waitFor()
  assert.equal(
    await page.locator('#workers tr[data-state="live"]').count(),
    0,
    'the stopped worker is no longer live',
  )
  await api.mp
    .lock('deploy')
    .release()
    .catch(() => undefined)
})
