// Opening one stream of a Kith protocol to a peer, the one path every protocol dials through
// (/kith/dm, /kith/mailbox, /kith/sync, /kith/card, /kith/file, /kith/filebox): merge the
// addresses we were given into the peer store, take an open connection the caller picked or open
// (or reuse) one, open the stream — allowed on a limited (relayed) connection unless the caller
// says not (the file protocols). OPEN_STREAM_ATTEMPTS times at most: a dial we joined may fail on
// stale addresses (libp2p joins a dial to the same peer already under way, which may predate the
// addresses just merged), and a connection going away when we picked it fails newStream; the
// second attempt dials afresh. Failures are the caller's typed errors (`OpenErrors`) or the
// node's PeerUnreachableError. It knows nothing of what the stream carries.
import debug from 'debug'
import { PeerUnreachableError } from '../errors.js'
import type { AbortOptions, Connection, PeerData, PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

const log = debug('kith:node:stream')

/** Tries at opening a stream (dial + newStream) before failing: one retry, enough for the
 *  joined stale dial and the connection closing under us (above); more would only multiply a
 *  dead peer's dial timeout before the caller can fall back (mailbox, relay). */
export const OPEN_STREAM_ATTEMPTS = 2

export interface OpenComponents {
  connectionManager: { openConnection(peer: PeerId, options?: AbortOptions): Promise<Connection> }
  peerStore: { merge(peerId: PeerId, data: PeerData): Promise<unknown> }
}

/** The protocol's own errors for the three ways opening fails. */
export interface OpenErrors {
  /** `signal` aborted (the caller's deadline) before a connection was open. */
  timeout(message: string): Error
  /** The peer does not speak the protocol. */
  refused(message: string, options: { cause: unknown }): Error
  /** The stream could not be opened on a connection. */
  stream(message: string, options: { cause: unknown }): Error
}

export interface OpenOptions {
  /** The caller's deadline; without one libp2p's own dial and negotiation timeouts apply. */
  signal?: AbortSignal
  /** false: libp2p refuses the stream on a limited (relayed) connection (bulk protocols). */
  limited?: boolean
  /** Default OPEN_STREAM_ATTEMPTS. */
  attempts?: number
  /** An open connection to use instead of dialling (e.g. dm's pickConnection). */
  existing?: () => Connection | undefined
}

export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err))
}

/** The address to dial for `peer`: without its trailing /p2p/<peer>; undefined if it names
 *  another peer. */
export function dialAddr(ma: Multiaddr, peer: string): Multiaddr | undefined {
  const last = ma.getComponents().at(-1)
  if (last?.name !== 'p2p') return ma
  return last.value === peer ? ma.decapsulateCode(last.code) : undefined
}

export async function openStream(
  c: OpenComponents,
  peer: PeerId,
  addrs: readonly Multiaddr[],
  protocol: string,
  errors: OpenErrors,
  options: OpenOptions = {},
): Promise<Stream> {
  const { signal, limited = true, attempts = OPEN_STREAM_ATTEMPTS } = options
  const key = peer.toString()
  const multiaddrs = addrs.flatMap((ma) => dialAddr(ma, key) ?? [])
  if (multiaddrs.length > 0) await c.peerStore.merge(peer, { multiaddrs })
  const abort: AbortOptions = signal === undefined ? {} : { signal }
  for (let attempt = 1; ; attempt++) {
    let connection: Connection
    try {
      connection = options.existing?.() ?? (await c.connectionManager.openConnection(peer, abort))
    } catch (err) {
      log('dial %s failed: %s', key, asError(err).name)
      if (attempt < attempts && signal?.aborted !== true) continue
      if (signal?.aborted === true) throw errors.timeout(`cannot reach ${key} in time`)
      throw new PeerUnreachableError(`cannot reach ${key}`, { cause: err })
    }
    try {
      return await connection.newStream(protocol, { runOnLimitedConnection: limited, ...abort })
    } catch (err) {
      const name = asError(err).name
      log('opening %s to %s failed: %s', protocol, key, name)
      if (name === 'UnsupportedProtocolError') {
        throw errors.refused(`${key} does not speak ${protocol}`, { cause: err })
      }
      if (attempt >= attempts || signal?.aborted === true) {
        throw errors.stream(`cannot open ${protocol} to ${key}`, { cause: err })
      }
    }
  }
}
