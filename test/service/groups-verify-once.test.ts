// Issue 17: each Sender Key signature is verified once per received message (the topic validator,
// src/service/groups/messages.ts `validate`, hands its proof to `receiveEnvelope` through
// G.prevalidated; core decryptWithRecord skips only for a proof judgeSenderKeyMessage made for the
// very fields and the same key). Counts Ed25519 verifications with a counting crypto provider;
// a forged signature is still refused and counted, a forged or misplaced proof spares nothing,
// a replay is refused, and none of it throws.
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { toHex } from '../../src/core/bytes.js'
import type { CoreContext, CryptoProvider } from '../../src/core/crypto/provider.js'
import {
  createOwnState,
  decodeSenderKeyMessage,
  encodeDistribution,
  encryptWithRecord,
  SenderKeyRecord,
  type VerifiedSenderKeyMessage,
} from '../../src/core/group/index.js'
import { IdentityKeyPair, peerIdBytesFromPublicKey } from '../../src/core/identity/identity.js'
import { encodeChatContent } from '../../src/core/wire/content.js'
import { nodeCrypto, nodeRng } from '../../src/platform/node-crypto.js'
import type { GroupContext } from '../../src/service/groups/context.js'
import { acceptDistribution } from '../../src/service/groups/keys.js'
import { receiveEnvelope, validate } from '../../src/service/groups/messages.js'
import { createNodeStore, type SqliteNodeStore } from '../../src/store/sqlite.js'
import { tempHome } from '../store/helpers.js'
import { groupContext } from './group-context.js'

const GID = new Uint8Array(16).fill(9)
const gid = toHex(GID)

let t: ReturnType<typeof tempHome>
let store: SqliteNodeStore
let G: GroupContext
let verifies = 0
const me = IdentityKeyPair.generate(nodeCrypto, nodeRng)
const x = IdentityKeyPair.generate(nodeCrypto, nodeRng)
/** node crypto, counting Ed25519 verifications. */
const counting: CryptoProvider = {
  ...nodeCrypto,
  ed25519Verify: (pub, msg, sig) => {
    verifies++
    return nodeCrypto.ed25519Verify(pub, msg, sig)
  },
}
const ctx: CoreContext = { crypto: counting, rng: nodeRng, clock: () => 1_000_000 }

function sender() {
  const record = SenderKeyRecord.empty()
  record.resetTo(createOwnState(ctx))
  acceptDistribution(G, gid, x.peerId, encodeDistribution(GID, record.newest()!), 0)
  return (seq: number) =>
    encryptWithRecord(
      nodeCrypto,
      record,
      GID,
      encodeChatContent({
        messageId: nodeRng(16),
        sender: peerIdBytesFromPublicKey(x.publicKey),
        seq: BigInt(seq),
        sentAt: BigInt(seq),
        conversation: GID,
        text: { text: `x${seq}` },
      }),
    )
}

const shown = () =>
  store
    .listMessages({ conversation: gid })
    .filter((m) => m.from === x.peerId)
    .map((m) => m.text)

/** `data` with its last byte (in the signature) flipped. */
function forged(data: Uint8Array): Uint8Array {
  const out = Uint8Array.from(data)
  out[out.length - 1]! ^= 1
  return out
}

beforeEach(() => {
  t = tempHome()
  store = createNodeStore(t.home, me, 'me')
  verifies = 0
  G = groupContext(ctx, store, me, { syncSoon: () => undefined })
  store.groups.putGroup({
    groupId: gid,
    name: 'g',
    members: [me.peerId, x.peerId].sort(),
    admins: [me.peerId],
    epoch: 1,
    topic: '/kith/group/1/test',
    active: true,
    createdAt: 1,
  })
})
afterEach(() => {
  store.close()
  t.cleanup()
})

void describe('group messages: one signature verification per message', () => {
  void it('validator then delivery verifies once; a message from sync (no validator) once', () => {
    const send = sender()
    const m1 = send(1)
    assert.equal(validate(G, gid, m1), 'accept')
    receiveEnvelope(G, gid, m1)
    assert.equal(verifies, 1, 'validator + decryption: one Ed25519 verification')
    assert.deepEqual(shown(), ['x1'])
    verifies = 0
    receiveEnvelope(G, gid, send(2))
    assert.equal(verifies, 1, 'without a validator the decryption verifies')
    assert.deepEqual(shown(), ['x1', 'x2'])
  })

  void it('a forged signature is refused and counted by the validator, and by decryption', () => {
    const send = sender()
    const bad = forged(send(1))
    assert.equal(validate(G, gid, bad), 'reject')
    assert.equal(G.rejected.badSignature, 1)
    assert.equal(G.prevalidated.has(bad), false)
    receiveEnvelope(G, gid, bad) // e.g. a hostile sync answer: never throws, shows nothing
    assert.deepEqual(shown(), [])
  })

  void it('a look-alike or misplaced proof spares no verification', () => {
    const send = sender()
    const m1 = send(1)
    const bad = forged(m1)
    const row = store.groups.getSenderKey(gid, x.peerId)!
    // A look-alike proof (not made by judgeSenderKeyMessage) for the forged bytes.
    const fields = decodeSenderKeyMessage(bad)
    const lookAlike: VerifiedSenderKeyMessage = {
      fields,
      signingPublic: SenderKeyRecord.deserialize(row.record).newest()!.signingPublic,
    }
    G.prevalidated.set(bad, {
      verified: lookAlike,
      row: row.record,
      record: SenderKeyRecord.deserialize(row.record),
    })
    receiveEnvelope(G, gid, bad)
    assert.deepEqual(shown(), [], 'a look-alike proof is not a proof')
    // A real proof of m1, handed along with the forged bytes: its fields are not theirs, so
    // receiveEnvelope uses the proof's own fields (m1's) — it shows m1, never the forgery.
    assert.equal(validate(G, gid, m1), 'accept')
    const real = G.prevalidated.get(m1)!
    G.prevalidated.delete(m1)
    const bad2 = forged(send(2))
    G.prevalidated.set(bad2, real)
    receiveEnvelope(G, gid, bad2)
    assert.deepEqual(shown(), ['x1'])
    receiveEnvelope(G, gid, bad2)
    assert.deepEqual(shown(), ['x1'], 'the forged message itself is refused')
  })

  void it('a replay is refused by the validator after the original was read', () => {
    const send = sender()
    const m1 = send(1)
    assert.equal(validate(G, gid, m1), 'accept')
    receiveEnvelope(G, gid, m1)
    const copy = Uint8Array.from(m1)
    assert.equal(validate(G, gid, copy), 'reject')
    assert.equal(G.rejected.replay, 1)
    receiveEnvelope(G, gid, copy)
    assert.deepEqual(shown(), ['x1'])
  })

  void it('the validator’s record is not reused once the stored record moved on', () => {
    const send = sender()
    const m1 = send(1)
    const m2 = send(2)
    // Both validated before either is delivered (gossipsub may interleave them).
    assert.equal(validate(G, gid, m1), 'accept')
    assert.equal(validate(G, gid, m2), 'accept')
    receiveEnvelope(G, gid, m1)
    receiveEnvelope(G, gid, m2)
    assert.deepEqual(shown(), ['x1', 'x2'])
    // m1's key was consumed in the stored record even though m2's validator record predates it.
    assert.equal(validate(G, gid, Uint8Array.from(m1)), 'reject')
    assert.equal(G.rejected.replay, 1)
  })
})
