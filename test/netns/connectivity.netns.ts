// Connectivity across NATs with real daemons in network namespaces (docs/connectivity.md, the
// cases of issue 7): a `kith relay` (circuit relay v2 + STUN) on the test "internet", two public
// hosts, and three homes behind NAT routers (two cone-like, one symmetric). Run as root with
// `npm run test:netns` (not part of `npm test`); skipped with the reason when namespaces cannot
// be made. Prints the table of cases, the path each took and the time to the first delivered
// message (and writes it as JSON to $KITH_NETNS_RESULTS, if set).
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import {
  assertIsolated,
  bulkSend,
  DAEMON_PORT,
  VARIANT,
  hostAddrs,
  inNs,
  MAPPING_TIMEOUT_MS,
  messages,
  net,
  punchFailures,
  punchTimes,
  relayRxBytes,
  RELAY_IP,
  RELAY_PORT,
  skipReason,
  startNode,
  teardown,
  until,
  untilMapped,
  type Node,
  type Role,
} from './harness.js'
import { docRange, mapped, mapProtocol, punchable, RELAY_IP6 } from './variants.js'

interface Peer {
  peerId: string
  direct: boolean
  addrs: string[]
}
interface Status {
  nat: string
  addrs: string[]
}
type Path = 'direct' | 'hole-punched' | 'relayed' | 'none'
interface Row {
  case: string
  path: string
  firstDeliveryMs: number
  note: string
}

const skip = skipReason()
const rows: Row[] = []
const nodes = new Map<Role, Node>()
const node = (r: Role): Node => nodes.get(r)!
let bootstrapAddr = ''

/** How `from` reaches `to` now: a direct (TCP) connection, a WebRTC one, or only the relay. */
async function path(from: Node, to: Node): Promise<Path> {
  const peers = (await from.json<Peer[]>(['peers'])).filter((p) => p.peerId === to.peerId)
  const direct = peers.filter((p) => p.direct)
  if (direct.some((p) => !p.addrs.some((a) => a.includes('/webrtc')))) return 'direct'
  if (direct.length > 0) return 'hole-punched'
  return peers.length > 0 ? 'relayed' : 'none'
}

/** Waits until every connection `from` holds to `to` is direct (a relayed one beside a direct
 *  one closes after RELAY_CLOSE_GRACE_MS). */
async function onlyDirect(from: Node, to: Node): Promise<void> {
  await until(
    `${from.role} → ${to.role} direct, no relayed connection left`,
    async () => {
      const peers = (await from.json<Peer[]>(['peers'])).filter((p) => p.peerId === to.peerId)
      return peers.length > 0 && peers.every((p) => p.direct)
    },
    30_000,
  )
}

/** `b` adds `a` from its invite; returns nothing (a learns b from b's first message). */
async function befriend(a: Node, b: Node, name: string = a.role): Promise<void> {
  const { link } = await a.json<{ link: string }>(['invite'])
  const added = await b.json<{ peerId: string }>(['contacts', 'add', link, '--name', name])
  assert.equal(added.peerId, a.peerId)
}

/** Sends one message and waits for its ack; resolves the time it took (ms). */
async function sendWait(from: Node, to: Node, text: string, timeoutS = 60): Promise<number> {
  const t0 = performance.now()
  const r = await from.json<{ status: string }>([
    'send',
    to.peerId,
    text,
    '--wait',
    '--timeout',
    String(timeoutS),
  ])
  assert.equal(r.status, 'delivered', `${from.role} → ${to.role}: ${text}`)
  return Math.round(performance.now() - t0)
}

type PunchCounts = { successes: number; failures: number; primed: number }
/** The hole-punch counters `kith status --json` reports (status.metrics.holePunch). */
async function holePunchMetrics(n: Node): Promise<PunchCounts> {
  const st = await n.json<{ metrics: { holePunch?: PunchCounts } }>(['status'])
  assert.ok(st.metrics.holePunch !== undefined, 'status.metrics.holePunch')
  return st.metrics.holePunch
}

/** Texts with `prefix` that `node` received, each once, or throws on a duplicate. */
async function received(n: Node, prefix: string): Promise<Set<string>> {
  const got = (await messages(n)).filter((m) => m.direction === 'in' && m.text.startsWith(prefix))
  const texts = got.map((m) => m.text.replace(/\.+$/, ''))
  const set = new Set(texts)
  assert.equal(set.size, texts.length, `${n.role} got a message twice (${prefix})`)
  return set
}

describe('connectivity across NATs (network namespaces)', { skip, timeout: 600_000 }, () => {
  before(async () => {
    teardown() // stale namespaces of an earlier run
    net('up')
    await assertIsolated(hostAddrs())
    const relay = await startNode('relay', 'relay', [
      '--listen',
      `/ip4/0.0.0.0/tcp/${RELAY_PORT}`,
      '--announce',
      `/ip4/${RELAY_IP}/tcp/${RELAY_PORT}`,
      ...(VARIANT.v6
        ? [
            '--listen',
            `/ip6/::/tcp/${RELAY_PORT}`,
            '--announce',
            `/ip6/${RELAY_IP6}/tcp/${RELAY_PORT}`,
          ]
        : []),
    ])
    nodes.set('relay', relay)
    bootstrapAddr = `/ip4/${RELAY_IP}/tcp/${RELAY_PORT}/p2p/${relay.peerId}`
    const roles: Role[] = ['pa', 'pb', 'h1', 'h2', 'h3']
    const t0 = performance.now()
    const started = await Promise.all(
      roles.map((r) =>
        startNode(r, 'daemon', [
          '--name',
          r,
          '--listen',
          `/ip4/0.0.0.0/tcp/${DAEMON_PORT}`,
          '--bootstrap',
          bootstrapAddr,
        ]),
      ),
    )
    for (const n of started) nodes.set(n.role, n)
    // Homes behind NAT hold a reservation (a /p2p-circuit address) before they hand out invites.
    await Promise.all(
      (['h1', 'h2', 'h3'] as const).map((r) =>
        until(
          `${r} reserves a relay slot`,
          async () =>
            (await node(r).json<Status>(['status'])).addrs.some((a) => a.includes('/p2p-circuit')),
          30_000,
        ),
      ),
    )
    // Homes behind a router that maps ports (variant home192-upnp) hand out invites with their
    // mapped address once AutoNAT confirmed it.
    for (const r of (['h1', 'h2'] as const).filter((h) => mapped(VARIANT, h))) {
      const addr = await untilMapped(node(r))
      // Through UPnP IGD, or NAT-PMP where the router speaks only that (variant home192-pmp).
      const st = await node(r).json<{ upnp: { protocol: string } }>(['status'])
      assert.equal(st.upnp.protocol, mapProtocol(VARIANT, r), `${r}'s mapping protocol`)
      // The human status names the mapping too (docs/cli.md "Port map").
      const human = await node(r).cli(['status'])
      assert.match(
        human.stdout,
        new RegExp(`^Port map {5}${addr.replaceAll('.', '\\.')} on \\S+ since `, 'm'),
      )
      rows.push({
        case: `0. ${r} port mapping`,
        path: addr,
        firstDeliveryMs: 0,
        note: `${mapProtocol(VARIANT, r)}: mapped and confirmed ${Math.round(performance.now() - t0)} ms after the daemons started`,
      })
    }
  })

  after(() => {
    teardown()
    if (rows.length === 0) return
    const table = [
      '| case | path | first delivered message | note |',
      '| ---- | ---- | ----------------------- | ---- |',
      ...rows.map((r) => `| ${r.case} | ${r.path} | ${r.firstDeliveryMs} ms | ${r.note} |`),
    ].join('\n')
    console.log(`\nvariant ${VARIANT.name}: ${VARIANT.about}\n${table}\n`)
    const out = process.env.KITH_NETNS_RESULTS
    if (out !== undefined && out !== '')
      writeFileSync(out, `${JSON.stringify({ variant: VARIANT.name, rows }, null, 2)}\n`)
  })

  it('7. AutoNAT: public on the public side, private behind NAT', async () => {
    // On a documentation range (RFC 5737) libp2p never confirms a public address: nothing to
    // ask of pa and pb there.
    for (const r of docRange(VARIANT) ? [] : (['pa', 'pb'] as const)) {
      await until(
        `${r} is public`,
        async () => (await node(r).json<Status>(['status'])).nat === 'public',
      )
    }
    for (const r of ['h1', 'h2', 'h3'] as const) {
      // A home whose router mapped its port is reachable: AutoNAT confirmed the mapped address.
      const want = mapped(VARIANT, r) ? 'public' : 'private'
      await until(
        `${r} is ${want}`,
        async () => (await node(r).json<Status>(['status'])).nat === want,
      )
    }
    rows.push({
      case: '7. AutoNAT',
      path: '-',
      firstDeliveryMs: 0,
      note: docRange(VARIANT)
        ? 'h1–h3 private (pa, pb on a documentation range)'
        : VARIANT.upnp
          ? 'pa, pb, h1, h2 (mapped) public; h3 private'
          : 'pa, pb public; h1–h3 private',
    })
  })

  it('1. public ↔ public: direct', async () => {
    const [pa, pb] = [node('pa'), node('pb')]
    await befriend(pa, pb)
    const ms = await sendWait(pb, pa, 'hello pa')
    await sendWait(pa, pb, 'hello pb')
    assert.equal(await path(pb, pa), 'direct')
    assert.ok((await pb.json<Peer[]>(['peers'])).some((p) => p.peerId === pa.peerId && p.direct))
    rows.push({ case: '1. public ↔ public', path: 'direct', firstDeliveryMs: ms, note: 'TCP' })
  })

  it('2. NAT → public and public → NAT: chat both ways', async () => {
    const [h1, pa] = [node('h1'), node('pa')]
    // NAT → public: h1 dials pa's TCP address itself.
    await befriend(pa, h1)
    const out = await sendWait(h1, pa, 'from h1 to pa')
    await sendWait(pa, h1, 'from pa to h1')
    const outPath = await path(h1, pa)
    assert.notEqual(outPath, 'none')
    rows.push({ case: '2a. NAT → public', path: outPath, firstDeliveryMs: out, note: 'h1 → pa' })
    // public → NAT: a public node h1 has never met (pc, a second daemon in pb's namespace,
    // started now, so that the DHT has not had h1 dial it yet) reaches h1 only through its relay
    // address, until a direct path exists.
    const pc = await startNode('pb', 'daemon', [
      '--name',
      'pc',
      '--listen',
      `/ip4/0.0.0.0/tcp/${DAEMON_PORT === 0 ? 0 : 4003}`,
      '--bootstrap',
      bootstrapAddr,
    ])
    await befriend(h1, pc)
    const inMs = await sendWait(pc, h1, 'from pc to h1')
    const first = await path(pc, h1)
    await sendWait(h1, pc, 'from h1 to pc')
    const later = await until('pc ↔ h1 direct', async () => {
      const p = await path(pc, h1)
      return p === 'hole-punched' || p === 'direct' ? p : undefined
    })
    await sendWait(pc, h1, 'from pc to h1, direct')
    rows.push({
      case: '2b. public → NAT',
      path: first === later ? later : `${first} → ${later}`,
      firstDeliveryMs: inMs,
      // h1 learns pc's public address over the relayed connection and may dial it directly
      // before the first message is acknowledged.
      note:
        first === 'relayed'
          ? 'pc → h1 via h1’s relay address'
          : 'a direct connection existed by the first ack',
    })
  })

  it('3. NAT ↔ NAT (cone-like): relayed, then hole-punched; the relay carries no more chat', async () => {
    const [h1, h2] = [node('h1'), node('h2')]
    await befriend(h1, h2)
    const ms = await sendWait(h2, h1, 'from h2 to h1')
    const first = await path(h2, h1)
    await sendWait(h1, h2, 'from h1 to h2')
    if (mapped(VARIANT, 'h1')) {
      // h1's router mapped its port (UPnP): h2 dials h1's mapped address over TCP. Its router
      // is punchable too now (primed punches, src/node/connectivity/prime.ts), and the punch
      // may be first: either way the first message's path is direct.
      assert.ok(
        first === 'direct' || first === 'hole-punched',
        `h2 → h1 direct from the first message (${first})`,
      )
      await onlyDirect(h2, h1)
      const before = await relayRxBytes()
      await bulkSend(h2, h1.peerId, 'c3', 50, 1000)
      await until('50 messages at h1', async () => (await received(h1, 'c3-')).size === 50, 60_000)
      const relayed = (await relayRxBytes()) - before
      assert.ok(relayed < 50_000, `the relay received ${relayed} bytes while 50 KB went h2 → h1`)
      rows.push({
        case: '3. NAT ↔ NAT (cone)',
        path: first === 'direct' ? 'direct (TCP to the UPnP-mapped port)' : 'hole-punched first',
        firstDeliveryMs: ms,
        note: `relay rx during 50 KB: ${relayed} B`,
      })
      return
    }
    if (!punchable(VARIANT, 'h1', 'h2')) {
      // Both routers accept unsolicited packets (variants.ts punchable): the pair stays on the
      // relay, and chat flows there.
      await until('the punches fail', () =>
        Promise.resolve(punchFailures(h1, h2.peerId) + punchFailures(h2, h1.peerId) >= 2),
      )
      await bulkSend(h2, h1.peerId, 'c3', 50, 1000)
      await until('50 messages at h1', async () => (await received(h1, 'c3-')).size === 50, 60_000)
      rows.push({
        case: '3. NAT ↔ NAT (cone)',
        path: `${first}, not punchable in this variant`,
        firstDeliveryMs: ms,
        note: `${punchFailures(h1, h2.peerId) + punchFailures(h2, h1.peerId)} failed punches; 50/50 relayed`,
      })
      return
    }
    const t0 = performance.now()
    await until(
      'h1 ↔ h2 direct, no relayed connection left',
      async () => {
        const peers = (await h2.json<Peer[]>(['peers'])).filter((p) => p.peerId === h1.peerId)
        return peers.length > 0 && peers.every((p) => p.direct)
      },
      30_000,
    )
    const directMs = Math.round(performance.now() - t0)
    assert.equal(await path(h2, h1), 'hole-punched')
    assert.equal(await path(h1, h2), 'hole-punched')
    // 50 messages of 1,000 characters go h2 → h1. Relayed, they would cost the relay ≥ 100 KB (in
    // from h2, out to h1, and more with padding and acks: ≈4.5 KB each in case 4); the relay's
    // own traffic (DHT, identify, mailboxes of seven daemons) stays well below 50 KB meanwhile.
    const before = await relayRxBytes()
    await bulkSend(h2, h1.peerId, 'c3', 50, 1000)
    await until('50 messages at h1', async () => (await received(h1, 'c3-')).size === 50, 60_000)
    const relayed = (await relayRxBytes()) - before
    assert.ok(relayed < 50_000, `the relay received ${relayed} bytes while 50 KB went h2 → h1`)
    const punches = [...punchTimes(h1, h2.peerId), ...punchTimes(h2, h1.peerId)]
    assert.ok(punches.length > 0, 'no punch logged')
    const [m1, m2] = [await holePunchMetrics(h1), await holePunchMetrics(h2)]
    assert.ok(m1.successes + m2.successes >= 1, '`kith status` counts the successful punch')
    // Punches here are primed first (src/node/connectivity/prime.ts): both homes learn a public
    // mapping from the relay's STUN server (a documentation range is public to the primer).
    assert.ok(m1.primed + m2.primed >= 1, `no primed punch: ${JSON.stringify([m1, m2])}`)
    rows.push({
      case: '3. NAT ↔ NAT (cone)',
      path: `${first} → hole-punched`,
      firstDeliveryMs: ms,
      note: `punched in ${punches.join(', ')} ms (direct ${directMs} ms after the 2nd ack); relay rx during 50 KB: ${relayed} B`,
    })
  })

  it('4. NAT ↔ symmetric NAT: stays relayed, chat works', async () => {
    const [h2, h3] = [node('h2'), node('h3')]
    await befriend(h2, h3)
    const ms = await sendWait(h3, h2, 'from h3 to h2')
    await sendWait(h2, h3, 'from h2 to h3')
    if (mapped(VARIANT, 'h2')) {
      // h2's router mapped its port: h3 dials it over TCP from behind its symmetric NAT.
      assert.equal(await path(h3, h2), 'direct')
      await onlyDirect(h2, h3)
      const before = await relayRxBytes()
      await bulkSend(h2, h3.peerId, 'c4', 20, 1000)
      await until('20 messages at h3', async () => (await received(h3, 'c4-')).size === 20)
      const relayed = (await relayRxBytes()) - before
      assert.ok(relayed < 20_000, `the relay received ${relayed} bytes while 20 KB went h2 → h3`)
      rows.push({
        case: '4. NAT ↔ symmetric NAT',
        path: 'direct (h3 → h2’s mapped TCP port)',
        firstDeliveryMs: ms,
        note: `relay rx during 20 KB: ${relayed} B`,
      })
      return
    }
    // Let the first punch fail (HOLE_PUNCH_TIMEOUT_MS) and a connection it may leave on the
    // answering side fail its probe (WEBRTC_PROBE_TIMEOUT_MS): then relayed only, chat flows.
    await until(
      'a failed punch',
      () => Promise.resolve(punchFailures(h2, h3.peerId) + punchFailures(h3, h2.peerId) > 0),
      20_000,
    )
    await new Promise((r) => setTimeout(r, 6_000))
    assert.equal(await path(h3, h2), 'relayed')
    assert.equal(await path(h2, h3), 'relayed')
    const failed = punchFailures(h2, h3.peerId) + punchFailures(h3, h2.peerId)
    const counted = (await holePunchMetrics(h2)).failures + (await holePunchMetrics(h3)).failures
    assert.ok(counted >= 1, '`kith status` counts the failed punch')
    await sendWait(h3, h2, 'still relayed')
    // 20 messages of 1,000 characters h2 → h3: the relay carries them.
    const before = await relayRxBytes()
    await bulkSend(h2, h3.peerId, 'c4', 20, 1000)
    await until('20 relayed messages at h3', async () => (await received(h3, 'c4-')).size === 20)
    const relayed = (await relayRxBytes()) - before
    assert.ok(relayed > 20_000, `the relay received only ${relayed} bytes`)
    rows.push({
      case: '4. NAT ↔ symmetric NAT',
      path: 'relayed',
      firstDeliveryMs: ms,
      note: `${failed} failed punch(es); relay rx during 20 KB: ${relayed} B`,
    })
  })

  it('5. 5 % packet loss: all of 200 messages arrive exactly once', async () => {
    const [h1, h2] = [node('h1'), node('h2')]
    net('loss', 'r1', '5')
    try {
      const t0 = performance.now()
      await bulkSend(h2, h1.peerId, 'c5', 200)
      await until(
        '200 messages at h1',
        async () => (await received(h1, 'c5-')).size === 200,
        180_000,
        1_000,
      )
      const ms = Math.round(performance.now() - t0)
      rows.push({
        case: '5. 5 % loss (r1)',
        path: await path(h2, h1),
        firstDeliveryMs: 0,
        note: `200/200 once in ${ms} ms`,
      })
    } finally {
      net('heal', 'r1')
    }
    const all = await messages(h1)
    const c5 = all.filter((m) => m.text.startsWith('c5-'))
    assert.equal(
      (await received(h1, 'c5-')).size,
      200,
      `h1 holds ${all.length} messages, ${c5.length} c5 (${c5.filter((m) => m.direction === 'in').length} in)`,
    )
  })

  it('6. the link drops for 30 s: everything sent meanwhile arrives once after it heals', async () => {
    const [h1, h2] = [node('h1'), node('h2')]
    net('cut', 'r1')
    let healed = 0
    try {
      await bulkSend(h2, h1.peerId, 'c6', 20)
      await new Promise((r) => setTimeout(r, 30_000))
    } finally {
      net('heal', 'r1')
      healed = performance.now()
    }
    await until(
      '20 messages at h1 after the cut',
      async () => (await received(h1, 'c6-')).size === 20,
      180_000,
      1_000,
    )
    const ms = Math.round(performance.now() - healed)
    rows.push({
      case: '6. 30 s cut (r1)',
      path: await path(h2, h1),
      firstDeliveryMs: ms,
      note: '20/20 once; time from heal to the last one',
    })
  })
  it(
    '8. IPv6 only: two public hosts without IPv4 chat directly over IPv6',
    { skip: VARIANT.v6 ? false : 'only in a dual-stack variant (cgnat)' },
    async () => {
      const boot = `/ip6/${RELAY_IP6}/tcp/${RELAY_PORT}/p2p/${node('relay').peerId}`
      const [q1, q2] = await Promise.all(
        (['q1', 'q2'] as const).map((r) =>
          startNode(r, 'daemon', [
            '--name',
            r,
            '--listen',
            `/ip6/::/tcp/${DAEMON_PORT}`,
            '--bootstrap',
            boot,
          ]),
        ),
      )
      await befriend(q1!, q2!)
      const ms = await sendWait(q2!, q1!, 'hello q1 over IPv6')
      await sendWait(q1!, q2!, 'hello q2 over IPv6')
      const peers = (await q2!.json<Peer[]>(['peers'])).filter((p) => p.peerId === q1!.peerId)
      assert.ok(
        peers.some((p) => p.direct && p.addrs.some((a) => a.startsWith('/ip6/2001:db8:11::'))),
        `q2 → q1 not direct over IPv6: ${JSON.stringify(peers)}`,
      )
      rows.push({
        case: '8. IPv6 only (q1, q2)',
        path: 'direct',
        firstDeliveryMs: ms,
        note: 'TCP over IPv6',
      })
    },
  )

  it(
    '9. a daemon that stops deletes its port mapping on the router',
    { skip: mapped(VARIANT, 'h1') ? false : 'only where the home router maps ports' },
    async () => {
      const h1 = node('h1')
      // miniupnpd's DNAT rules (net.sh: the legacy xtables in this variant).
      const rules = async () =>
        (await inNs('r1', ['iptables-legacy', '-t', 'nat', '-S', 'MINIUPNPD'])).stdout
      assert.match(await rules(), /--dport 4001 -j DNAT/, 'h1’s mapping is on r1')
      const exited = new Promise<number | null>((resolve) => h1.proc.once('exit', resolve))
      h1.proc.kill('SIGTERM')
      assert.equal(await exited, 0, 'h1 stopped cleanly')
      assert.doesNotMatch(await rules(), /--dport 4001/, 'the mapping is gone once h1 stopped')
      rows.push({ case: '9. stop unmaps', path: '-', firstDeliveryMs: 0, note: 'r1 rule deleted' })
    },
  )

  it(
    '10. a daemon started with its LAN link down maps once the link is up; a contact dials it directly',
    { skip: mapped(VARIANT, 'h2') ? false : 'only where the home router maps ports' },
    async () => {
      const lan = VARIANT.lans[1]
      const old = node('h2')
      const exited = new Promise<number | null>((resolve) => old.proc.once('exit', resolve))
      old.proc.kill('SIGTERM')
      assert.equal(await exited, 0, 'the first h2 stopped cleanly')
      await inNs('h2', ['ip', 'link', 'set', 'eth0', 'down'])
      const h2 = await startNode('h2', 'daemon', [
        '--name',
        'h2-late',
        '--listen',
        `/ip4/0.0.0.0/tcp/${DAEMON_PORT}`,
        '--bootstrap',
        bootstrapAddr,
      ])
      nodes.set('h2', h2)
      // miniupnpd's DNAT rules on r2 (the legacy xtables in this variant; net.sh). The first h2's
      // mapping was deleted when it stopped (-L cannot print this DNAT revision's target: -S).
      const rules = async () =>
        (await inNs('r2', ['iptables-legacy', '-t', 'nat', '-S', 'MINIUPNPD'])).stdout
      const st = await h2.json<{ upnp: unknown; network: string }>(['status'])
      assert.equal(st.network, 'offline')
      assert.equal(st.upnp, null, 'no mapping without a network')
      assert.doesNotMatch(
        await rules(),
        /-j DNAT/,
        'no mapping on r2 (the first h2 deleted its own)',
      )
      const t0 = performance.now()
      await inNs('h2', ['ip', 'link', 'set', 'eth0', 'up'])
      await inNs('h2', ['ip', 'route', 'replace', 'default', 'via', `${lan}.1`])
      const addr = await untilMapped(h2)
      const mappedMs = Math.round(performance.now() - t0)
      const port = addr.split('/').at(-1)!
      assert.match(await rules(), new RegExp(`--dport ${port} -j DNAT`), 'the mapping is on r2')
      // h3, behind the symmetric NAT (no punch possible), reaches it over the mapped port.
      const h3 = node('h3')
      await befriend(h2, h3, 'h2-late')
      const ms = await sendWait(h3, h2, 'from h3 to the late h2')
      assert.equal(await path(h3, h2), 'direct', 'h3 → h2 over the mapped TCP port')
      const proto = (await h2.json<{ upnp: { protocol: string } }>(['status'])).upnp.protocol
      rows.push({
        case: '10. link up after start',
        path: `direct (${proto} mapping ${mappedMs} ms after the link came up)`,
        firstDeliveryMs: ms,
        note: 'h3 → late h2',
      })
    },
  )

  it(
    '11. the daemon moves to another address: the old mapping is dropped and a new one announced',
    { skip: mapped(VARIANT, 'h2') ? false : 'only where the home router maps ports' },
    async () => {
      type St = { upnp: { externalAddr: string; since: number } | null; addrs: string[] }
      const h2 = node('h2')
      const lan = VARIANT.lans[1]
      const old = (await h2.json<St>(['status'])).upnp
      assert.ok(old !== null, 'h2 holds a mapping (case 10)')
      const t0 = performance.now()
      // Another network as the node sees it: its address changes (DHCP on another LAN would
      // change the gateway too; gateway.ts compares both). The old address goes first: deleting
      // a primary address deletes its secondaries.
      const moved = await inNs('h2', [
        'sh',
        '-c',
        `ip addr del ${lan}.2/24 dev eth0 && ip addr add ${lan}.3/24 dev eth0 && ip route replace default via ${lan}.1`,
      ])
      assert.equal(moved.code, 0, moved.stderr)
      let now: NonNullable<St['upnp']> | undefined
      await until(
        'h2 mapped anew from its new address, the old mapping withdrawn',
        async () => {
          const st = await h2.json<St>(['status'])
          if (st.upnp === null || st.upnp.since === old.since) return false
          now = st.upnp
          const announced = (a: string) => st.addrs.some((x) => x.startsWith(`${a}/`))
          return (
            announced(st.upnp.externalAddr) &&
            (st.upnp.externalAddr === old.externalAddr || !announced(old.externalAddr))
          )
        },
        MAPPING_TIMEOUT_MS,
      )
      rows.push({
        case: '11. new address',
        path: `${old.externalAddr} → ${now?.externalAddr}`,
        firstDeliveryMs: 0,
        note: `mapped anew and confirmed ${Math.round(performance.now() - t0)} ms after the change`,
      })
    },
  )

  it(
    '12. two devices behind one router (no hairpinning): they meet on their LAN, the relay carries no chat',
    { skip: VARIANT.shared ? false : 'only where a second device shares h1’s LAN (shared-home)' },
    async () => {
      const h1 = node('h1')
      const h4 = await startNode('h4', 'daemon', [
        '--name',
        'h4',
        '--listen',
        `/ip4/0.0.0.0/tcp/${DAEMON_PORT}`,
        '--bootstrap',
        bootstrapAddr,
      ])
      nodes.set('h4', h4)
      // Settled as the other homes were before their cases: its start-up traffic (reservation,
      // DHT) goes to the relay and must not count as chat below.
      await until(
        'h4 reserves a relay slot',
        async () =>
          (await h4.json<Status>(['status'])).addrs.some((a) => a.includes('/p2p-circuit')),
        30_000,
      )
      // h1's invite carries its LAN address (marked LAN, src/node/connectivity/announce.ts); h4,
      // on the same /24, dials it first (addr-policy.ts rank "near"). r1 cannot hairpin: a
      // dial to h1's public mapping from h4 would end at r1 itself.
      await befriend(h1, h4)
      const ms = await sendWait(h4, h1, 'hello h1 from the same LAN')
      await sendWait(h1, h4, 'hello h4')
      const lanAddr = `/ip4/${VARIANT.lans[0]}.2/tcp/`
      const peers = (await h4.json<Peer[]>(['peers'])).filter((p) => p.peerId === h1.peerId)
      assert.ok(
        peers.some((p) => p.direct && p.addrs.some((a) => a.startsWith(lanAddr))),
        `h4 → h1 not direct over the LAN: ${JSON.stringify(peers)}`,
      )
      await onlyDirect(h1, h4)
      await onlyDirect(h4, h1)
      // 50 KB of chat h1 → h4: relayed, the relay would receive more than all of it.
      const before = await relayRxBytes()
      await bulkSend(h1, h4.peerId, 'c12', 50, 1000)
      await until('50 messages at h4', async () => (await received(h4, 'c12-')).size === 50)
      const relayed = (await relayRxBytes()) - before
      assert.ok(relayed < 20_000, `the relay received ${relayed} bytes while 50 KB went h1 → h4`)
      rows.push({
        case: '12. two devices, one router',
        path: 'direct (TCP on the LAN)',
        firstDeliveryMs: ms,
        note: `relay rx during 50 KB: ${relayed} B`,
      })
    },
  )
})
