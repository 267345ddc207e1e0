// Safety numbers (src/core/identity/fingerprint.ts): known answers against libsignal itself, its
// published vectors, properties (symmetry, sensitivity to either key), provider agreement, and the
// text and QR formats with their limits at MAX+1.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { Fingerprint, PrivateKey, PublicKey } from '@signalapp/libsignal-client'
import { base64urlnopad } from '@scure/base'
import {
  ITERATIONS,
  MAX_SAFETY_NUMBER_TEXT_CHARS,
  MAX_SCANNABLE_BYTES,
  SCANNABLE_VERSION,
  combineDigits,
  compareScanned,
  fingerprintDigits,
  fingerprintHash,
  formatSafetyNumber,
  parseSafetyNumber,
  safetyNumber,
  scannablePayload,
} from '../../../src/core/identity/fingerprint.js'
import { fromHex, toHex, utf8 } from '../../../src/core/bytes.js'
import {
  MalformedMessageError,
  MessageTooLargeError,
  UnsupportedVersionError,
} from '../../../src/core/errors.js'
import { nobleCrypto } from '../../../src/core/crypto/noble.js'
import { nodeCrypto } from '../../../src/platform/node-crypto.js'

const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 })
const distinctKeys = fc.tuple(key32, key32).filter(([a, b]) => toHex(a) !== toHex(b))

/** Our construction over libsignal-shaped inputs: 60 digits and both 32-byte fingerprints. */
function ours(
  iterations: number,
  localId: Uint8Array,
  localKey: Uint8Array,
  remoteId: Uint8Array,
  remoteKey: Uint8Array,
) {
  const local = fingerprintHash(nodeCrypto, iterations, localKey, localId)
  const remote = fingerprintHash(nodeCrypto, iterations, remoteKey, remoteId)
  return {
    display: combineDigits(fingerprintDigits(local), fingerprintDigits(remote)),
    local: toHex(local.subarray(0, 32)),
    remote: toHex(remote.subarray(0, 32)),
  }
}

/** libsignal's CombinedFingerprints protobuf (fingerprint.proto) with a one-byte version:
 *  08 vv 12 22 0a 20 <local 32> 1a 22 0a 20 <remote 32>, as its fingerprint_encodings test. */
function libsignalScannable(buf: Uint8Array): { local: string; remote: string } {
  const hex = toHex(buf)
  const m = /^08[0-7][0-9a-f]12220a20([0-9a-f]{64})1a220a20([0-9a-f]{64})$/.exec(hex)
  assert.ok(m, `unexpected libsignal scannable layout ${hex}`)
  return { local: m[1]!, remote: m[2]! }
}

void describe('safety numbers: known answers from libsignal', () => {
  void it('matches libsignal-client Fingerprint for random keys and identifiers', () => {
    for (let i = 0; i < 6; i++) {
      const a = PrivateKey.generate().getPublicKey()
      const b = PrivateKey.generate().getPublicKey()
      const aId = new Uint8Array(randomBytes(i * 7))
      const bId = new Uint8Array(randomBytes(38))
      const iterations = i === 0 ? 2 : ITERATIONS
      const theirs = Fingerprint.new(iterations, 2, aId, a, bId, b)
      // libsignal hashes its 33-byte serialized key (0x05 type prefix); feed ours the same bytes.
      const mine = ours(iterations, aId, a.serialize(), bId, b.serialize())
      const inputs = `keys ${toHex(a.serialize())} ${toHex(b.serialize())}, ids ${toHex(aId)} ${toHex(bId)}`
      assert.equal(mine.display, theirs.displayableFingerprint().toString(), inputs)
      assert.deepEqual(
        libsignalScannable(theirs.scannableFingerprint().toBuffer()),
        {
          local: mine.local,
          remote: mine.remote,
        },
        inputs,
      )
    }
  })

  void it("reproduces libsignal's published vector (fingerprint.rs fingerprint_test_v1)", () => {
    const alice = fromHex('0506863bc66d02b40d27b8d49ca7c09e9239236f9d7d25d6fcca5ce13c7064d868')
    const bob = fromHex('05f781b6fb32fed9ba1cf2de978d4d5da28dc34046ae814402b5c0dbd96fda907b')
    const mine = ours(5200, utf8('+14152222222'), alice, utf8('+14153333333'), bob)
    assert.equal(mine.display, '300354477692869396892869876765458257569162576843440918079131')
    assert.equal(mine.local, '1e301a0353dce3dbe7684cb8336e85136cdc0ee96219494ada305d62a7bd61df')
    assert.equal(mine.remote, 'd62cbf73a11592015b6b9f1682ac306fea3aaf3885b84d12bca631e9d4fb3a4d')
    // And libsignal agrees on the same inputs.
    // libsignal-client wants ArrayBuffer-backed arrays; Uint8Array.from gives one.
    const ab = (u: Uint8Array) => Uint8Array.from(u)
    const theirs = Fingerprint.new(
      5200,
      1,
      ab(utf8('+14152222222')),
      PublicKey.deserialize(ab(alice)),
      ab(utf8('+14153333333')),
      PublicKey.deserialize(ab(bob)),
    )
    assert.equal(theirs.displayableFingerprint().toString(), mine.display)
  })

  void it('encodes digits as six 5-byte big-endian chunks mod 100000, zero-padded', () => {
    assert.equal(fingerprintDigits(new Uint8Array(30)), '0'.repeat(30))
    // 0xffffffffff = 1099511627775 ≡ 27775 (mod 100000)
    assert.equal(fingerprintDigits(new Uint8Array(64).fill(0xff)), '27775'.repeat(6))
    // 0x0000000001 → 00001: padding, and only the first 30 bytes count
    const h = new Uint8Array(64).fill(0xaa)
    h.fill(0, 0, 30)
    h[4] = 1
    assert.equal(fingerprintDigits(h), '00001' + '0'.repeat(25))
    assert.throws(() => fingerprintDigits(new Uint8Array(29)), RangeError)
  })

  void it('refuses iteration counts libsignal refuses', () => {
    for (const n of [0, 1, 1_000_001, 2.5]) {
      assert.throws(
        () => fingerprintHash(nodeCrypto, n, new Uint8Array(32), new Uint8Array(0)),
        RangeError,
      )
    }
  })
})

void describe('safety numbers for Kith identities', () => {
  // RFC 8032 §7.1 TEST 1 and TEST 2 public keys. Regression vector: pins the Kith inputs (raw
  // 32-byte key, PeerId bytes as stable id); the construction itself is checked against libsignal.
  const k1 = fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a')
  const k2 = fromHex('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c')
  const KITH_VECTOR = '342195746757300064449784936437714556454213679436316015899377'

  void it('pins a vector for two RFC 8032 keys, the same from both sides', () => {
    assert.equal(safetyNumber(nodeCrypto, k1, k2), KITH_VECTOR)
    assert.equal(safetyNumber(nodeCrypto, k2, k1), KITH_VECTOR)
    assert.match(KITH_VECTOR, /^[0-9]{60}$/)
  })

  void it('is symmetric, and changes when either key changes (fast-check, numRuns 40)', () => {
    fc.assert(
      fc.property(distinctKeys, key32, ([a, b], c) => {
        fc.pre(toHex(c) !== toHex(a) && toHex(c) !== toHex(b))
        const ab = safetyNumber(nodeCrypto, a, b)
        assert.match(ab, /^[0-9]{60}$/)
        assert.equal(safetyNumber(nodeCrypto, b, a), ab)
        assert.notEqual(safetyNumber(nodeCrypto, c, b), ab)
        assert.notEqual(safetyNumber(nodeCrypto, a, c), ab)
      }),
      { numRuns: 40 },
    )
  })

  void it('QR payloads of both sides mirror each other, and not a MITM (fast-check, numRuns 30)', () => {
    fc.assert(
      fc.property(distinctKeys, key32, ([a, b], m) => {
        fc.pre(toHex(m) !== toHex(a) && toHex(m) !== toHex(b))
        const aView = scannablePayload(nodeCrypto, a, b)
        const bView = scannablePayload(nodeCrypto, b, a)
        assert.equal(compareScanned(aView, bView), true)
        assert.equal(compareScanned(bView, aView), true)
        assert.equal(compareScanned(aView, aView), false)
        // Bob was shown M's key as "Alice": Alice's QR does not match Bob's view.
        assert.equal(compareScanned(scannablePayload(nodeCrypto, b, m), aView), false)
      }),
      { numRuns: 30 },
    )
  })

  // Pure-JS SHA-512 is ~20x slower than OpenSSL here (~0.3 s per side at 5200 rounds), so the
  // full construction runs a few times and the hash chain many times at fewer rounds.
  void it('nodeCrypto and nobleCrypto give the same numbers (fast-check, numRuns 3)', () => {
    fc.assert(
      fc.property(distinctKeys, ([a, b]) => {
        assert.equal(safetyNumber(nobleCrypto, a, b), safetyNumber(nodeCrypto, a, b))
      }),
      { numRuns: 3 },
    )
    assert.equal(scannablePayload(nobleCrypto, k1, k2), scannablePayload(nodeCrypto, k1, k2))
  })

  void it('nodeCrypto and nobleCrypto agree on the hash chain (fast-check, numRuns 100)', () => {
    const input = fc.record({
      iterations: fc.integer({ min: 2, max: 64 }),
      key: fc.uint8Array({ maxLength: 40 }),
      id: fc.uint8Array({ maxLength: 80 }),
    })
    fc.assert(
      fc.property(input, ({ iterations, key, id }) => {
        assert.deepEqual(
          fingerprintHash(nobleCrypto, iterations, key, id),
          fingerprintHash(nodeCrypto, iterations, key, id),
        )
      }),
      { numRuns: 100 },
    )
  })

  void it('rejects keys that are not 32 bytes', () => {
    assert.throws(() => safetyNumber(nodeCrypto, new Uint8Array(33), k2), RangeError)
    assert.throws(() => scannablePayload(nodeCrypto, k1, new Uint8Array(31)), RangeError)
  })
})

void describe('safety number text', () => {
  const digits = '300354477692869396892869876765458257569162576843440918079131'

  void it('formats as 12 groups of 5 and parses back, whatever the whitespace', () => {
    const text = formatSafetyNumber(digits)
    assert.equal(text, '30035 44776 92869 39689 28698 76765 45825 75691 62576 84344 09180 79131')
    assert.equal(parseSafetyNumber(text), digits)
    assert.equal(parseSafetyNumber(digits), digits)
    const lines = text.replace(/ /g, (_, i: number) => (i % 24 === 23 ? '\r\n' : '\t  '))
    assert.equal(parseSafetyNumber(`\n ${lines} \n`), digits)
  })

  void it('round-trips random digit strings (fast-check, numRuns 200)', () => {
    const digitString = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 60, maxLength: 60 })
    fc.assert(
      fc.property(digitString, (ds) => {
        const s = ds.join('')
        assert.equal(parseSafetyNumber(formatSafetyNumber(s)), s)
      }),
      { numRuns: 200 },
    )
  })

  void it('rejects anything but 60 ASCII digits with MalformedMessageError', () => {
    for (const bad of [
      '',
      digits.slice(1),
      digits + '0',
      digits.slice(1) + 'a',
      digits.replace('3', '٣'),
      digits.replace(/(.{5})/g, '$1-'),
    ]) {
      assert.throws(() => parseSafetyNumber(bad), MalformedMessageError)
    }
    assert.throws(() => parseSafetyNumber(42 as unknown as string), TypeError)
    assert.throws(() => formatSafetyNumber(digits.slice(1)), RangeError)
    assert.throws(() => formatSafetyNumber(digits + 'x'), RangeError)
  })

  void it(`limits the text to MAX_SAFETY_NUMBER_TEXT_CHARS (${MAX_SAFETY_NUMBER_TEXT_CHARS}), tested at MAX+1`, () => {
    const pad = (n: number) => ' '.repeat(n - digits.length)
    assert.equal(parseSafetyNumber(digits + pad(MAX_SAFETY_NUMBER_TEXT_CHARS)), digits)
    assert.throws(
      () => parseSafetyNumber(digits + pad(MAX_SAFETY_NUMBER_TEXT_CHARS + 1)),
      MessageTooLargeError,
    )
  })
})

void describe('scannable payload format', () => {
  const a = new Uint8Array(32).fill(1)
  const b = new Uint8Array(32).fill(2)
  const aView = scannablePayload(nodeCrypto, a, b)
  const bView = scannablePayload(nodeCrypto, b, a)
  const raw = base64urlnopad.decode(aView)
  const encode = (bytes: Uint8Array) => base64urlnopad.encode(bytes)
  const withHeader = (len: number, version = SCANNABLE_VERSION) => {
    const out = new Uint8Array(len)
    out.set(utf8('KSN'))
    out[3] = version
    return out
  }

  void it('is "KSN" ‖ version ‖ local 32 ‖ remote 32, the fingerprints swapped between sides', () => {
    assert.equal(raw.length, 68)
    assert.deepEqual(raw.subarray(0, 4), Uint8Array.of(0x4b, 0x53, 0x4e, SCANNABLE_VERSION))
    const local = fingerprintHash(
      nodeCrypto,
      ITERATIONS,
      a,
      new Uint8Array([0x00, 0x24, 0x08, 0x01, 0x12, 0x20, ...a]),
    )
    assert.deepEqual(raw.subarray(4, 36), local.subarray(0, 32))
    assert.deepEqual(base64urlnopad.decode(bView).subarray(36), local.subarray(0, 32))
  })

  void it(`rejects payloads over MAX_SCANNABLE_BYTES (${MAX_SCANNABLE_BYTES}) at MAX+1`, () => {
    // At MAX the size check passes and the v1 length check refuses it.
    assert.throws(
      () => compareScanned(aView, encode(withHeader(MAX_SCANNABLE_BYTES))),
      MalformedMessageError,
    )
    assert.throws(
      () => compareScanned(aView, encode(withHeader(MAX_SCANNABLE_BYTES + 1))),
      MessageTooLargeError,
    )
    assert.throws(() => compareScanned(aView, 'A'.repeat(100_000)), MessageTooLargeError)
    assert.throws(
      () => compareScanned(encode(withHeader(MAX_SCANNABLE_BYTES + 1)), bView),
      MessageTooLargeError,
    )
  })

  void it('rejects another version with UnsupportedVersionError', () => {
    for (const v of [0, 2, 255]) {
      const other = Uint8Array.from(raw)
      other[3] = v
      assert.throws(() => compareScanned(bView, encode(other)), UnsupportedVersionError)
    }
    // A longer future version is still reported as a version, not as malformed.
    assert.throws(() => compareScanned(bView, encode(withHeader(100, 2))), UnsupportedVersionError)
  })

  void it('rejects malformed payloads with MalformedMessageError', () => {
    const badMagic = Uint8Array.from(raw)
    badMagic[0] = 0x4c
    const bad = [
      '',
      'K',
      '!!!!',
      aView + '=',
      aView.slice(0, -2),
      encode(raw.subarray(0, 67)),
      encode(badMagic),
    ]
    for (const p of [...bad, encode(Uint8Array.of(...raw, 0))]) {
      assert.throws(() => compareScanned(bView, p), MalformedMessageError, p)
    }
    assert.throws(() => compareScanned(bView, undefined as unknown as string), TypeError)
  })
})
