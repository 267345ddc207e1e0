// The Nostr baseline of the offline bench: a NIP-17 inbox on the dm bench's local relay
// (bench/lib/dm-nostr.ts). The sender publishes `count` gift-wrapped DMs while the recipient is
// not connected; then the clock runs from the recipient opening its WebSocket and subscribing
// (kind 1059, #p = its key) to having unwrapped all `count`. This module knows nothing of Kith.
import { performance } from 'node:perf_hooks'
import * as nip17 from 'nostr-tools/nip17'
import { generateSecretKey, getPublicKey, type NostrEvent } from 'nostr-tools/pure'
import WebSocket from 'ws'
import { GIFT_WRAP_KIND, startRelay } from './dm-nostr.js'

async function connect(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false })
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  return ws
}

export interface NostrOfflineResult {
  count: number
  /** Recipient connects + subscribes → all `count` unwrapped, ms. */
  returnMs: number
  /** Mean JSON size of the gift wraps the relay holds, bytes. */
  wrapBytes: number
  /** Events the relay held before the recipient came back. */
  held: number
}

export async function nostrOffline(
  count: number,
  text: (i: number) => string,
): Promise<NostrOfflineResult> {
  const relay = await startRelay()
  try {
    const senderKey = generateSecretKey()
    const recipientKey = generateSecretKey()
    const recipientPub = getPublicKey(recipientKey)
    const sender = await connect(relay.url)
    const acks = new Map<string, (ok: boolean) => void>()
    sender.on('message', (data: Buffer) => {
      const msg = JSON.parse(data.toString('utf8')) as unknown[]
      if (msg[0] === 'OK') acks.get(msg[1] as string)?.(msg[2] === true)
    })
    let wrapBytes = 0
    for (let i = 0; i < count; i++) {
      const wrap: NostrEvent = nip17.wrapEvent(senderKey, { publicKey: recipientPub }, text(i))
      wrapBytes += JSON.stringify(wrap).length
      const ok = await new Promise<boolean>((resolve) => {
        acks.set(wrap.id, resolve)
        sender.send(JSON.stringify(['EVENT', wrap]))
      })
      acks.delete(wrap.id)
      if (!ok) throw new Error('nostr: the relay refused a gift wrap')
    }
    sender.close()
    const held = relay.stored()

    const t0 = performance.now()
    const recipient = new WebSocket(relay.url, { perMessageDeflate: false })
    const got = new Set<string>()
    let timer: NodeJS.Timeout | undefined
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`nostr: ${got.size} of ${count} in 120 s`)),
        120_000,
      )
      recipient.once('error', reject)
      recipient.once('open', () =>
        recipient.send(
          JSON.stringify(['REQ', 'inbox', { kinds: [GIFT_WRAP_KIND], '#p': [recipientPub] }]),
        ),
      )
      recipient.on('message', (data: Buffer) => {
        const msg = JSON.parse(data.toString('utf8')) as unknown[]
        if (msg[0] !== 'EVENT') return
        got.add(nip17.unwrapEvent(msg[2] as NostrEvent, recipientKey).content)
        if (got.size === count) resolve()
      })
    }).finally(() => clearTimeout(timer))
    const returnMs = performance.now() - t0
    recipient.close()
    for (let i = 0; i < count; i++) {
      if (!got.has(text(i))) throw new Error(`nostr: message ${i} not received`)
    }
    return { count, returnMs, wrapBytes: wrapBytes / count, held }
  } finally {
    await relay.close()
  }
}
