// A hostile peer for the group integration tests: a libp2p node of its own (createKithNode, on
// 127.0.0.1, no mDNS) that is no member of anything. Run with tsx:
//   capture <addr> <topic>          dials addr, subscribes, prints each message as {"hex"} lines
//   publish <addr> <topic> <hex>    dials addr, waits until it is subscribed, publishes, prints
//                                   {"peers": N} and exits
// It speaks gossipsub exactly as a member does; only the members' topic validators stand between
// its bytes and their screens.
import { randomBytes } from 'node:crypto'
import { multiaddr } from '@multiformats/multiaddr'
import '../../src/platform/polyfill.js'
import { createKithNode } from '../../src/node/libp2p.js'

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
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

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
  for (let i = 0; i < 100 && !node.pubsubPeers(topic).includes(peer); i++) await sleep(100)
  const peers = await node.pubsubPublish(topic, Buffer.from(hex ?? '', 'hex'))
  process.stdout.write(`${JSON.stringify({ peers })}\n`)
  await sleep(1_000)
  await node.stop()
  process.exit(0)
}
