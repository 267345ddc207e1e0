// Byte helpers shared by the core. One byte type: Uint8Array.

export function concat(...parts: Uint8Array[]): Uint8Array {
  let len = 0
  for (const p of parts) len += p.length
  const out = new Uint8Array(len)
  let off = 0
  for (const p of parts) {
    out.set(p, off)
    off += p.length
  }
  return out
}

/** Constant-time equality for secrets and MACs (length is not secret). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}

export function u32be(n: number): Uint8Array {
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, n >>> 0, false)
  return out
}

export function toHex(b: Uint8Array): string {
  let s = ''
  for (const x of b) s += x.toString(16).padStart(2, '0')
  return s
}

export function fromHex(s: string): Uint8Array {
  if (s.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(s)) throw new TypeError('invalid hex string')
  const out = new Uint8Array(s.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16)
  return out
}

export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s)
}

/** Checks a byte argument's type and length, naming the field (as noble's abytes does). */
export function abytes(field: string, value: unknown, ...lengths: number[]): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${field}: expected Uint8Array`)
  if (lengths.length > 0 && !lengths.includes(value.length)) {
    throw new RangeError(`${field}: expected ${lengths.join(' or ')} bytes, got ${value.length}`)
  }
  return value
}

/** Overwrites a buffer we are done with. Cheap hygiene, not a guarantee in a GC'd runtime. */
export function wipe(...bufs: (Uint8Array | undefined)[]): void {
  for (const b of bufs) b?.fill(0)
}
