// Our own card (addresses, prekey bundle, mailboxes): signing it for the DHT or for contacts,
// publishing it through the node, and pushing it to contacts over their sessions (when they
// connect, when they first write, when our mailboxes change), our profile name beside it. It
// owns our current prekey bundle (made at start: ./prekeys.ts); it knows nothing of the outbox
// or of receiving.
import debug from 'debug'
import type { PrekeyBundle } from '../../core/index.js'
import { announceAddrs } from '../../node/index.js'
import type { KithNode } from '../../node/index.js'
import type { WithNode } from '../context.js'
import { ServiceNotStartedError } from '../lifecycle-errors.js'
import { encryptAll, loadRecord } from '../direct/sessions.js'
import { errorName } from '../../core/errors.js'
import type { Mailboxes } from './mailboxes.js'
import { currentBundle, ensurePrekeys } from './prekeys.js'

/** The slice of the node the own card uses (a narrow port: ../context.ts WithNode). */
export type OwnCardNode = Pick<
  KithNode,
  'candidateAddrs' | 'isConnected' | 'sendDm' | 'setCardSource'
>

const log = debug('kith:service')

/** The own card's port: the service context with its node slice, and what it calls. */
export type OwnCardContext = WithNode<OwnCardNode> & OwnCardHooks

export interface OwnCardHooks {
  /** The mailboxes our card names (./mailboxes.ts). */
  mailboxes: Pick<Mailboxes, 'chosen'>
  /** The ChatContent carrying a card and our profile name (../profile.ts Profile.content). */
  content(card: Uint8Array): Uint8Array
}

export class OwnCard {
  readonly #cx: OwnCardContext
  #bundle: PrekeyBundle | undefined

  constructor(cx: OwnCardContext) {
    this.#cx = cx
  }

  /** Makes our prekeys at first start (./prekeys.ts) and reads the bundle every card names. */
  async start(): Promise<void> {
    const { ctx, store, identity } = this.#cx
    await ensurePrekeys(ctx, store, identity)
    this.#bundle = await currentBundle(store, identity)
  }

  /** Our current prekey bundle: undefined before start. */
  get bundle(): PrekeyBundle | undefined {
    return this.#bundle
  }

  /**
   * Signs a new card with our current addresses (those a contact might reach: announceAddrs),
   * prekeys and mailboxes. The card for the public
   * DHT names only relays: contacts serving as our mailboxes would reveal who we talk to ("a
   * card lists no contacts"). The card pushed to contacts over their sessions names both.
   */
  sign(forContacts = false): Uint8Array {
    const cx = this.#cx
    const bundle = this.#bundle
    if (bundle === undefined) throw new ServiceNotStartedError('the service has not started')
    const all = cx.mailboxes.chosen()
    const mailboxes = forContacts ? all : all.filter((p) => cx.store.getContact(p) === undefined)
    // Only addresses a contact might reach, LAN ones last (node/connectivity/addr-policy.ts).
    return cx.cards.makeOwn(announceAddrs(cx.node.candidateAddrs()), bundle, mailboxes)
  }

  /** The node publishes our card in the DHT (at start, hourly, on address changes). */
  publish(): void {
    this.#cx.node.setCardSource(() => Promise.resolve(this.sign()))
  }

  /** Our mailboxes changed: a new card to the DHT and to every connected contact. */
  changed(): void {
    const cx = this.#cx
    this.publish()
    for (const c of cx.store.listContacts()) {
      if (cx.node.isConnected(c.peerId)) setImmediate(() => void this.push(c.peerId))
    }
  }

  async push(peer: string): Promise<void> {
    const cx = this.#cx
    if (
      cx.stopped() ||
      !cx.node.isConnected(peer) ||
      loadRecord(cx.store, peer)?.current === undefined
    )
      return
    try {
      // Signed afresh for each push: current addresses, never an expired card.
      // With our profile name beside it (../profile.ts): each connect refreshes the contact's.
      const content = this.#cx.content(this.sign(true))
      await cx.node.sendDm(peer, encryptAll(cx, peer, [content]))
    } catch (err) {
      log('card push to %s failed: %s', peer, errorName(err))
    }
  }
}
