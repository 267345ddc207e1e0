// What every module of the 1:1 chat service is handed (./wiring.ts builds it once): the service's
// dependencies, our PeerId bytes, the event sink and the outgoing gate. It carries no module:
// each module is handed its collaborators in its constructor (narrow ports, ./wiring.ts), so
// nothing here is late-bound. The session path (load → core → save) is ./direct/sessions.ts.
// Plain data: this module owns no state and knows nothing of the outbox or receive.
//
// Naming in src/service (docs/architecture.md "Service"): `ctx` is only ever the core's
// CoreContext; `cx` is a module's service port — this context or a narrow `Pick` of it, with the
// collaborators the module declares.
import type { CoreContext, IdentityKeyPair } from '../core/index.js'
import type { KithNode } from '../node/index.js'
import type { NodeStore } from '../store/types.js'
import type { Cards } from './offline/cards.js'
import type { ServiceEvent } from './types.js'

export interface ChatContext {
  ctx: CoreContext
  store: NodeStore
  node: KithNode
  identity: IdentityKeyPair
  cards: Cards
  /** Our PeerId as bytes (ChatContent.sender). */
  meBytes: Uint8Array
  /** True once ChatService.stop ran. */
  stopped(): boolean
  emit(e: ServiceEvent): void
  /** Checks and completes each content for `peer` before it is encrypted (./wiring.ts: refuses
   *  a blocked peer, adds our invite proof). */
  outgoing?: (peer: string, content: Uint8Array) => Uint8Array
}

/**
 * A module's port (issue 13 "narrow ports", js-libp2p's *Components idea): the service context
 * with the node narrowed to `N`, the slice of KithNode the module calls. ChatService hands every
 * module the full context; each declares what it uses, so a fake needs only that and a new node
 * method touches only the modules that call it.
 */
export type WithNode<N> = Omit<ChatContext, 'node'> & { readonly node: N }
