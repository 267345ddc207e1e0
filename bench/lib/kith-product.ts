// The 1:1 session as the daemon drives it, for the core bench beside SessionCipher over memory
// (./kith.ts): the service's entry to the one session path (src/service/direct/sessions.ts —
// startSession, encryptAll, and decryptFrame + saveDecrypted in one transaction, as
// direct/receive.ts does; each calls the core's SessionCipher over the store's ProtocolStore)
// over two real SQLCipher stores on disk (src/store), with the native provider and the product's
// prekeys (src/service/offline/prekeys.ts: signed + last-resort ML-KEM, no one-time prekeys, as in
// invites and cards). The plaintext is the bench's bytes, not a ChatContent: the content codec is
// the service's, not the session's. Issue 13: "the core bench measures the path the product runs".
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { IdentityKeyPair, parseEnvelope, type CoreContext } from '../../src/core/index.js'
import {
  decryptFrame,
  encryptAll,
  saveDecrypted,
  startSession,
} from '../../src/service/direct/sessions.js'
import { currentBundle, ensurePrekeys } from '../../src/service/offline/prekeys.js'
import { createNodeStore } from '../../src/store/index.js'
import type { NodeStore } from '../../src/store/types.js'
import { checkRoundTrip, type Channel, type Side } from './channel.js'
import { nativeContext } from './kith.js'

interface ProductParty {
  peerId: string
  identity: IdentityKeyPair
  store: NodeStore
  home: string
}

async function makeParty(ctx: CoreContext, name: string): Promise<ProductParty> {
  const identity = IdentityKeyPair.generate(ctx.crypto, ctx.rng)
  const home = mkdtempSync(join(tmpdir(), `kith-bench-core-${name}-`))
  const store = createNodeStore(home, identity, name)
  await ensurePrekeys(ctx, store, identity)
  return { peerId: identity.peerId, identity, store, home }
}

/** Two parties on SQLite stores; A has started the session from B's bundle (nothing sent yet).
 *  `close()` closes both stores and removes their homes. */
export async function productChannel(
  ctx: CoreContext = nativeContext(),
): Promise<Channel & { close(): void }> {
  const a = await makeParty(ctx, 'a')
  const b = await makeParty(ctx, 'b')
  startSession(
    { ctx, store: a.store, identity: a.identity },
    b.peerId,
    await currentBundle(b.store, b.identity),
  )
  return {
    name: 'kith-store',
    send(from: Side, plaintext: Uint8Array<ArrayBuffer>): Promise<number> {
      const [s, r] = from === 'a' ? [a, b] : [b, a]
      const [envelope] = encryptAll({ ctx, store: s.store }, r.peerId, [plaintext])
      // The transport (a libp2p connection) authenticated the sender, as in the product.
      const out = r.store.transaction(() => {
        const d = decryptFrame(
          { ctx, store: r.store, identity: r.identity },
          s.peerId,
          parseEnvelope(envelope!),
        )
        saveDecrypted(r.store, s.peerId, d.result.record, d.consumed)
        return d.result.plaintext
      })
      checkRoundTrip('kith-store', plaintext, out)
      return Promise.resolve(envelope!.length)
    },
    close() {
      for (const p of [a, b]) {
        p.store.close()
        rmSync(p.home, { recursive: true, force: true })
      }
    },
  }
}
