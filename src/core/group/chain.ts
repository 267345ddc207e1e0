// The symmetric key chain of one Sender Keys sender (libsignal rust/protocol/src/sender_keys.rs
// `SenderChainKey`, `SenderMessageKey`). This module owns the KDFs only: chain key → next chain
// key and chain key → message seed → AES-256-GCM key and nonce. It knows nothing of signatures,
// records, stores or the wire format.
import { abytes, utf8, wipe } from '../bytes.js'
import { Redacted } from '../secret.js'
import type { CryptoProvider } from '../crypto/provider.js'
import { MAX_ITERATION } from './limits.js'

/** Length of a chain key and of a message seed (HMAC-SHA256 output). */
export const CHAIN_KEY_BYTES = 32
/** AES-256-GCM key and nonce lengths of a message key. */
export const MESSAGE_CIPHER_KEY_BYTES = 32
export const MESSAGE_NONCE_BYTES = 12

// sender_keys.rs `SenderChainKey::MESSAGE_KEY_SEED = 0x01`, `CHAIN_KEY_SEED = 0x02`.
const MESSAGE_KEY_SEED = Uint8Array.of(0x01)
const CHAIN_KEY_SEED = Uint8Array.of(0x02)
// libsignal expands the seed with info "WhisperGroup" into an AES-CBC IV ‖ key (48 bytes); Kith
// uses AES-256-GCM, so it takes its own label and a 32-byte key ‖ 12-byte nonce (44 bytes).
const MESSAGE_KEY_INFO = utf8('Kith_SenderKey_MessageKey_v1')
const MESSAGE_KEY_MATERIAL_BYTES = MESSAGE_CIPHER_KEY_BYTES + MESSAGE_NONCE_BYTES
const EMPTY = new Uint8Array(0)

function checkIteration(iteration: number): number {
  if (!Number.isInteger(iteration) || iteration < 0 || iteration > MAX_ITERATION) {
    throw new RangeError(`iteration: expected an integer in 0..${MAX_ITERATION}, got ${iteration}`)
  }
  return iteration
}

/** One message key: AES-256-GCM key and nonce, derived from the message seed. */
export class SenderMessageKey extends Redacted {
  protected readonly redactedKind = 'SenderMessageKey'
  readonly iteration: number
  readonly #seed: Uint8Array
  readonly #cipherKey: Uint8Array
  readonly #nonce: Uint8Array

  private constructor(iteration: number, seed: Uint8Array, material: Uint8Array) {
    super()
    this.iteration = iteration
    this.#seed = seed
    this.#cipherKey = material.slice(0, MESSAGE_CIPHER_KEY_BYTES)
    this.#nonce = material.slice(MESSAGE_CIPHER_KEY_BYTES, MESSAGE_KEY_MATERIAL_BYTES)
    wipe(material)
  }

  /**
   * sender_keys.rs `SenderMessageKey::new`: HKDF-SHA256 with no salt over the seed (RFC 5869
   * §2.2: an absent salt is HashLen zero bytes, the same PRK as an empty one), Kith's info and
   * length: key = OKM[0..32], nonce = OKM[32..44]. Each message key is used for exactly one
   * message, so a nonce derived with it never repeats under that key.
   */
  static fromSeed(crypto: CryptoProvider, iteration: number, seed: Uint8Array): SenderMessageKey {
    abytes('seed', seed, CHAIN_KEY_BYTES)
    const material = crypto.hkdfSha256(seed, EMPTY, MESSAGE_KEY_INFO, MESSAGE_KEY_MATERIAL_BYTES)
    return new SenderMessageKey(checkIteration(iteration), Uint8Array.from(seed), material)
  }

  /** The 32-byte seed, as stored for a skipped key (storage `SenderMessageKey.seed`). */
  get seed(): Uint8Array {
    return this.#seed
  }
  get cipherKey(): Uint8Array {
    return this.#cipherKey
  }
  get nonce(): Uint8Array {
    return this.#nonce
  }

  /** Zeroes the key bytes once the message is sealed or opened (STYLE.md §7). */
  wipe(): void {
    wipe(this.#seed, this.#cipherKey, this.#nonce)
  }
}

/** A chain key at an iteration. Immutable: next() returns a new one. */
export class SenderChainKey extends Redacted {
  protected readonly redactedKind = 'SenderChainKey'
  readonly iteration: number
  readonly #key: Uint8Array

  constructor(iteration: number, key: Uint8Array) {
    super()
    this.iteration = checkIteration(iteration)
    this.#key = Uint8Array.from(abytes('chainKey', key, CHAIN_KEY_BYTES))
  }

  /** The chain key bytes (what a distribution message carries and a record stores). */
  get key(): Uint8Array {
    return this.#key
  }

  /** True when the chain cannot step forward any more (iteration is MAX_ITERATION). */
  get exhausted(): boolean {
    return this.iteration === MAX_ITERATION
  }

  /** sender_keys.rs `get_derivative(MESSAGE_KEY_SEED)`: seed = HMAC-SHA256(CK, 0x01). */
  messageSeed(crypto: CryptoProvider): Uint8Array {
    return crypto.hmacSha256(this.#key, MESSAGE_KEY_SEED)
  }

  /** sender_keys.rs `sender_message_key`: the message key for this chain key's iteration. */
  messageKey(crypto: CryptoProvider): SenderMessageKey {
    const seed = this.messageSeed(crypto)
    const key = SenderMessageKey.fromSeed(crypto, this.iteration, seed)
    wipe(seed)
    return key
  }

  /** Zeroes the chain key. Only for intermediate keys no state refers to (STYLE.md §7). */
  wipe(): void {
    wipe(this.#key)
  }

  /**
   * sender_keys.rs `SenderChainKey::next`: CK' = HMAC-SHA256(CK, 0x02), iteration + 1. Like
   * libsignal's `checked_add`, it refuses to wrap past MAX_ITERATION (callers check first).
   */
  next(crypto: CryptoProvider): SenderChainKey {
    if (this.exhausted) throw new RangeError('iteration: the sender chain is exhausted')
    const key = crypto.hmacSha256(this.#key, CHAIN_KEY_SEED)
    const next = new SenderChainKey(this.iteration + 1, key)
    wipe(key)
    return next
  }
}
