// `npm run bench -- offline [--smoke]`: offline delivery through a mailbox, against a Nostr NIP-17
// inbox relay, in one run (docs/performance.md "Offline delivery").
//   return  daemon B is away while A queues N = 100 messages (N = 10 with --smoke), which a
//           `kith relay` R holds; A leaves; time from spawning B again to B's store listing all N
//           (polled every 20 ms), and the spawn → ready part of it. Baseline: N gift-wrapped DMs
//           published to a local Nostr relay while the recipient is away; time from the
//           recipient connecting and subscribing to having unwrapped all N.
//   bytes   R's mailbox usage (bytes ÷ items, from `kith status --json`) while it holds the N,
//           against the JSON of a NIP-17 gift wrap of the same text.
// The last lines are the summary, one per figure: `offline <metric>: kith <x> nostr <y> ratio
// <z>`, the ratio being nostr ÷ kith (> 1: Kith does better). Asserts nothing about speed, only
// that every message arrived exactly once and in order.
import '../src/platform/polyfill.js'
import { cpus, loadavg } from 'node:os'
import { noExtraArgs, type BenchOptions } from './lib/bench.js'
import { closeApiClients, stopAll } from './lib/dm-daemons.js'
import { fixed, int } from './lib/measure.js'
import { kithOffline, POLL_MS } from './lib/offline-kith.js'
import { nostrOffline } from './lib/offline-nostr.js'

/** Message i of the run: a short text, distinct so order and duplicates can be checked. */
const text = (i: number) => `hello, this is offline message ${String(i).padStart(3, '0')}`

const ratio = (x: number) => (Number.isFinite(x) ? fixed(x, 2) : 'n/a')
const log = (s: string) => console.error(`offline: ${s}`)

export async function run({ smoke, args }: BenchOptions): Promise<void> {
  noExtraArgs('offline', args)
  const count = smoke ? 10 : 100
  console.log(
    `offline bench: Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ` +
      `load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}${smoke ? ' (smoke: numbers mean nothing)' : ''}`,
  )
  const summary: string[] = []
  const line = (metric: string, kith: string, nostr: string, r: number) =>
    summary.push(`offline ${metric}: kith ${kith} nostr ${nostr} ratio ${ratio(r)}`)
  try {
    log(`kith: relay R, daemons A and B; B away while A sends ${count}`)
    const k = await kithOffline(count, text)
    log(`nostr: ${count} NIP-17 DMs to an absent recipient`)
    const n = await nostrOffline(count, text)
    const perItem = k.held.bytes / k.held.items

    console.log(`\noffline delivery of ${count} messages (B polled every ${POLL_MS} ms):`)
    console.log(
      `  kith: A queued ${count} → all sent (deposited) in ${int(k.depositMs)} ms; ` +
        `R held ${k.held.items} items, ${k.held.bytes} B`,
    )
    console.log(
      `  kith: B spawn → all ${count} stored ${int(k.returnMs)} ms ` +
        `(spawn → ready ${int(k.readyMs)} ms, ready → all stored ${int(k.returnMs - k.readyMs)} ms)`,
    )
    console.log(
      `  nostr: relay held ${n.held} gift wraps; connect + REQ → all ${count} unwrapped ` +
        `${int(n.returnMs)} ms`,
    )
    console.log(
      `  bytes held per message: kith mailbox ${int(perItem)} B, nostr gift wrap JSON ` +
        `${int(n.wrapBytes)} B`,
    )
    console.log('')
    line(`return → ${count} stored (ms)`, int(k.returnMs), int(n.returnMs), n.returnMs / k.returnMs)
    line(
      `return → ${count} stored, after ready (ms)`,
      int(k.returnMs - k.readyMs),
      int(n.returnMs),
      n.returnMs / (k.returnMs - k.readyMs),
    )
    line('of which daemon spawn → ready (ms)', int(k.readyMs), 'n/a', NaN)
    line('bytes held per message (B)', int(perItem), int(n.wrapBytes), n.wrapBytes / perItem)
  } finally {
    await stopAll()
    closeApiClients()
  }
  for (const s of summary) console.log(s)
}
