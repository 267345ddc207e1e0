// Two parties of one protocol implementation with an established 1:1 session, held in memory.
// The core bench drives Kith (./kith.ts) and libsignal (./libsignal.ts) through this one shape,
// so both run exactly the same message patterns.

export type Side = 'a' | 'b'

export interface Channel {
  readonly name: string
  /**
   * Encrypts `plaintext` at `from`, decrypts the wire bytes at the other party and checks that
   * the plaintext came back. Returns the number of bytes that went over the wire.
   */
  send(from: Side, plaintext: Uint8Array<ArrayBuffer>): Promise<number>
}

/** Throws unless `got` equals `want`: a bench that decrypts garbage measures nothing. */
export function checkRoundTrip(name: string, want: Uint8Array, got: Uint8Array): void {
  const a = Buffer.from(want.buffer, want.byteOffset, want.byteLength)
  const b = Buffer.from(got.buffer, got.byteOffset, got.byteLength)
  if (!a.equals(b)) throw new Error(`${name}: decrypted plaintext differs from what was sent`)
}

/**
 * Establishes the session in both directions the way a real first contact does: A's first
 * message carries the PQXDH prekey header, B's reply completes it, so every later message is a
 * plain ratchet message on both sides.
 */
export async function handshake(
  channel: Channel,
  plaintext: Uint8Array<ArrayBuffer>,
): Promise<void> {
  await channel.send('a', plaintext)
  await channel.send('b', plaintext)
}
