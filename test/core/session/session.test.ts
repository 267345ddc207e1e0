// 1:1 sessions end to end through SessionCipher: PQXDH first contact, prekeys consumed exactly
// once, repeated initial messages, simultaneous initiation, and transactional failures.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import {
  decodeEnvelope,
  decodePrekeyMessage,
  encodeEnvelope,
  encodePrekeyMessage,
} from '../../../src/core/wire/codec.js'
import { EnvelopeType } from '../../../src/core/wire/pb/wire.js'
import { SessionRecord } from '../../../src/core/session/record.js'
import { toHex } from '../../../src/core/bytes.js'
import { makeParty, str, text, type Party } from '../../helpers/parties.js'

function snapshot(p: Party, peer: string): string {
  const rec = p.store.loadSession(peer)
  return [
    rec === undefined ? '-' : toHex(rec),
    p.store.countOneTimePrekeys(),
    p.store.countOneTimeKemPrekeys(),
  ].join('|')
}

describe('1:1 sessions (PQXDH + Double Ratchet)', () => {
  it('first contact: prekey messages until the reply, one-time prekeys consumed once', () => {
    const alice = makeParty('alice')
    const bob = makeParty('bob')
    alice.cipher.initiate(bob.peerId, bob.bundle())
    assert.equal(bob.store.countOneTimePrekeys(), 1)
    assert.equal(bob.store.countOneTimeKemPrekeys(), 1)

    const first = [1, 2, 3].map((i) => alice.cipher.encrypt(bob.peerId, text(`hi ${i}`)))
    for (const e of first) assert.equal(decodeEnvelope(e).type, EnvelopeType.PREKEY)

    const d1 = bob.receive(undefined, first[0]!)
    assert.equal(d1.peer, alice.peerId)
    assert.equal(str(d1.plaintext), 'hi 1')
    assert.equal(d1.newSession, true)
    assert.equal(bob.store.countOneTimePrekeys(), 0)
    assert.equal(bob.store.countOneTimeKemPrekeys(), 0)

    // Later initial messages of the same run decrypt with the same session, consuming nothing.
    const d3 = bob.receive(alice.peerId, first[2]!)
    assert.equal(str(d3.plaintext), 'hi 3')
    assert.equal(d3.newSession, false)
    assert.equal(str(bob.receive(alice.peerId, first[1]!).plaintext), 'hi 2')

    const reply = bob.cipher.encrypt(alice.peerId, text('hello alice'))
    assert.equal(decodeEnvelope(reply).type, EnvelopeType.RATCHET)
    assert.equal(str(alice.receive(bob.peerId, reply).plaintext), 'hello alice')
    const next = alice.cipher.encrypt(bob.peerId, text('now ratchet'))
    assert.equal(decodeEnvelope(next).type, EnvelopeType.RATCHET)
    assert.equal(str(bob.receive(alice.peerId, next).plaintext), 'now ratchet')
  })

  it('a replayed initial message is rejected and changes nothing', () => {
    const alice = makeParty('alice2')
    const bob = makeParty('bob2')
    alice.cipher.initiate(bob.peerId, bob.bundle())
    const m = alice.cipher.encrypt(bob.peerId, text('once'))
    bob.receive(undefined, m)
    const before = snapshot(bob, alice.peerId)
    assert.throws(() => bob.receive(undefined, m), { name: 'DuplicateMessageError' })
    assert.equal(snapshot(bob, alice.peerId), before)
  })

  it('a repeated initial message with altered PQXDH fields is refused, state unchanged', () => {
    const alice = makeParty('alice2b')
    const bob = makeParty('bob2b')
    alice.cipher.initiate(bob.peerId, bob.bundle())
    const m1 = alice.cipher.encrypt(bob.peerId, text('one'))
    const m2 = alice.cipher.encrypt(bob.peerId, text('two'))
    bob.receive(undefined, m1)
    const env = decodeEnvelope(m2)
    const pm = decodePrekeyMessage(env.body)
    for (const alter of [
      (p: typeof pm) => void (p.kemCiphertext[5]! ^= 1),
      (p: typeof pm) => void (p.signedPrekeyId += 1),
    ]) {
      const copy = structuredClone(pm)
      alter(copy)
      const forged = encodeEnvelope(env.type, encodePrekeyMessage(copy))
      const before = snapshot(bob, alice.peerId)
      assert.throws(() => bob.receive(undefined, forged), { name: 'DecryptionError' })
      assert.equal(snapshot(bob, alice.peerId), before)
    }
    assert.equal(str(bob.receive(undefined, m2).plaintext), 'two')
  })

  it('a second initial message naming a consumed one-time prekey is refused', () => {
    const alice = makeParty('alice3')
    const mallory = makeParty('mallory3')
    const bob = makeParty('bob3')
    const bundle = bob.bundle()
    alice.cipher.initiate(bob.peerId, bundle)
    mallory.cipher.initiate(bob.peerId, bundle)
    bob.receive(undefined, alice.cipher.encrypt(bob.peerId, text('a')))
    const m = mallory.cipher.encrypt(bob.peerId, text('m'))
    const before = snapshot(bob, mallory.peerId)
    assert.throws(() => bob.receive(undefined, m), { name: 'PrekeyNotFoundError' })
    assert.equal(snapshot(bob, mallory.peerId), before)
  })

  it('works from a last-resort-only bundle and keeps the last-resort keys', () => {
    const alice = makeParty('alice4')
    const bob = makeParty('bob4')
    alice.cipher.initiate(bob.peerId, bob.bundle(true))
    const d = bob.receive(undefined, alice.cipher.encrypt(bob.peerId, text('lr')))
    assert.equal(str(d.plaintext), 'lr')
    assert.ok(bob.store.loadKemPrekey(1), 'last-resort ML-KEM prekey kept')
    assert.ok(bob.store.loadSignedPrekey(1))
  })

  it('refuses bundles with a bad signature or of another identity', () => {
    const alice = makeParty('alice5')
    const bob = makeParty('bob5')
    const carol = makeParty('carol5')
    const bundle = bob.bundle()
    const bad = structuredClone(bundle)
    bad.signedPrekey!.signature[7]! ^= 0x40
    assert.throws(() => alice.cipher.initiate(bob.peerId, bad), { name: 'InvalidSignatureError' })
    const badKem = structuredClone(bundle)
    badKem.kemPrekey!.publicKey[100]! ^= 1
    assert.throws(() => alice.cipher.initiate(bob.peerId, badKem), {
      name: 'InvalidSignatureError',
    })
    assert.throws(() => alice.cipher.initiate(carol.peerId, bundle), {
      name: 'UntrustedIdentityError',
    })
    assert.equal(alice.cipher.hasSession(bob.peerId), false)
  })

  it('a prekey message claiming another sender than the transport is refused', () => {
    const alice = makeParty('alice6')
    const bob = makeParty('bob6')
    const carol = makeParty('carol6')
    alice.cipher.initiate(bob.peerId, bob.bundle())
    const m = alice.cipher.encrypt(bob.peerId, text('x'))
    assert.throws(() => bob.receive(carol.peerId, m), { name: 'UntrustedIdentityError' })
    assert.throws(() => alice.cipher.encrypt(carol.peerId, text('y')), { name: 'NoSessionError' })
    // After the handshake, a ratchet message from a peer we have no session with is refused.
    bob.receive(alice.peerId, m)
    const reply = bob.cipher.encrypt(alice.peerId, text('r'))
    assert.throws(() => carol.receive(bob.peerId, reply), { name: 'NoSessionError' })
  })

  it('simultaneous initiation converges: both sides keep talking', () => {
    const alice = makeParty('alice7')
    const bob = makeParty('bob7')
    alice.cipher.initiate(bob.peerId, bob.bundle())
    bob.cipher.initiate(alice.peerId, alice.bundle())
    const a1 = alice.cipher.encrypt(bob.peerId, text('a1'))
    const b1 = bob.cipher.encrypt(alice.peerId, text('b1'))
    assert.equal(str(bob.receive(alice.peerId, a1).plaintext), 'a1')
    assert.equal(str(alice.receive(bob.peerId, b1).plaintext), 'b1')
    for (let i = 0; i < 4; i++) {
      const a = alice.cipher.encrypt(bob.peerId, text(`a${i}`))
      assert.equal(str(bob.receive(alice.peerId, a).plaintext), `a${i}`)
      const b = bob.cipher.encrypt(alice.peerId, text(`b${i}`))
      assert.equal(str(alice.receive(bob.peerId, b).plaintext), `b${i}`)
    }
  })

  it('session state, records and identities print no key bytes', () => {
    const alice = makeParty('alice8')
    const bob = makeParty('bob8')
    alice.cipher.initiate(bob.peerId, bob.bundle())
    const record = SessionRecord.deserialize(alice.store.loadSession(bob.peerId)!)
    const state = record.current!
    const secrets = [
      state.rootKey,
      state.cks,
      state.dhsPrivate,
      state.hks,
      state.nhkr,
      alice.identity.exportSeed(),
    ].map(toHex)
    for (const obj of [state, alice.identity]) {
      const printed = [
        inspect(obj, { depth: 10, showHidden: true }),
        String(obj),
        JSON.stringify(obj),
        JSON.stringify({ nested: obj }),
      ].join('\n')
      for (const s of secrets) {
        assert.ok(!printed.includes(s), 'a key appears in printed output')
        assert.ok(
          !printed.includes(Buffer.from(s, 'hex').toString('base64')),
          'a key appears in base64',
        )
      }
      assert.match(String(obj), /redacted/)
    }
  })

  it('two-phase decrypt: nothing is saved until commit, then the record and prekeys go together', () => {
    const alice = makeParty('alice9')
    const bob = makeParty('bob9')
    alice.cipher.initiate(bob.peerId, bob.bundle())
    const m = alice.cipher.encrypt(bob.peerId, text('checked first'))
    const before = snapshot(bob, alice.peerId)
    const pending = bob.cipher.decrypt(alice.peerId, m)
    assert.equal(str(pending.plaintext), 'checked first')
    assert.equal(pending.newSession, true)
    assert.equal(pending.firstSession, true)
    assert.equal(snapshot(bob, alice.peerId), before, 'decrypt alone stores nothing')
    // Not committed (the caller's check failed): the same message decrypts again later.
    const again = bob.cipher.decrypt(alice.peerId, m)
    again.commit()
    assert.notEqual(snapshot(bob, alice.peerId), before)
    assert.equal(bob.store.countOneTimePrekeys(), 0, 'one-time prekey consumed with the commit')
    assert.equal(bob.store.countOneTimeKemPrekeys(), 0)
    assert.throws(() => bob.cipher.decrypt(alice.peerId, m), { name: 'DuplicateMessageError' })
    const reply = bob.cipher.encrypt(alice.peerId, text('r'))
    assert.equal(alice.cipher.decrypt(bob.peerId, reply).firstSession, false)
  })

  it('encryptAll: a run in one save; startSession only without a current session', () => {
    const alice = makeParty('alice10')
    const bob = makeParty('bob10')
    assert.throws(() => alice.cipher.encryptAll(bob.peerId, [text('x')]), {
      name: 'NoSessionError',
    })
    assert.equal(alice.store.loadSession(bob.peerId), undefined, 'nothing saved on a throw')
    assert.equal(alice.cipher.startSession(bob.peerId, bob.bundle()), true)
    const record = alice.store.loadSession(bob.peerId)
    assert.equal(alice.cipher.startSession(bob.peerId, bob.bundle()), false)
    assert.deepEqual(alice.store.loadSession(bob.peerId), record, 'running session kept')
    const envs = alice.cipher.encryptAll(bob.peerId, [text('a'), text('b'), text('c')])
    assert.deepEqual(
      envs.map((e) => str(bob.receive(alice.peerId, e).plaintext)),
      ['a', 'b', 'c'],
    )
  })
})
