// `npm run bench -- files [--smoke]`: file transfer throughput over loopback (docs/files.md
// "Performance"). A random file of 1 GiB (8 MiB with --smoke) is sealed once here; SOURCES
// separate processes (bench/lib/file-source.ts: each a js-libp2p node, TCP + Noise + yamux on
// 127.0.0.1, so each source is CPU-bound on its own) serve it; this process is the receiver.
// In the same run:
//   seal      sealing the file (read, XChaCha20-Poly1305, SHA-256, write the chunk store);
//   kith      /kith/file from one source: the hash list (over 1,024 chunks), every chunk
//             checked and written, then opened and written out — the whole `get`;
//   kith ×3   the same fetch from three sources at once (fetch only, compared with one);
//   libp2p    the same bytes over one raw stream of the same kind of connection, to a file;
//   tcp       the same bytes over a raw TCP socket, to a file;
//   cat       `cat src > dst` on the same disk.
// RSS: this process's growth above idle during each kith transfer. The last line is the summary:
// `file throughput (MB/s): kith <x> libp2p <y> ratio <z>` (kith ÷ libp2p), then tcp, cat and
// the three-source figures. Asserts only that every copy arrived intact.
import '../src/platform/polyfill.js'
import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import {
  closeSync,
  createReadStream,
  createWriteStream,
  mkdtempSync,
  openSync,
  rmSync,
} from 'node:fs'
import { writeSync } from 'node:fs'
import { connect } from 'node:net'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { multiaddr } from '@multiformats/multiaddr'
import { chunkCount, wireManifest, type FileManifest } from '../src/core/file/index.js'
import { createKithNode, type Libp2pKithNode } from '../src/node/kith-node.js'
import { writeOut } from '../src/service/files/disk.js'
import { download } from '../src/service/files/download.js'
import { fetchHashList, hashListPath } from '../src/service/files/hashlist.js'
import { sealFile } from '../src/service/files/seal.js'
import { noExtraArgs, type BenchOptions } from './lib/bench.js'
import { RAW_PROTOCOL, startSource, stopSource, type Source } from './lib/file-sources.js'
import { fixed } from './lib/measure.js'

const MB = 1e6
const MiB = 1024 * 1024
/** Source processes for the multi-source figure (issue 15: 3 sources ≥ 1.5× one). */
const SOURCES = 3
const log = (s: string) => console.error(`files: ${s}`)

async function sha(path: string): Promise<string> {
  const h = createHash('sha256')
  for await (const b of createReadStream(path)) h.update(b as Buffer)
  return h.digest('hex')
}

/** Samples this process's RSS every 50 ms; `stop()` gives the growth above `idle`, in MiB. */
function rssSampler(idle: number) {
  let max = idle
  const t = setInterval(() => (max = Math.max(max, process.memoryUsage().rss)), 50)
  return () => {
    clearInterval(t)
    return (max - idle) / MiB
  }
}

/** One kith download from `from` into `dir`: hash list (if any), chunks; seconds taken. */
async function kithFetch(
  b: Libp2pKithNode,
  from: Source[],
  wire: FileManifest,
  chunksPath: string,
): Promise<{ seconds: number; manifest: FileManifest; cpu: number }> {
  const addrs = new Map(from.map((s) => [s.peerId, s.addrs]))
  const fetch = (
    peer: string,
    req: Parameters<typeof b.fileFetch>[1],
    onChunk: (i: number, d: Uint8Array) => Promise<void>,
  ) => b.fileFetch(peer, req, onChunk, addrs.get(peer) ?? [])
  const signal = new AbortController().signal
  const t = performance.now()
  const cpu0 = process.cpuUsage()
  let manifest = wire
  if (wire.chunkHashRoot.length > 0) {
    const onBad = (peer: string, name: string) => {
      throw new Error(`${peer}: ${name}`)
    }
    manifest = await fetchHashList(
      { fetch, sources: [from[0]!.peerId], signal, onBad },
      wire,
      chunksPath,
    )
  }
  await download({
    fetch,
    manifest,
    chunksPath,
    have: new Array<boolean>(chunkCount(Number(wire.size))).fill(false),
    sources: from.map((s) => s.peerId),
    signal,
    onChunk: () => undefined,
    onBadChunk: (peer, name) => log(`bad chunk from ${peer}: ${name}`),
  })
  const seconds = (performance.now() - t) / 1000
  const used = process.cpuUsage(cpu0)
  // Cores this (receiving) process kept busy: near 1.0 means the receiver is the bound.
  return { seconds, manifest, cpu: (used.user + used.system) / 1e6 / seconds }
}

export async function run({ smoke, args }: BenchOptions): Promise<void> {
  noExtraArgs('files', args)
  const size = (smoke ? 8 : 1024) * MiB
  console.log(
    `files bench: Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load ` +
      `${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}, ${size / MiB} MiB, ${SOURCES} source processes` +
      `${smoke ? ' (smoke: numbers mean nothing)' : ''}`,
  )
  const dir = mkdtempSync(join(tmpdir(), 'kith-bench-files-'))
  const sources: Source[] = []
  let b: Libp2pKithNode | undefined
  try {
    const src = join(dir, 'src.bin')
    const fd = openSync(src, 'w')
    for (let off = 0; off < size; off += MiB) writeSync(fd, randomBytes(MiB))
    closeSync(fd)
    const want = await sha(src)

    let t = performance.now()
    const sealed = await sealFile(
      src,
      (n) => new Uint8Array(randomBytes(n)),
      (id) => join(dir, `${id}.chunks`),
    )
    const sealS = (performance.now() - t) / 1000
    const chunks = join(dir, `${sealed.fileId}.chunks`)
    const wire = wireManifest(sealed.manifest)
    const hashes = wire.chunkHashRoot.length > 0 ? hashListPath(chunks) : undefined
    for (let i = 0; i < SOURCES; i++) sources.push(await startSource(src, chunks, hashes, size))
    b = await createKithNode(
      {
        identitySeed: randomBytes(32),
        listen: ['/ip4/127.0.0.1/tcp/0'],
        bootstrap: [],
        mdns: false,
      },
      {},
    )
    await b.start()
    const mbps = (s: number) => size / MB / s

    // One source: the whole `get`.
    global.gc?.()
    const idle = process.memoryUsage().rss
    let stop = rssSampler(idle)
    const tGet = performance.now()
    const one = await kithFetch(b, sources.slice(0, 1), wire, join(dir, 'one.chunks'))
    const out = await writeOut(
      join(dir, 'one.chunks'),
      one.manifest,
      sealed.fileId,
      join(dir, 'kith.out'),
    )
    const kithS = (performance.now() - tGet) / 1000
    const rssOne = stop()
    if ((await sha(out)) !== want) throw new Error('kith: the file arrived different')
    rmSync(out)
    rmSync(join(dir, 'one.chunks'))

    // Three sources at once: the fetch only (the write-out is local and the same).
    stop = rssSampler(process.memoryUsage().rss)
    const three = await kithFetch(b, sources, wire, join(dir, 'three.chunks'))
    const rssThree = stop()
    rmSync(join(dir, 'three.chunks'))

    // Raw libp2p stream from the first source, same kind of connection.
    t = performance.now()
    const rawOut = join(dir, 'raw.out')
    const ofd = openSync(rawOut, 'w')
    const stream = await b.libp2p.dialProtocol(multiaddr(sources[0]!.addrs[0]), RAW_PROTOCOL)
    await new Promise<void>((resolve) => {
      stream.addEventListener('message', (e) => {
        writeSync(ofd, e.data instanceof Uint8Array ? e.data : e.data.subarray())
      })
      stream.addEventListener('remoteCloseWrite', () => resolve())
      stream.addEventListener('close', () => resolve())
    })
    closeSync(ofd)
    const rawS = (performance.now() - t) / 1000
    if ((await sha(rawOut)) !== want) throw new Error('libp2p: the file arrived different')
    rmSync(rawOut)

    // Raw TCP socket from the first source.
    t = performance.now()
    const tcpOut = join(dir, 'tcp.out')
    await pipeline(connect(sources[0]!.tcpPort, '127.0.0.1'), createWriteStream(tcpOut))
    const tcpS = (performance.now() - t) / 1000
    if ((await sha(tcpOut)) !== want) throw new Error('tcp: the file arrived different')
    rmSync(tcpOut)

    t = performance.now()
    execFileSync('sh', ['-c', `cat "${src}" > "${join(dir, 'cat.out')}"`])
    const catS = (performance.now() - t) / 1000

    log(`seal ${fixed(mbps(sealS), 1)} MB/s; hash list by root: ${hashes !== undefined}`)
    log(
      `kith fetch only: 1 source ${fixed(mbps(one.seconds), 1)} MB/s, ${SOURCES} sources ${fixed(mbps(three.seconds), 1)} MB/s (×${fixed(one.seconds / three.seconds, 2)})`,
    )
    log(
      `receiver CPU during the fetch (cores): 1 source ${fixed(one.cpu, 2)}, ${SOURCES} sources ${fixed(three.cpu, 2)}`,
    )
    log(
      `RSS above idle during the transfer: 1 source +${fixed(rssOne, 1)} MiB, ${SOURCES} sources +${fixed(rssThree, 1)} MiB`,
    )
    console.log(
      `file throughput (MB/s): kith ${fixed(mbps(kithS), 1)} libp2p ${fixed(mbps(rawS), 1)} ` +
        `ratio ${fixed(rawS / kithS, 2)} tcp ${fixed(mbps(tcpS), 1)} cat ${fixed(mbps(catS), 1)} ` +
        `sources${SOURCES} ${fixed(mbps(three.seconds), 1)} vs1 ${fixed(one.seconds / three.seconds, 2)}× ` +
        `rss +${fixed(Math.max(rssOne, rssThree), 1)} MiB`,
    )
  } finally {
    await b?.stop()
    await Promise.all(sources.map(stopSource))
    rmSync(dir, { recursive: true, force: true })
  }
}
