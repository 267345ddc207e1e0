// `npm run bench -- web [--smoke]`: the web app's figures (issue 16, docs/web.md "Figures"), in
// Debian's Chromium (playwright-core) against two real daemons on 127.0.0.1.
//   bundle  the app's JS + CSS, gzip (goal ≤ 200 KB)
//   load    a logged-in page, from about:blank: navigation start → the conversation list rendered
//           (document, bundle from cache, session, profile, conversations), N times (goal ≤ 300
//           ms p50)
//   send    Enter in Alice's chat → the message in Bob's open chat (a MutationObserver in Bob's
//           page stamps its arrival; both pages share the machine's clock), N messages (goal ≤
//           50 ms p50). Baseline, same run: POST /v1/messages on Alice's API → the event on Bob's
//           /v1/events WebSocket, N messages: the ratio shows what the browser adds.
// Asserts nothing about speed; prints a table and one summary line per figure.
import '../src/platform/polyfill.js'
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { gzipSync } from 'node:zlib'
import { chromium } from 'playwright-core'
import WebSocket from 'ws'
import { api, json, startDaemon, stopAll, token, until } from '../test/integration/harness.js'
import { noExtraArgs, type BenchOptions } from './lib/bench.js'
import { percentile } from './lib/group-run.js'

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
const log = (s: string) => console.error(`web: ${s}`)
const ms = (x: number) => `${x.toFixed(1)} ms`

/** Installed in Bob's page: stamps when each message text first appears in the chat. */
const ARRIVALS = `(() => {
  window.__arrivals = {}
  new MutationObserver(() => {
    for (const el of document.querySelectorAll('.msg.in .text')) {
      const t = el.textContent
      if (!(t in window.__arrivals)) window.__arrivals[t] = Date.now()
    }
  }).observe(document.body, { subtree: true, childList: true, characterData: true })
})()`

export async function run({ smoke, args }: BenchOptions): Promise<void> {
  noExtraArgs('web', args)
  const n = smoke ? 3 : 30
  console.log(
    `web bench: Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load ` +
      `${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}${smoke ? ' (smoke: numbers mean nothing)' : ''}`,
  )
  execFileSync(process.execPath, ['scripts/build-web.mjs'], { stdio: 'ignore' })
  const assets = readdirSync('dist/web/assets')
  const gz = assets.reduce((s, f) => s + gzipSync(readFileSync(`dist/web/assets/${f}`)).length, 0)

  const homes: string[] = []
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS })
  try {
    log('daemons alice and bob')
    const alice = await startDaemon('alice')
    const bob = await startDaemon('bob')
    homes.push(alice.home, bob.home)
    const { link } = await json<{ link: string }>(bob.home, ['invite'])
    await json(alice.home, ['contacts', 'add', link, '--name', 'bob'])
    await json(alice.home, ['send', 'bob', 'hello', '--wait'])
    await until('bob has alice', async () =>
      (await api<{ peerId: string }[]>(bob, 'GET', '/v1/contacts')).some(
        (c) => c.peerId === alice.peerId,
      ),
    )
    const open = async (d: typeof alice) => {
      const ctx = await browser.newContext()
      const page = await ctx.newPage()
      await page.goto((await json<{ url: string }>(d.home, ['web', '--no-open'])).url)
      await page.getByRole('button', { name: 'Continue' }).click()
      await page.getByRole('navigation', { name: 'Main' }).waitFor()
      return page
    }
    const a = await open(alice)
    const b = await open(bob)

    log(`load × ${n}`)
    const loads: number[] = []
    for (let i = 0; i < n; i++) {
      await a.goto('about:blank')
      const t0 = Date.now()
      await a.goto(`${alice.api}/#/`)
      await a.locator('.row').first().waitFor()
      loads.push(Date.now() - t0)
    }

    log(`send page → page × ${n}`)
    await a.goto(`${alice.api}/#/chat/direct/${bob.peerId}`)
    await b.goto(`${bob.api}/#/chat/direct/${alice.peerId}`)
    await b.locator('.msg.in').first().waitFor()
    await b.evaluate(ARRIVALS)
    const box = a.getByLabel('Message', { exact: true })
    const sent = new Map<string, number>()
    for (let i = 0; i < n; i++) {
      const text = `page message ${i}`
      await box.fill(text)
      sent.set(text, Date.now())
      await box.press('Enter')
      await b.locator('.msg.in .text', { hasText: new RegExp(`^${text}$`) }).waitFor()
    }
    const arrivals = await b.evaluate<Record<string, number>>('window.__arrivals')
    const pageLat = [...sent].map(([t, at]) => (arrivals[t] ?? NaN) - at)

    log(`send API → events socket × ${n}`)
    const ws = new WebSocket(`${bob.api.replace('http', 'ws')}/v1/events`, {
      headers: { Authorization: `Bearer ${token(bob.home)}` },
    })
    await new Promise((r) => ws.once('open', r))
    const got = new Map<string, number>()
    ws.on('message', (d: Buffer) => {
      const e = JSON.parse(d.toString()) as { event: string; message?: { text: string } }
      if (e.event === 'message' && e.message !== undefined) got.set(e.message.text, Date.now())
    })
    const apiLat: number[] = []
    for (let i = 0; i < n; i++) {
      const text = `api message ${i}`
      const t0 = Date.now()
      await api(alice, 'POST', '/v1/messages', { contact: 'bob', text })
      await until('event', () => Promise.resolve(got.get(text)), 30_000, 1)
      apiLat.push((got.get(text) ?? NaN) - t0)
    }
    ws.close()

    const p50 = (xs: number[]) => percentile(xs, 0.5)
    console.log(`bundle (JS + CSS, gzip): ${(gz / 1024).toFixed(1)} KB`)
    console.log(
      `load: p50 ${ms(p50(loads))} p95 ${ms(percentile(loads, 0.95))}; send page→page: p50 ` +
        `${ms(p50(pageLat))} p95 ${ms(percentile(pageLat, 0.95))}; API→socket p50 ${ms(p50(apiLat))}`,
    )
    console.log(`web bundle: ${(gz / 1024).toFixed(1)} KB gzip goal 200 KB`)
    console.log(`web load: p50 ${ms(p50(loads))} goal 300 ms`)
    console.log(
      `web send: page ${ms(p50(pageLat))} api ${ms(p50(apiLat))} ratio ` +
        `${(p50(pageLat) / p50(apiLat)).toFixed(2)} goal 50 ms`,
    )
  } finally {
    await browser.close()
    stopAll(homes)
  }
}
