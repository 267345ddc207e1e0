// The Double Ratchet's key derivation functions (Double Ratchet spec §5.2 "Recommended
// cryptographic algorithms") and its AEAD/HEADER encryption (§5.2, §4.1). This module owns the
// info strings and byte layouts; it knows nothing of state or stores.
import { concat, utf8 } from '../bytes.js'
import type { CryptoProvider } from '../crypto/provider.js'

export const INFO_ROOT = utf8('Kith_Ratchet_RootKey_v1')
export const INFO_MESSAGE_KEYS = utf8('Kith_Ratchet_MessageKeys_v1')

const CK_MESSAGE = Uint8Array.of(0x01)
const CK_NEXT = Uint8Array.of(0x02)

/** Header plaintext: dh(32) ‖ pn(4, big endian) ‖ n(4, big endian). */
export const HEADER_BYTES = 40
export const HEADER_NONCE_BYTES = 12
const TAG_BYTES = 16
/** Encrypted header on the wire: nonce ‖ AES-256-GCM(header) ‖ tag. */
export const ENCRYPTED_HEADER_BYTES = HEADER_NONCE_BYTES + HEADER_BYTES + TAG_BYTES

/**
 * KDF_RK_HE (§4.2): HKDF-SHA256 with the root key as salt and the DH output as input key
 * material, split into a new root key, a chain key and a next header key (§5.2 recommends HKDF
 * with SHA-256 here; the third 32-byte block is §4's header-key output).
 */
export function kdfRootHe(
  crypto: CryptoProvider,
  rootKey: Uint8Array,
  dhOut: Uint8Array,
): { rootKey: Uint8Array; chainKey: Uint8Array; nextHeaderKey: Uint8Array } {
  const out = crypto.hkdfSha256(dhOut, rootKey, INFO_ROOT, 96)
  return {
    rootKey: out.slice(0, 32),
    chainKey: out.slice(32, 64),
    nextHeaderKey: out.slice(64, 96),
  }
}

/**
 * KDF_CK (§5.2): "HMAC-SHA256 with ck as the HMAC key and using separate constants as input
 * (e.g. a single byte 0x01 as input to produce the message key, and a single byte 0x02 as input
 * to produce the next chain key)".
 */
export function kdfChain(
  crypto: CryptoProvider,
  chainKey: Uint8Array,
): { chainKey: Uint8Array; messageKey: Uint8Array } {
  return {
    messageKey: crypto.hmacSha256(chainKey, CK_MESSAGE),
    chainKey: crypto.hmacSha256(chainKey, CK_NEXT),
  }
}

/**
 * ENCRYPT(mk, plaintext, associated_data) (§5.2): HKDF expands the message key into an
 * AES-256-GCM key and nonce. Kith uses GCM where the spec suggests CBC + HMAC; each message key
 * is used exactly once, so the derived nonce never repeats under a key.
 */
export function encryptBody(
  crypto: CryptoProvider,
  mk: Uint8Array,
  plaintext: Uint8Array,
  ad: Uint8Array,
): Uint8Array {
  const k = crypto.hkdfSha256(mk, new Uint8Array(32), INFO_MESSAGE_KEYS, 44)
  return crypto.aesGcmEncrypt(k.subarray(0, 32), k.subarray(32, 44), plaintext, ad)
}

export function decryptBody(
  crypto: CryptoProvider,
  mk: Uint8Array,
  ciphertext: Uint8Array,
  ad: Uint8Array,
): Uint8Array | undefined {
  const k = crypto.hkdfSha256(mk, new Uint8Array(32), INFO_MESSAGE_KEYS, 44)
  return crypto.aesGcmDecrypt(k.subarray(0, 32), k.subarray(32, 44), ciphertext, ad)
}

export interface Header {
  dh: Uint8Array
  pn: number
  n: number
}

export function encodeHeader(h: Header): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES)
  out.set(h.dh, 0)
  const v = new DataView(out.buffer)
  v.setUint32(32, h.pn, false)
  v.setUint32(36, h.n, false)
  return out
}

function decodeHeader(b: Uint8Array): Header {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength)
  return { dh: b.slice(0, 32), pn: v.getUint32(32, false), n: v.getUint32(36, false) }
}

/**
 * HENCRYPT(hk, plaintext) (§4.1): AES-256-GCM under the header key with a fresh random nonce —
 * a header key encrypts every header of a sending chain, so the nonce cannot be derived from it.
 * The session AD is bound here as well as in the body.
 */
export function encryptHeader(
  crypto: CryptoProvider,
  hk: Uint8Array,
  nonce: Uint8Array,
  header: Header,
  ad: Uint8Array,
): Uint8Array {
  return concat(nonce, crypto.aesGcmEncrypt(hk, nonce, encodeHeader(header), ad))
}

/** HDECRYPT(hk, ciphertext) (§4.1): the header, or undefined when it does not authenticate. */
export function decryptHeader(
  crypto: CryptoProvider,
  hk: Uint8Array,
  encHeader: Uint8Array,
  ad: Uint8Array,
): Header | undefined {
  if (encHeader.length !== ENCRYPTED_HEADER_BYTES) return undefined
  const pt = crypto.aesGcmDecrypt(
    hk,
    encHeader.subarray(0, HEADER_NONCE_BYTES),
    encHeader.subarray(HEADER_NONCE_BYTES),
    ad,
  )
  return pt === undefined ? undefined : decodeHeader(pt)
}
