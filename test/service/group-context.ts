// A GroupContext for service tests on a real store: nothing is sent (node and cards are
// empty fakes unless a test passes its own), no event goes anywhere, nothing is rejected yet.
import type { CoreContext } from '../../src/core/crypto/provider.js'
import { peerIdBytesFromPublicKey, type IdentityKeyPair } from '../../src/core/identity/identity.js'
import type { KithNode } from '../../src/node/types.js'
import type { Cards } from '../../src/service/offline/cards.js'
import { noRejections, type GroupContext } from '../../src/service/groups/context.js'
import type { SqliteNodeStore } from '../../src/store/sqlite.js'

export function groupContext(
  ctx: CoreContext,
  store: SqliteNodeStore,
  me: IdentityKeyPair,
  overrides: Partial<GroupContext> = {},
): GroupContext {
  return {
    ctx,
    store,
    node: {} as KithNode,
    identity: me,
    cards: {} as Cards,
    emit: () => undefined,
    flush: () => undefined,
    ownCard: () => new Uint8Array(0),
    me: me.peerId,
    meBytes: peerIdBytesFromPublicKey(me.publicKey),
    rejected: noRejections(),
    opCache: new Map(),
    prevalidated: new WeakMap(),
    stopped: () => false,
    reconcile: () => undefined,
    syncSoon: () => undefined,
    ...overrides,
  }
}
