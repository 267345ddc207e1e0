// A 10,000-message conversation in the web app in real Chromium (docs/web.md "Long histories"):
// the messages are written straight into a stopped daemon's store, the page loads them with
// "Load older messages", and the virtualised list keeps the DOM to a screen's worth of rows while
// scrolling from the newest to the oldest. Frame times while scrolling are measured in the page and
// printed, not asserted (a loaded 2-core machine says little about a user's machine). Skipped
// only when Chromium is not installed.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'
import { openStore } from '../../src/daemon/local.js'
import {
  json,
  startDaemon,
  until,
  stopAll,
  stopDaemon,
  type Daemon,
} from '../integration/harness.js'

const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
const COUNT = 10_000
/** The most message rows the virtualised list may have in the DOM at once (a tall screen's worth
 *  plus overscan; the whole history would be COUNT). */
const MAX_DOM_ROWS = 300

interface Probe {
  frames: number
  p50: number
  p95: number
  max: number
  maxRows: number
  height: number
}

/** Runs in the page (a string: this file is type-checked without the DOM's types). Scrolls the
 *  message list from the bottom to the top, 1,500 px per animation frame, recording each frame's
 *  duration and the most message rows present in the DOM at once. */
const SCROLL_PROBE = `(async () => {
  const box = document.querySelector('.messages')
  const frame = () => new Promise((r) => requestAnimationFrame(r))
  box.scrollTop = box.scrollHeight
  await frame()
  const frames = []
  let maxRows = 0
  let last = performance.now()
  for (let i = 0; i < 2000 && box.scrollTop > 0; i++) {
    box.scrollTop = Math.max(0, box.scrollTop - 1500)
    await frame()
    const now = performance.now()
    frames.push(now - last)
    last = now
    maxRows = Math.max(maxRows, box.querySelectorAll('[data-id]').length)
  }
  for (let i = 0; i < 5; i++) await frame()
  frames.sort((x, y) => x - y)
  const q = (p) => frames[Math.min(frames.length - 1, Math.floor(p * frames.length))]
  return { frames: frames.length, p50: q(0.5), p95: q(0.95), max: frames[frames.length - 1],
    maxRows, height: box.scrollHeight }
})()`

const skip = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is not installed (apt-get install chromium)`

describe('a 10,000-message history in Chromium', { skip }, () => {
  const homes: string[] = []
  let dora: Daemon
  let browser: Browser

  before(async () => {
    execFileSync(process.execPath, ['scripts/build-web.mjs'], { stdio: 'ignore' })
    dora = await startDaemon('dora')
    const eve = await startDaemon('eve')
    homes.push(dora.home, eve.home)
    const { link } = await json<{ link: string }>(eve.home, ['invite'])
    await json(dora.home, ['contacts', 'add', link, '--name', 'eve'])
    await stopDaemon(eve)
    await stopDaemon(dora)
    // Straight into Dora's store while her daemon is stopped: alternating in and out.
    const store = openStore(dora.home)
    const base = Date.now() - COUNT * 1000
    store.transaction(() => {
      for (let i = 0; i < COUNT; i++) {
        const out = i % 2 === 1
        store.insertMessage({
          id: randomBytes(16).toString('hex'),
          conversation: eve.peerId,
          from: out ? dora.peerId : eve.peerId,
          direction: out ? 'out' : 'in',
          seq: i,
          text: `message ${i}${i % 7 === 0 ? ' — a longer one that wraps onto a second line on a phone-sized screen, to vary row heights' : ''}`,
          sentAt: base + i * 1000,
          receivedAt: base + i * 1000,
          status: out ? 'delivered' : 'read',
        })
      }
    })
    store.close()
    dora = await startDaemon('dora', dora.home, dora.port)
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  })

  after(async () => {
    await browser?.close()
    stopAll(homes)
  })

  it('loads all of it and scrolls from newest to oldest with a screen’s worth of rows', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    const page = await ctx.newPage()
    page.setDefaultTimeout(60_000)
    const { url } = await json<{ url: string }>(dora.home, ['web', '--no-open'])
    await page.goto(url)
    await page.getByRole('button', { name: 'Continue' }).click()
    const eve = (await json<{ peerId: string; name: string }[]>(dora.home, ['contacts', 'list']))[0]
    const started = Date.now()
    await page.goto(`${dora.api}/#/chat/direct/${eve?.peerId ?? ''}`)
    await page.locator('.msg', { hasText: `message ${COUNT - 1}` }).waitFor()
    const firstPageMs = Date.now() - started
    const older = page.getByRole('button', { name: 'Load older messages' })
    let loads = 0
    const loadStart = Date.now()
    const count = async () => Number(await page.locator('.messages').getAttribute('data-count'))
    while ((await older.count()) > 0 && loads < 10) {
      const had = await count()
      await older.click()
      loads++
      await until('more messages loaded', async () => (await count()) > had, 60_000, 50)
    }
    assert.equal(await count(), COUNT, 'all of it loaded')
    const loadAllMs = Date.now() - loadStart
    // Scroll from the bottom to the top in steps, one per frame, measuring frame times.
    const m = await page.evaluate<Probe>(SCROLL_PROBE)
    await page
      .locator('.msg', { hasText: /^message 0 —/ })
      .first()
      .waitFor()
    console.log(
      `# 10k messages: first page ${firstPageMs} ms; ${loads} "load older" to all in ${loadAllMs} ms; ` +
        `scroll ${m.frames} frames p50 ${m.p50.toFixed(1)} ms p95 ${m.p95.toFixed(1)} ms ` +
        `max ${m.max.toFixed(1)} ms; at most ${m.maxRows} rows in the DOM (list ${m.height} px)`,
    )
    assert.ok(m.maxRows > 0 && m.maxRows <= MAX_DOM_ROWS, `${m.maxRows} rows in the DOM`)
    assert.ok(m.frames > 10, 'it scrolled through the whole list')
    await ctx.close()
  })
})
