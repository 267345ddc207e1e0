// Stored Sender Keys state (libsignal rust/protocol/src/sender_keys.rs `SenderKeyState`,
// `SenderKeyRecord`). A record holds up to MAX_SENDER_KEY_STATES chains of one sender in one
// group, newest first; each chain has its signing key and up to MAX_MESSAGE_KEYS skipped message
// seeds. This module owns that structure, its bounds and its versioned serialization
// (wire/pb/record.proto). It derives no keys (./chain.ts does), encrypts nothing (./cipher.ts
// does) and never sees a store: callers load and store the bytes.
import { MalformedMessageError, UnsupportedVersionError } from '../errors.js'
import { Redacted } from '../secret.js'
import { equalBytes, wipe } from '../bytes.js'
import { decodeLimited, fieldLength } from '../wire/decode.js'
import { MAX_SENDER_KEY_RECORD_BYTES } from '../wire/limits.js'
import {
  SenderKeyRecord as SenderKeyRecordPb,
  type SenderKeyState as SenderKeyStatePb,
} from '../wire/pb/record.js'
import { CHAIN_KEY_BYTES, SenderChainKey } from './chain.js'
import { MAX_MESSAGE_KEYS, MAX_SENDER_KEY_STATES } from './limits.js'

/** Version of the serialized record. Any other version is refused (UnsupportedVersionError). */
export const RECORD_VERSION = 1
/** Ed25519 public key and private seed lengths (RFC 8032 §5.1.5). */
export const SIGNING_KEY_BYTES = 32

export interface SenderKeyStateInit {
  chainId: number
  chain: SenderChainKey
  signingPublic: Uint8Array
  /** Present only in the sender's own state. */
  signingPrivate?: Uint8Array | undefined
}

/** One sender chain: chain key, signing key, skipped message seeds (oldest first). */
export class SenderKeyState extends Redacted {
  protected readonly redactedKind = 'SenderKeyState'
  readonly chainId: number
  readonly signingPublic: Uint8Array
  #chain: SenderChainKey
  readonly #signingPrivate: Uint8Array | undefined
  /** iteration → seed, in insertion order, which is ascending iteration (oldest first). */
  readonly #skipped: Map<number, Uint8Array>

  constructor(init: SenderKeyStateInit, skipped: Iterable<[number, Uint8Array]> = []) {
    super()
    if (!Number.isInteger(init.chainId) || init.chainId < 0 || init.chainId > 0xffff_ffff) {
      throw new RangeError(`chainId: expected a uint32, got ${init.chainId}`)
    }
    this.chainId = init.chainId
    this.#chain = init.chain
    this.signingPublic = Uint8Array.from(init.signingPublic)
    this.#signingPrivate = init.signingPrivate && Uint8Array.from(init.signingPrivate)
    this.#skipped = new Map()
    for (const [iteration, seed] of skipped) this.#skipped.set(iteration, Uint8Array.from(seed))
  }

  get chain(): SenderChainKey {
    return this.#chain
  }
  set chain(next: SenderChainKey) {
    this.#chain = next
  }

  /** The Ed25519 seed, or undefined for a remote sender's state. */
  get signingPrivate(): Uint8Array | undefined {
    return this.#signingPrivate
  }

  /** Skipped iterations, oldest first (for tests and diagnostics; no key bytes). */
  get skippedIterations(): number[] {
    return [...this.#skipped.keys()]
  }

  /** A deep copy: changing it leaves this state untouched (the transactional decrypt). */
  clone(): SenderKeyState {
    return new SenderKeyState(
      {
        chainId: this.chainId,
        chain: this.#chain,
        signingPublic: this.signingPublic,
        signingPrivate: this.#signingPrivate,
      },
      this.#skipped,
    )
  }

  /** sender_keys.rs `remove_sender_message_key`: the skipped seed of `iteration`, removed. */
  takeSkipped(iteration: number): Uint8Array | undefined {
    const seed = this.#skipped.get(iteration)
    if (seed !== undefined) this.#skipped.delete(iteration)
    return seed
  }

  /**
   * sender_keys.rs `add_sender_message_key`: appends a skipped seed, then evicts the oldest
   * while more than MAX_MESSAGE_KEYS are kept.
   */
  addSkipped(iteration: number, seed: Uint8Array): void {
    this.#skipped.set(iteration, seed)
    for (const [oldest, old] of this.#skipped) {
      if (this.#skipped.size <= MAX_MESSAGE_KEYS) break
      wipe(old)
      this.#skipped.delete(oldest)
    }
  }

  /** Same chain: same chain id and signing key (libsignal `remove_state`'s match). */
  sameChain(other: SenderKeyState): boolean {
    return this.chainId === other.chainId && equalBytes(this.signingPublic, other.signingPublic)
  }

  toProto(): SenderKeyStatePb {
    return {
      chainId: this.chainId,
      iteration: this.#chain.iteration,
      chainKey: Uint8Array.from(this.#chain.key),
      signingPublic: Uint8Array.from(this.signingPublic),
      signingPrivate: Uint8Array.from(this.#signingPrivate ?? []),
      skipped: [...this.#skipped].map(([iteration, seed]) => ({
        iteration,
        seed: Uint8Array.from(seed),
      })),
    }
  }

  /** Validates every length; a corrupt state is a MalformedMessageError, never a crash later. */
  static fromProto(pb: SenderKeyStatePb): SenderKeyState {
    const what = 'sender key record: state'
    const skipped = new Map<number, Uint8Array>()
    for (const { iteration, seed } of pb.skipped) {
      fieldLength(`${what}: skipped seed`, seed, CHAIN_KEY_BYTES)
      if (skipped.has(iteration) || iteration >= pb.iteration) {
        throw new MalformedMessageError(`${what}: bad skipped iteration`)
      }
      skipped.set(iteration, seed)
    }
    return new SenderKeyState(
      {
        chainId: pb.chainId,
        chain: new SenderChainKey(
          pb.iteration,
          fieldLength(`${what}: chain key`, pb.chainKey, CHAIN_KEY_BYTES),
        ),
        signingPublic: fieldLength(
          `${what}: signing public key`,
          pb.signingPublic,
          SIGNING_KEY_BYTES,
        ),
        signingPrivate:
          pb.signingPrivate.length === 0
            ? undefined
            : fieldLength(`${what}: signing private key`, pb.signingPrivate, SIGNING_KEY_BYTES),
      },
      skipped,
    )
  }
}

// Bounded decode: the repeated fields are capped while parsing, before any state is built.
const recordCodec = {
  decode: (bytes: Uint8Array) =>
    SenderKeyRecordPb.decode(bytes, {
      limits: { states: MAX_SENDER_KEY_STATES, states$: { skipped: MAX_MESSAGE_KEYS } },
    }),
}

/** All chains of one sender in one group, newest first. Mutated only by ./cipher.ts. */
export class SenderKeyRecord extends Redacted {
  protected readonly redactedKind = 'SenderKeyRecord'
  #states: SenderKeyState[]

  private constructor(states: SenderKeyState[]) {
    super()
    this.#states = states
  }

  /** sender_keys.rs `SenderKeyRecord::new_empty`. */
  static empty(): SenderKeyRecord {
    return new SenderKeyRecord([])
  }

  /**
   * Parses a stored record through decodeLimited (MAX_SENDER_KEY_RECORD_BYTES). Throws
   * MessageTooLargeError, MalformedMessageError, or UnsupportedVersionError for a version other
   * than RECORD_VERSION (libsignal's record has no version; Kith's is checked first).
   */
  static deserialize(bytes: Uint8Array): SenderKeyRecord {
    const pb = decodeLimited(recordCodec, bytes, MAX_SENDER_KEY_RECORD_BYTES, 'sender key record')
    if (pb.version !== RECORD_VERSION) {
      throw new UnsupportedVersionError(
        `sender key record: version ${pb.version} is not ${RECORD_VERSION}`,
      )
    }
    return new SenderKeyRecord(pb.states.map((s) => SenderKeyState.fromProto(s)))
  }

  serialize(): Uint8Array {
    return SenderKeyRecordPb.encode({
      version: RECORD_VERSION,
      states: this.#states.map((s) => s.toProto()),
    })
  }

  clone(): SenderKeyRecord {
    return new SenderKeyRecord(this.#states.map((s) => s.clone()))
  }

  /** Number of states kept (at most MAX_SENDER_KEY_STATES). */
  get size(): number {
    return this.#states.length
  }

  /** Chain ids, newest first (libsignal `chain_ids_for_logging`). */
  get chainIds(): number[] {
    return this.#states.map((s) => s.chainId)
  }

  /** sender_keys.rs `sender_key_state`: the newest state, the one a sender encrypts with. */
  newest(): SenderKeyState | undefined {
    return this.#states[0]
  }

  /** sender_keys.rs `sender_key_state_for_chain_id`. The live state: clone before changing. */
  stateForChainId(chainId: number): SenderKeyState | undefined {
    return this.#states.find((s) => s.chainId === chainId)
  }

  /**
   * sender_keys.rs `add_sender_key_state`: a state already held for the same chain id and
   * signing key is kept as it is (so a replayed distribution cannot rewind the chain) and moved
   * to the front; any other state with that chain id is dropped; then the oldest states are
   * evicted until there is room, and the state goes in front.
   */
  addState(state: SenderKeyState): void {
    const existing = this.#states.find((s) => s.sameChain(state))
    const states = this.#states.filter((s) => s.chainId !== state.chainId)
    while (states.length >= MAX_SENDER_KEY_STATES) states.pop()
    states.unshift(existing ?? state)
    this.#states = states
  }

  /** Commits a changed copy of a state in place (same chain id and signing key). */
  replaceState(state: SenderKeyState): void {
    const i = this.#states.findIndex((s) => s.sameChain(state))
    if (i < 0) throw new RangeError('state: no state with this chain id and signing key')
    this.#states[i] = state
  }

  /** Drops every state, keeping only `state` (the sender's own rotation). */
  resetTo(state: SenderKeyState): void {
    this.#states = [state]
  }
}
