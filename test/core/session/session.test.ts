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

async function snapshot(p: Party, peer: string): Promise<string> {
  const rec = await p.store.loadSession(peer)
  return [
    rec === undefined ? '-' : toHex(rec),
    await p.store.countOneTimePrekeys(),
    await p.store.countOneTimeKemPrekeys(),
  ].join('|')
}

describe('1:1 sessions (PQXDH + Double Ratchet)', () => {
  it('first contact: prekey messages until the reply, one-time prekeys consumed once', async () => {
    const alice = await makeParty('alice')
    const bob = await makeParty('bob')
    await alice.cipher.initiate(bob.peerId, await bob.bundle())
    assert.equal(await bob.store.countOneTimePrekeys(), 1)
    assert.equal(await bob.store.countOneTimeKemPrekeys(), 1)

    const first = await Promise.all(
      [1, 2, 3].map((i) => alice.cipher.encrypt(bob.peerId, text(`hi ${i}`))),
    )
    for (const e of first) assert.equal(decodeEnvelope(e).type, EnvelopeType.PREKEY)

    const d1 = await bob.cipher.decrypt(undefined, first[0]!)
    assert.equal(d1.peer, alice.peerId)
    assert.equal(str(d1.plaintext), 'hi 1')
    assert.equal(d1.newSession, true)
    assert.equal(await bob.store.countOneTimePrekeys(), 0)
    assert.equal(await bob.store.countOneTimeKemPrekeys(), 0)

    // Later initial messages of the same run decrypt with the same session, consuming nothing.
    const d3 = await bob.cipher.decrypt(alice.peerId, first[2]!)
    assert.equal(str(d3.plaintext), 'hi 3')
    assert.equal(d3.newSession, false)
    assert.equal(str((await bob.cipher.decrypt(alice.peerId, first[1]!)).plaintext), 'hi 2')

    const reply = await bob.cipher.encrypt(alice.peerId, text('hello alice'))
    assert.equal(decodeEnvelope(reply).type, EnvelopeType.RATCHET)
    assert.equal(str((await alice.cipher.decrypt(bob.peerId, reply)).plaintext), 'hello alice')
    const next = await alice.cipher.encrypt(bob.peerId, text('now ratchet'))
    assert.equal(decodeEnvelope(next).type, EnvelopeType.RATCHET)
    assert.equal(str((await bob.cipher.decrypt(alice.peerId, next)).plaintext), 'now ratchet')
  })

  it('a replayed initial message is rejected and changes nothing', async () => {
    const alice = await makeParty('alice2')
    const bob = await makeParty('bob2')
    await alice.cipher.initiate(bob.peerId, await bob.bundle())
    const m = await alice.cipher.encrypt(bob.peerId, text('once'))
    await bob.cipher.decrypt(undefined, m)
    const before = await snapshot(bob, alice.peerId)
    await assert.rejects(bob.cipher.decrypt(undefined, m), { name: 'DuplicateMessageError' })
    assert.equal(await snapshot(bob, alice.peerId), before)
  })

  it('a repeated initial message with altered PQXDH fields is refused, state unchanged', async () => {
    const alice = await makeParty('alice2b')
    const bob = await makeParty('bob2b')
    await alice.cipher.initiate(bob.peerId, await bob.bundle())
    const m1 = await alice.cipher.encrypt(bob.peerId, text('one'))
    const m2 = await alice.cipher.encrypt(bob.peerId, text('two'))
    await bob.cipher.decrypt(undefined, m1)
    const env = decodeEnvelope(m2)
    const pm = decodePrekeyMessage(env.body)
    for (const alter of [
      (p: typeof pm) => void (p.kemCiphertext[5]! ^= 1),
      (p: typeof pm) => void (p.signedPrekeyId += 1),
    ]) {
      const copy = structuredClone(pm)
      alter(copy)
      const forged = encodeEnvelope(env.type, encodePrekeyMessage(copy))
      const before = await snapshot(bob, alice.peerId)
      await assert.rejects(bob.cipher.decrypt(undefined, forged), { name: 'DecryptionError' })
      assert.equal(await snapshot(bob, alice.peerId), before)
    }
    assert.equal(str((await bob.cipher.decrypt(undefined, m2)).plaintext), 'two')
  })

  it('a second initial message naming a consumed one-time prekey is refused', async () => {
    const alice = await makeParty('alice3')
    const mallory = await makeParty('mallory3')
    const bob = await makeParty('bob3')
    const bundle = await bob.bundle()
    await alice.cipher.initiate(bob.peerId, bundle)
    await mallory.cipher.initiate(bob.peerId, bundle)
    await bob.cipher.decrypt(undefined, await alice.cipher.encrypt(bob.peerId, text('a')))
    const m = await mallory.cipher.encrypt(bob.peerId, text('m'))
    const before = await snapshot(bob, mallory.peerId)
    await assert.rejects(bob.cipher.decrypt(undefined, m), { name: 'PrekeyNotFoundError' })
    assert.equal(await snapshot(bob, mallory.peerId), before)
  })

  it('works from a last-resort-only bundle and keeps the last-resort keys', async () => {
    const alice = await makeParty('alice4')
    const bob = await makeParty('bob4')
    await alice.cipher.initiate(bob.peerId, await bob.bundle(true))
    const d = await bob.cipher.decrypt(
      undefined,
      await alice.cipher.encrypt(bob.peerId, text('lr')),
    )
    assert.equal(str(d.plaintext), 'lr')
    assert.ok(await bob.store.loadKemPrekey(1), 'last-resort ML-KEM prekey kept')
    assert.ok(await bob.store.loadSignedPrekey(1))
  })

  it('refuses bundles with a bad signature or of another identity', async () => {
    const alice = await makeParty('alice5')
    const bob = await makeParty('bob5')
    const carol = await makeParty('carol5')
    const bundle = await bob.bundle()
    const bad = structuredClone(bundle)
    bad.signedPrekey!.signature[7]! ^= 0x40
    await assert.rejects(alice.cipher.initiate(bob.peerId, bad), { name: 'InvalidSignatureError' })
    const badKem = structuredClone(bundle)
    badKem.kemPrekey!.publicKey[100]! ^= 1
    await assert.rejects(alice.cipher.initiate(bob.peerId, badKem), {
      name: 'InvalidSignatureError',
    })
    await assert.rejects(alice.cipher.initiate(carol.peerId, bundle), {
      name: 'UntrustedIdentityError',
    })
    assert.equal(await alice.cipher.hasSession(bob.peerId), false)
  })

  it('a prekey message claiming another sender than the transport is refused', async () => {
    const alice = await makeParty('alice6')
    const bob = await makeParty('bob6')
    const carol = await makeParty('carol6')
    await alice.cipher.initiate(bob.peerId, await bob.bundle())
    const m = await alice.cipher.encrypt(bob.peerId, text('x'))
    await assert.rejects(bob.cipher.decrypt(carol.peerId, m), { name: 'UntrustedIdentityError' })
    await assert.rejects(alice.cipher.encrypt(carol.peerId, text('y')), { name: 'NoSessionError' })
    // After the handshake, a ratchet message from a peer we have no session with is refused.
    await bob.cipher.decrypt(alice.peerId, m)
    const reply = await bob.cipher.encrypt(alice.peerId, text('r'))
    await assert.rejects(carol.cipher.decrypt(bob.peerId, reply), { name: 'NoSessionError' })
  })

  it('simultaneous initiation converges: both sides keep talking', async () => {
    const alice = await makeParty('alice7')
    const bob = await makeParty('bob7')
    await alice.cipher.initiate(bob.peerId, await bob.bundle())
    await bob.cipher.initiate(alice.peerId, await alice.bundle())
    const a1 = await alice.cipher.encrypt(bob.peerId, text('a1'))
    const b1 = await bob.cipher.encrypt(alice.peerId, text('b1'))
    assert.equal(str((await bob.cipher.decrypt(alice.peerId, a1)).plaintext), 'a1')
    assert.equal(str((await alice.cipher.decrypt(bob.peerId, b1)).plaintext), 'b1')
    for (let i = 0; i < 4; i++) {
      const a = await alice.cipher.encrypt(bob.peerId, text(`a${i}`))
      assert.equal(str((await bob.cipher.decrypt(alice.peerId, a)).plaintext), `a${i}`)
      const b = await bob.cipher.encrypt(alice.peerId, text(`b${i}`))
      assert.equal(str((await alice.cipher.decrypt(bob.peerId, b)).plaintext), `b${i}`)
    }
  })

  it('session state, records and identities print no key bytes', async () => {
    const alice = await makeParty('alice8')
    const bob = await makeParty('bob8')
    await alice.cipher.initiate(bob.peerId, await bob.bundle())
    const record = SessionRecord.deserialize((await alice.store.loadSession(bob.peerId))!)
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
})
