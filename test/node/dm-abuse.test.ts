// Prekey CPU drain on /kith/dm (issue 11, finding 11) and the cheap checks that stop it
// (src/node/dm/guard.ts). The guard alone, on a fake clock: a rejected frame's bytes are refused
// unopened, the per-peer and per-network budgets at MAX and MAX+1 with doubling backoff, proven
// peers pass their network's backoff, every memory stays bounded. Then live: a
// victim node whose handler runs the real PQXDH + ML-KEM decryption (the core's SessionCipher)
// is flooded by in-process hostile nodes with fresh PeerIds from one IP, on fresh streams, with
// the same corrupted PREKEY frame and then with distinct ones: the handler's CPU stays under a
// named bound (on the old code every frame ran PQXDH), the refusals are counted in dmRejected /
// dmBackoff, and an honest peer's frame sent during the flood still arrives within a bound.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { multiaddr } from '@multiformats/multiaddr'
import { DecryptionError } from '../../src/core/errors.js'
import {
  DM_BACKOFF_BASE_MS,
  DM_FAILED_FRAME_CACHE_SIZE,
  DM_FAILURE_WINDOW_MS,
  DM_NETWORK_FAILURE_BUDGET,
  DM_PEER_FAILURE_BUDGET,
  DM_PROTOCOL,
} from '../../src/node/dm/index.js'
import { DmGuard, type DmSource } from '../../src/node/dm/guard.js'
import type { Libp2pKithNode } from '../../src/node/kith-node.js'
import { makeParty, text, type Party } from '../helpers/parties.js'
import { leb, sleep, startNode, stopAll, waitFor } from './helpers.js'
import type { Stream } from '@libp2p/interface'

/** The honest peer writes once the flood is under way (pacing, not a guess at a condition). */
const FLOOD_UNDER_WAY_MS = 1_500

/** Handler CPU the whole flood may cost the victim. Without the guard, the distinct-frame flood
 *  below (FLOOD_PEERS × FRAMES_PER_PEER PREKEY frames) costs ≈2.5 ms each, ≈1.5 s. */
const MAX_FLOOD_HANDLER_CPU_MS = 400
/** An honest (proven) peer's frame sent during the flood reaches the handler within this. */
const HONEST_DELIVERY_BOUND_MS = 2_000
const FLOOD_PEERS = 24
const FRAMES_PER_PEER = 25
const SAME_FRAME_SENDS = 200

// ---- The guard alone, on a fake clock ----------------------------------------------------------

void describe('dm guard: cheap checks (fake clock)', () => {
  let now = 1_000_000
  const guard = (o: Partial<ConstructorParameters<typeof DmGuard>[0]> = {}) =>
    new DmGuard({ now: () => now, ...o })
  const src = (peer: string, network = 'n1'): DmSource => ({ peer, network })
  const frame = (i: number) => Uint8Array.from([0x0a, i & 0xff, i >> 8])
  /** Charges `n` distinct rejected frames to `s`; returns whether it is now in backoff. */
  const failN = (g: DmGuard, s: DmSource, n: number, from = 0): boolean => {
    for (let i = from; i < from + n; i++) {
      const c = g.check(s, frame(i))
      if ('error' in c) return true
      g.fail(s, c.hash)
    }
    return g.admit(s) !== undefined
  }

  void it('refuses a rejected frame sent again, unopened: DmRepeatedFrameError', () => {
    const g = guard()
    const c = g.check(src('p'), frame(1))
    assert.ok('hash' in c)
    g.fail(src('p'), c.hash)
    const again = g.check(src('q'), frame(1)) // another peer, same bytes
    assert.ok('error' in again && again.error.name === 'DmRepeatedFrameError')
    assert.ok('hash' in g.check(src('q'), frame(2)))
  })

  void it(`peer budget: ${DM_PEER_FAILURE_BUDGET} failures pass, one more is backoff; it doubles`, () => {
    const g = guard({ networkBudget: 1_000 })
    const p = src('p')
    assert.equal(failN(g, p, DM_PEER_FAILURE_BUDGET), false)
    assert.equal(failN(g, p, 1, 100), true)
    assert.equal(g.admit(p)?.name, 'DmBackoffError')
    assert.equal(g.admit(src('other')), undefined, 'another peer of the network is not held')
    now += DM_BACKOFF_BASE_MS + 1
    assert.equal(g.admit(p), undefined, 'backoff over')
    assert.equal(failN(g, p, DM_PEER_FAILURE_BUDGET + 1, 200), true)
    now += DM_BACKOFF_BASE_MS + 1
    assert.notEqual(g.admit(p), undefined, 'the second backoff is twice as long')
    now += DM_BACKOFF_BASE_MS
    assert.equal(g.admit(p), undefined)
    // The budget refills: one failure per window/budget ms leaks away.
    const q = src('q')
    for (let i = 0; i < 3 * DM_PEER_FAILURE_BUDGET; i++) {
      assert.equal(failN(g, q, 1, 300 + i), false)
      now += DM_FAILURE_WINDOW_MS / DM_PEER_FAILURE_BUDGET
    }
  })

  void it(`network budget: ${DM_NETWORK_FAILURE_BUDGET} failures from fresh PeerIds pass, one more is backoff`, () => {
    const g = guard()
    const honest = src('honest')
    assert.ok('hash' in g.check(honest, frame(9_999)))
    g.succeed(honest)
    for (let i = 0; i < DM_NETWORK_FAILURE_BUDGET; i++) {
      assert.equal(failN(g, src(`sybil${i}`), 1, i), false)
    }
    assert.equal(failN(g, src('sybil-last'), 1, 5_000), true)
    assert.equal(g.admit(src('fresh'))?.name, 'DmBackoffError', 'a new PeerId there is held')
    assert.equal(g.admit(src('fresh', 'n2')), undefined, 'another network is not')
    assert.equal(g.admit(honest), undefined, 'a proven peer passes its network backoff')
    assert.ok(g.backoffResets >= 1)
  })

  void it('keeps every memory bounded', () => {
    const g = guard({ failedFrameCacheSize: 64, maxSources: 32, maxProven: 16 })
    for (let i = 0; i < 1_000; i++) {
      const s = src(`p${i}`, `n${i}`)
      const c = g.check(s, frame(i))
      if ('hash' in c) g.fail(s, c.hash)
      g.succeed(s)
    }
    assert.deepEqual(g.sizes(), { failedFrames: 64, sources: 32, proven: 16 })
    const d = new DmGuard()
    for (let i = 0; i <= DM_FAILED_FRAME_CACHE_SIZE; i++) {
      const s = src(`p${i % 7}`, `n${i}`)
      const c = d.check(s, Uint8Array.from([i & 0xff, (i >> 8) & 0xff, 1]))
      if ('hash' in c) d.fail(s, c.hash)
    }
    assert.ok(d.sizes().failedFrames <= DM_FAILED_FRAME_CACHE_SIZE)
  })
})

// ---- Live: a victim with the real PREKEY decryption --------------------------------------------

void describe('dm guard: a PREKEY flood from fresh PeerIds on one IP', { timeout: 180_000 }, () => {
  let victim: Libp2pKithNode
  let honest: Libp2pKithNode
  let party: Party
  let good: Uint8Array
  let handlerCpuMs = 0
  let handlerCalls = 0
  const honestSeen: number[] = []
  const HONEST = 0xee

  before(async () => {
    party = makeParty('dm-abuse-victim')
    const attacker = makeParty('dm-abuse-attacker')
    attacker.cipher.initiate(party.peerId, party.bundle(true))
    good = attacker.cipher.encrypt(party.peerId, text('a prekey message'))
    victim = await startNode()
    // A throw in the executor rejects the handler's promise, as an async handler's would.
    victim.onDm(
      (_from, frame) =>
        new Promise<void>((resolve) => {
          if (frame[0] === HONEST) {
            honestSeen.push(Date.now())
            return resolve()
          }
          handlerCalls++
          const t0 = process.cpuUsage()
          try {
            // What the service does first with a PREKEY envelope: PQXDH, ML-KEM, then the AEAD
            // (the core's SessionCipher, as the service's direct/sessions.ts runs it).
            party.receive(undefined, frame)
          } finally {
            const d = process.cpuUsage(t0)
            handlerCpuMs += (d.user + d.system) / 1_000
          }
          resolve()
        }),
    )
    honest = await startNode()
    // The honest peer is proven: one accepted frame before the flood (a contact's first message).
    await honest.sendDm(victim.peerId, [Uint8Array.of(HONEST, 0)], victim.addrs())
    await waitFor(() => honestSeen.length === 1, 5_000, 'honest first frame')
  })
  after(() => stopAll(victim, honest))

  /** A corrupted copy of the PREKEY envelope: one bit of its last 64 bytes (the ciphertext's
   *  tag) flipped, so PQXDH and ML-KEM run before the AEAD fails. */
  const corrupted = (i: number): Uint8Array => {
    const f = Uint8Array.from(good)
    f[f.length - 1 - (Math.floor(i / 8) % 64)]! ^= 1 << (i % 8)
    if (i >= 512) f[f.length - 65 - (Math.floor(i / 512) % 32)]! ^= 1
    return f
  }

  /** Opens a fresh stream from `from`, sends one frame and waits until the victim ends it. */
  async function sendOnFreshStream(from: Libp2pKithNode, frame: Uint8Array): Promise<void> {
    let s: Stream
    try {
      s = await from.libp2p.dialProtocol(multiaddr(victim.addrs()[0]), DM_PROTOCOL)
    } catch {
      return // refused: fine for an attacker
    }
    try {
      s.send(Uint8Array.from([...leb(frame.length), ...frame]))
    } catch {
      return // already reset by the victim (backoff): fine for an attacker
    }
    await waitFor(() => s.status !== 'open', 10_000, 'the victim ends the stream').catch(() =>
      s.abort(new Error('test gives up')),
    )
  }

  /** `peers` fresh hostile nodes, `parallel` at a time, each sending `frames(peerIndex)`. */
  async function flood(
    peers: number,
    frames: (p: number) => Uint8Array[],
    parallel = 4,
  ): Promise<void> {
    let next = 0
    const worker = async (): Promise<void> => {
      for (let p = next++; p < peers; p = next++) {
        const h = await startNode()
        try {
          for (const f of frames(p)) await sendOnFreshStream(h, f)
        } finally {
          await h.stop()
        }
      }
    }
    await Promise.all(Array.from({ length: parallel }, worker))
  }

  void it('the corrupted frame really costs a PQXDH and fails (baseline)', () => {
    assert.throws(() => party.receive(undefined, corrupted(0)), DecryptionError)
  })

  void it(`the same corrupted frame ×${SAME_FRAME_SENDS} on fresh streams and PeerIds: handled at most a few times`, async () => {
    const before = { calls: handlerCalls, cpu: handlerCpuMs }
    const frame = corrupted(0)
    await flood(8, () => Array<Uint8Array>(SAME_FRAME_SENDS / 8).fill(frame))
    const calls = handlerCalls - before.calls
    assert.ok(calls >= 1 && calls <= 4, `handler ran ${calls} times`)
    const m = victim.metrics()
    assert.ok((m.dmRejected.DmRepeatedFrameError ?? 0) >= 1, JSON.stringify(m.dmRejected))
    assert.ok(
      (m.dmRejected.DmRepeatedFrameError ?? 0) + (m.dmBackoff ?? 0) >= SAME_FRAME_SENDS - calls - 8,
      JSON.stringify(m),
    )
  })

  void it(`distinct corrupted frames from ${FLOOD_PEERS} fresh PeerIds: handler CPU ≤ ${MAX_FLOOD_HANDLER_CPU_MS} ms, honest frame ≤ ${HONEST_DELIVERY_BOUND_MS} ms`, async (t) => {
    const before = {
      calls: handlerCalls,
      cpu: handlerCpuMs,
      backoff: victim.metrics().dmBackoff ?? 0,
    }
    let honestMs = -1
    const honestDuringFlood = (async () => {
      await sleep(FLOOD_UNDER_WAY_MS)
      const seen = honestSeen.length
      const t0 = Date.now()
      await honest.sendDm(victim.peerId, [Uint8Array.of(HONEST, 1)], victim.addrs())
      await waitFor(() => honestSeen.length > seen, 10_000, 'the honest frame')
      honestMs = Date.now() - t0
    })()
    await flood(FLOOD_PEERS, (p) =>
      Array.from({ length: FRAMES_PER_PEER }, (_, i) => corrupted(1 + p * FRAMES_PER_PEER + i)),
    )
    await honestDuringFlood
    const cpu = handlerCpuMs - before.cpu
    const calls = handlerCalls - before.calls
    const total = FLOOD_PEERS * FRAMES_PER_PEER
    t.diagnostic(
      `handler ${calls}/${total} calls, ${cpu.toFixed(0)} ms CPU; honest frame in ${honestMs} ms`,
    )
    assert.ok(
      cpu <= MAX_FLOOD_HANDLER_CPU_MS,
      `handler CPU ${cpu.toFixed(0)} ms for ${calls} calls`,
    )
    assert.ok(calls < total / 4, `handler ran ${calls} of ${total} times`)
    assert.ok((victim.metrics().dmBackoff ?? 0) - before.backoff > total / 2)
    assert.ok(honestMs >= 0 && honestMs <= HONEST_DELIVERY_BOUND_MS, `honest took ${honestMs} ms`)
  })
})
