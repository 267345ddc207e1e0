// The KithNode ports' string arguments turned into libp2p's objects: a PeerId or multiaddrs given
// as text (by the service, the API, an invite), each failure a TypeError naming the field. It
// knows nothing of the node or its protocols.
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/**
 * Most PeerIds parsePeer remembers (issue 17): the service names a peer by its string on every
 * send (`isConnected`, `sendDm`), and decoding it (base58btc, multihash, the Ed25519 key) cost ≈
 * 60 µs per call in the DM bench's profile, twice per message. PeerIds are immutable; a full
 * cache drops its oldest entry.
 */
export const PARSED_PEERS_MAX = 256

const parsedPeers = new Map<string, PeerId>()

export function parsePeer(field: string, peer: string): PeerId {
  const known = parsedPeers.get(peer)
  if (known !== undefined) return known
  let id: PeerId
  try {
    id = peerIdFromString(peer)
  } catch {
    throw new TypeError(`${field} is not a PeerId`)
  }
  if (parsedPeers.size >= PARSED_PEERS_MAX) {
    const oldest = parsedPeers.keys().next().value
    if (oldest !== undefined) parsedPeers.delete(oldest)
  }
  parsedPeers.set(peer, id)
  return id
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
