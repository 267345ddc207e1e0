// Session records: the MAX_PREVIOUS_STATES and MAX_SESSION_RECORD_BYTES bounds at MAX+1, checks
// on stored bytes, and replayed initial messages after their state was evicted.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { MAX_PREVIOUS_STATES, MAX_SEEN_BASE_KEYS } from '../../../src/core/ratchet/limits.js'
import { SessionRecord } from '../../../src/core/session/record.js'
import { MAX_SESSION_RECORD_BYTES } from '../../../src/core/wire/limits.js'
import * as pb from '../../../src/core/wire/pb/record.js'
import { makeParty, str, text } from '../../helpers/parties.js'

describe('session records', () => {
  it(`keeps MAX_PREVIOUS_STATES (${MAX_PREVIOUS_STATES}) earlier states; one more evicts the oldest`, () => {
    const bob = makeParty('rec-bob')
    const alice = makeParty('rec-alice')
    const baseKeys: Uint8Array[] = []
    const record = () => SessionRecord.deserialize(bob.store.loadSession(alice.peerId)!)
    for (let i = 0; i <= MAX_PREVIOUS_STATES + 1; i++) {
      // Alice starts over (a new PQXDH run each time); Bob gets each run's first message.
      alice.cipher.initiate(bob.peerId, bob.bundle(true))
      bob.receive(undefined, alice.cipher.encrypt(bob.peerId, text(`run ${i}`)))
      baseKeys.push(record().current!.baseKey)
      const states = record().states().length
      assert.equal(states, Math.min(i + 1, MAX_PREVIOUS_STATES + 1))
    }
    const r = record()
    assert.equal(r.previous.length, MAX_PREVIOUS_STATES)
    assert.equal(r.findByBaseKey(baseKeys[0]!), undefined, 'the oldest state was evicted')
    assert.notEqual(r.findByBaseKey(baseKeys[1]!), undefined)
    assert.equal(r.hasSeenBaseKey(baseKeys[0]!), true, 'but its base key is remembered')
  })

  it('refuses a stored record with MAX_PREVIOUS_STATES+1 previous states or MAX_SEEN_BASE_KEYS+1 base keys', () => {
    const alice = makeParty('rec-a2')
    const bob = makeParty('rec-b2')
    alice.cipher.initiate(bob.peerId, bob.bundle())
    const rec = pb.SessionRecord.decode(alice.store.loadSession(bob.peerId)!)
    const state = rec.current!
    const tooMany = pb.SessionRecord.encode({
      ...rec,
      previous: Array.from({ length: MAX_PREVIOUS_STATES + 1 }, () => state),
    })
    assert.throws(() => SessionRecord.deserialize(tooMany), { name: 'MalformedMessageError' })
    const atMax = pb.SessionRecord.encode({
      ...rec,
      previous: Array.from({ length: MAX_PREVIOUS_STATES }, () => state),
    })
    assert.equal(SessionRecord.deserialize(atMax).previous.length, MAX_PREVIOUS_STATES)
    const keys = Array.from({ length: MAX_SEEN_BASE_KEYS + 1 }, () => new Uint8Array(32))
    assert.throws(
      () => SessionRecord.deserialize(pb.SessionRecord.encode({ ...rec, seenBaseKeys: keys })),
      {
        name: 'MalformedMessageError',
      },
    )
    const badKey = pb.SessionRecord.encode({
      ...rec,
      current: { ...state, rootKey: new Uint8Array(31) },
    })
    assert.throws(() => SessionRecord.deserialize(badKey), { name: 'MalformedMessageError' })
    assert.throws(
      () => SessionRecord.deserialize(pb.SessionRecord.encode({ ...rec, version: 2 })),
      { name: 'UnsupportedVersionError' },
    )
  })

  it(`refuses a record of MAX_SESSION_RECORD_BYTES+1 bytes before parsing it`, () => {
    assert.throws(() => SessionRecord.deserialize(new Uint8Array(MAX_SESSION_RECORD_BYTES + 1)), {
      name: 'MessageTooLargeError',
    })
    assert.throws(
      () => SessionRecord.deserialize(new Uint8Array(MAX_SESSION_RECORD_BYTES).fill(0xff)),
      { name: 'MalformedMessageError' },
    )
  })

  it('a replayed initial message whose state was evicted is refused and the live session survives', () => {
    const bob = makeParty('replay-bob')
    const alice = makeParty('replay-alice')
    alice.cipher.initiate(bob.peerId, bob.bundle(true))
    const initial = alice.cipher.encrypt(bob.peerId, text('first run'))
    bob.receive(undefined, initial)
    // Alice starts over MAX_PREVIOUS_STATES + 1 times (e.g. reinstalls), pushing the first state out.
    for (let i = 0; i <= MAX_PREVIOUS_STATES; i++) {
      alice.cipher.initiate(bob.peerId, bob.bundle(true))
      bob.receive(undefined, alice.cipher.encrypt(bob.peerId, text(`run ${i + 1}`)))
    }
    const before = bob.store.loadSession(alice.peerId)
    assert.equal(
      SessionRecord.deserialize(before!).findByBaseKey(
        SessionRecord.deserialize(before!).current!.baseKey,
      ) !== undefined,
      true,
    )
    assert.throws(() => bob.receive(undefined, initial), { name: 'DuplicateMessageError' })
    assert.deepEqual(bob.store.loadSession(alice.peerId), before)
    const live = alice.cipher.encrypt(bob.peerId, text('still live'))
    assert.equal(str(bob.receive(undefined, live).plaintext), 'still live')
  })
})
