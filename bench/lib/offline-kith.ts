// The Kith side of the offline bench: a `kith relay` R and daemons A and B bootstrapped from it,
// driven as test/integration/offline.test.ts drives them (a bench must not import from test/).
// A adds B's invite and sends one message B acks, until A holds B's card naming R as a mailbox;
// B stops; A queues `count` messages through its API and waits until every one is `sent` (held
// by a mailbox); R's holdings are read from `kith status --json`; A stops; then B is spawned again
// (same home, port and bootstrap) and the clock runs until B's GET /v1/messages lists all
// `count`. This module owns that scenario and the check that each message arrived exactly once
// and in order; it knows nothing of baselines or output.
import { execFile } from 'node:child_process'
import { createServer } from 'node:net'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { api, KITH, newHome, spawnUntilReady, stopChild, type Daemon } from './dm-daemons.js'

/** How often B's stored messages are polled while it fetches. */
export const POLL_MS = 20
/** Waiting for any one step (card, deposits, fetch) longer than this is a failure. */
const STEP_TIMEOUT_MS = 120_000

interface MessageRow {
  id: string
  direction: 'in' | 'out'
  text: string
  status: string
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}

/** Spawns `kith daemon|relay` in `home` on a fixed port; resolves at its ready line. */
async function start(
  name: string,
  command: 'daemon' | 'relay',
  home: string,
  port: number,
  bootstrap: string[] = [],
): Promise<Daemon> {
  const args = [
    '--home',
    home,
    command,
    '--json',
    '--no-mdns',
    '--listen',
    `/ip4/127.0.0.1/tcp/${port}`,
  ]
  for (const b of bootstrap) args.push('--bootstrap', b)
  const child = await spawnUntilReady(name, KITH, args)
  return {
    ...child,
    home,
    peerId: child.ready.peerId as string,
    api: child.ready.api as string,
    port,
    token: readFileSync(join(home, 'api-token'), 'utf8').trim(),
  }
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, everyMs = 100): Promise<T> {
  const end = Date.now() + STEP_TIMEOUT_MS
  for (;;) {
    const v = await fn()
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error(`offline: timed out waiting for ${what}`)
    await sleep(everyMs)
  }
}

/** `kith status --json` of a running node (the CLI, as a user would read it). */
function status(home: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(KITH, ['--home', home, 'status', '--json'], (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`kith status: ${err.message} ${stderr}`))
      else resolve(JSON.parse(stdout) as Record<string, unknown>)
    })
  })
}

export interface KithOfflineResult {
  count: number
  /** Spawn of B's second start → B's store lists all `count`, ms. */
  returnMs: number
  /** Spawn → ready line of that start, ms (part of returnMs). */
  readyMs: number
  /** R's mailbox usage while it held the messages. */
  held: { bytes: number; items: number }
  /** Time for A to get all `count` to `sent` (deposits), ms; context only. */
  depositMs: number
}

export async function kithOffline(
  count: number,
  text: (i: number) => string,
): Promise<KithOfflineResult> {
  const started: Daemon[] = []
  const stop = (d: Daemon) => stopChild(d.proc)
  try {
    const [rPort, aPort, bPort] = await Promise.all([freePort(), freePort(), freePort()])
    const r = await start('relay', 'relay', newHome('relay'), rPort)
    started.push(r)
    const boot = [`/ip4/127.0.0.1/tcp/${r.port}/p2p/${r.peerId}`]
    const [a, b] = await Promise.all([
      start('a', 'daemon', newHome('a'), aPort, boot),
      start('b', 'daemon', newHome('b'), bPort, boot),
    ])
    started.push(a, b)
    const { link } = await api<{ link: string }>(b, 'GET', '/v1/invite')
    await api(a, 'POST', '/v1/contacts', { link, name: 'b' })
    const hello = await api<{ id: string }>(a, 'POST', '/v1/messages', {
      contact: b.peerId,
      text: 'hello b',
    })
    await until('the first message delivered', async () => {
      const ms = await api<MessageRow[]>(a, 'GET', `/v1/messages?contact=${b.peerId}`)
      return ms.find((m) => m.id === hello.id)?.status === 'delivered' ? true : undefined
    })
    await until('A has B’s card naming R as a mailbox', async () => {
      const cs = await api<{ peerId: string; mailboxes: string[] }[]>(a, 'GET', '/v1/contacts')
      return cs.find((c) => c.peerId === b.peerId)?.mailboxes.includes(r.peerId) ? true : undefined
    })

    await stop(b)
    const t0 = performance.now()
    const ids: string[] = []
    for (let i = 0; i < count; i++) {
      const m = await api<{ id: string }>(a, 'POST', '/v1/messages', {
        contact: b.peerId,
        text: text(i),
      })
      ids.push(m.id)
    }
    await until(`all ${count} sent (held by a mailbox)`, async () => {
      const ms = await api<MessageRow[]>(
        a,
        'GET',
        `/v1/messages?contact=${b.peerId}&limit=${count + 10}`,
      )
      const byId = new Map(ms.map((m) => [m.id, m.status]))
      return ids.every((id) => byId.get(id) === 'sent') ? true : undefined
    })
    const depositMs = performance.now() - t0
    const st = (await status(r.home)) as {
      metrics?: { mailbox?: { usage?: { bytes: number; items: number } } }
    }
    const usage = st.metrics?.mailbox?.usage
    if (usage === undefined) throw new Error('offline: no metrics.mailbox.usage in R’s status')
    await stop(a)

    const b2 = await start('b', 'daemon', b.home, b.port, boot)
    started.push(b2)
    const got = await until(
      `B stores all ${count}`,
      async () => {
        const ms = await api<MessageRow[]>(
          b2,
          'GET',
          `/v1/messages?contact=${a.peerId}&limit=${count + 10}`,
        )
        const inc = ms.filter((m) => m.direction === 'in' && m.text !== 'hello b')
        return inc.length >= count ? inc : undefined
      },
      POLL_MS,
    )
    const returnMs = performance.now() - b2.spawnedAt
    const texts = got.map((m) => m.text)
    if (new Set(got.map((m) => m.id)).size !== got.length || got.length !== count)
      throw new Error(`offline: B stored ${got.length} messages for ${count} sent (duplicates)`)
    const want = Array.from({ length: count }, (_, i) => text(i))
    if (texts.join('\n') !== want.join('\n') && [...texts].reverse().join('\n') !== want.join('\n'))
      throw new Error('offline: B’s messages differ from what A sent, or are out of order')
    return { count, returnMs, readyMs: b2.readyMs, held: usage, depositMs }
  } finally {
    await Promise.all(started.map(stop))
  }
}
