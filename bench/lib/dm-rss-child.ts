// A child process for the dm bench's memory baselines, run as bin/kith runs the daemon
// (bundled, or through tsx: bench/lib/dm-start.ts): `node <args> dm-rss-child <mode>`, where mode is
//   node       nothing but Node and the polyfill (and tsx, unbundled): the floor under every process
//   bare       a started plain libp2p node (TCP, Noise, yamux), listening on 127.0.0.1
//   kith-node  a started createKithNode() (Kith's whole libp2p stack, no store, service or API)
// It prints `{"event":"ready"}` on stdout once started and stops cleanly on SIGTERM/SIGINT.
// Each mode imports only what it runs, so `node` loads nothing of libp2p.
import { randomBytes } from 'node:crypto'

const MODES = ['node', 'bare', 'kith-node'] as const
type Mode = (typeof MODES)[number]

async function start(mode: Mode): Promise<() => Promise<unknown>> {
  if (mode === 'bare') {
    const { bareNode } = await import('./dm-raw.js')
    const node = await bareNode()
    return async () => {
      await node.stop()
    }
  }
  if (mode === 'kith-node') {
    const { createKithNode } = await import('../../src/node/kith-node.js')
    const node = await createKithNode({
      identitySeed: randomBytes(32),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: [],
      mdns: false,
    })
    await node.start()
    return () => node.stop()
  }
  return () => Promise.resolve()
}

const mode = process.argv[2] as Mode
if (!MODES.includes(mode)) {
  console.error(`usage: dm-rss-child.ts ${MODES.join('|')}`)
  process.exit(2)
}
const stop = await start(mode)
// Keeps the process alive until a signal arrives.
const keepAlive = setInterval(() => undefined, 1 << 30)
const onSignal = () => {
  clearInterval(keepAlive)
  void stop().then(() => process.exit(0))
}
process.once('SIGTERM', onSignal)
process.once('SIGINT', onSignal)
process.stdout.write(`${JSON.stringify({ event: 'ready', mode })}\n`)
