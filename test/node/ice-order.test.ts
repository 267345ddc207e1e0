// The ICE-order patch (src/node/libp2p/ice-order.ts): the offerer holds the answerer's candidates back
// once by OFFERER_CHECK_DELAY_MS, the answerer and a primed offerer do not; and a canary that tells when
// @libp2p/webrtc stops using the node-datachannel class the patch is applied to.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { getLibraryVersion } from 'node-datachannel'
import { RTCPeerConnection } from 'node-datachannel/polyfill'
import {
  HOLD_ANSWER,
  HOLD_CHECKS,
  ON_FAILED,
  offererChecksLater,
} from '../../src/node/libp2p/ice-order.js'
import '../../src/node/connectivity/holepunch.js'

class FakePC extends EventTarget {
  added: Array<{ c: string; at: number }> = []
  connectionState = 'new'
  constructor(
    public localDescription: { type: string } | null,
    private t0: number,
    private config: Record<string, unknown> = {},
  ) {
    super()
  }
  getConfiguration(): Record<string, unknown> {
    return this.config
  }
  addIceCandidate(c: string): Promise<void> {
    this.added.push({ c, at: Date.now() - this.t0 })
    return Promise.resolve()
  }
  setRemoteDescription(_d: unknown): Promise<void> {
    return Promise.resolve()
  }
  /** What node-datachannel's polyfill does when the native state changes. */
  become(state: string): void {
    this.connectionState = state
    this.dispatchEvent(new Event('connectionstatechange'))
  }
}

describe('ICE order', () => {
  it('the offerer adds the answerer’s candidates after the delay, once; the answerer at once', async () => {
    assert.equal(offererChecksLater(FakePC, 200, 150), true)
    assert.equal(offererChecksLater(FakePC, 200, 150), false, 'applied once')
    const t0 = Date.now()
    const offerer = new FakePC({ type: 'offer' }, t0)
    const answerer = new FakePC({ type: 'answer' }, t0)
    await Promise.all([
      offerer.addIceCandidate('host'),
      offerer.addIceCandidate('srflx'),
      answerer.addIceCandidate('host'),
    ])
    assert.ok(answerer.added[0]!.at < 100, `answerer added after ${answerer.added[0]!.at} ms`)
    assert.deepEqual(
      offerer.added.map((a) => a.c),
      ['host', 'srflx'],
    )
    for (const a of offerer.added) assert.ok(a.at >= 195 && a.at < 400, `offerer: ${a.at} ms`)
  })

  it('an offerer configured not to hold (a first primed punch) adds them at once', async () => {
    offererChecksLater(FakePC, 200, 150)
    const t0 = Date.now()
    const primed = new FakePC({ type: 'offer' }, t0, {
      portRangeBegin: 40_000,
      [HOLD_CHECKS]: false,
    })
    const held = new FakePC({ type: 'offer' }, t0, { portRangeBegin: 40_001 })
    await Promise.all([primed.addIceCandidate('srflx'), held.addIceCandidate('srflx')])
    assert.ok(primed.added[0]!.at < 100, `added after ${primed.added[0]!.at} ms`)
    assert.ok(held.added[0]!.at >= 195, `a primed retry is held: ${held.added[0]!.at} ms`)
  })

  it('the answerer of a primed punch holds the offerer’s candidates; other answerers do not', async () => {
    offererChecksLater(FakePC, 200, 150)
    const t0 = Date.now()
    const primed = new FakePC({ type: 'answer' }, t0, { [HOLD_ANSWER]: true })
    const plain = new FakePC({ type: 'answer' }, t0)
    await Promise.all([
      primed.addIceCandidate('host'),
      primed.addIceCandidate('srflx'),
      plain.addIceCandidate('srflx'),
    ])
    assert.ok(plain.added[0]!.at < 100, `plain answerer: ${plain.added[0]!.at} ms`)
    for (const a of primed.added) assert.ok(a.at >= 145 && a.at < 350, `primed: ${a.at} ms`)
  })

  it('calls ON_FAILED once when the connection fails, from the remote description on', async () => {
    offererChecksLater(FakePC, 200, 150)
    let failed = 0
    const pc = new FakePC({ type: 'offer' }, Date.now(), { [ON_FAILED]: () => failed++ })
    pc.become('connecting')
    await pc.setRemoteDescription({ type: 'answer' })
    pc.become('connecting')
    assert.equal(failed, 0)
    pc.become('failed')
    pc.become('closed')
    pc.become('failed')
    assert.equal(failed, 1, 'called once')
    // Already failed when the description is set (the DTLS race fails inside that call).
    let late = 0
    const done = new FakePC({ type: 'offer' }, Date.now(), { [ON_FAILED]: () => late++ })
    done.connectionState = 'failed'
    await done.setRemoteDescription({ type: 'answer' })
    assert.equal(late, 1)
    // No callback configured: nothing is watched.
    const quiet = new FakePC({ type: 'offer' }, Date.now())
    await quiet.setRemoteDescription({ type: 'answer' })
    quiet.become('failed')
  })

  it('canary: libdatachannel is the version whose DTLS race the primed answerer’s hold works around', () => {
    // ice-order.ts: rtc::PeerConnection::setRemoteDescription hands the description to ICE
    // before storing it, so a DTLS handshake that completes in between fails ("unknown CA").
    // On another version, read that function again: if it stores first, the answerer's hold
    // (ANSWERER_CHECK_DELAY_MS) can go.
    assert.equal(getLibraryVersion(), '0.24.5')
  })

  it('canary: @libp2p/webrtc on Node uses node-datachannel’s polyfill, which holepunch.ts patched', () => {
    const main = fileURLToPath(import.meta.resolve('@libp2p/webrtc'))
    const index = readFileSync(join(dirname(main), 'webrtc/index.js'), 'utf8')
    assert.match(index, /RTCPeerConnection \} from 'node-datachannel\/polyfill'/)
    const proto = RTCPeerConnection.prototype as unknown as Record<symbol, unknown>
    assert.equal(proto[Symbol.for('kith.iceOrder')], true)
    // A primed connection is told by its configuration: the polyfill keeps it as given.
    const config = {
      iceServers: [],
      portRangeBegin: 40_000,
      portRangeEnd: 40_000,
      [HOLD_CHECKS]: false,
    }
    const pc = new RTCPeerConnection(config as ConstructorParameters<typeof RTCPeerConnection>[0])
    try {
      const kept = pc.getConfiguration() as Record<string, unknown>
      assert.equal(kept.portRangeBegin, 40_000)
      assert.equal(kept[HOLD_CHECKS], false)
    } finally {
      pc.close()
    }
  })
})
