// A hostile peer for the group integration tests: a libp2p node of its own (createKithNode, on
// 127.0.0.1, no mDNS) that is no member of anything. Run with tsx:
//   capture <addr> <topic>          dials addr, subscribes, prints each message as {"hex"} lines
//   publish <addr> <topic> <hex>    dials addr, waits until it is subscribed, publishes, prints
//                                   {"peers": N} and exits 0 — or exits 3 if addr never showed as
//                                   subscribed within SUBSCRIBED_WAIT_MS or nobody took the message
// It speaks gossipsub exactly as a member does; only the members' topic validators stand between
// its bytes and their screens.
import { randomBytes } from 'node:crypto'
import { multiaddr } from '@multiformats/multiaddr'
import '../../src/platform/polyfill.js'
import { createKithNode } from '../../src/node/kith-node.js'
import { sleep, until } from '../helpers/wait.js'

const [mode, addr, topic, hex] = process.argv.slice(2)
if (addr === undefined || topic === undefined) throw new Error('usage: capture|publish addr topic')
const peer = addr.split('/p2p/')[1] ?? ''
const node = await createKithNode({
  identitySeed: randomBytes(32),
  listen: ['/ip4/127.0.0.1/tcp/0'],
  bootstrap: [],
  mdns: false,
})
await node.start()
await node.libp2p.dial(multiaddr(addr))
/** How long `publish` waits for addr's subscription to reach it (a daemon just restarted on a
 *  loaded machine may take seconds); long enough never to be the reason a run fails. */
const SUBSCRIBED_WAIT_MS = 60_000
/** How long the publisher stays up after publishing: one gossipsub heartbeat (1 s) to forward. */
const PUBLISH_LINGER_MS = 1_000

if (mode === 'capture') {
  node.pubsubSubscribe(
    topic,
    () => 'accept',
    (data) =>
      process.stdout.write(`${JSON.stringify({ hex: Buffer.from(data).toString('hex') })}\n`),
  )
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`)
  process.on('SIGTERM', () => void node.stop().then(() => process.exit(0)))
} else {
  await until(
    'the subscription',
    () => node.pubsubPeers(topic).includes(peer),
    SUBSCRIBED_WAIT_MS,
    100,
  ).catch(() => undefined)
  const subscribed = node.pubsubPeers(topic).includes(peer)
  const peers = subscribed ? await node.pubsubPublish(topic, Buffer.from(hex ?? '', 'hex')) : 0
  process.stdout.write(`${JSON.stringify({ peers, subscribed })}\n`)
  // Gossipsub forwards on its heartbeat: give the message one before the node goes.
  await sleep(PUBLISH_LINGER_MS)
  await node.stop()
  process.exit(peers > 0 ? 0 : 3)
}
