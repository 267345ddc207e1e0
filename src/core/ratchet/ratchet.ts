// The Double Ratchet with header encryption (Double Ratchet spec §4, "Double Ratchet with header
// encryption"), over the state in ./state.ts. Pure functions: every operation takes a state and
// returns a new one; the input is never modified, so a message that fails to authenticate, is a
// replay or exceeds a limit throws a typed error and leaves the caller's state untouched.
// This module knows nothing of PQXDH, stores, envelopes or padding.
import { toHex } from '../bytes.js'
import {
  DecryptionError,
  DuplicateMessageError,
  NoSessionError,
  TooManySkippedKeysError,
} from '../errors.js'
import type { CoreContext, CryptoProvider } from '../crypto/provider.js'
import {
  HEADER_NONCE_BYTES,
  decryptBody,
  decryptHeader,
  encryptBody,
  encryptHeader,
  kdfChain,
  kdfRootHe,
  type Header,
} from './kdf.js'
import { MAX_SKIP } from './limits.js'
import { RatchetState } from './state.js'

export interface RatchetInit {
  sk: Uint8Array
  sharedHka: Uint8Array
  sharedNhkb: Uint8Array
  ad: Uint8Array
  localIdentity: Uint8Array
  remoteIdentity: Uint8Array
  baseKey: Uint8Array
}

export interface RatchetCiphertext {
  header: Uint8Array
  ciphertext: Uint8Array
}

function generateDh(ctx: CoreContext): { priv: Uint8Array; pub: Uint8Array } {
  const priv = ctx.rng(32)
  return { priv, pub: ctx.crypto.x25519PublicKey(priv) }
}

function base(init: RatchetInit): RatchetState {
  const s = new RatchetState()
  s.localIdentity = init.localIdentity
  s.remoteIdentity = init.remoteIdentity
  s.ad = init.ad
  s.baseKey = init.baseKey
  return s
}

/** RatchetInitAliceHE (§4.2). */
export function initAlice(
  ctx: CoreContext,
  init: RatchetInit,
  bobDhPublic: Uint8Array,
): RatchetState {
  const s = base(init)
  const dh = generateDh(ctx)
  s.dhsPrivate = dh.priv
  s.dhsPublic = dh.pub
  s.dhr = bobDhPublic
  const r = kdfRootHe(ctx.crypto, init.sk, ctx.crypto.x25519(dh.priv, bobDhPublic))
  s.rootKey = r.rootKey
  s.cks = r.chainKey
  s.nhks = r.nextHeaderKey
  s.hks = init.sharedHka
  s.nhkr = init.sharedNhkb
  return s
}

/** RatchetInitBobHE (§4.2): Bob's first ratchet key pair is his signed prekey. */
export function initBob(
  init: RatchetInit,
  spkPrivate: Uint8Array,
  spkPublic: Uint8Array,
): RatchetState {
  const s = base(init)
  s.dhsPrivate = spkPrivate
  s.dhsPublic = spkPublic
  s.rootKey = init.sk
  s.nhks = init.sharedNhkb
  s.nhkr = init.sharedHka
  return s
}

/** RatchetEncryptHE (§4.2). Returns the new state; `state` is not modified. */
export function ratchetEncrypt(
  ctx: CoreContext,
  state: RatchetState,
  plaintext: Uint8Array,
): { state: RatchetState; message: RatchetCiphertext } {
  if (state.cks.length === 0 && !state.sendingPending)
    throw new NoSessionError('session has no sending chain yet')
  const s = state.clone()
  if (s.sendingPending) completeSending(ctx, s)
  const { chainKey, messageKey } = kdfChain(ctx.crypto, s.cks)
  s.cks = chainKey
  const header = encryptHeader(
    ctx.crypto,
    s.hks,
    ctx.rng(HEADER_NONCE_BYTES),
    { dh: s.dhsPublic, pn: s.pn, n: s.ns },
    s.ad,
  )
  s.ns += 1
  // ENCRYPT(mk, plaintext, CONCAT(AD, enc_header))
  const ciphertext = encryptBody(ctx.crypto, messageKey, plaintext, concatAd(s.ad, header))
  return { state: s, message: { header, ciphertext } }
}

function concatAd(ad: Uint8Array, encHeader: Uint8Array): Uint8Array {
  const out = new Uint8Array(ad.length + encHeader.length)
  out.set(ad, 0)
  out.set(encHeader, ad.length)
  return out
}

/** RatchetDecryptHE (§4.2), transactional: returns the new state; `state` is not modified. */
export function ratchetDecrypt(
  ctx: CoreContext,
  state: RatchetState,
  message: RatchetCiphertext,
): { state: RatchetState; plaintext: Uint8Array } {
  const { crypto } = ctx
  const s = state.clone()
  const ad = concatAd(s.ad, message.header)

  // TrySkippedMessageKeysHE: try each distinct header key once, then look the counter up.
  const skipped = trySkipped(crypto, s, message, ad)
  if (skipped !== undefined) return { state: s, plaintext: skipped }

  // DecryptHeader: current receiving header key, else the next one (a DH ratchet step).
  let header: Header | undefined =
    s.hkr.length > 0 ? decryptHeader(crypto, s.hkr, message.header, s.ad) : undefined
  let dhRatchet = false
  if (header === undefined) {
    header = decryptHeader(crypto, s.nhkr, message.header, s.ad)
    if (header === undefined) throw new DecryptionError('message header does not authenticate')
    dhRatchet = true
  }
  if (!dhRatchet && header.n < s.nr) throw new DuplicateMessageError('message was already received')

  if (dhRatchet) {
    skipMessageKeys(crypto, s, header.pn)
    dhRatchetStep(ctx, s, header)
  }
  skipMessageKeys(crypto, s, header.n)
  const { chainKey, messageKey } = kdfChain(crypto, s.ckr)
  s.ckr = chainKey
  s.nr += 1
  const plaintext = decryptBody(crypto, messageKey, message.ciphertext, ad)
  if (plaintext === undefined) throw new DecryptionError('message body does not authenticate')
  // The peer has answered: the PQXDH handshake is complete (PQXDH §3.4, Alice stops resending).
  s.pending = undefined
  return { state: s, plaintext }
}

function trySkipped(
  crypto: CryptoProvider,
  s: RatchetState,
  message: RatchetCiphertext,
  ad: Uint8Array,
): Uint8Array | undefined {
  if (s.skipped.size === 0) return undefined
  const tried = new Set<string>()
  for (const entry of s.skipped.values()) {
    const hkId = toHex(entry.headerKey)
    if (tried.has(hkId)) continue
    tried.add(hkId)
    const header = decryptHeader(crypto, entry.headerKey, message.header, s.ad)
    if (header === undefined) continue
    const found = s.skipped.get(`${hkId}:${header.n}`)
    if (found === undefined) return undefined
    const plaintext = decryptBody(crypto, found.messageKey, message.ciphertext, ad)
    if (plaintext === undefined) throw new DecryptionError('message body does not authenticate')
    s.skipped.delete(`${hkId}:${header.n}`)
    s.pending = undefined
    return plaintext
  }
  return undefined
}

/** SkipMessageKeysHE (§4.2) with the MAX_SKIP bound of §3.5. */
function skipMessageKeys(crypto: CryptoProvider, s: RatchetState, until: number): void {
  if (s.nr + MAX_SKIP < until) {
    throw new TooManySkippedKeysError(
      `message skips ${until - s.nr} keys; the limit is ${MAX_SKIP}`,
    )
  }
  if (s.ckr.length === 0) return
  const hkId = toHex(s.hkr)
  while (s.nr < until) {
    const { chainKey, messageKey } = kdfChain(crypto, s.ckr)
    s.ckr = chainKey
    s.addSkipped({ headerKey: s.hkr, n: s.nr, messageKey }, hkId)
    s.nr += 1
  }
}

const EMPTY = new Uint8Array(0)

/**
 * DHRatchetHE (§4.2), its receiving half now and its sending half at our next send (issue 17).
 * §3.5 DHRatchet derives, in this order, the receiving chain from DH(DHs, DHr), then a new key
 * pair DHs and the sending chain from DH(DHs', DHr); the second half depends only on the root
 * key the first one left and on DHr, so it may wait until a message is sent. A receiver that
 * answers later (a delivery receipt, ACK_DELAY_MS after the message) thus does one X25519
 * agreement on the receive path instead of two plus a key generation. The outputs are the same
 * as the eager order's, rng draws included (the key pair is the next draw either way: nothing
 * else draws in between for this state); test/core/ratchet/lazy-sending.test.ts checks it for
 * any interleaving. The old ratchet private key is dropped here, as in the eager order.
 */
function dhRatchetStep(ctx: CoreContext, s: RatchetState, header: Header): void {
  const { crypto } = ctx
  // A second step before we sent anything (a peer cannot cause one honestly; a forged header
  // under NHKr could): the first step's sending half first, so the root key chain is the
  // eager order's.
  if (s.sendingPending) completeSending(ctx, s)
  s.pn = s.ns
  s.ns = 0
  s.nr = 0
  s.hks = s.nhks
  s.hkr = s.nhkr
  s.dhr = header.dh
  // §3.5: RK, CKr ← KDF_RK(RK, DH(DHs, DHr)); §4.2: and NHKr.
  const recv = kdfRootHe(crypto, s.rootKey, crypto.x25519(s.dhsPrivate, s.dhr))
  s.rootKey = recv.rootKey
  s.ckr = recv.chainKey
  s.nhkr = recv.nextHeaderKey
  s.dhsPrivate = EMPTY
  s.dhsPublic = EMPTY
  s.cks = EMPTY
  s.nhks = EMPTY
  s.sendingPending = true
}

/**
 * The deferred sending half of DHRatchetHE (§4.2; §3.5 DHRatchet: "DHs ← GENERATE_DH();
 * RK, CKs ← KDF_RK(RK, DH(DHs, DHr))", with NHKs from the same KDF), in place on `s`.
 */
function completeSending(ctx: CoreContext, s: RatchetState): void {
  const { crypto } = ctx
  const dh = generateDh(ctx)
  s.dhsPrivate = dh.priv
  s.dhsPublic = dh.pub
  const send = kdfRootHe(crypto, s.rootKey, crypto.x25519(s.dhsPrivate, s.dhr))
  s.rootKey = send.rootKey
  s.cks = send.chainKey
  s.nhks = send.nextHeaderKey
  s.sendingPending = false
}

/**
 * `state` with a deferred sending half (dhRatchetStep) derived now; `state` itself when there is
 * none. For a receiver whose next send is on a latency path (a message the user is about to
 * post) while now is not: the sending half is then paid when a receipt arrives, not at the send.
 */
export function prepareSending(ctx: CoreContext, state: RatchetState): RatchetState {
  if (!state.sendingPending) return state
  const s = state.clone()
  completeSending(ctx, s)
  return s
}
