// `kith status` explains the state a user sees (issue 12), through the CLI with real daemons on
// 127.0.0.1: a `kith relay` and two daemons that use it (`--bootstrap`) and are each other's
// contacts. `--json` adds `network`, `networkSince`, `reservations` (which relay, its address,
// since when) and `contactsConnected` ({direct, relayed}); the human output has a line for each.
// When the relay and the contact are gone, the node reports `unreachable` and no reservation.
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { json, run, startDaemon, stopAll, stopDaemon, until, type Daemon } from './harness.js'

interface Status {
  peerId: string
  network: string
  networkSince: number
  reservations: Array<{ relay: string; addr: string; since: number }>
  contactsConnected: { direct: number; relayed: number }
  metrics: { network?: { rounds: number; wakeups: number; changes: number } }
}

const homes: string[] = []
after(() => stopAll(homes))

describe('kith status: network, reservations, contacts connected', { timeout: 180_000 }, () => {
  let relay: Daemon
  let alice: Daemon
  let bob: Daemon

  it('shows the relay reservation and a directly connected contact, in JSON and for humans', async () => {
    const t0 = Date.now()
    relay = await startDaemon('relay', undefined, undefined, [], 'relay')
    homes.push(relay.home)
    const bootstrap = `/ip4/127.0.0.1/tcp/${relay.port}/p2p/${relay.peerId}`
    alice = await startDaemon('alice', undefined, undefined, ['--bootstrap', bootstrap])
    bob = await startDaemon('bob', undefined, undefined, ['--bootstrap', bootstrap])
    homes.push(alice.home, bob.home)
    const { link: la } = await json<{ link: string }>(alice.home, ['invite'])
    await json(bob.home, ['contacts', 'add', la, '--name', 'alice'])
    const { link: lb } = await json<{ link: string }>(bob.home, ['invite'])
    await json(alice.home, ['contacts', 'add', lb, '--name', 'bob'])
    const sent = await json<{ status: string }>(bob.home, ['send', 'alice', 'hi', '--wait'])
    assert.equal(sent.status, 'delivered')

    const s = await until(
      'alice holds a reservation on the relay',
      async () => {
        const st = await json<Status>(alice.home, ['status'])
        return st.reservations.length > 0 ? st : undefined
      },
      30_000,
    )
    assert.equal(s.network, 'online')
    assert.ok(s.networkSince >= t0 - 1_000 && s.networkSince <= Date.now())
    assert.equal(s.reservations.length, 1)
    const r = s.reservations[0]!
    assert.equal(r.relay, relay.peerId)
    assert.equal(r.addr, `/ip4/127.0.0.1/tcp/${relay.port}/p2p/${relay.peerId}`)
    assert.ok(r.since >= t0 && r.since <= Date.now(), 'since: when it was made')
    assert.deepEqual(s.contactsConnected, { direct: 1, relayed: 0 })
    assert.deepEqual(Object.keys(s.metrics.network ?? {}).sort(), ['changes', 'rounds', 'wakeups'])

    const human = await run(alice.home, ['status'])
    assert.equal(human.code, 0)
    assert.match(human.stdout, /^Network {6}online since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/m)
    assert.match(human.stdout, /^Contacts {5}1 connected directly, 0 through a relay$/m)
    assert.match(
      human.stdout,
      new RegExp(`^Relays {7}${relay.peerId} since [\\d: -]+ \\(/ip4/127\\.0\\.0\\.1/tcp/`, 'm'),
    )
    // Nothing was renamed or dropped (CLI.md).
    for (const k of ['peerId', 'addrs', 'connections', 'nat', 'mailboxes']) assert.ok(k in s, k)
  })

  it('says unreachable, with no reservation, when the relay and the contact are gone', async () => {
    await stopDaemon(bob)
    await stopDaemon(relay)
    const s = await until(
      'alice is unreachable',
      async () => {
        const st = await json<Status>(alice.home, ['status'])
        return st.network === 'unreachable' ? st : undefined
      },
      30_000,
    )
    assert.deepEqual(s.reservations, [])
    assert.deepEqual(s.contactsConnected, { direct: 0, relayed: 0 })
    const human = await run(alice.home, ['status'])
    assert.match(human.stdout, /^Network {6}unreachable since /m)
    assert.match(human.stdout, /^Relays {7}no reservation$/m)
  })
})
