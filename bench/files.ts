// `npm run bench -- files [--smoke]`: file transfer throughput over loopback (docs/files.md).
// One process, two js-libp2p nodes (TCP + Noise + yamux on 127.0.0.1), a random file of 128 MiB
// (4 MiB with --smoke), and in the same run:
//   seal     sealing the file once (read, XChaCha20-Poly1305, SHA-256, write the chunk store);
//   kith     /kith/file: every chunk fetched (16 per request, 2 requests in flight), checked
//            against the manifest and written, then opened and written out (the whole `get`);
//   libp2p   the same bytes over one raw stream of the same two nodes, written to a file;
//   cat      `cat src > dst` on the same disk.
// Also the process RSS during the kith transfer (both nodes live in this process). The last line
// is the summary: `file throughput (MB/s): kith <x> libp2p <y> ratio <z>` (kith ÷ libp2p) plus
// `cat`. Asserts only that the file arrived intact.
import '../src/platform/polyfill.js'
import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { sealedLength } from '../src/core/file/index.js'
import { createKithNode, type Libp2pKithNode } from '../src/node/libp2p.js'
import { readChunk, writeOut } from '../src/service/files/disk.js'
import { download } from '../src/service/files/download.js'
import { sealFile } from '../src/service/files/seal.js'
import { noExtraArgs, type BenchOptions } from './lib/bench.js'
import { fixed } from './lib/measure.js'

const MB = 1e6
const RAW_PROTOCOL = '/kith-bench/raw/1.0.0'
const PIECE = 256 * 1024
const log = (s: string) => console.error(`files: ${s}`)

async function node(): Promise<Libp2pKithNode> {
  const n = await createKithNode(
    { identitySeed: randomBytes(32), listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], mdns: false },
    {},
  )
  await n.start()
  return n
}

function sha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex')
}

export async function run({ smoke, args }: BenchOptions): Promise<void> {
  noExtraArgs('files', args)
  const size = (smoke ? 4 : 128) * 1024 * 1024
  console.log(
    `files bench: Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load ` +
      `${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}, ${size / 1024 / 1024} MiB${smoke ? ' (smoke: numbers mean nothing)' : ''}`,
  )
  const dir = mkdtempSync(join(tmpdir(), 'kith-bench-files-'))
  const [a, b] = [await node(), await node()]
  try {
    const src = join(dir, 'src.bin')
    const fd = openSync(src, 'w')
    for (let off = 0; off < size; off += 1024 * 1024) writeSync(fd, randomBytes(1024 * 1024))
    closeSync(fd)
    const want = sha(src)

    let t = performance.now()
    const sealed = await sealFile(
      src,
      (n) => new Uint8Array(randomBytes(n)),
      (id) => join(dir, `${id}.a.chunks`),
    )
    const sealS = (performance.now() - t) / 1000
    const chunksA = join(dir, `${sealed.fileId}.a.chunks`)
    const fhA = await open(chunksA, 'r')
    a.onFileRequest({
      allowPeer: () => true,
      entitled: () => true,
      chunk: (_id, i) => readChunk(fhA, sealedLength(size, i), i),
    })

    const rss0 = process.memoryUsage().rss
    let rssMax = rss0
    const sampler = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage().rss)), 50)
    t = performance.now()
    const have = new Array<boolean>(sealed.manifest.chunkHashes.length).fill(false)
    await download({
      fetch: (peer, req, onChunk) => b.fileFetch(peer, req, onChunk, a.addrs()),
      manifest: sealed.manifest,
      chunksPath: join(dir, 'b.chunks'),
      have,
      sources: [a.peerId],
      signal: new AbortController().signal,
      onChunk: () => undefined,
      onBadChunk: () => undefined,
    })
    const fetchS = (performance.now() - t) / 1000
    const out = await writeOut(
      join(dir, 'b.chunks'),
      sealed.manifest,
      sealed.fileId,
      join(dir, 'kith.out'),
    )
    const kithS = (performance.now() - t) / 1000
    clearInterval(sampler)
    await fhA.close()
    if (sha(out) !== want) throw new Error('kith: the file arrived different')

    // Raw libp2p stream, same nodes, same connection kind.
    await a.libp2p.handle(RAW_PROTOCOL, (stream) => {
      void (async () => {
        const fh = await open(src, 'r')
        const buf = new Uint8Array(PIECE)
        for (;;) {
          const { bytesRead } = await fh.read(buf, 0, PIECE, null)
          if (bytesRead === 0) break
          if (!stream.send(buf.slice(0, bytesRead))) await stream.onDrain()
        }
        await fh.close()
        await stream.close()
      })()
    })
    t = performance.now()
    const rawOut = join(dir, 'raw.out')
    const ofd = openSync(rawOut, 'w')
    const stream = await b.libp2p.dialProtocol(a.libp2p.getMultiaddrs(), RAW_PROTOCOL)
    await new Promise<void>((resolve) => {
      stream.addEventListener('message', (e) => {
        const d = e.data instanceof Uint8Array ? e.data : e.data.subarray()
        writeSync(ofd, d)
      })
      stream.addEventListener('remoteCloseWrite', () => resolve())
      stream.addEventListener('close', () => resolve())
    })
    closeSync(ofd)
    const rawS = (performance.now() - t) / 1000
    if (sha(rawOut) !== want) throw new Error('libp2p: the file arrived different')

    t = performance.now()
    execFileSync('sh', ['-c', `cat "${src}" > "${join(dir, 'cat.out')}"`])
    const catS = (performance.now() - t) / 1000

    const mbps = (s: number) => size / MB / s
    log(`seal ${fixed(mbps(sealS), 1)} MB/s; kith fetch only ${fixed(mbps(fetchS), 1)} MB/s`)
    log(`RSS during the kith transfer: +${fixed((rssMax - rss0) / 1024 / 1024, 1)} MiB`)
    console.log(
      `file throughput (MB/s): kith ${fixed(mbps(kithS), 1)} libp2p ${fixed(mbps(rawS), 1)} ` +
        `ratio ${fixed(rawS / kithS, 2)} cat ${fixed(mbps(catS), 1)}`,
    )
  } finally {
    await Promise.all([a.stop(), b.stop()])
    rmSync(dir, { recursive: true, force: true })
  }
}
