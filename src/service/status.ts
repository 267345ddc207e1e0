// `kith status` in the service (CLI.md "Node"): the node's addresses, connections, NAT and network
// state, the contacts connected now, our mailboxes, and every module's metrics in one view. It
// reads and never changes anything; it knows nothing of how the modules count.
import type { KithNode } from '../node/index.js'
import type { NodeStore } from '../store/types.js'
import type { NodeStatus } from './types.js'
import type { ServiceModules } from './wiring.js'

/** What the status reads of the node (a narrow port). */
export type StatusNode = Pick<
  KithNode,
  'connections' | 'network' | 'peerId' | 'addrs' | 'nat' | 'reservations' | 'upnp' | 'metrics'
>
/** What the status reads of the store. */
export type StatusStore = Pick<NodeStore, 'listContacts' | 'trust' | 'edits'>

export function nodeStatus(node: StatusNode, store: StatusStore, m: ServiceModules): NodeStatus {
  const conns = node.connections()
  const net = node.network?.() ?? { state: 'online', since: 0 }
  const contacts = store.listContacts()
  const direct = new Set(conns.filter((c) => c.direct).map((c) => c.peerId))
  const any = new Set(conns.map((c) => c.peerId))
  const contactsConnected = { direct: 0, relayed: 0 }
  for (const c of contacts) {
    if (direct.has(c.peerId)) contactsConnected.direct++
    else if (any.has(c.peerId)) contactsConnected.relayed++
  }
  const somewhereToGo = contacts.length > 0 || (m.configuredMailboxes?.bootstrap.length ?? 0) > 0
  return {
    peerId: node.peerId,
    name: m.profile.name,
    addrs: node.addrs(),
    connections: conns.length,
    nat: node.nat(),
    mailboxes: m.mailboxes?.chosen() ?? [],
    network:
      net.state === 'offline'
        ? 'offline'
        : conns.length === 0 && somewhereToGo
          ? 'unreachable'
          : 'online',
    networkSince: net.since,
    reservations: node.reservations?.() ?? [],
    upnp: node.upnp?.() ?? null,
    contactsConnected,
    metrics: {
      ...(m.mailboxes?.addMetrics(node.metrics()) ?? node.metrics()),
      groupRejected: m.groups?.metrics(),
      files: m.files?.metrics(),
      requests: {
        ...m.requests.metrics,
        pending: store.trust.requestTotals().requests,
      },
      edits: { ...m.edits.metrics, held: store.edits.heldCount() },
    },
  }
}
