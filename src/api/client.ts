// The local API's client, used by the CLI (and tests): ApiClient, one typed method per route. This
// module holds the groups' and files' routes and `fromHome`; the 1:1 chat routes are
// ./chat-routes.ts's, the request and event plumbing ./transport.ts's, finding the daemon of a
// KITH_HOME ./daemon-info.ts's and the errors ./client-errors.ts's (what the CLI and the daemon
// import of those is re-exported here).
import type { FileInfo, FileListRow, GroupView, MessageStatus, MessageView } from './contract.js'
import { ChatRoutes } from './chat-routes.js'
import { readApiToken, readDaemonInfo } from './daemon-info.js'

export { ApiError, DaemonNotRunningError, DeliveryTimeoutError } from './client-errors.js'
export { DAEMON_FILE, TOKEN_FILE, type DaemonInfo } from './daemon-info.js'
export type { EventStream } from './transport.js'

/** `file send`: sealing MAX_FILE_BYTES (4 GiB) at ≥ 1.2 MiB/s on a loaded machine (it seals at
 *  ≈ 190 MB/s here: 4 GiB in under a minute when idle). */
export const FILE_SEND_TIMEOUT_MS = 3_600_000
/** `file get`: a whole download; the daemon gives up sooner when no source answers (each
 *  source stalls out after FILE_CHUNK_STALL_MS), so this only bounds a live, slow transfer. */
export const FILE_GET_TIMEOUT_MS = 3_600_000

export class ApiClient extends ChatRoutes {
  /** The client of `home`'s running daemon. Throws DaemonNotRunningError. */
  static fromHome(home: string): ApiClient {
    return new ApiClient(readDaemonInfo(home), readApiToken(home))
  }

  // ---- Files (docs/files.md) ----
  /** `path` absolute. Sealing a large file takes a while: FILE_SEND_TIMEOUT_MS. */
  sendFile(to: string, path: string): Promise<FileInfo> {
    return this.request('POST', '/v1/files', { to, path }, FILE_SEND_TIMEOUT_MS)
  }

  listFiles(): Promise<FileListRow[]> {
    return this.request('GET', '/v1/files')
  }

  /** Resolves when the file is written (FILE_GET_TIMEOUT_MS); `out` absolute. */
  getFile(fileId: string, out?: string): Promise<FileInfo & { path: string }> {
    const body = out === undefined ? {} : { out }
    return this.request(
      'POST',
      `/v1/files/${encodeURIComponent(fileId)}/get`,
      body,
      FILE_GET_TIMEOUT_MS,
    )
  }

  cancelFile(fileId: string): Promise<{ fileId: string; cancelled: boolean }> {
    return this.request('POST', `/v1/files/${encodeURIComponent(fileId)}/cancel`, {})
  }

  // ---- Groups (CLI.md "Groups") ----

  listGroups(): Promise<GroupView[]> {
    return this.request('GET', '/v1/groups')
  }

  createGroup(name: string): Promise<{ groupId: string; name: string }> {
    return this.request('POST', '/v1/groups', { name })
  }

  addGroupMember(
    group: string,
    contact: string,
    admin = false,
  ): Promise<{ groupId: string; members: string[] }> {
    const body = { contact, ...(admin ? { admin } : {}) }
    return this.request('POST', `/v1/groups/${encodeURIComponent(group)}/members`, body)
  }

  removeGroupMember(
    group: string,
    contact: string,
  ): Promise<{ groupId: string; members: string[] }> {
    const path = `/v1/groups/${encodeURIComponent(group)}/members/${encodeURIComponent(contact)}`
    return this.request('DELETE', path)
  }

  renameGroup(group: string, name: string): Promise<{ groupId: string; name: string }> {
    return this.request('POST', `/v1/groups/${encodeURIComponent(group)}/name`, { name })
  }

  leaveGroup(group: string): Promise<{ groupId: string; members: string[] }> {
    return this.request('POST', `/v1/groups/${encodeURIComponent(group)}/leave`, {})
  }

  sendGroup(
    group: string,
    text: string,
    opts: { replyTo?: string } = {},
  ): Promise<{ id: string; status: MessageStatus }> {
    return this.request('POST', `/v1/groups/${encodeURIComponent(group)}/messages`, {
      text,
      ...(opts.replyTo !== undefined ? { replyTo: opts.replyTo } : {}),
    })
  }

  groupMessages(
    group: string,
    opts: { limit?: number; before?: string } = {},
  ): Promise<MessageView[]> {
    const q = new URLSearchParams()
    if (opts.limit !== undefined) q.set('limit', String(opts.limit))
    if (opts.before !== undefined) q.set('before', opts.before)
    const qs = q.toString()
    return this.request(
      'GET',
      `/v1/groups/${encodeURIComponent(group)}/messages${qs === '' ? '' : `?${qs}`}`,
    )
  }
}
