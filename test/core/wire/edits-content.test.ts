// The ChatContent bodies of replies, edits, deletes, reactions and disappearing timers
// (docs/protocol.md §4.8.1–4.8.5): round trips, every bound at MAX and MAX+1 in both directions, and
// random bytes / bit flips decoding to a typed error or a value, never a crash.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { KithError } from '../../../src/core/errors.js'
import { decodeChatContent, encodeChatContent } from '../../../src/core/wire/content.js'
import { isOneEmoji } from '../../../src/core/wire/emoji.js'
import {
  MAX_PLAINTEXT_BYTES,
  MAX_REACTION_BYTES,
  MAX_TTL_SECONDS,
  MIN_TTL_SECONDS,
} from '../../../src/core/wire/limits.js'
import * as pb from '../../../src/core/wire/pb/wire.js'

const id = () => new Uint8Array(16).fill(9)
const base = {
  messageId: new Uint8Array(16).fill(1),
  sender: new Uint8Array(38).fill(2),
  seq: 3n,
  sentAt: 4n,
  conversation: new Uint8Array(0),
}
const malformed = (e: Error) =>
  e.name === 'MalformedMessageError' || e.name === 'MessageTooLargeError'

describe('ChatContent replies, edits, deletes, reactions, disappearing', () => {
  it('round-trips each body and a reply', () => {
    const reply = decodeChatContent(
      encodeChatContent({ ...base, text: { text: 'yes' }, replyTo: id() }),
    )
    assert.deepEqual(reply.replyTo, id())
    const e = decodeChatContent(encodeChatContent({ ...base, edit: { targetId: id(), text: 'x' } }))
    assert.equal(e.edit?.text, 'x')
    const d = decodeChatContent(encodeChatContent({ ...base, delete: { targetId: id() } }))
    assert.deepEqual(d.delete?.targetId, id())
    const r = decodeChatContent(
      encodeChatContent({ ...base, reaction: { targetId: id(), emoji: '👍🏽', remove: true } }),
    )
    assert.deepEqual(r.reaction, { targetId: id(), emoji: '👍🏽', remove: true })
    const t = decodeChatContent(encodeChatContent({ ...base, disappearing: { ttlSeconds: 60 } }))
    assert.equal(t.disappearing?.ttlSeconds, 60)
  })

  it('refuses a reply on anything but a text, and a reply id of 15 or 17 bytes', () => {
    assert.throws(
      () => encodeChatContent({ ...base, delete: { targetId: id() }, replyTo: id() }),
      TypeError,
    )
    for (const n of [15, 17]) {
      const raw = pb.ChatContent.encode({
        ...base,
        text: { text: 'a' },
        replyTo: new Uint8Array(n),
      })
      assert.throws(() => decodeChatContent(raw), { name: 'MalformedMessageError' })
    }
  })

  it('edit text: MAX_PLAINTEXT_BYTES framed inside the content limit, MAX+1 refused both ways', () => {
    const over = 'a'.repeat(MAX_PLAINTEXT_BYTES + 1)
    assert.throws(() => encodeChatContent({ ...base, edit: { targetId: id(), text: over } }), {
      name: 'MessageTooLargeError',
    })
    const raw = pb.ChatContent.encode({ ...base, edit: { targetId: id(), text: over } })
    assert.throws(() => decodeChatContent(raw), malformed)
    const empty = pb.ChatContent.encode({ ...base, edit: { targetId: id(), text: '' } })
    assert.throws(() => decodeChatContent(empty), { name: 'MalformedMessageError' })
  })

  it('reaction: one emoji of at most MAX_REACTION_BYTES; MAX+1, two emoji or text refused', () => {
    // A family of four with skin tones: one grapheme, 41 bytes.
    const family = '👨🏽‍👩🏽‍👧🏽‍👦🏽'
    assert.ok(isOneEmoji(family))
    const ok = pb.ChatContent.encode({
      ...base,
      reaction: { targetId: id(), emoji: family, remove: false },
    })
    assert.equal(decodeChatContent(ok).reaction?.emoji, family)
    // MAX+1 bytes: a pictograph followed by skin-tone modifiers (one cluster to some segmenters).
    const long = '👍' + '\u{1f3fd}'.repeat((MAX_REACTION_BYTES + 1 - 4) / 4 + 1)
    assert.ok(Buffer.byteLength(long) > MAX_REACTION_BYTES)
    const raw = pb.ChatContent.encode({
      ...base,
      reaction: { targetId: id(), emoji: long, remove: false },
    })
    assert.throws(() => decodeChatContent(raw), { name: 'MalformedMessageError' })
    for (const bad of ['👍👍', 'a', '', '\u001b[2J', '👍\u0301']) {
      const r = pb.ChatContent.encode({
        ...base,
        reaction: { targetId: id(), emoji: bad, remove: false },
      })
      assert.throws(() => decodeChatContent(r), { name: 'MalformedMessageError' }, bad)
    }
  })

  it(`disappearing: 0 (off) and ${MIN_TTL_SECONDS}..${MAX_TTL_SECONDS} s; below and MAX+1 refused`, () => {
    for (const ttlSeconds of [0, MIN_TTL_SECONDS, MAX_TTL_SECONDS]) {
      const raw = pb.ChatContent.encode({ ...base, disappearing: { ttlSeconds } })
      assert.equal(decodeChatContent(raw).disappearing?.ttlSeconds, ttlSeconds)
    }
    for (const ttlSeconds of [1, MIN_TTL_SECONDS - 1, MAX_TTL_SECONDS + 1]) {
      const raw = pb.ChatContent.encode({ ...base, disappearing: { ttlSeconds } })
      assert.throws(() => decodeChatContent(raw), { name: 'MalformedMessageError' })
    }
  })

  it('two bodies (text + edit, edit + delete) are refused', () => {
    const two = new Uint8Array([
      ...pb.ChatContent.encode({ ...base, edit: { targetId: id(), text: 'x' } }),
      ...pb.ChatContent.encode({ delete: { targetId: id() } }),
    ])
    assert.throws(() => decodeChatContent(two), { name: 'MalformedMessageError' })
  })

  it('random bytes and bit flips of the new bodies: a value or a typed error (numRuns 300)', () => {
    const samples = [
      encodeChatContent({ ...base, edit: { targetId: id(), text: 'hello' } }),
      encodeChatContent({ ...base, reaction: { targetId: id(), emoji: '👍', remove: false } }),
      encodeChatContent({ ...base, disappearing: { ttlSeconds: 30 } }),
      encodeChatContent({ ...base, text: { text: 'r' }, replyTo: id() }),
    ]
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: samples.length - 1 }),
        fc.nat(),
        fc.uint8Array({ maxLength: 64 }),
        (i, bit, junk) => {
          const s = Uint8Array.from(samples[i]!)
          s[(bit >> 3) % s.length]! ^= 1 << (bit & 7)
          for (const input of [s, junk]) {
            try {
              decodeChatContent(input)
            } catch (err) {
              assert.ok(err instanceof KithError, (err as Error).name)
            }
          }
        },
      ),
      { numRuns: 300 },
    )
  })
})
