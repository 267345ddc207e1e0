// The stored record and the wire decoders (src/core/group/record.ts, message.ts): versioning,
// byte-exact round trips, size limits at MAX+1, malformed fields, and redaction of key bytes.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { toHex, utf8 } from '../../../src/core/bytes.js'
import type { Redacted } from '../../../src/core/secret.js'
import {
  MAX_SENDER_KEY_DISTRIBUTION_BYTES,
  MAX_SENDER_KEY_MESSAGE_BYTES,
  MAX_SENDER_KEY_RECORD_BYTES,
} from '../../../src/core/wire/limits.js'
import { SenderKeyRecord as SenderKeyRecordPb } from '../../../src/core/wire/pb/record.js'
import { SenderKeyDistribution } from '../../../src/core/wire/pb/wire.js'
import {
  MAX_MESSAGE_KEYS,
  MAX_SENDER_KEY_STATES,
  RECORD_VERSION,
  SenderKeyRecord,
  createOwnState,
  decodeDistribution,
  decodeSenderKeyMessage,
  groupDecrypt,
  groupEncrypt,
  processSenderKeyDistribution,
} from '../../../src/core/group/index.js'
import { ALICE, GROUP, MapSenderKeyStore, context, throwsWith, twoMembers } from './helpers.js'

const named = (name: string) => (err: unknown) => err instanceof Error && err.name === name

describe('sender key record', () => {
  it('serializes byte-for-byte stably and carries RECORD_VERSION', () => {
    const { ctx, alice, bob } = twoMembers('rec')
    for (let i = 0; i < 5; i++) {
      const msg = groupEncrypt(ctx, alice, ALICE, GROUP, utf8(`m${i}`))
      if (i % 2 === 1) groupDecrypt(ctx, bob, ALICE, msg)
    }
    for (const bytes of [alice.bytes(ALICE, GROUP), bob.bytes(ALICE, GROUP)]) {
      assert.deepEqual(SenderKeyRecord.deserialize(bytes).serialize(), bytes)
      assert.equal(SenderKeyRecordPb.decode(bytes).version, RECORD_VERSION)
    }
    assert.deepEqual(bob.record(ALICE, GROUP).newest()?.skippedIterations, [0, 2])
    assert.deepEqual(SenderKeyRecord.empty().serialize(), SenderKeyRecordPb.encode({ version: 1 }))
  })

  it('refuses any other version with UnsupportedVersionError', () => {
    const { bob } = twoMembers('ver')
    const pb = SenderKeyRecordPb.decode(bob.bytes(ALICE, GROUP))
    for (const version of [0, 2, 0xffff_ffff]) {
      assert.throws(
        () => SenderKeyRecord.deserialize(SenderKeyRecordPb.encode({ ...pb, version })),
        named('UnsupportedVersionError'),
      )
    }
  })

  it('refuses a stored record from the future in groupDecrypt, storing nothing', () => {
    const { ctx, alice, bob } = twoMembers('future')
    const msg = groupEncrypt(ctx, alice, ALICE, GROUP, utf8('x'))
    const pb = SenderKeyRecordPb.decode(bob.bytes(ALICE, GROUP))
    const future = SenderKeyRecordPb.encode({ ...pb, version: RECORD_VERSION + 1 })
    bob.putRecord(ALICE, GROUP, future)
    throwsWith(() => groupDecrypt(ctx, bob, ALICE, msg), 'UnsupportedVersionError')
    assert.deepEqual(bob.bytes(ALICE, GROUP), future)
  })

  it(`refuses more than MAX_SENDER_KEY_STATES states or MAX_MESSAGE_KEYS skipped keys`, () => {
    const state = createOwnState(context('cap')).toProto()
    const ok = {
      version: RECORD_VERSION,
      states: Array.from({ length: MAX_SENDER_KEY_STATES }, () => state),
    }
    assert.equal(
      SenderKeyRecord.deserialize(SenderKeyRecordPb.encode(ok)).size,
      MAX_SENDER_KEY_STATES,
    )
    const tooMany = { ...ok, states: [...ok.states, state] }
    assert.throws(
      () => SenderKeyRecord.deserialize(SenderKeyRecordPb.encode(tooMany)),
      named('MalformedMessageError'),
    )

    const seed = new Uint8Array(32).fill(9)
    const skipped = (n: number) => Array.from({ length: n }, (_, i) => ({ iteration: i, seed }))
    const withSkipped = (n: number) =>
      SenderKeyRecordPb.encode({
        version: RECORD_VERSION,
        states: [{ ...state, iteration: n, skipped: skipped(n) }],
      })
    const full = SenderKeyRecord.deserialize(withSkipped(MAX_MESSAGE_KEYS))
    assert.equal(full.newest()?.skippedIterations.length, MAX_MESSAGE_KEYS)
    assert.throws(
      () => SenderKeyRecord.deserialize(withSkipped(MAX_MESSAGE_KEYS + 1)),
      named('MalformedMessageError'),
    )
  })

  it('refuses malformed states: key lengths, duplicate or future skipped iterations', () => {
    const state = createOwnState(context('bad')).toProto()
    const enc = (s: typeof state) =>
      SenderKeyRecordPb.encode({ version: RECORD_VERSION, states: [s] })
    const seed = new Uint8Array(32)
    const bad = [
      { ...state, chainKey: new Uint8Array(31) },
      { ...state, signingPublic: new Uint8Array(33) },
      { ...state, signingPrivate: new Uint8Array(16) },
      { ...state, iteration: 5, skipped: [{ iteration: 1, seed: new Uint8Array(31) }] },
      {
        ...state,
        iteration: 5,
        skipped: [
          { iteration: 1, seed },
          { iteration: 1, seed },
        ],
      },
      { ...state, iteration: 5, skipped: [{ iteration: 5, seed }] },
    ]
    for (const s of bad)
      assert.throws(() => SenderKeyRecord.deserialize(enc(s)), named('MalformedMessageError'))
    assert.throws(
      () => SenderKeyRecord.deserialize(Uint8Array.of(0x12, 0x05)),
      named('MalformedMessageError'),
    )
    assert.equal(SenderKeyRecord.deserialize(enc(state)).size, 1)
  })

  it('does not print key bytes via inspect, String or JSON', () => {
    const { ctx, alice, bob } = twoMembers('redact')
    groupDecrypt(ctx, bob, ALICE, groupEncrypt(ctx, alice, ALICE, GROUP, utf8('a')))
    groupEncrypt(ctx, alice, ALICE, GROUP, utf8('b'))
    const own = alice.record(ALICE, GROUP)
    const state = own.newest()
    assert.ok(state?.signingPrivate)
    const secrets = [
      state.chain.key,
      state.signingPrivate,
      state.chain.messageKey(ctx.crypto).cipherKey,
    ]
    const objects: [Redacted, string][] = [
      [own, 'SenderKeyRecord'],
      [state, 'SenderKeyState'],
      [state.chain, 'SenderChainKey'],
      [state.chain.messageKey(ctx.crypto), 'SenderMessageKey'],
      [bob.record(ALICE, GROUP), 'SenderKeyRecord'],
    ]
    for (const [obj, kind] of objects) {
      const shown = [
        inspect(obj, { showHidden: true, depth: 9 }),
        String(obj),
        JSON.stringify({ obj }),
      ]
      assert.equal(shown[0], `[${kind} redacted]`)
      assert.equal(shown[1], `[${kind} redacted]`)
      assert.equal(shown[2], `{"obj":"[${kind} redacted]"}`)
      for (const s of shown) {
        for (const key of secrets) {
          assert.ok(!s.includes(toHex(key)) && !s.includes(Buffer.from(key).toString('base64')))
        }
      }
    }
  })
})

describe('sender key decoders', () => {
  it('refuse MAX+1 bytes with MessageTooLargeError (and not at MAX)', () => {
    const cases: [number, (b: Uint8Array) => unknown][] = [
      [MAX_SENDER_KEY_MESSAGE_BYTES, decodeSenderKeyMessage],
      [MAX_SENDER_KEY_DISTRIBUTION_BYTES, decodeDistribution],
      [MAX_SENDER_KEY_RECORD_BYTES, (b) => SenderKeyRecord.deserialize(b)],
    ]
    for (const [max, decode] of cases) {
      assert.throws(() => decode(new Uint8Array(max + 1)), named('MessageTooLargeError'))
      assert.throws(
        () => decode(new Uint8Array(max)),
        (err: unknown) => {
          return err instanceof Error && err.name !== 'MessageTooLargeError'
        },
      )
    }
    const { ctx, bob } = twoMembers('big')
    const before = bob.bytes(ALICE, GROUP)
    throwsWith(
      () => groupDecrypt(ctx, bob, ALICE, new Uint8Array(MAX_SENDER_KEY_MESSAGE_BYTES + 1)),
      'MessageTooLargeError',
    )
    throwsWith(
      () =>
        processSenderKeyDistribution(
          ctx,
          bob,
          ALICE,
          new Uint8Array(MAX_SENDER_KEY_DISTRIBUTION_BYTES + 1),
        ),
      'MessageTooLargeError',
    )
    assert.deepEqual(bob.bytes(ALICE, GROUP), before)
  })

  it('refuse distributions with wrong key or id lengths, storing nothing', () => {
    const { ctx, distribution } = twoMembers('lengths')
    const pb = SenderKeyDistribution.decode(distribution)
    const bad = [
      { ...pb, chainKey: new Uint8Array(31) },
      { ...pb, chainKey: new Uint8Array(33) },
      { ...pb, signingKey: new Uint8Array(0) },
      { ...pb, signingKey: new Uint8Array(33) },
      { ...pb, distributionId: new Uint8Array(0) },
      { ...pb, distributionId: new Uint8Array(65) },
    ]
    const store = new MapSenderKeyStore()
    for (const d of bad) {
      throwsWith(
        () => processSenderKeyDistribution(ctx, store, ALICE, SenderKeyDistribution.encode(d)),
        'MalformedMessageError',
      )
    }
    assert.equal(store.writes, 0)
    processSenderKeyDistribution(ctx, store, ALICE, SenderKeyDistribution.encode(pb))
    assert.equal(store.writes, 1)
  })
})
