// `kith relay` as an operator runs it: ./bin/kith relay in a temp KITH_HOME on 127.0.0.1 (mDNS
// off). Its ready line, daemon.json and api-token; `kith status --json` against it (mailbox
// usage in metrics); chat routes refused; a /kith/dm frame relayed through a circuit
// reservation on it; an envelope deposited with it by an in-process node; a clean SIGTERM; and a
// restart on the same home that keeps its PeerId and the held envelope, which the recipient
// then fetches with a signed challenge. Every process started here is killed in after().
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { IdentityKeyPair } from '../../src/core/identity/identity.js'
import { createKithNode, type Libp2pKithNode } from '../../src/node/kith-node.js'
import { nodeCrypto } from '../../src/platform/node-crypto.js'
import { DAEMON_READY_TIMEOUT_MS, readyLine, tcpPort, type ReadyLine } from '../helpers/ready.js'
import { KITH, newHome, run } from './harness.js'
import { fakeEnvelope } from '../node/mailbox-envelopes.js'
import { until } from '../helpers/wait.js'

type Ready = ReadyLine

const procs = new Set<ChildProcess>()
const nodes: Libp2pKithNode[] = []
const homes: string[] = []
after(async () => {
  await Promise.all(nodes.map((n) => n.stop().catch(() => undefined)))
  for (const p of procs) p.kill('SIGKILL')
  for (const h of homes) rmSync(h, { recursive: true, force: true })
})

/** Starts `kith relay` in `home` on `port` (0: the OS picks; read it back from the ready line). */
async function startRelay(
  home: string,
  port: number,
): Promise<{ proc: ChildProcess; ready: Ready; stdout: string[] }> {
  const proc = spawn(
    KITH,
    ['--home', home, 'relay', '--json', '--no-mdns', '--listen', `/ip4/127.0.0.1/tcp/${port}`],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } },
  )
  procs.add(proc)
  proc.on('exit', () => procs.delete(proc))
  const stderr: string[] = []
  const stdout: string[] = []
  proc.stderr.on('data', (d: Buffer) => stderr.push(d.toString()))
  const ready = await readyLine(proc, {
    what: 'relay',
    timeoutMs: DAEMON_READY_TIMEOUT_MS,
    stderr,
    lines: stdout,
  })
  return { proc, ready, stdout }
}

function stop(proc: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    proc.once('exit', (code) => resolve(code))
    proc.kill('SIGTERM')
  })
}

async function inProcessNode(seed = randomBytes(32), listen = ['/ip4/127.0.0.1/tcp/0']) {
  const node = await createKithNode({ identitySeed: seed, listen, bootstrap: [], mdns: false })
  await node.start()
  nodes.push(node)
  const identity = IdentityKeyPair.fromSeed(seed, nodeCrypto)
  return { node, sign: (m: Uint8Array) => identity.sign(nodeCrypto, m) }
}

interface Status {
  peerId: string
  name: string
  addrs: string[]
  mailboxes: string[]
  metrics: { mailbox?: { depositsIn: number; usage?: { items: number; bytes: number } } }
  relay?: { reservations: number }
}

async function status(home: string): Promise<Status> {
  const r = await run(home, ['status', '--json'])
  assert.equal(r.code, 0, r.stderr)
  return JSON.parse(r.stdout) as Status
}

describe('kith relay', { timeout: 120_000 }, () => {
  it('runs, relays, holds mail, and keeps identity and holdings across a restart', async () => {
    const home = newHome('relay')
    homes.push(home)
    const first = await startRelay(home, 0)
    const { ready } = first
    const port = tcpPort(ready.addrs)

    // The ready line, exactly one JSON line; daemon.json and api-token like a daemon's.
    assert.equal(first.stdout.length, 1)
    assert.match(ready.peerId, /^12D3KooW/)
    assert.ok(ready.addrs.includes(`/ip4/127.0.0.1/tcp/${port}/p2p/${ready.peerId}`))
    assert.match(ready.api, /^http:\/\/127\.0\.0\.1:\d+$/)
    const info = JSON.parse(readFileSync(join(home, 'daemon.json'), 'utf8')) as Ready
    assert.equal(info.peerId, ready.peerId)
    assert.equal(statSync(join(home, 'api-token')).mode & 0o777, 0o600)
    assert.equal(statSync(join(home, 'daemon.json')).mode & 0o777, 0o600)

    // `kith status` works against it; chat routes do not exist on a relay.
    const s = await status(home)
    assert.equal(s.peerId, ready.peerId)
    assert.equal(s.name, 'kith-relay')
    assert.deepEqual(s.mailboxes, [])
    assert.equal(s.metrics.mailbox?.usage?.items, 0)
    assert.equal(s.relay?.reservations, 0)
    const contacts = await run(home, ['contacts', 'list'])
    assert.equal(contacts.code, 1)
    assert.match(contacts.stderr, /^NotAvailableOnRelay: /)

    // Circuit relay: B reserves a slot; A reaches B only through the relay.
    const relayAddr = ready.addrs[0]!
    const b = await inProcessNode(randomBytes(32), [`${relayAddr}/p2p-circuit`])
    const a = await inProcessNode()
    await until(
      'a reservation on the relay',
      () => b.node.addrs().some((x) => x.includes('/p2p-circuit')),
      15_000,
      50,
    )
    assert.equal((await status(home)).relay?.reservations, 1)
    const got: Uint8Array[] = []
    b.node.onDm((_from, frame) => {
      got.push(frame)
      return Promise.resolve()
    })
    const circuit = b.node.addrs().filter((x) => x.includes('/p2p-circuit'))
    await a.node.sendDm(b.node.peerId, [Uint8Array.of(1, 2, 3)], circuit)
    await until('the relayed frame', () => got.length > 0, 10_000, 20)
    assert.ok(a.node.connections().some((c) => c.peerId === b.node.peerId && !c.direct))

    // Mailbox for anyone: A deposits for a recipient R that is offline.
    const rSeed = randomBytes(32)
    const rPeer = IdentityKeyPair.fromSeed(rSeed, nodeCrypto).peerId
    const envelope = fakeEnvelope(1500) // a well-formed envelope (the relay checks the shape)
    await a.node.mailboxDeposit(ready.peerId, rPeer, envelope, [relayAddr])
    const held = await status(home)
    assert.equal(held.metrics.mailbox?.depositsIn, 1)
    assert.deepEqual(held.metrics.mailbox?.usage, {
      ...held.metrics.mailbox?.usage,
      items: 1,
      bytes: envelope.length,
    })

    // SIGTERM: clean exit, daemon.json removed.
    assert.equal(await stop(first.proc), 0)
    assert.equal(existsSync(join(home, 'daemon.json')), false)

    // Restart on the same home: same PeerId, the envelope still held, released to R only.
    const second = await startRelay(home, port)
    assert.equal(second.ready.peerId, ready.peerId)
    const r = await inProcessNode(rSeed)
    const items = await r.node.mailboxFetch(ready.peerId, r.sign, second.ready.addrs)
    assert.deepEqual(
      items.map((i) => i.envelope),
      [envelope],
    )
    assert.equal(await r.node.mailboxConfirm(ready.peerId, [items[0]!.id], r.sign), 1)
    assert.equal((await status(home)).metrics.mailbox?.usage?.items, 0)
    assert.equal(await stop(second.proc), 0)
  })
})
