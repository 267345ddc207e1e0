// The files' port (./index.ts Files and ./send.ts FileSender take it): the service context, where
// files live, and what the files call of the 1:1 outbox, the groups, the contacts and the
// mailboxes (narrow ports, wired in ../wiring.ts). Types only.
import type { FileManifest } from '../../core/index.js'
import type { MessageStatus } from '../../store/types.js'
import type { ChatContext } from '../context.js'
import type { MailboxRef } from './deposit.js'

/** The files' port: the service context, where files live, and what they call of the 1:1
 *  outbox, the groups, the contacts and the mailboxes (narrow ports, ../wiring.ts). */
export type FilesContext = ChatContext & {
  /** KITH_HOME/files and KITH_HOME/downloads. */
  dir: string
  downloads: string
  /** The contact's PeerId for a name or PeerId (ContactNotFoundError). */
  contact(ref: string): string
  /** Queues a 'file' message (text = its FileInfo JSON) with id `id` in the 1:1 outbox. */
  queue(peer: string, text: string, id: string): { id: string; status: MessageStatus }
  /** Sends a group's file message through its Sender Key channel (../groups/); `onStored` runs
   *  inside the transaction that stores it, with the group id. */
  queueGroup?(
    ref: string,
    text: string,
    file: { id: string; manifest: FileManifest; onStored: (groupId: string) => void },
  ): Promise<{ id: string; status: MessageStatus }>
  /** A contact's mailboxes (its card's; never us), where a 1:1 file's chunks are deposited. */
  mailboxesOf?(peer: string): Promise<MailboxRef[]>
  /** Our own mailboxes (chosen and configured): sources of 1:1 files deposited for us. */
  ownMailboxes?(): MailboxRef[]
  /** Most chunk hashes a sent manifest carries inline (tests lower it to exercise the hash
   *  list on small files); default and ceiling MAX_INLINE_CHUNK_HASHES. */
  inlineHashes?: number
}
