// The Nostr baseline of the dm bench: NIP-17 private DMs (a kind-14 rumor sealed in a kind-13
// seal, gift-wrapped in a kind-1059 event, NIP-59) through a relay on 127.0.0.1. The relay is
// @nostr-relay/core (the relay logic of nostr-relay, which checks every event's id and Schnorr
// signature) behind a `ws` WebSocketServer, over an in-memory event repository written here (the
// package ships none). Sender and recipient are plain WebSocket clients speaking NIP-01
// (["EVENT", …] → ["OK", …]; ["REQ", sub, {kinds:[1059], "#p":[me]}] → ["EVENT", sub, …]);
// nostr-tools does the wrapping and unwrapping. Everything runs in the bench's process.
// This module owns that setup and two measurements, one message at a time and a burst; it knows
// nothing of Kith.
import { EventRepository, EventUtils, LogLevel } from '@nostr-relay/common'
import type { Event, EventRepositoryUpsertResult, Filter } from '@nostr-relay/common'
import { NostrRelay } from '@nostr-relay/core'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { performance } from 'node:perf_hooks'
import * as nip17 from 'nostr-tools/nip17'
import { generateSecretKey, getPublicKey, type NostrEvent } from 'nostr-tools/pure'
import WebSocket, { WebSocketServer } from 'ws'

/** NIP-59 gift wrap. */
export const GIFT_WRAP_KIND = 1059

/** Events kept in a Map by id; queries scan (the bench's store holds at most a few thousand). */
class MemoryEventRepository extends EventRepository {
  readonly #events = new Map<string, Event>()

  isSearchSupported(): boolean {
    return false
  }

  upsert(event: Event): EventRepositoryUpsertResult {
    if (this.#events.has(event.id)) return { isDuplicate: true }
    this.#events.set(event.id, event)
    return { isDuplicate: false }
  }

  find(filter: Filter): Event[] {
    // The relay asks `{ids: [id]}` for every incoming event (duplicate check): answer from the map.
    if (filter.ids !== undefined && filter.ids.length === 1) {
      const e = this.#events.get(filter.ids[0]!)
      return e !== undefined && EventUtils.isMatchingFilter(e, filter) ? [e] : []
    }
    const out = [...this.#events.values()]
      .filter((e) => EventUtils.isMatchingFilter(e, filter))
      .sort((x, y) => y.created_at - x.created_at)
    return filter.limit === undefined ? out : out.slice(0, filter.limit)
  }

  destroy(): Promise<void> {
    this.#events.clear()
    return Promise.resolve()
  }

  get size(): number {
    return this.#events.size
  }
}

const quietLogger = {
  setLogLevel: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (message: string) => console.error(`nostr relay: ${message}`),
}

export interface LocalRelay {
  url: string
  /** Events the relay has stored. */
  stored(): number
  close(): Promise<void>
}

/** Starts a relay on 127.0.0.1 (any port) with an in-memory store and NIP-42 off. */
export async function startRelay(): Promise<LocalRelay> {
  const repo = new MemoryEventRepository()
  const relay = new NostrRelay(repo, { logger: quietLogger, logLevel: LogLevel.ERROR })
  // ws's own `port` option is left out of the project's minimal ws types (src/api/ws.d.ts): the
  // server upgrades requests of an HTTP server instead, as src/api/events.ts does.
  const server = createServer((_req, res) => res.writeHead(426).end())
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false })
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
  })
  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    relay.handleConnection(ws, req.socket.remoteAddress)
    ws.on('message', (data: Buffer) => {
      let msg: unknown
      try {
        msg = JSON.parse(data.toString('utf8'))
      } catch {
        return
      }
      if (!Array.isArray(msg)) return
      relay
        .handleMessage(ws, msg as Parameters<NostrRelay['handleMessage']>[1])
        .catch((err: unknown) => console.error('nostr relay:', err))
    })
    ws.on('close', () => relay.handleDisconnect(ws))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `ws://127.0.0.1:${port}`,
    stored: () => repo.size,
    async close() {
      for (const c of wss.clients) c.terminate()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await relay.destroy()
    },
  }
}

async function connect(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false })
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  return ws
}

/** A sender and a recipient connected to the relay; the recipient's inbox subscription is open. */
export interface NostrPair {
  /** Wraps `text` for the recipient (NIP-17) and publishes it; resolves on the relay's OK. */
  send(text: string): Promise<NostrEvent>
  /** Called when the recipient's subscription delivers a gift wrap, after unwrapping it.
   *  Returns a function that removes the listener. */
  onReceive(fn: (wrapId: string, text: string, at: number) => void): () => void
  close(): void
}

export async function nostrPair(relayUrl: string): Promise<NostrPair> {
  const senderKey = generateSecretKey()
  const recipientKey = generateSecretKey()
  const recipientPub = getPublicKey(recipientKey)
  const [sender, recipient] = await Promise.all([connect(relayUrl), connect(relayUrl)])

  const acks = new Map<string, { resolve: () => void; reject: (e: Error) => void }>()
  sender.on('message', (data: Buffer) => {
    const msg = JSON.parse(data.toString('utf8')) as unknown[]
    if (msg[0] !== 'OK') return
    const pending = acks.get(msg[1] as string)
    if (pending === undefined) return
    acks.delete(msg[1] as string)
    if (msg[2] === true) pending.resolve()
    else pending.reject(new Error(`relay refused the event: ${String(msg[3])}`))
  })

  const receivers = new Set<(wrapId: string, text: string, at: number) => void>()
  const subscribed = new Promise<void>((resolve) => {
    recipient.on('message', (data: Buffer) => {
      const msg = JSON.parse(data.toString('utf8')) as unknown[]
      if (msg[0] === 'EOSE') resolve()
      if (msg[0] !== 'EVENT') return
      const wrap = msg[2] as NostrEvent
      const rumor = nip17.unwrapEvent(wrap, recipientKey)
      const at = performance.now()
      for (const fn of receivers) fn(wrap.id, rumor.content, at)
    })
  })
  recipient.send(
    JSON.stringify(['REQ', 'inbox', { kinds: [GIFT_WRAP_KIND], '#p': [recipientPub] }]),
  )
  await subscribed

  return {
    send(text) {
      const wrap = nip17.wrapEvent(senderKey, { publicKey: recipientPub }, text)
      return new Promise<NostrEvent>((resolve, reject) => {
        acks.set(wrap.id, { resolve: () => resolve(wrap), reject })
        sender.send(JSON.stringify(['EVENT', wrap]))
      })
    },
    onReceive(fn) {
      receivers.add(fn)
      return () => receivers.delete(fn)
    },
    close() {
      sender.close()
      recipient.close()
    },
  }
}

/** The gift wrap event of one NIP-17 DM of `text` (for its size). */
export function giftWrapOf(text: string): NostrEvent {
  return nip17.wrapEvent(
    generateSecretKey(),
    { publicKey: getPublicKey(generateSecretKey()) },
    text,
  )
}

/**
 * Latency of `count` DMs sent one at a time: from the start of wrapping at the sender to the
 * recipient having unwrapped it, in ms. Each waits for the previous one to arrive.
 */
export async function nostrLatencies(
  pair: NostrPair,
  text: string,
  count: number,
): Promise<number[]> {
  const waiting = new Map<string, (at: number) => void>()
  const early = new Map<string, number>()
  let wrong = 0
  const off = pair.onReceive((id, got, at) => {
    if (got !== text) wrong++
    const w = waiting.get(id)
    if (w === undefined) early.set(id, at)
    else {
      waiting.delete(id)
      w(at)
    }
  })
  const out: number[] = []
  try {
    for (let i = 0; i < count; i++) {
      const t0 = performance.now()
      const wrap = await pair.send(text)
      const at =
        early.get(wrap.id) ??
        (await new Promise<number>((resolve) => waiting.set(wrap.id, resolve)))
      early.delete(wrap.id)
      out.push(at - t0)
    }
  } finally {
    off()
  }
  if (wrong > 0) throw new Error(`nostr: ${wrong} unwrapped texts differ from what was sent`)
  return out
}

export interface RateResult {
  /** From the first send to the last message received (or to the timeout). */
  ms: number
  received: number
  lost: number
}

/**
 * `count` DMs published as fast as `inFlight` concurrent senders can (each waits for the relay's
 * OK before its next one), until the recipient has unwrapped them all or `timeoutMs` passed.
 */
export async function nostrRate(
  pair: NostrPair,
  texts: (i: number) => string,
  count: number,
  inFlight: number,
  timeoutMs: number,
): Promise<RateResult> {
  const seen = new Set<string>()
  let last = 0
  let allIn: () => void = () => undefined
  const done = new Promise<void>((resolve) => (allIn = resolve))
  const off = pair.onReceive((_id, text, at) => {
    seen.add(text)
    last = at
    if (seen.size === count) allIn()
  })
  const start = performance.now()
  let next = 0
  const worker = async () => {
    while (next < count) await pair.send(texts(next++))
  }
  try {
    await Promise.all(Array.from({ length: inFlight }, worker))
    let timer: NodeJS.Timeout | undefined
    await Promise.race([done, new Promise((r) => (timer = setTimeout(r, timeoutMs)))])
    clearTimeout(timer)
  } finally {
    off()
  }
  const received = seen.size
  return {
    ms: (received === count ? last : performance.now()) - start,
    received,
    lost: count - received,
  }
}
