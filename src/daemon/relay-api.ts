// The local API of `kith relay` (CLI.md "Node"; docs/relay.md): a relay has no chat service, so
// its ChatApi answers only `/v1/status` (with the relay's reservations and STUN counters) and
// `/v1/peers`; every chat call it must have is refused with NotAvailableOnRelay (404), and the
// optional ones it leaves out, which the server answers with 404 NotAvailable. It reads the node
// through the two methods of Libp2pKithNode it names and knows no store or protocol.
import type { Libp2pKithNode } from '../node/kith-node.js'
import type { StunMetrics, StunServer } from '../node/connectivity/stun.js'
import { defineError } from '../core/errors.js'
import type { ChatApi, NodeStatus } from '../service/index.js'
import type { ConnectionInfo } from '../node/types.js'

/** Every chat route of the local API on a relay. */
export class NotAvailableOnRelayError extends defineError('NotAvailableOnRelay') {}

export type RelayStatus = NodeStatus & {
  relay: { reservations: number; stun?: { port: number } & StunMetrics }
}

type RelayNode = Pick<
  Libp2pKithNode,
  'peerId' | 'addrs' | 'connections' | 'nat' | 'metrics' | 'relayReservations'
>

function refuse(what = 'a relay has no chat: only /v1/status and /v1/peers'): never {
  throw new NotAvailableOnRelayError(what)
}

/** The local API of a relay: status and peers; everything else is NotAvailableOnRelay. */
export class RelayApi implements ChatApi {
  constructor(
    private readonly node: RelayNode,
    private readonly name: string,
    private readonly stun?: StunServer,
  ) {}

  status(): RelayStatus {
    const { node, stun } = this
    return {
      peerId: node.peerId,
      name: this.name,
      addrs: node.addrs(),
      connections: node.connections().length,
      nat: node.nat(),
      // A relay uses no mailbox: it is one (its holdings are in metrics.mailbox.usage).
      mailboxes: [],
      metrics: node.metrics(),
      relay: {
        reservations: node.relayReservations(),
        ...(stun != null ? { stun: { port: stun.port, ...stun.metrics() } } : {}),
      },
    }
  }

  peers(): ConnectionInfo[] {
    return this.node.connections()
  }

  on(): () => void {
    return () => undefined
  }

  addContact(): Promise<never> {
    return Promise.reject(new NotAvailableOnRelayError('a relay has no contacts'))
  }

  waitDelivered(): Promise<never> {
    return Promise.reject(new NotAvailableOnRelayError('a relay sends nothing'))
  }

  invite = (): never => refuse()
  listContacts = (): never => refuse()
  removeContact = (): never => refuse()
  renameContact = (): never => refuse()
  blockContact = (): never => refuse()
  unblockContact = (): never => refuse()
  listRequests = (): never => refuse()
  acceptRequest = (): never => refuse()
  blockRequest = (): never => refuse()
  safetyNumber = (): never => refuse()
  confirmSafetyNumber = (): never => refuse()
  send = (): never => refuse()
  messages = (): never => refuse()
  profile = (): never => refuse()
  setProfileName = (): never => refuse()
}
