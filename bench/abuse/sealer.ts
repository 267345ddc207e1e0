// A hostile identity that can write real Kith messages: a fresh identity key, a PQXDH session
// started from someone's invite bundle (src/core session functions, as a real client would), and
// sealed envelopes of short text messages. The same identity's seed gives the libp2p node the
// matching PeerId (the PeerId is the identity key). Knows nothing of the network.
import { IdentityKeyPair, peerIdBytesFromPublicKey } from '../../src/core/identity/identity.js'
import { SessionCipher } from '../../src/core/session/cipher.js'
import { MemoryProtocolStore } from '../../src/core/store/memory.js'
import { encodeChatContent } from '../../src/core/wire/content.js'
import { nodeCrypto, nodeRng } from '../../src/platform/node-crypto.js'
import type { DecodedInvite } from '../../src/core/wire/invite.js'

export interface Sealer {
  /** The identity's 32-byte seed (for HostilePool.spawn). */
  seed: Uint8Array
  peerId: string
  /** A new envelope for the invite's owner (a PREKEY envelope until the owner answers). */
  seal(text: string): Promise<Uint8Array>
}

/** A fresh identity with a session to the invite's owner. */
export function newSealer(to: DecodedInvite): Promise<Sealer> {
  const ctx = { crypto: nodeCrypto, rng: nodeRng, clock: () => Date.now() }
  const identity = IdentityKeyPair.generate(nodeCrypto, nodeRng)
  const cipher = new SessionCipher(ctx, new MemoryProtocolStore(identity))
  cipher.initiate(to.peerId, to.bundle!)
  const sender = peerIdBytesFromPublicKey(identity.publicKey)
  let seq = 0n
  return Promise.resolve({
    seed: identity.exportSeed(),
    peerId: identity.peerId,
    seal: (text) =>
      Promise.resolve().then(() =>
        cipher.encrypt(
          to.peerId,
          encodeChatContent({
            messageId: nodeRng(16),
            sender,
            seq: ++seq,
            sentAt: BigInt(Date.now()),
            conversation: new Uint8Array(0),
            text: { text },
          }),
        ),
      ),
  })
}
