// The network state (src/node/connectivity/connectivity.ts, host-network.ts): Backoff bounds and reset;
// reading /proc/net and operstate (online with an address and a route through a link with
// carrier; offline with the links deleted, the routes flushed or no carrier; route counters do
// not change the fingerprint); and, with an injected network and clock, when reconnect rounds
// run: on network back, on a changed network, after a sleep (a poll far later than due), on the
// first connection after a quiet time with none (not on churn), never while offline, at most one
// per RECONNECT_ROUND_MIN_INTERVAL_MS with a deferred one after it.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { TypedEventEmitter } from '@libp2p/interface'
import { Backoff } from '../../src/node/connectivity/backoff.js'
import {
  Connectivity,
  NETWORK_POLL_INTERVAL_MS,
  NETWORK_SLEEP_GAP_MS,
  type RoundReason,
} from '../../src/node/connectivity/connectivity.js'
import { procNetwork, type NetworkSnapshot } from '../../src/node/connectivity/host-network.js'
import { sleep, waitFor } from './helpers.js'
import type { Libp2pEvents } from '@libp2p/interface'

/** The sleeps are the point (what Connectivity does once a quiet time or an interval ran): past
 *  the quiet time of 200 ms these tests configure. */
const PAST_QUIET_MS = 250
/** Past roundMinIntervalMs (300 here): a third round would have run by then. */
const PAST_ROUND_INTERVAL_MS = 400

const FIB_UP = `Main:
  +-- 0.0.0.0/1 2 0 2
     +-- 11.77.0.0/24 2 0 2
        +-- 11.77.0.0/30 2 0 2
           |-- 11.77.0.0
              /24 link UNICAST
           |-- 11.77.0.2
              /32 host LOCAL
     +-- 127.0.0.0/8 2 0 2
           |-- 127.0.0.1
              /32 host LOCAL
`
const FIB_LO = `Main:
  +-- 127.0.0.0/8 2 0 2
           |-- 127.0.0.1
              /32 host LOCAL
`
const ROUTE_HEAD =
  'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n'
const ROUTE_UP = `${ROUTE_HEAD}veth0\t00004D0B\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n`
const V6_ROUTE = (refcnt: string) =>
  `00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 ${refcnt} 00000000 00200001       lo\n` +
  `fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 ${refcnt} 00000000 00000001    veth0\n`

describe('Backoff', () => {
  it('draws full-jitter delays under min(max, base·2^n) and starts over after reset()', () => {
    const b = new Backoff(100, 1_000, () => 0.999999)
    const got = Array.from({ length: 6 }, () => b.next())
    assert.deepEqual(got, [99, 199, 399, 799, 999, 999])
    assert.equal(b.attempt, 6)
    b.reset()
    assert.equal(b.attempt, 0)
    assert.equal(b.next(), 99)
    const low = new Backoff(100, 1_000, () => 0)
    assert.equal(low.next(), 0)
  })
})

describe('procNetwork (/proc/net)', () => {
  it('online with an address and a route through a link', () => {
    const s = procNetwork({ fibTrie: FIB_UP, route: ROUTE_UP, ipv6Route: V6_ROUTE('1') })
    assert.equal(s.online, true)
    assert.match(s.fingerprint, /11\.77\.0\.2/)
  })

  it('offline when the links are deleted (only loopback left) or the routes are flushed', () => {
    assert.equal(
      procNetwork({ fibTrie: FIB_LO, route: ROUTE_HEAD, ipv6Route: V6_ROUTE('1') }).online,
      false,
    )
    // Address still there, routes flushed (`ip route flush table main`).
    assert.equal(procNetwork({ fibTrie: FIB_UP, route: ROUTE_HEAD }).online, false)
  })

  it('offline when the only link lost its carrier (routes stay, operstate down); back when up', () => {
    const files = { fibTrie: FIB_UP, route: ROUTE_UP, ipv6Route: V6_ROUTE('1') }
    const down = procNetwork({ ...files, operstate: { lo: 'unknown', veth0: 'down' } })
    const up = procNetwork({ ...files, operstate: { lo: 'unknown', veth0: 'up' } })
    assert.equal(down.online, false)
    assert.equal(up.online, true)
    assert.notEqual(down.fingerprint, up.fingerprint, 'carrier back is a network change')
  })

  it('route counters (refcnt, use) do not change the fingerprint; a new address does', () => {
    const a = procNetwork({ fibTrie: FIB_UP, route: ROUTE_UP, ipv6Route: V6_ROUTE('1') })
    const b = procNetwork({ fibTrie: FIB_UP, route: ROUTE_UP, ipv6Route: V6_ROUTE('7') })
    assert.equal(a.fingerprint, b.fingerprint)
    const c = procNetwork({
      fibTrie: FIB_UP.replace('11.77.0.2', '11.77.0.3'),
      route: ROUTE_UP,
      ipv6Route: V6_ROUTE('1'),
    })
    assert.notEqual(a.fingerprint, c.fingerprint)
  })
})

/** A Connectivity on a fake network and wall clock (monotonic time is real). */
function harness(roundMinIntervalMs = 100, firstConnectionQuietMs = 0) {
  let net: NetworkSnapshot = { fingerprint: 'a', online: true }
  let now = 1_000_000
  let connections = 0
  const events = new TypedEventEmitter<Libp2pEvents>()
  const rounds: RoundReason[] = []
  const c = new Connectivity(
    {
      events,
      connectionManager: { getConnections: () => new Array<{ remoteAddr: never }>(connections) },
    },
    {
      pollIntervalMs: 60_000, // ticks are driven by the test
      roundMinIntervalMs,
      firstConnectionQuietMs,
      snapshot: () => net,
      now: () => now,
    },
  )
  c.onReconnect((r) => rounds.push(r))
  return {
    c,
    rounds,
    set: (n: NetworkSnapshot) => (net = n),
    /** Advances the fake wall clock by one poll interval (+ extra) and polls. */
    tick: (extraMs = 0) => {
      now += 60_000 + extraMs
      c.tick()
    },
    open: (n: number) => {
      connections = n
      events.safeDispatchEvent('connection:open', { detail: {} as never })
    },
    close: (n: number) => {
      connections = n
      events.safeDispatchEvent('connection:close', { detail: {} as never })
    },
  }
}

describe('Connectivity', () => {
  it('constants: polls every 2 s, a poll 10 s late is a sleep', () => {
    assert.equal(NETWORK_POLL_INTERVAL_MS, 2_000)
    assert.equal(NETWORK_SLEEP_GAP_MS, 10_000)
  })

  it('goes offline without a round, and runs one round when the network is back', () => {
    const h = harness(0)
    h.c.start()
    h.tick()
    assert.deepEqual(h.rounds, [], 'nothing changed')
    h.set({ fingerprint: '', online: false })
    h.tick()
    assert.equal(h.c.state(), 'offline')
    h.tick()
    assert.deepEqual(h.rounds, [], 'no round while offline')
    h.set({ fingerprint: 'a', online: true })
    h.tick()
    assert.equal(h.c.state(), 'online')
    assert.deepEqual(h.rounds, ['network-changed'])
    h.tick()
    assert.deepEqual(h.rounds, ['network-changed'], 'once')
    h.set({ fingerprint: 'b', online: true }) // another Wi-Fi
    h.tick()
    assert.deepEqual(h.rounds, ['network-changed', 'network-changed'])
    h.c.stop()
  })

  it('a poll far later than due (sleep, SIGSTOP) runs a round', () => {
    const h = harness(0)
    h.c.start()
    h.tick(NETWORK_SLEEP_GAP_MS - 1_000)
    assert.deepEqual(h.rounds, [], 'a late timer on a loaded machine is no sleep')
    h.tick(5 * 60_000)
    assert.deepEqual(h.rounds, ['woke-up'])
    assert.equal(h.c.counts().wakeups, 1)
    h.c.stop()
  })

  it('the first connection after a quiet time with none runs a round; churn does not', async () => {
    const h = harness(0, 200)
    h.c.start()
    await sleep(PAST_QUIET_MS)
    h.open(1)
    h.open(2)
    assert.deepEqual(h.rounds, ['first-connection'])
    h.close(1)
    h.close(0)
    h.open(1) // a contact reconnecting at once: churn
    assert.deepEqual(h.rounds, ['first-connection'])
    h.close(0)
    await sleep(PAST_QUIET_MS)
    h.open(1)
    assert.deepEqual(h.rounds, ['first-connection', 'first-connection'])
    h.c.stop()
  })

  it('rounds are at least roundMinIntervalMs apart; one asked for sooner runs after it', async () => {
    const h = harness(300)
    h.c.start()
    h.set({ fingerprint: 'b', online: true })
    h.tick()
    h.set({ fingerprint: 'c', online: true })
    h.tick()
    h.set({ fingerprint: 'd', online: true })
    h.tick()
    assert.equal(h.rounds.length, 1, 'the second and third wait')
    await waitFor(() => h.rounds.length === 2, 3_000)
    await sleep(PAST_ROUND_INTERVAL_MS)
    assert.equal(h.rounds.length, 2, 'the deferred ones ran as one round')
    h.c.stop()
  })
})
