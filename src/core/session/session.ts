// 1:1 sessions as pure functions over SessionRecord: PQXDH to start (./handshake), the Double
// Ratchet with header encryption after (./ratchet), padding and envelopes around both. Nothing
// here touches a store: callers load the record and prekeys, call these, and commit the returned
// record (with the prekeys to delete) in one transaction — or not at all if we throw.
import { equalBytes } from '../bytes.js'
import {
  DecryptionError,
  DuplicateMessageError,
  MalformedMessageError,
  NoSessionError,
  PrekeyNotFoundError,
  UntrustedIdentityError,
} from '../errors.js'
import type { CoreContext } from '../crypto/provider.js'
import type { IdentityKeyPair } from '../identity/identity.js'
import { pqxdhInitiate, pqxdhRespond, type ResponderKeys } from '../handshake/pqxdh.js'
import {
  initAlice,
  initBob,
  prepareSending,
  ratchetDecrypt,
  ratchetEncrypt,
  type RatchetInit,
} from '../ratchet/ratchet.js'
import type { RatchetState } from '../ratchet/state.js'
import {
  decodeEnvelope,
  decodePrekeyMessage,
  decodeRatchetMessage,
  encodeEnvelope,
  encodePrekeyMessage,
  encodeRatchetMessage,
} from '../wire/codec.js'
import { pad, unpad } from '../wire/padding.js'
import {
  EnvelopeType,
  PrekeyMessage as PrekeyMessageCodec,
  type PrekeyBundle,
  type PrekeyMessage,
  type RatchetMessage,
} from '../wire/pb/wire.js'
import type { EcPrekeyRecord, KemPrekeyRecord } from '../store/types.js'
import { SessionRecord } from './record.js'

type B = Uint8Array<ArrayBuffer>

/** Starts a session from Bob's prekey bundle (Alice, PQXDH §3.3). Verifies the bundle. */
export function initiateSession(
  ctx: CoreContext,
  identity: IdentityKeyPair,
  bundle: PrekeyBundle,
  existing?: SessionRecord,
): SessionRecord {
  const r = pqxdhInitiate(ctx, identity, bundle)
  const init: RatchetInit = {
    sk: r.sk,
    sharedHka: r.sharedHka,
    sharedNhkb: r.sharedNhkb,
    ad: r.ad,
    localIdentity: identity.publicKey,
    remoteIdentity: bundle.identityKey,
    baseKey: r.ephemeralPublic,
  }
  const state = initAlice(ctx, init, r.bobRatchetKey)
  // Until Bob answers, every message carries the PQXDH initial data (PQXDH §3.3), so Bob can
  // start the session from whichever of them arrives first.
  state.pending = {
    ephemeralKey: r.ephemeralPublic,
    signedPrekeyId: r.signedPrekeyId,
    kemPrekeyId: r.kemPrekeyId,
    kemCiphertext: r.kemCiphertext,
    oneTimePrekeyId: r.oneTimePrekeyId,
  }
  return (existing ?? new SessionRecord(undefined)).promote(state)
}

/** Pads and encrypts `plaintext` with the record's current state; returns the envelope bytes. */
export function sessionEncrypt(
  ctx: CoreContext,
  record: SessionRecord,
  plaintext: Uint8Array,
): { envelope: Uint8Array; record: SessionRecord } {
  const current = record.current
  if (current === undefined) throw new NoSessionError('no session to encrypt with')
  const { state, message } = ratchetEncrypt(ctx, current, pad(plaintext))
  const ratchet: RatchetMessage = {
    header: message.header as B,
    ciphertext: message.ciphertext as B,
  }
  let envelope: Uint8Array
  const p = state.pending
  if (p === undefined) {
    envelope = encodeEnvelope(EnvelopeType.RATCHET, encodeRatchetMessage(ratchet))
  } else {
    const prekey: PrekeyMessage = {
      identityKey: state.localIdentity as B,
      ephemeralKey: p.ephemeralKey as B,
      signedPrekeyId: p.signedPrekeyId,
      kemPrekeyId: p.kemPrekeyId,
      kemCiphertext: p.kemCiphertext as B,
      ...(p.oneTimePrekeyId === undefined ? {} : { oneTimePrekeyId: p.oneTimePrekeyId }),
      message: ratchet,
    }
    envelope = encodeEnvelope(EnvelopeType.PREKEY, encodePrekeyMessage(prekey))
  }
  return { envelope, record: record.promote(state, current) }
}

/**
 * The record with its current state's deferred sending half derived now (ratchet.ts
 * prepareSending); the record itself when there is none. A caller that just decrypted a message
 * it will not answer soon (a receipt) uses it so that its next message, on the user's latency
 * path, does not pay the DH ratchet step's key generation and X25519 agreement.
 */
export function prepareRecordForSending(ctx: CoreContext, record: SessionRecord): SessionRecord {
  const current = record.current
  if (current === undefined || !current.sendingPending) return record
  return record.promote(prepareSending(ctx, current), current)
}

/** A parsed incoming 1:1 envelope: what the caller must load before decrypting. */
export type IncomingMessage =
  { type: 'prekey'; message: PrekeyMessage } | { type: 'ratchet'; message: RatchetMessage }

export function parseEnvelope(bytes: Uint8Array): IncomingMessage {
  const env = decodeEnvelope(bytes)
  if (env.type === EnvelopeType.PREKEY)
    return { type: 'prekey', message: decodePrekeyMessage(env.body) }
  if (env.type === EnvelopeType.RATCHET)
    return { type: 'ratchet', message: decodeRatchetMessage(env.body) }
  throw new MalformedMessageError('not a 1:1 message')
}

export interface DecryptResult {
  plaintext: Uint8Array
  record: SessionRecord
}

/** Decrypts a ratchet message with any state of the record, current first; promotes the one that worked. */
export function decryptRatchetMessage(
  ctx: CoreContext,
  record: SessionRecord | undefined,
  message: RatchetMessage,
): DecryptResult {
  const states = record?.states() ?? []
  if (states.length === 0) throw new NoSessionError('no session with this peer')
  let firstError: unknown
  for (const s of states) {
    try {
      return finish(ctx, record!, s, message)
    } catch (err) {
      // A replay or limit error from the state whose header key matched is the real answer.
      if (err instanceof Error && err.name !== 'DecryptionError') throw err
      firstError ??= err
    }
  }
  throw firstError instanceof Error ? firstError : new DecryptionError('message does not decrypt')
}

function finish(
  ctx: CoreContext,
  record: SessionRecord,
  state: RatchetState,
  message: RatchetMessage,
): DecryptResult {
  const r = ratchetDecrypt(ctx, state, message)
  return { plaintext: unpad(r.plaintext), record: record.promote(r.state, state) }
}

/** What a prekey message needs from Bob's prekey store, by the ids it names. */
export interface PrekeyDecryptResult extends DecryptResult {
  /** Set when a new session was created: the one-time prekeys to delete in the same commit. */
  consumed?: { oneTimePrekeyId: number | undefined; kemPrekeyId: number }
}

/**
 * Bob receives a PQXDH initial message (PQXDH §3.4). If a state from the same initial data
 * (same EK_A) exists, the inner message is decrypted with it, so repeated initial messages
 * neither reset the session nor consume prekeys again. Otherwise `keys` are the private prekeys
 * named by the message, loaded by the caller.
 */
export function decryptPrekeyMessage(
  ctx: CoreContext,
  identity: IdentityKeyPair,
  record: SessionRecord | undefined,
  message: PrekeyMessage,
  loadKeys: () => ResponderKeys & { signedPrekeyPublic: Uint8Array },
): PrekeyDecryptResult {
  if (message.message === undefined)
    throw new MalformedMessageError('initial message without ratchet message')
  const digest = handshakeDigest(ctx, message)
  const existing = record?.findByBaseKey(message.ephemeralKey)
  if (existing !== undefined && record !== undefined) {
    // The ratchet's AEAD does not cover the PQXDH fields: they must equal the ones that
    // created this state, else the frame was altered on the way.
    if (existing.handshake.length > 0 && !equalBytes(existing.handshake, digest)) {
      throw new DecryptionError('initial message fields do not match the session')
    }
    if (!equalBytes(existing.remoteIdentity, message.identityKey)) {
      throw new UntrustedIdentityError('initial message identity mismatch')
    }
    return finish(ctx, record, existing, message.message)
  }
  // A replay of an initial message whose state was evicted since (PQXDH §4.2): refuse it rather
  // than start a stale session over the live one.
  if (record?.hasSeenBaseKey(message.ephemeralKey) === true) {
    throw new DuplicateMessageError('initial message was already received')
  }
  const keys = loadKeys()
  const secrets = pqxdhRespond(
    ctx,
    identity,
    message.identityKey,
    message.ephemeralKey,
    message.kemCiphertext,
    keys,
  )
  const state = initBob(
    {
      sk: secrets.sk,
      sharedHka: secrets.sharedHka,
      sharedNhkb: secrets.sharedNhkb,
      ad: secrets.ad,
      localIdentity: identity.publicKey,
      remoteIdentity: message.identityKey,
      baseKey: message.ephemeralKey,
    },
    keys.signedPrekeyPrivate,
    keys.signedPrekeyPublic,
  )
  state.handshake = digest
  const base = record ?? new SessionRecord(undefined)
  const r = ratchetDecrypt(ctx, state, message.message)
  return {
    plaintext: unpad(r.plaintext),
    record: base.promote(r.state).withSeenBaseKey(message.ephemeralKey),
    consumed: { oneTimePrekeyId: message.oneTimePrekeyId, kemPrekeyId: message.kemPrekeyId },
  }
}

/** SHA-256 over the initial message without its ratchet message: what a repeat must match. */
function handshakeDigest(ctx: CoreContext, message: PrekeyMessage): Uint8Array {
  const { message: _inner, ...fields } = message
  return ctx.crypto.sha256(PrekeyMessageCodec.encode(fields))
}

/** The private prekeys an initial message names, as the store returned them (undefined: gone). */
export interface NamedPrekeys {
  signedPrekey: EcPrekeyRecord | undefined
  kemPrekey: KemPrekeyRecord | undefined
  oneTimePrekey: EcPrekeyRecord | undefined
}

/** Checks that every prekey `message` names was found (PrekeyNotFoundError) and unwraps them. */
export function responderKeys(
  message: Pick<PrekeyMessage, 'signedPrekeyId' | 'kemPrekeyId' | 'oneTimePrekeyId'>,
  found: NamedPrekeys,
): ResponderKeys & { signedPrekeyPublic: Uint8Array } {
  const { signedPrekey: spk, kemPrekey: kem, oneTimePrekey: opk } = found
  if (spk === undefined) throw new PrekeyNotFoundError(`signed prekey ${message.signedPrekeyId}`)
  if (kem === undefined) throw new PrekeyNotFoundError(`ML-KEM prekey ${message.kemPrekeyId}`)
  if (message.oneTimePrekeyId !== undefined && opk === undefined) {
    throw new PrekeyNotFoundError(`one-time prekey ${message.oneTimePrekeyId}`)
  }
  return {
    signedPrekeyPrivate: spk.privateKey,
    signedPrekeyPublic: spk.publicKey,
    kemSecretKey: kem.secretKey,
    oneTimePrekeyPrivate: opk?.privateKey,
  }
}
