// Double Ratchet session state (Double Ratchet spec §3.2 "State variables", plus §4.2's header
// keys) and its versioned serialization. This module owns the shape of the state and how it is
// copied and stored; the algorithm lives in ./ratchet.ts.
//
// Byte arrays inside a state are never mutated in place, so a shallow copy of the state (plus
// its skipped-key map) is a full snapshot: that is what makes decryption transactional.
import { Redacted } from '../secret.js'
import { MAX_SKIPPED_KEYS } from './limits.js'

export interface PendingPrekey {
  ephemeralKey: Uint8Array
  signedPrekeyId: number
  kemPrekeyId: number
  kemCiphertext: Uint8Array
  oneTimePrekeyId?: number | undefined
}

export interface SkippedKey {
  headerKey: Uint8Array
  n: number
  messageKey: Uint8Array
}

export class RatchetState extends Redacted {
  protected readonly redactedKind = 'RatchetState'
  /** Ed25519 identity keys of both sides. */
  localIdentity: Uint8Array = new Uint8Array(0)
  remoteIdentity: Uint8Array = new Uint8Array(0)
  /** AD = Encode(IK_A) ‖ Encode(IK_B) from PQXDH (§3.3), bound into every AEAD. */
  ad: Uint8Array = new Uint8Array(0)
  /** EK_A of the PQXDH run that created this state; identifies repeated initial messages. */
  baseKey: Uint8Array = new Uint8Array(0)
  /** Responder: hash of the initial message's PQXDH fields (session.ts handshakeDigest). */
  handshake: Uint8Array = new Uint8Array(0)
  rootKey: Uint8Array = new Uint8Array(0)
  dhsPrivate: Uint8Array = new Uint8Array(0)
  dhsPublic: Uint8Array = new Uint8Array(0)
  /** Empty until the first DH ratchet step (Bob before the first message). */
  dhr: Uint8Array = new Uint8Array(0)
  cks: Uint8Array = new Uint8Array(0)
  ckr: Uint8Array = new Uint8Array(0)
  ns = 0
  nr = 0
  pn = 0
  hks: Uint8Array = new Uint8Array(0)
  hkr: Uint8Array = new Uint8Array(0)
  nhks: Uint8Array = new Uint8Array(0)
  nhkr: Uint8Array = new Uint8Array(0)
  /** MKSKIPPED, keyed by hex(headerKey) + ':' + n, oldest first (Map keeps insertion order). */
  skipped = new Map<string, SkippedKey>()
  /**
   * Set between a DH ratchet step's receiving half and our next send (./ratchet.ts
   * completeSending): the new ratchet key pair, the sending chain and the next sending header key
   * are not derived yet, and dhsPrivate, dhsPublic, cks and nhks are empty.
   */
  sendingPending = false
  /** Set while the initiator has not yet heard back: messages go out as PQXDH prekey messages. */
  pending: PendingPrekey | undefined = undefined

  clone(): RatchetState {
    const c = Object.assign(new RatchetState(), this)
    c.skipped = new Map(this.skipped)
    return c
  }

  addSkipped(key: SkippedKey, hkId: string): void {
    this.skipped.set(`${hkId}:${key.n}`, key)
    // Bounded memory whatever the peer sends: evict the oldest beyond MAX_SKIPPED_KEYS.
    while (this.skipped.size > MAX_SKIPPED_KEYS) {
      const oldest = this.skipped.keys().next().value
      if (oldest === undefined) break
      this.skipped.delete(oldest)
    }
  }
}
