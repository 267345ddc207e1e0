// The ratchet primitives of the dm bench's floor (./dm-floor.ts): the core's SessionCipher
// (src/core, node:crypto, over a MemoryProtocolStore: the record decoded, stepped and encoded
// again, as a daemon does once per message) encrypting and decrypting the message's content in
// an established session, one at a time: in a run of messages from A (chain steps), and each
// after B's receipt (A derived the sending half when the receipt arrived; B turns the ratchet).
// It owns those rounds; it knows nothing of stores or processes.
import { randomBytes } from 'node:crypto'
import {
  commitDecrypted,
  encodeChatContent,
  MESSAGE_ID_BYTES,
  prepareRecordForSending,
  ReceiptKind,
} from '../../src/core/index.js'
import { peerIdBytesFromPublicKey, publicKeyFromPeerId } from '../../src/core/identity/identity.js'
import { kithChannel, nativeContext } from './kith.js'
import { timed, type Primitive } from './dm-floor-primitive.js'

export interface RatchetPrimitives {
  encrypt: Primitive
  decrypt: Primitive
  encryptAfterReceipt: Primitive
  decryptDhStep: Primitive
  /** The session records each side holds after the rounds (what the transactions write). */
  records: { a: Uint8Array; b: Uint8Array }
}

/** Encrypt and decrypt of the message's content in an established session, one at a time. */
export function ratchetPrimitives(opts: {
  rounds: number
  warmup: number
  text: string
}): RatchetPrimitives {
  const ctx = nativeContext()
  const ch = kithChannel(ctx)
  const { a, b } = ch
  const senderId = (peerId: string) => peerIdBytesFromPublicKey(publicKeyFromPeerId(peerId))
  let seq = 1n
  const text = () =>
    encodeChatContent({
      messageId: randomBytes(MESSAGE_ID_BYTES),
      sender: senderId(a.peerId),
      seq: seq++,
      sentAt: BigInt(Date.now()),
      conversation: new Uint8Array(0),
      text: { text: opts.text },
    })
  const receipt = () =>
    encodeChatContent({
      messageId: randomBytes(MESSAGE_ID_BYTES),
      sender: senderId(b.peerId),
      seq: 0n,
      sentAt: BigInt(Date.now()),
      conversation: new Uint8Array(0),
      receipt: { kind: ReceiptKind.DELIVERED, messageIds: [randomBytes(MESSAGE_ID_BYTES)] },
    })
  // The session's first exchange (PQXDH header, B's answer), as in a real first contact.
  b.cipher.decrypt(a.peerId, a.cipher.encrypt(b.peerId, text())).commit()
  a.cipher.decrypt(b.peerId, b.cipher.encrypt(a.peerId, receipt())).commit()
  const prim = (name: string): Primitive => ({ name, where: 'bench', ms: [], cpuMs: [] })
  const encrypt = prim('ratchet encrypt (chain step)')
  const decrypt = prim('ratchet decrypt (chain step)')
  const encryptAfterReceipt = prim('ratchet encrypt after a receipt (sending half prepared)')
  const decryptDhStep = prim('ratchet decrypt with a DH step (receiving half)')
  // Messages from A in a row: every one a chain step on both sides.
  for (let i = 0; i < opts.warmup + opts.rounds; i++) {
    const content = text()
    const counted = i >= opts.warmup
    const env = timed(encrypt, counted, () => a.cipher.encrypt(b.peerId, content))
    timed(decrypt, counted, () => b.cipher.decrypt(a.peerId, env).commit())
  }
  // Each message after B's receipt, as the latency phase mostly sends them: A derived the
  // sending half when the receipt arrived (service/direct/receive.ts), B turns the ratchet.
  for (let i = 0; i < opts.warmup + opts.rounds; i++) {
    const d = a.cipher.decrypt(b.peerId, b.cipher.encrypt(a.peerId, receipt()))
    commitDecrypted(a.store, b.peerId, prepareRecordForSending(ctx, d.record), d.consumed)
    const content = text()
    const counted = i >= opts.warmup
    const env = timed(encryptAfterReceipt, counted, () => a.cipher.encrypt(b.peerId, content))
    timed(decryptDhStep, counted, () => b.cipher.decrypt(a.peerId, env).commit())
  }
  return {
    encrypt,
    decrypt,
    encryptAfterReceipt,
    decryptDhStep,
    records: { a: a.store.loadSession(b.peerId)!, b: b.store.loadSession(a.peerId)! },
  }
}

/** A transaction equal to A's one-message commit and one equal to B's, each in its own store. */
