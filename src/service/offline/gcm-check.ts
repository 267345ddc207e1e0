// A cheap AES-256-GCM tag check for header trial decryption (./mailbox-trial.ts). Finding the
// sender of a fetched envelope means trying its encrypted header under many header keys; with
// node:crypto a failed AES-GCM decryption costs ≈17–30 µs here (a new Decipher and a thrown
// error each time), so 101 contacts cost ≈4 ms per junk envelope. Here, per key, the AES block
// cipher (one ECB Cipher object reused for every block), the 4-bit multiplication table of the
// hash key H and the GHASH state over the session AD are computed once; checking one header then
// costs one AES block and four table-driven GHASH multiplications. It only answers "could this
// key have produced this tag": a match is then decrypted for real by the crypto provider
// (core/ratchet/kdf.ts decryptHeader), so a mistake here could only cost a wasted attempt or a
// missed match, which the honest-envelope tests would catch. Node only (node:crypto): the
// service may use it, the core never does.
//
// NIST SP 800-38D: §6.3 (multiplication in GF(2^128)), §6.4 (GHASH), §7.2 (J0 = IV ‖ 0^31 ‖ 1 for
// a 96-bit IV; S = GHASH(A ‖ 0^v ‖ C ‖ 0^u ‖ [len(A)]64 ‖ [len(C)]64); T = E_K(J0) ⊕ S).
// The multiplication is Shoup's 4-bit table method, as in mbedTLS library/gcm.c.
import { createCipheriv, type Cipher } from 'node:crypto'

const BLOCK = 16
const TAG = 16
const NONCE = 12

/** Reduction of the 4 bits shifted out of Z (R = 11100001 ‖ 0^120, pre-shifted): mbedTLS
 *  gcm.c `last4`. */
const LAST4 = Uint32Array.from([
  0x0000, 0x1c20, 0x3840, 0x2460, 0x7080, 0x6ca0, 0x48c0, 0x54e0, 0xe100, 0xfd20, 0xd940, 0xc560,
  0x9180, 0x8da0, 0xa9c0, 0xb5e0,
])

/** M[i] = i • H for every 4-bit i (bit-reflected, §6.3): 16 blocks of four big-endian words. */
function table(h: Uint8Array): Uint32Array {
  const t = new Uint32Array(16 * 4)
  const hv = new DataView(h.buffer, h.byteOffset, BLOCK)
  let v0 = hv.getUint32(0)
  let v1 = hv.getUint32(4)
  let v2 = hv.getUint32(8)
  let v3 = hv.getUint32(12)
  t.set([v0, v1, v2, v3], 8 * 4)
  for (let i = 4; i > 0; i >>>= 1) {
    // V ← V • x: shift right one bit, reducing by R when a 1 falls off.
    const carry = v3 & 1
    v3 = ((v3 >>> 1) | (v2 << 31)) >>> 0
    v2 = ((v2 >>> 1) | (v1 << 31)) >>> 0
    v1 = ((v1 >>> 1) | (v0 << 31)) >>> 0
    v0 = ((v0 >>> 1) ^ (carry !== 0 ? 0xe1000000 : 0)) >>> 0
    t.set([v0, v1, v2, v3], i * 4)
  }
  for (let i = 2; i <= 8; i *= 2) {
    for (let j = 1; j < i; j++) {
      for (let w = 0; w < 4; w++) t[(i + j) * 4 + w] = (t[i * 4 + w]! ^ t[j * 4 + w]!) >>> 0
    }
  }
  return t
}

/** y ← y • H in place (y: 16 bytes), with H's table `m`. */
function gfMulInPlace(y: Uint8Array, m: Uint32Array): void {
  let z0 = 0
  let z1 = 0
  let z2 = 0
  let z3 = 0
  for (let i = 15; i >= 0; i--) {
    const byte = y[i]!
    for (let k = 0; k < 2; k++) {
      const nib = k === 0 ? byte & 0xf : byte >>> 4
      // Z ← Z • x^4 (shifting an all-zero Z first is harmless).
      const rem = z3 & 0xf
      z3 = ((z3 >>> 4) | (z2 << 28)) >>> 0
      z2 = ((z2 >>> 4) | (z1 << 28)) >>> 0
      z1 = ((z1 >>> 4) | (z0 << 28)) >>> 0
      z0 = ((z0 >>> 4) ^ (LAST4[rem]! << 16)) >>> 0
      const o = nib << 2
      z0 ^= m[o]!
      z1 ^= m[o + 1]!
      z2 ^= m[o + 2]!
      z3 ^= m[o + 3]!
    }
  }
  for (let w = 0; w < 4; w++) {
    const z = w === 0 ? z0 : w === 1 ? z1 : w === 2 ? z2 : z3
    y[w * 4] = z >>> 24
    y[w * 4 + 1] = z >>> 16
    y[w * 4 + 2] = z >>> 8
    y[w * 4 + 3] = z
  }
}

/** y ← GHASH continued over `data` zero-padded to whole blocks (§6.4), in place. */
function ghashInto(y: Uint8Array, m: Uint32Array, data: Uint8Array): void {
  for (let off = 0; off < data.length; off += BLOCK) {
    const n = Math.min(BLOCK, data.length - off)
    for (let i = 0; i < n; i++) y[i]! ^= data[off + i]!
    gfMulInPlace(y, m)
  }
}

/** One header key under one AD, ready to check tags. Holds the key's AES schedule: drop it with
 *  the session record it came from. */
export class GcmTagCheck {
  readonly #aes: Cipher
  readonly #m: Uint32Array
  readonly #afterAd = new Uint8Array(BLOCK)
  readonly #adBits: number
  readonly #y = new Uint8Array(BLOCK)
  readonly #j0 = new Uint8Array(BLOCK)
  readonly #lengths = new Uint8Array(BLOCK)

  constructor(key: Uint8Array, ad: Uint8Array) {
    this.#aes = createCipheriv('aes-256-ecb', key, null).setAutoPadding(false)
    this.#m = table(this.#aes.update(new Uint8Array(BLOCK)))
    ghashInto(this.#afterAd, this.#m, ad)
    this.#adBits = ad.length * 8
  }

  /** True when `nonce ‖ ciphertext ‖ tag` (as encryptHeader writes it) authenticates under this
   *  key and AD. */
  matches(sealed: Uint8Array): boolean {
    if (sealed.length < NONCE + TAG) return false
    const ct = sealed.subarray(NONCE, sealed.length - TAG)
    const y = this.#y
    y.set(this.#afterAd)
    ghashInto(y, this.#m, ct)
    const lengths = this.#lengths
    const v = new DataView(lengths.buffer)
    v.setUint32(4, this.#adBits >>> 0)
    v.setUint32(12, ct.length * 8)
    ghashInto(y, this.#m, lengths)
    const j0 = this.#j0
    j0.set(sealed.subarray(0, NONCE))
    j0[15] = 1
    const mask = this.#aes.update(j0)
    let diff = 0
    for (let i = 0; i < TAG; i++) diff |= y[i]! ^ mask[i]! ^ sealed[sealed.length - TAG + i]!
    return diff === 0
  }
}
