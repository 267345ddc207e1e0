// Where a Kith operation spends its time: counts every CryptoProvider, Rng and session-record
// call an operation makes, keeps the arguments of the first call of each kind, and can then
// time that exact call in isolation. Calls per op × µs per call, summed, against the measured
// µs per op, shows what bounds the ratio to libsignal and how much is JavaScript around it.
import type { CoreContext, CryptoProvider, Rng } from '../../src/core/crypto/provider.js'
import type { IdentityKeyPair } from '../../src/core/identity/identity.js'
import { SessionRecord } from '../../src/core/session/record.js'
import { MemoryProtocolStore } from '../../src/core/store/memory.js'

interface Entry {
  calls: number
  /** Repeats the first call seen, with copies of its arguments. */
  repeat: () => unknown
}

export class CallProfile {
  readonly #entries = new Map<string, Entry>()

  /** Counts one call; `capture` runs only for the first call of a label. */
  record(label: string, capture: () => () => unknown): void {
    const e = this.#entries.get(label)
    if (e === undefined) this.#entries.set(label, { calls: 1, repeat: capture() })
    else e.calls++
  }

  /** Forgets counts and captured calls (e.g. those of the handshake). */
  reset(): void {
    this.#entries.clear()
  }

  entries(): [string, Entry][] {
    return [...this.#entries.entries()]
  }
}

const copyArg = (a: unknown): unknown => (a instanceof Uint8Array ? a.slice() : a)

function label(method: string, args: readonly unknown[], result: unknown): string {
  const len = (i: number) => (args[i] instanceof Uint8Array ? args[i].length : 0)
  switch (method) {
    case 'aesGcmEncrypt':
      return `${method} ${len(2)} B`
    case 'aesGcmDecrypt':
      // A header tried under the wrong key fails; OpenSSL's failure path costs differently.
      return `${method} ${len(2)} B${result === undefined ? ' (fails)' : ''}`
    case 'hkdfSha256':
      return `${method} → ${String(args[3])} B`
    default:
      return method
  }
}

/** `ctx` with every crypto and rng call counted in `profile`. */
export function profiledContext(ctx: CoreContext, profile: CallProfile): CoreContext {
  const wrapped: Record<string, unknown> = { name: ctx.crypto.name }
  for (const [method, value] of Object.entries(ctx.crypto)) {
    if (typeof value !== 'function') continue
    const fn = value as (...args: unknown[]) => unknown
    wrapped[method] = (...args: unknown[]) => {
      const result = fn(...args)
      profile.record(label(method, args, result), () => {
        const copy = args.map(copyArg)
        return () => fn(...copy)
      })
      return result
    }
  }
  const rng: Rng = (n) => {
    profile.record(`rng ${n} B`, () => () => ctx.rng(n))
    return ctx.rng(n)
  }
  return { crypto: wrapped as unknown as CryptoProvider, rng, clock: ctx.clock }
}

/** A MemoryProtocolStore that counts the session-record (de)serializations SessionCipher does. */
export function profiledStore(profile: CallProfile) {
  return (identity: IdentityKeyPair): MemoryProtocolStore => new ProfiledStore(identity, profile)
}

class ProfiledStore extends MemoryProtocolStore {
  /** Size of the last session record stored. */
  static lastRecordBytes = 0

  constructor(
    identity: IdentityKeyPair,
    private readonly profile: CallProfile,
  ) {
    super(identity)
  }

  // SessionCipher deserializes every record it loads and serializes every record it stores.
  override loadSession(peer: string): Uint8Array | undefined {
    const bytes = super.loadSession(peer)
    if (bytes !== undefined) {
      this.profile.record('SessionRecord.deserialize', () => {
        const copy = bytes.slice()
        return () => SessionRecord.deserialize(copy)
      })
    }
    return bytes
  }

  override storeSession(peer: string, record: Uint8Array): void {
    ProfiledStore.lastRecordBytes = record.length
    this.profile.record('SessionRecord.serialize', () => {
      const parsed = SessionRecord.deserialize(record)
      return () => parsed.serialize()
    })
    super.storeSession(peer, record)
  }
}

/** Bytes of the session record most recently stored through a profiled store. */
export const lastSessionRecordBytes = (): number => ProfiledStore.lastRecordBytes
