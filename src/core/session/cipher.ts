// SessionCipher: the store-driven entry point for 1:1 messages (libsignal's signalEncrypt /
// signalDecrypt). It loads the record and prekeys, calls the pure functions of ./session.ts, and
// commits only after a message authenticated: the new record, and the one-time prekeys the
// initial message consumed (PQXDH §3.4), so each is used exactly once. Operations on one
// cipher are serialized, so concurrent calls cannot interleave a load and a store.
import { equalBytes } from '../bytes.js'
import { UntrustedIdentityError } from '../errors.js'
import type { CoreContext } from '../crypto/provider.js'
import { peerIdFromPublicKey, publicKeyFromPeerId } from '../identity/identity.js'
import type { ProtocolStore } from '../store/types.js'
import type { PrekeyBundle } from '../wire/pb/wire.js'
import { SessionRecord } from './record.js'
import {
  decryptPrekeyMessage,
  decryptRatchetMessage,
  initiateSession,
  parseEnvelope,
  responderKeys,
  sessionEncrypt,
} from './session.js'

export interface Decrypted {
  /** The sender's PeerId. */
  peer: string
  plaintext: Uint8Array
  /** True when this message started a new session (a first contact or a re-established one). */
  newSession: boolean
}

export class SessionCipher {
  #queue: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly ctx: CoreContext,
    private readonly store: ProtocolStore,
  ) {}

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn)
    this.#queue = run.catch(() => undefined)
    return run
  }

  async #load(peer: string): Promise<SessionRecord | undefined> {
    const bytes = await this.store.loadSession(peer)
    return bytes === undefined ? undefined : SessionRecord.deserialize(bytes)
  }

  async hasSession(peer: string): Promise<boolean> {
    return (await this.#load(peer))?.current !== undefined
  }

  /** Starts a session with `peer` from its bundle (e.g. from an invite or contact card). */
  initiate(peer: string, bundle: PrekeyBundle): Promise<void> {
    return this.#serial(async () => {
      if (!equalBytes(publicKeyFromPeerId(peer), bundle.identityKey)) {
        throw new UntrustedIdentityError('prekey bundle identity does not match the PeerId')
      }
      const identity = await this.store.getIdentityKeyPair()
      const record = initiateSession(this.ctx, identity, bundle, await this.#load(peer))
      await this.store.storeSession(peer, record.serialize())
    })
  }

  /** Encrypts one message to `peer`; returns the envelope bytes to send. */
  encrypt(peer: string, plaintext: Uint8Array): Promise<Uint8Array> {
    return this.#serial(async () => {
      const { envelope, record } = sessionEncrypt(
        this.ctx,
        (await this.#load(peer)) ?? new SessionRecord(undefined),
        plaintext,
      )
      await this.store.storeSession(peer, record.serialize())
      return envelope
    })
  }

  /**
   * Decrypts an envelope. `from` is the sender's PeerId when the transport authenticated it
   * (a libp2p connection); a prekey message names its sender itself and must agree with `from`.
   */
  decrypt(from: string | undefined, envelope: Uint8Array): Promise<Decrypted> {
    return this.#serial(async () => {
      const incoming = parseEnvelope(envelope)
      if (incoming.type === 'ratchet') {
        if (from === undefined)
          throw new UntrustedIdentityError('sender unknown for a ratchet message')
        const r = decryptRatchetMessage(this.ctx, await this.#load(from), incoming.message)
        await this.store.storeSession(from, r.record.serialize())
        return { peer: from, plaintext: r.plaintext, newSession: false }
      }
      const msg = incoming.message
      const peer = peerIdFromPublicKey(msg.identityKey)
      if (from !== undefined && from !== peer)
        throw new UntrustedIdentityError('initial message from another identity')
      const identity = await this.store.getIdentityKeyPair()
      const spk = await this.store.loadSignedPrekey(msg.signedPrekeyId)
      const kem = await this.store.loadKemPrekey(msg.kemPrekeyId)
      const opk =
        msg.oneTimePrekeyId === undefined
          ? undefined
          : await this.store.loadOneTimePrekey(msg.oneTimePrekeyId)
      const r = decryptPrekeyMessage(this.ctx, identity, await this.#load(peer), msg, () =>
        responderKeys(msg, { signedPrekey: spk, kemPrekey: kem, oneTimePrekey: opk }),
      )
      await this.store.storeSession(peer, r.record.serialize())
      if (r.consumed !== undefined) {
        if (r.consumed.oneTimePrekeyId !== undefined)
          await this.store.removeOneTimePrekey(r.consumed.oneTimePrekeyId)
        await this.store.markKemPrekeyUsed(r.consumed.kemPrekeyId)
      }
      return { peer, plaintext: r.plaintext, newSession: r.consumed !== undefined }
    })
  }
}
