// One file source for `npm run bench -- files`, in its own process so several sources are
// CPU-bound separately: a js-libp2p node (TCP + Noise + yamux on 127.0.0.1) serving a sealed
// chunk store over /kith/file (with its hash list), the plain file over one raw libp2p stream
// (RAW_PROTOCOL), and the plain file over a raw TCP socket. Prints one JSON line
// `{peerId, addrs, tcpPort}` when ready; exits when its stdin closes. It serves anyone (a bench).
// `node <loader args> bench/lib/file-source.ts <src> <chunks> <hashes|-> <size>`
import '../../src/platform/polyfill.js'
import { randomBytes } from 'node:crypto'
import { createReadStream, readFileSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { createServer } from 'node:net'
import { sealedLength } from '../../src/core/file/index.js'
import { createKithNode } from '../../src/node/kith-node.js'
import { readChunk } from '../../src/service/files/disk.js'
import { RAW_PROTOCOL } from './file-sources.js'
/** Bytes per send() on the raw libp2p stream: one chunk's worth, as /kith/file frames are. */
const PIECE = 256 * 1024

async function main(): Promise<void> {
  const [src, chunks, hashes, sizeArg] = process.argv.slice(2)
  if (src === undefined || chunks === undefined || hashes === undefined || sizeArg === undefined) {
    throw new Error('usage: file-source.ts <src> <chunks> <hashes|-> <size>')
  }
  const size = Number(sizeArg)
  const list = hashes === '-' ? undefined : new Uint8Array(readFileSync(hashes))
  const fh = await open(chunks, 'r')
  const node = await createKithNode(
    { identitySeed: randomBytes(32), listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], mdns: false },
    {},
  )
  await node.start()
  node.onFileRequest({
    allowPeer: () => true,
    entitled: () => true,
    chunk: (_id, i) => readChunk(fh, sealedLength(size, i), i),
    hashList: () => Promise.resolve(list),
  })
  await node.libp2p.handle(RAW_PROTOCOL, (stream) => {
    void (async () => {
      const f = await open(src, 'r')
      const buf = new Uint8Array(PIECE)
      for (;;) {
        const { bytesRead } = await f.read(buf, 0, PIECE, null)
        if (bytesRead === 0) break
        if (!stream.send(buf.slice(0, bytesRead))) await stream.onDrain()
      }
      await f.close()
      await stream.close()
    })()
  })
  const tcp = createServer((socket) => createReadStream(src).pipe(socket))
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r))
  const addr = tcp.address()
  const tcpPort = typeof addr === 'object' && addr !== null ? addr.port : 0
  process.stdout.write(`${JSON.stringify({ peerId: node.peerId, addrs: node.addrs(), tcpPort })}\n`)
  process.stdin.resume()
  process.stdin.on('end', () => {
    tcp.close()
    void node
      .stop()
      .then(() => fh.close())
      .then(() => process.exit(0))
  })
}

await main()
