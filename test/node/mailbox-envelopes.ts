// Test helper: envelopes a mailbox accepts (a well-formed Kith RATCHET envelope: 68-byte header,
// a padded-length body) filled with random bytes, so they are distinct and decrypt for nobody.
import { randomBytes } from 'node:crypto'
import { encodeEnvelope, encodeRatchetMessage } from '../../src/core/wire/codec.js'
import { PADDING_BUCKETS } from '../../src/core/wire/padding.js'
import { EnvelopeType } from '../../src/core/wire/pb/wire.js'

const HEADER = 68
const TAG = 16

/** A well-formed RATCHET envelope of random bytes: the largest padding bucket whose envelope
 *  fits in `maxBytes` (the smallest, ≈360 bytes, if none does). */
export function fakeEnvelope(maxBytes = 400): Uint8Array {
  let bucket = PADDING_BUCKETS[0]!
  for (const b of PADDING_BUCKETS) if (b + TAG + HEADER + 16 <= maxBytes) bucket = b
  const body = encodeRatchetMessage({
    header: new Uint8Array(randomBytes(HEADER)),
    ciphertext: new Uint8Array(randomBytes(bucket + TAG)),
  })
  return encodeEnvelope(EnvelopeType.RATCHET, body)
}
