// The stream protocols' ports of KithNode (DmPort, MailboxPort, SyncPort, FilePort, and
// CardPort's /kith/card pair) over a built js-libp2p node: each call parses its string arguments
// (parsePeer, parseAddrs) and hands them to its protocol's service (dm/, mailbox/, sync/, file/,
// card/). It owns that mapping only; Libp2pKithNode (./kith-node.ts) extends it with the node's
// lifecycle, status, peers, events, pubsub and DHT cards. It knows nothing of sessions or messages.
import { type CardHandler } from './card/index.js'
import { type FileServeHandler } from './file/index.js'
import type { MailboxItem, MailboxPolicy, MailboxSign, MailboxUsage } from './mailbox/types.js'
import type {
  DmHandler,
  DmPort,
  FilePort,
  MailboxPort,
  SyncHandler,
  SyncPort,
  SyncRequest,
  SyncResponse,
} from './types.js'
import type { KithLibp2p } from './libp2p/node.js'
import { parseAddrs, parsePeer } from './parse.js'

/** The arguments of FilePort's two chunk fetches (fileFetch, fileboxFetch). */
type ChunkFetch = Parameters<NonNullable<FilePort['fileFetch']>>

export abstract class StreamPorts implements DmPort, MailboxPort, SyncPort, FilePort {
  /** The underlying js-libp2p node (DHT, handlers of other Kith protocols, tests). */
  readonly libp2p: KithLibp2p

  constructor(libp2p: KithLibp2p) {
    this.libp2p = libp2p
  }

  onDm(handler: DmHandler): void {
    this.libp2p.services.dm.setHandler(handler)
  }

  async sendDm(peer: string, frames: Uint8Array[], addrs: string[] = []): Promise<void> {
    await this.libp2p.services.dm.send(parsePeer('peer', peer), frames, parseAddrs('addrs', addrs))
  }

  async mailboxDeposit(
    mailbox: string,
    recipient: string,
    envelope: Uint8Array,
    addrs: string[] = [],
  ): Promise<void> {
    const m = parsePeer('mailbox', mailbox)
    await this.libp2p.services.mailbox.deposit(m, recipient, envelope, parseAddrs('addrs', addrs))
  }

  async mailboxFetch(
    mailbox: string,
    sign: MailboxSign,
    addrs: string[] = [],
  ): Promise<MailboxItem[]> {
    const m = parsePeer('mailbox', mailbox)
    return await this.libp2p.services.mailbox.fetch(m, sign, parseAddrs('addrs', addrs))
  }

  async mailboxConfirm(
    mailbox: string,
    ids: string[],
    sign: MailboxSign,
    addrs: string[] = [],
  ): Promise<number> {
    const m = parsePeer('mailbox', mailbox)
    return await this.libp2p.services.mailbox.confirm(m, ids, sign, parseAddrs('addrs', addrs))
  }

  setMailboxPolicy(policy: MailboxPolicy): void {
    this.libp2p.services.mailbox.setPolicy(policy)
    // File chunks are held under the same rule as envelopes (node/file/box.ts).
    this.libp2p.services.filebox.setPolicy(policy)
  }

  mailboxUsage(): Promise<MailboxUsage | undefined> {
    return this.libp2p.services.mailbox.usage()
  }

  onSyncRequest(handler: SyncHandler, allow?: (peer: string) => boolean): void {
    this.libp2p.services.sync.setHandler(handler, allow)
  }

  async syncFetch(peer: string, req: SyncRequest, addrs: string[] = []): Promise<SyncResponse> {
    const p = parsePeer('peer', peer)
    return await this.libp2p.services.sync.fetch(p, req, parseAddrs('addrs', addrs))
  }

  onCardRequest(handler: CardHandler): void {
    this.libp2p.services.card.setHandler(handler)
  }

  async fetchCard(peer: string, secret: Uint8Array, addrs: string[] = []): Promise<Uint8Array> {
    const p = parsePeer('peer', peer)
    return await this.libp2p.services.card.fetch(p, secret, parseAddrs('addrs', addrs))
  }

  onFileRequest(handler: FileServeHandler | undefined): void {
    this.libp2p.services.file.setHandler(handler)
  }

  async fileFetch(...[peer, req, onChunk, addrs = []]: ChunkFetch): Promise<number> {
    const p = parsePeer('peer', peer)
    return await this.libp2p.services.file.fetch(p, req, onChunk, parseAddrs('addrs', addrs))
  }

  async fileboxDeposit(
    mailbox: string,
    recipient: string,
    fileId: Uint8Array,
    count: number,
    chunk: (index: number) => Promise<Uint8Array>,
    addrs: string[] = [],
    first = 0,
  ): Promise<void> {
    const m = parsePeer('mailbox', mailbox)
    await this.libp2p.services.filebox.deposit(
      m,
      recipient,
      fileId,
      count,
      chunk,
      parseAddrs('addrs', addrs),
      first,
    )
  }

  async fileboxFetch(...[mailbox, req, onChunk, addrs = []]: ChunkFetch): Promise<number> {
    const m = parsePeer('mailbox', mailbox)
    return await this.libp2p.services.filebox.fetch(m, req, onChunk, parseAddrs('addrs', addrs))
  }
}
