// `npm run bench -- core [--smoke]`: the Kith 1:1 session against libsignal-client, in memory.
//
// Both sides run PQXDH once, then the Double Ratchet (Kith: with header encryption), through the
// entry points the products use: Kith's SessionCipher over a MemoryProtocolStore with the native
// provider; libsignal's signalEncrypt / signalDecrypt over in-memory stores. One op = one 1 KiB
// message encrypted by one party and decrypted by the other. Two patterns:
//   ping-pong   A→B, B→A, … : a DH ratchet step on every message (the summary figure)
//   one-way     A→B only    : symmetric-key ratchet steps only
// After a warm-up, Kith and libsignal alternate in several rounds (the order flipping each
// round) and the median ops/s of each is reported: this 2-core VM is noisy. Then Kith's
// ping-pong op is taken apart into the primitive calls it makes, each timed on its own.
// The last line is the summary: `core ratchet: kith <ops/s> libsignal <ops/s> ratio <x>`.
// A benchmark, not a test: it asserts nothing about speed (only that messages round-trip).
import {
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  randomBytes,
} from 'node:crypto'
import { cpus } from 'node:os'
import { performance } from 'node:perf_hooks'
import { noExtraArgs, type BenchOptions } from './lib/bench.js'
import { handshake, type Channel, type Side } from './lib/channel.js'
import { kithChannel, nativeContext } from './lib/kith.js'
import { productChannel } from './lib/kith-product.js'
import { libsignalChannel } from './lib/libsignal.js'
import { fixed, int, median, microsPerCall, opsPerSecond, table } from './lib/measure.js'
import {
  CallProfile,
  lastSessionRecordBytes,
  profiledContext,
  profiledStore,
} from './lib/profile.js'
import { nodeCrypto } from '../src/platform/node-crypto.js'

const MESSAGE_BYTES = 1024

interface Config {
  warmupMs: number
  rounds: number
  roundMs: number
  /** Ping-pong ops whose primitive calls are counted. */
  profileOps: number
  /** Calls per primitive timing. */
  primitiveCalls: number
}

const FULL: Config = {
  warmupMs: 500,
  rounds: 5,
  roundMs: 1000,
  profileOps: 400,
  primitiveCalls: 3000,
}
// CI only checks that everything still runs end to end: a few hundred ms in all.
const SMOKE: Config = { warmupMs: 10, rounds: 1, roundMs: 20, profileOps: 10, primitiveCalls: 20 }

interface Pattern {
  name: string
  /** The side that sends the i-th message of a run; runs have an even length. */
  sender(i: number): Side
}

const PATTERNS: readonly Pattern[] = [
  { name: 'ping-pong', sender: (i) => (i % 2 === 0 ? 'a' : 'b') },
  { name: 'one-way', sender: () => 'a' },
]

/** `kith`: the core through SessionCipher over memory; `kith-store`: the same core functions
 *  through the service's session path over SQLCipher stores, as the daemon runs them
 *  (./lib/kith-product.ts); `libsignal`: the baseline. */
const LIBS = ['kith', 'libsignal', 'kith-store'] as const
type Lib = (typeof LIBS)[number]

interface Run {
  channel: Channel
  opsPerSecond: number[]
  wireBytes: number
  messages: number
}

async function newChannel(lib: Lib, plaintext: Uint8Array<ArrayBuffer>): Promise<Channel> {
  const channel =
    lib === 'kith'
      ? kithChannel()
      : lib === 'kith-store'
        ? await productChannel()
        : await libsignalChannel()
  await handshake(channel, plaintext)
  return channel
}

function timeRun(run: Run, pattern: Pattern, plaintext: Uint8Array<ArrayBuffer>, ms: number) {
  return opsPerSecond(async (i) => {
    run.wireBytes += await run.channel.send(pattern.sender(i), plaintext)
    run.messages++
  }, ms)
}

export async function run(options: BenchOptions): Promise<void> {
  noExtraArgs('core', options.args)
  const cfg = options.smoke ? SMOKE : FULL
  const started = performance.now()
  const plaintext = Uint8Array.from(randomBytes(MESSAGE_BYTES))

  console.log(
    `core ratchet bench${options.smoke ? ' (smoke: numbers mean nothing)' : ''}: ` +
      `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}`,
  )
  console.log(
    `${MESSAGE_BYTES} B messages; warm-up ${cfg.warmupMs} ms each, then ${cfg.rounds} rounds × ` +
      `${cfg.roundMs} ms per (pattern, implementation), order alternating; medians reported\n`,
  )

  // A fresh session per (pattern, implementation), so one pattern's state never feeds the other.
  const runs = new Map<string, Run>()
  const id = (p: Pattern, lib: Lib) => `${p.name}/${lib}`
  for (const p of PATTERNS) {
    for (const lib of LIBS) {
      const r: Run = {
        channel: await newChannel(lib, plaintext),
        opsPerSecond: [],
        wireBytes: 0,
        messages: 0,
      }
      await timeRun(r, p, plaintext, cfg.warmupMs)
      r.wireBytes = 0
      r.messages = 0
      runs.set(id(p, lib), r)
    }
  }

  for (let round = 0; round < cfg.rounds; round++) {
    const order = round % 2 === 0 ? LIBS : [...LIBS].reverse()
    for (const p of PATTERNS) {
      for (const lib of order) {
        const r = runs.get(id(p, lib))!
        r.opsPerSecond.push(await timeRun(r, p, plaintext, cfg.roundMs))
      }
    }
  }

  const rows: string[][] = []
  const medians = new Map<string, number>()
  for (const p of PATTERNS) {
    const k = runs.get(id(p, 'kith'))!
    const s = runs.get(id(p, 'libsignal'))!
    const km = median(k.opsPerSecond)
    const sm = median(s.opsPerSecond)
    medians.set(id(p, 'kith'), km)
    medians.set(id(p, 'libsignal'), sm)
    rows.push([
      p.name,
      int(km),
      int(sm),
      fixed(km / sm, 2),
      int(k.wireBytes / k.messages),
      int(s.wireBytes / s.messages),
    ])
  }
  console.log(
    table(
      ['pattern', 'kith ops/s', 'libsignal ops/s', 'ratio', 'kith B/msg', 'libsignal B/msg'],
      rows,
    ),
  )
  console.log('\nper round (ops/s):')
  for (const [name, r] of runs)
    console.log(`  ${name.padEnd(20)} ${r.opsPerSecond.map(int).join('  ')}`)

  // The product's path: the same core, plus the store's load and save in a transaction per message.
  console.log('\nthe session path the daemon runs (service/direct/sessions.ts over SQLCipher):')
  const storeRows = PATTERNS.map((p) => {
    const km = median(runs.get(id(p, 'kith'))!.opsPerSecond)
    const st = median(runs.get(id(p, 'kith-store'))!.opsPerSecond)
    medians.set(id(p, 'kith-store'), st)
    return [p.name, int(st), int(km), fixed(st / km, 2)]
  })
  console.log(
    table(['pattern', 'kith-store ops/s', 'kith memory ops/s', 'store/memory'], storeRows),
  )
  for (const r of runs.values()) (r.channel as Partial<{ close(): void }>).close?.()

  const kithPingPong = medians.get('ping-pong/kith')!
  const signalPingPong = medians.get('ping-pong/libsignal')!
  const storePingPong = medians.get('ping-pong/kith-store')!
  await breakdown(cfg, plaintext, kithPingPong, signalPingPong)

  console.log(`\n(${fixed((performance.now() - started) / 1000, 1)} s)`)
  console.log(
    `core ratchet: kith ${int(kithPingPong)} libsignal ${int(signalPingPong)} ` +
      `ratio ${fixed(kithPingPong / signalPingPong, 2)}`,
  )
  console.log(
    `core product path: kith-store ${int(storePingPong)} libsignal ${int(signalPingPong)} ` +
      `ratio ${fixed(storePingPong / signalPingPong, 2)}`,
  )
}

/**
 * Counts the primitive calls of Kith ping-pong ops on a separate, instrumented session, times
 * each such call on its own, and sets calls × µs against the measured µs per op.
 */
async function breakdown(
  cfg: Config,
  plaintext: Uint8Array<ArrayBuffer>,
  kithOps: number,
  signalOps: number,
): Promise<void> {
  const profile = new CallProfile()
  const channel = kithChannel(profiledContext(nativeContext(), profile), profiledStore(profile))
  await handshake(channel, plaintext)
  for (let i = 0; i < 4; i++) await channel.send(i % 2 === 0 ? 'a' : 'b', plaintext)
  profile.reset() // steady state only: no PQXDH, no prekey messages
  for (let i = 0; i < cfg.profileOps; i++) await channel.send(i % 2 === 0 ? 'a' : 'b', plaintext)

  const measured = 1e6 / kithOps
  const rows: string[][] = []
  let sum = 0
  const entries = profile.entries().map(([name, e]) => {
    const us = microsPerCall(e.repeat, cfg.primitiveCalls)
    const perOp = e.calls / cfg.profileOps
    return { name, us, perOp, total: us * perOp }
  })
  // The brief's reference point: one AES-GCM call over exactly 1 KiB.
  const key = randomBytes(32)
  const nonce = randomBytes(12)
  const ad = randomBytes(64)
  entries.push({
    name: `aesGcmEncrypt ${MESSAGE_BYTES} B (reference)`,
    us: microsPerCall(
      () => nodeCrypto.aesGcmEncrypt(key, nonce, plaintext, ad),
      cfg.primitiveCalls,
    ),
    perOp: 0,
    total: 0,
  })
  entries.sort((x, y) => y.total - x.total || x.name.localeCompare(y.name))
  for (const e of entries) {
    sum += e.total
    rows.push([
      e.name,
      fixed(e.us, 1),
      e.perOp === 0 ? '—' : fixed(e.perOp, 2),
      e.perOp === 0 ? '—' : fixed(e.total, 1),
      e.perOp === 0 ? '—' : `${fixed((100 * e.total) / measured, 0)} %`,
    ])
  }
  rows.push([
    'sum of the calls above',
    '',
    '',
    fixed(sum, 1),
    `${fixed((100 * sum) / measured, 0)} %`,
  ])
  rows.push([
    'rest: JS (protobuf, padding, state copies, store, promises)',
    '',
    '',
    fixed(measured - sum, 1),
    `${fixed((100 * (measured - sum)) / measured, 0)} %`,
  ])
  rows.push(['measured kith ping-pong op (median)', '', '', fixed(measured, 1), '100 %'])
  rows.push(['measured libsignal ping-pong op (median)', '', '', fixed(1e6 / signalOps, 1), ''])

  console.log(
    `\nwhere a kith ping-pong op goes (${cfg.profileOps} ops counted; each call then timed ` +
      `${cfg.primitiveCalls}× alone; session record ${lastSessionRecordBytes()} B):`,
  )
  console.log(table(['call', 'µs/call', 'calls/op', 'µs/op', 'of op'], rows))
  console.log(
    '\nnode:crypto X25519 building blocks (nodeCrypto passes raw keys in and out as JWK):',
  )
  console.log(table(['step', 'µs/call'], x25519Parts(cfg.primitiveCalls)))
}

/**
 * The parts of one X25519 call through node:crypto: raw keys become KeyObjects (JWK import), the
 * DH itself, and for a public key the JWK export. Shows how much is the op and how much the
 * raw-bytes interface around it.
 */
function x25519Parts(calls: number): string[][] {
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url')
  const d = b64(randomBytes(32))
  const x = b64(nodeCrypto.x25519PublicKey(randomBytes(32)))
  const importPrivate = () =>
    createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d, x: '' }, format: 'jwk' })
  const importPublic = () =>
    createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x }, format: 'jwk' })
  const privateKey = importPrivate()
  const publicKey = importPublic()
  const steps: [string, () => unknown][] = [
    ['createPrivateKey (JWK import)', importPrivate],
    ['createPublicKey (JWK import)', importPublic],
    ['diffieHellman on ready KeyObjects', () => diffieHellman({ privateKey, publicKey })],
    [
      'public from private + JWK export',
      () => createPublicKey(privateKey).export({ format: 'jwk' }),
    ],
    ["generateKeyPairSync('x25519')", () => generateKeyPairSync('x25519')],
  ]
  return steps.map(([name, fn]) => [name, fixed(microsPerCall(fn, calls), 1)])
}
