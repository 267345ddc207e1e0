// The KithNode ports' string arguments turned into libp2p's objects: a PeerId or multiaddrs given
// as text (by the service, the API, an invite), each failure a TypeError naming the field. It
// knows nothing of the node or its protocols.
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export function parsePeer(field: string, peer: string): PeerId {
  try {
    return peerIdFromString(peer)
  } catch {
    throw new TypeError(`${field} is not a PeerId`)
  }
}

export function parseAddrs(field: string, addrs: readonly string[]): Multiaddr[] {
  return addrs.map((a, i) => {
    try {
      return multiaddr(a)
    } catch {
      throw new TypeError(`${field}[${i}] is not a multiaddr`)
    }
  })
}
