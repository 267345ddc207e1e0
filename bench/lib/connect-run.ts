// One variant of `npm run bench -- connect` (bench/connect.ts runs this once per variant, as
// root, with KITH_NET_VARIANT set): `runs` times, the NAT test network of that variant is built
// from scratch (test/netns/net.sh through the netns harness), a `kith relay` and three homes
// start (h1, h2 cone-like, h3 behind the symmetric NAT), and for each pair the first message is
// sent the moment the contact is added; measured: the first message's delivery (`send --wait`
// from its start to the ack, the CLI's own start included, as in test/netns) and, for h1–h2, the
// time from adding the contact until both sides hold a direct connection: read from the `since`
// of the direct connection in `kith peers` of each (when it passed its liveness probe), not from
// when the polling saw it, so the CLI calls of the poll do not add to it (15 s at most: after
// that the run counts as "not punched"). Prints one JSON line with every run's figures on stdout.
import '../../src/platform/polyfill.js'
import {
  assertIsolated,
  DAEMON_PORT,
  hostAddrs,
  net,
  RELAY_IP,
  RELAY_PORT,
  startNode,
  teardown,
  until,
  untilMapped,
  VARIANT,
  type Node,
} from '../../test/netns/harness.js'
import { mapped, punchable } from '../../test/netns/variants.js'

/** How long a pair may take to become direct before the run counts as not punched. */
const DIRECT_WITHIN_MS = 15_000

interface Peer {
  peerId: string
  direct: boolean
  since: number
}

export interface ConnectRun {
  /** h1–h2 (cone ↔ cone): ms from adding the contact to a direct connection on both sides, or
   *  null. */
  directMs: number | null
  /** First message h2 → h1 / h3 → h2, ms (send --wait, CLI start included). */
  firstMsgCone: number
  firstMsgSymmetric: number
}

/** Since when (ms since the epoch) `a` holds a direct connection to `b` (a probed WebRTC one
 *  counts; the relayed one closes RELAY_CLOSE_GRACE_MS later), or undefined. */
async function directSince(a: Node, b: Node): Promise<number | undefined> {
  const direct = (await a.json<Peer[]>(['peers'])).filter((p) => p.peerId === b.peerId && p.direct)
  return direct.length === 0 ? undefined : Math.min(...direct.map((p) => p.since))
}

async function befriendAndSend(a: Node, b: Node): Promise<{ t0: number; ms: number }> {
  const { link } = await a.json<{ link: string }>(['invite'])
  const t0 = Date.now()
  await b.json(['contacts', 'add', link, '--name', a.role])
  const t1 = performance.now()
  const r = await b.json<{ status: string }>(['send', a.peerId, 'hi', '--wait', '--timeout', '60'])
  if (r.status !== 'delivered') throw new Error(`${b.role} → ${a.role}: ${r.status}`)
  return { t0, ms: Math.round(performance.now() - t1) }
}

async function once(): Promise<ConnectRun> {
  teardown()
  net('up')
  await assertIsolated(hostAddrs())
  try {
    const relay = await startNode('relay', 'relay', [
      '--listen',
      `/ip4/0.0.0.0/tcp/${RELAY_PORT}`,
      '--announce',
      `/ip4/${RELAY_IP}/tcp/${RELAY_PORT}`,
    ])
    const boot = `/ip4/${RELAY_IP}/tcp/${RELAY_PORT}/p2p/${relay.peerId}`
    const [h1, h2, h3] = await Promise.all(
      (['h1', 'h2', 'h3'] as const).map((r) =>
        startNode(r, 'daemon', [
          '--listen',
          `/ip4/0.0.0.0/tcp/${DAEMON_PORT}`,
          '--bootstrap',
          boot,
        ]),
      ),
    )
    await Promise.all(
      [h1!, h2!, h3!].map((n) =>
        until(`${n.role} reserves a relay slot`, async () =>
          (await n.json<{ addrs: string[] }>(['status'])).addrs.some((a) =>
            a.includes('/p2p-circuit'),
          ),
        ),
      ),
    )
    // Where the home routers map ports (home192-upnp), invites carry the mapped address once
    // AutoNAT confirmed it.
    const homes = { h1: h1!, h2: h2!, h3: h3! }
    await Promise.all(
      (['h1', 'h2', 'h3'] as const)
        .filter((h) => mapped(VARIANT, h))
        .map((h) => untilMapped(homes[h])),
    )
    const cone = await befriendAndSend(h1!, h2!)
    let directMs: number | null = null
    try {
      const at = await until(
        'h1 ↔ h2 direct',
        async () => {
          const [a, b] = [await directSince(h1!, h2!), await directSince(h2!, h1!)]
          return a !== undefined && b !== undefined && Math.max(a, b)
        },
        Math.max(0, DIRECT_WITHIN_MS - (Date.now() - cone.t0)),
      )
      directMs = at - cone.t0 <= DIRECT_WITHIN_MS ? at - cone.t0 : null
    } catch {
      directMs = null
    }
    const sym = await befriendAndSend(h2!, h3!)
    return { directMs, firstMsgCone: cone.ms, firstMsgSymmetric: sym.ms }
  } finally {
    teardown()
  }
}

const runs = Number(process.argv[2] ?? '5')
const out: ConnectRun[] = []
for (let i = 0; i < runs; i++) {
  const r = await once()
  console.error(`connect ${VARIANT.name} run ${i + 1}/${runs}: ${JSON.stringify(r)}`)
  out.push(r)
}
console.log(
  JSON.stringify({
    variant: VARIANT.name,
    about: VARIANT.about,
    punchable: punchable(VARIANT, 'h1', 'h2'),
    runs: out,
  }),
)
process.exit(0)
