// Builds Kith's known-answer vectors from fixed seeds. `npm run gen:vectors` writes them to
// test/vectors/*.json (scripts/gen-vectors.ts); test/core/vectors.test.ts rebuilds them with
// both crypto providers and compares byte for byte, so any change to the wire format, the KDFs,
// info strings or padding shows up as a diff. Rebuild (and review the diff!) only on purpose.
import type { CryptoProvider } from '../../src/core/crypto/provider.js'
import { toHex } from '../../src/core/bytes.js'
import { decodeEnvelope, encodePrekeyBundle } from '../../src/core/wire/codec.js'
import { EnvelopeType } from '../../src/core/wire/pb/wire.js'
import { IdentityKeyPair } from '../../src/core/identity/identity.js'
import {
  formatSafetyNumber,
  safetyNumber,
  scannablePayload,
} from '../../src/core/identity/fingerprint.js'
import {
  createSenderKeyDistribution,
  groupDecrypt,
  groupEncrypt,
  processSenderKeyDistribution,
} from '../../src/core/group/index.js'
import { testContext } from '../helpers/context.js'
import { makeParty, str, text } from '../helpers/parties.js'

export const GENERATOR = 'npm run gen:vectors (scripts/gen-vectors.ts → test/vectors/build.ts)'

export interface ConversationVector {
  comment: string
  generator: string
  seeds: { alice: string; bob: string }
  alice: { peerId: string; identityPublic: string }
  bob: { peerId: string; identityPublic: string; bundle: string }
  messages: {
    from: 'alice' | 'bob'
    type: 'PREKEY' | 'RATCHET'
    plaintext: string
    envelope: string
  }[]
  invalid: { comment: string; to: 'alice' | 'bob'; envelope: string; valid: false; error: string }[]
}

/** Conversation script: [sender, text]. Covers PQXDH retries, DH steps, a one-way run, a bigger bucket. */
export const SCRIPT: ['alice' | 'bob', string][] = [
  ['alice', 'Hello Bob'],
  ['alice', 'Are you there?'],
  ['bob', 'Hi Alice!'],
  ['alice', 'Great, it works.'],
  ['bob', 'One'],
  ['bob', 'Two'],
  ['bob', 'Three'],
  ['alice', 'x'.repeat(3000)],
]

export function buildConversation(crypto: CryptoProvider): ConversationVector {
  const seeds = { alice: 'kith-vector-alice', bob: 'kith-vector-bob' }
  const alice = makeParty(seeds.alice, testContext(seeds.alice, crypto))
  const bob = makeParty(seeds.bob, testContext(seeds.bob, crypto))
  const bundle = bob.bundle()
  alice.cipher.initiate(bob.peerId, bundle)
  const parties = { alice, bob }
  const messages: ConversationVector['messages'] = []
  for (const [from, plaintext] of SCRIPT) {
    const to = from === 'alice' ? bob : alice
    const envelope = parties[from].cipher.encrypt(to.peerId, text(plaintext))
    const d = to.receive(parties[from].peerId, envelope)
    if (str(d.plaintext) !== plaintext) throw new Error('vector conversation does not round-trip')
    const type = decodeEnvelope(envelope).type === EnvelopeType.PREKEY ? 'PREKEY' : 'RATCHET'
    messages.push({ from, type, plaintext, envelope: toHex(envelope) })
  }
  const last = messages[messages.length - 1]!
  // One more message from Alice that Bob never gets intact: its last (tag) byte flipped.
  const flipped = Buffer.from(alice.cipher.encrypt(bob.peerId, text('tampered in transit')))
  flipped[flipped.length - 1]! ^= 0x01
  return {
    comment:
      'A full 1:1 conversation: PQXDH (X25519 + ML-KEM-768) initial messages, then the Double Ratchet with header encryption. Parties come from seeded rngs (test/helpers/context.ts). Decrypting `messages` in order from the seeds must give the plaintexts; each `invalid` case must fail with `error` after all messages were delivered.',
    generator: GENERATOR,
    seeds,
    alice: { peerId: alice.peerId, identityPublic: toHex(alice.identity.publicKey) },
    bob: {
      peerId: bob.peerId,
      identityPublic: toHex(bob.identity.publicKey),
      bundle: toHex(encodePrekeyBundle(bundle)),
    },
    messages,
    invalid: [
      {
        comment: 'the last message replayed',
        to: 'bob',
        envelope: last.envelope,
        valid: false,
        error: 'DuplicateMessageError',
      },
      {
        comment: 'a next message with its final (AEAD tag) byte flipped',
        to: 'bob',
        envelope: toHex(flipped),
        valid: false,
        error: 'DecryptionError',
      },
    ],
  }
}

export interface SenderKeyVector {
  comment: string
  generator: string
  seeds: { alice: string; bob: string }
  distributionId: string
  sender: string
  distribution: string
  messages: { plaintext: string; message: string }[]
}

export function buildSenderKeys(crypto: CryptoProvider): SenderKeyVector {
  const seeds = { alice: 'kith-vector-group-alice', bob: 'kith-vector-group-bob' }
  const alice = makeParty(seeds.alice, testContext(seeds.alice, crypto))
  const bob = makeParty(seeds.bob, testContext(seeds.bob, crypto))
  const distributionId = alice.ctx.rng(16)
  const distribution = createSenderKeyDistribution(
    alice.ctx,
    alice.store,
    alice.peerId,
    distributionId,
  )
  processSenderKeyDistribution(bob.ctx, bob.store, alice.peerId, distribution)
  const messages: SenderKeyVector['messages'] = []
  for (const plaintext of ['Hello group', 'Second message', 'y'.repeat(1000)]) {
    const message = groupEncrypt(
      alice.ctx,
      alice.store,
      alice.peerId,
      distributionId,
      text(plaintext),
    )
    if (str(groupDecrypt(bob.ctx, bob.store, alice.peerId, message)) !== plaintext) {
      throw new Error('vector group message does not round-trip')
    }
    messages.push({ plaintext, message: toHex(message) })
  }
  return {
    comment:
      'A Sender Keys session: Alice creates her sender key for a group and hands the distribution to Bob; each message must decrypt in order for a receiver that processed `distribution`.',
    generator: GENERATOR,
    seeds,
    distributionId: toHex(distributionId),
    sender: alice.peerId,
    distribution: toHex(distribution),
    messages,
  }
}

export interface SafetyNumberVector {
  comment: string
  generator: string
  cases: { a: string; b: string; safetyNumber: string; scannableA: string; scannableB: string }[]
}

export function buildSafetyNumbers(crypto: CryptoProvider): SafetyNumberVector {
  const ctx = testContext('kith-vector-safety', crypto)
  const cases: SafetyNumberVector['cases'] = []
  for (let i = 0; i < 3; i++) {
    const a = IdentityKeyPair.generate(crypto, ctx.rng).publicKey
    const b = IdentityKeyPair.generate(crypto, ctx.rng).publicKey
    cases.push({
      a: toHex(a),
      b: toHex(b),
      safetyNumber: formatSafetyNumber(safetyNumber(crypto, a, b)),
      scannableA: scannablePayload(crypto, a, b),
      scannableB: scannablePayload(crypto, b, a),
    })
  }
  return {
    comment:
      "Safety numbers (Signal's NumericFingerprint, 5200 SHA-512 iterations, stable id = PeerId bytes) for Ed25519 identity keys; both sides see the same 60 digits.",
    generator: GENERATOR,
    cases,
  }
}

/** Every vector file (a promise for scripts/gen-vectors.ts; the building is synchronous). */
export function buildAll(crypto: CryptoProvider): Promise<Record<string, unknown>> {
  return Promise.resolve({
    'pqxdh-ratchet.json': buildConversation(crypto),
    'sender-keys.json': buildSenderKeys(crypto),
    'safety-numbers.json': buildSafetyNumbers(crypto),
  })
}
