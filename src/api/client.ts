// The local API's client, used by the CLI (and tests). This module owns finding the daemon of a
// KITH_HOME — `daemon.json` and `api-token`, written by the daemon when it is ready — and turning
// each route into a typed method. A missing file, a dead pid or a refused connection all mean
// DaemonNotRunningError; an error answer is re-thrown as an Error whose `name` is the server's
// `error` field, so callers tell failures apart by name as everywhere else (STYLE.md §4).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import WebSocket from 'ws'
import { KithError, defineError } from './errors.js'
import type {
  ConnectionInfo,
  ContactView,
  ConversationView,
  FileInfo,
  FileListRow,
  GroupView,
  MessageStatus,
  MessageView,
  NodeStatus,
  ProfileView,
  RequestView,
  ServiceEvent,
  SettingsView,
} from './contract.js'

/** Written by the daemon when ready: `{ pid, peerId, addrs, api }` (CLI.md "Node"). */
export const DAEMON_FILE = 'daemon.json'
/** The bearer token of the daemon's API, 0600. */
export const TOKEN_FILE = 'api-token'
/** How long a plain request may take before the daemon is considered hung. */
export const REQUEST_TIMEOUT_MS = 30_000
/** `file send`: sealing MAX_FILE_BYTES (4 GiB) at ≥ 1.2 MiB/s on a loaded machine (it seals at
 *  ≈ 190 MB/s here: 4 GiB in under a minute when idle). */
export const FILE_SEND_TIMEOUT_MS = 3_600_000
/** `file get`: a whole download; the daemon gives up sooner when no source answers (each
 *  source stalls out after FILE_CHUNK_STALL_MS), so this only bounds a live, slow transfer. */
export const FILE_GET_TIMEOUT_MS = 3_600_000
/** Extra time a `send --wait` request gets beyond the wait itself. */
export const WAIT_GRACE_MS = 10_000

export interface DaemonInfo {
  pid: number
  peerId: string
  addrs: string[]
  api: string
}

/** No daemon runs for the home, or it does not answer (exit 3). */
export class DaemonNotRunningError extends defineError('DaemonNotRunning') {}

/** An error answered by the API; `name` is its `error` field. */
export class ApiError extends KithError {
  readonly code: string
  constructor(
    override readonly name: string,
    message: string,
    readonly httpStatus: number,
  ) {
    super(message)
    this.code = name
  }
}

/** `send` with `wait` whose message was not delivered in time (HTTP 504, exit 5). */
export class DeliveryTimeoutError extends defineError('Timeout') {
  constructor(
    message: string,
    readonly id: string,
    readonly status: MessageStatus,
  ) {
    super(message)
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Reads `home`'s daemon.json, checking its pid is alive. Throws DaemonNotRunningError. */
export function readDaemonInfo(home: string): DaemonInfo {
  let info: Partial<DaemonInfo>
  try {
    info = JSON.parse(readFileSync(join(home, DAEMON_FILE), 'utf8')) as Partial<DaemonInfo>
  } catch {
    throw new DaemonNotRunningError(`no daemon running for ${home} (start one: kith daemon)`)
  }
  if (typeof info.api !== 'string' || typeof info.pid !== 'number' || !pidAlive(info.pid)) {
    throw new DaemonNotRunningError(`no daemon running for ${home} (stale ${DAEMON_FILE})`)
  }
  return info as DaemonInfo
}

function rawText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  return (Buffer.isBuffer(data) ? data : Buffer.from(data)).toString('utf8')
}

export interface EventStream {
  close(): void
  /** Resolves when the socket closed (by us, or because the daemon went away). */
  closed: Promise<void>
}

export class ApiClient {
  readonly info: DaemonInfo
  readonly #token: string

  constructor(info: DaemonInfo, token: string) {
    this.info = info
    this.#token = token
  }

  /** The client of `home`'s running daemon. Throws DaemonNotRunningError. */
  static fromHome(home: string): ApiClient {
    const info = readDaemonInfo(home)
    let token: string
    try {
      token = readFileSync(join(home, TOKEN_FILE), 'utf8').trim()
    } catch {
      throw new DaemonNotRunningError(`no daemon running for ${home} (no ${TOKEN_FILE})`)
    }
    return new ApiClient(info, token)
  }

  async #request<T>(method: string, path: string, body?: unknown, timeoutMs?: number) {
    let res: Response
    try {
      res = await fetch(new URL(path, this.info.api), {
        method,
        headers: {
          Authorization: `Bearer ${this.#token}`,
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(timeoutMs ?? REQUEST_TIMEOUT_MS),
      })
    } catch (err) {
      if (err instanceof Error && err.name === 'TimeoutError') {
        throw new ApiError('DaemonTimeout', 'the daemon did not answer in time', 0)
      }
      throw new DaemonNotRunningError(`the daemon at ${this.info.api} is not answering`)
    }
    const text = await res.text()
    let data: unknown
    try {
      data = JSON.parse(text)
    } catch {
      throw new ApiError(
        'BadResponse',
        `the daemon answered ${res.status} without JSON`,
        res.status,
      )
    }
    if (!res.ok) {
      const e = (data ?? {}) as {
        error?: unknown
        message?: unknown
        id?: unknown
        status?: unknown
      }
      const name = typeof e.error === 'string' ? e.error : `Http${res.status}`
      const message = typeof e.message === 'string' ? e.message : `HTTP ${res.status}`
      if (res.status === 504 && typeof e.id === 'string') {
        throw new DeliveryTimeoutError(message, e.id, e.status as MessageStatus)
      }
      throw new ApiError(name, message, res.status)
    }
    return data as T
  }

  status(): Promise<NodeStatus> {
    return this.#request('GET', '/v1/status')
  }

  peers(): Promise<ConnectionInfo[]> {
    return this.#request('GET', '/v1/peers')
  }

  /** A one-time login URL for the web app (`kith web`, CLI.md "Web"). */
  webLogin(): Promise<{ url: string; expiresAt: number }> {
    return this.#request('POST', '/v1/web/codes', {})
  }

  /** `once`: a single-use invite (`kith invite --once`); `full`: with our prekey bundle
   *  (`kith invite --full`, ≈2,000 characters, works while we are offline). */
  invite(opts: { once?: boolean; full?: boolean } = {}): Promise<{ link: string; peerId: string }> {
    const q = new URLSearchParams()
    if (opts.once === true) q.set('once', '1')
    if (opts.full === true) q.set('full', '1')
    const qs = q.toString()
    return this.#request('GET', qs === '' ? '/v1/invite' : `/v1/invite?${qs}`)
  }

  listContacts(): Promise<ContactView[]> {
    return this.#request('GET', '/v1/contacts')
  }

  addContact(link: string, name?: string): Promise<{ name: string; peerId: string }> {
    return this.#request('POST', '/v1/contacts', { link, ...(name !== undefined ? { name } : {}) })
  }

  removeContact(ref: string, purge = false): Promise<{ removed: boolean }> {
    const q = purge ? '?purge=1' : ''
    return this.#request('DELETE', `/v1/contacts/${encodeURIComponent(ref)}${q}`)
  }

  renameContact(ref: string, name: string): Promise<{ name: string; peerId: string }> {
    return this.#request('POST', `/v1/contacts/${encodeURIComponent(ref)}/rename`, { name })
  }

  /** `ref`: a contact's name or PeerId, or any PeerId. */
  blockContact(ref: string, blocked = true): Promise<{ peerId: string; blocked: boolean }> {
    const verb = blocked ? 'block' : 'unblock'
    return this.#request('POST', `/v1/contacts/${encodeURIComponent(ref)}/${verb}`, {})
  }

  // ---- Profile, message requests (CLI.md "Profile, requests, blocking") ----

  profile(): Promise<ProfileView> {
    return this.#request('GET', '/v1/profile')
  }

  setProfileName(name: string): Promise<ProfileView> {
    return this.#request('POST', '/v1/profile', { name })
  }

  listRequests(): Promise<RequestView[]> {
    return this.#request('GET', '/v1/requests')
  }

  acceptRequest(peerId: string, name?: string): Promise<{ peerId: string; accepted: boolean }> {
    const body = name !== undefined ? { name } : {}
    return this.#request('POST', `/v1/requests/${encodeURIComponent(peerId)}/accept`, body)
  }

  blockRequest(peerId: string): Promise<{ peerId: string; accepted: boolean }> {
    return this.#request('POST', `/v1/requests/${encodeURIComponent(peerId)}/block`, {})
  }

  safetyNumber(ref: string): Promise<{ contact: string; safetyNumber: string }> {
    return this.#request('GET', `/v1/contacts/${encodeURIComponent(ref)}/verify`)
  }

  confirmSafetyNumber(ref: string, number: string): Promise<{ verified: boolean }> {
    return this.#request('POST', `/v1/contacts/${encodeURIComponent(ref)}/verify`, { number })
  }

  /** Queues a message. With `wait`, resolves once delivered; throws DeliveryTimeoutError after
   *  `timeoutMs` otherwise. */
  send(
    contact: string,
    text: string,
    opts: { wait?: boolean; timeoutMs?: number; replyTo?: string } = {},
  ): Promise<{ id: string; status: MessageStatus }> {
    const wait = opts.wait === true
    return this.#request(
      'POST',
      '/v1/messages',
      {
        contact,
        text,
        ...(opts.replyTo !== undefined ? { replyTo: opts.replyTo } : {}),
        ...(wait ? { wait, timeoutMs: opts.timeoutMs } : {}),
      },
      wait ? (opts.timeoutMs ?? REQUEST_TIMEOUT_MS) + WAIT_GRACE_MS : undefined,
    )
  }

  /** A batch send (issue 17): `texts` queued in order in one transaction (at most
   *  MAX_SEND_BATCH); resolves with their ids once durable. */
  sendMany(
    contact: string,
    texts: readonly string[],
  ): Promise<{ ids: string[]; status: 'queued' }> {
    return this.#request('POST', '/v1/messages', { contact, texts })
  }

  /** History, oldest first; `before` (a message id) pages back from that message. */
  messages(
    opts: { contact?: string; limit?: number; before?: string } = {},
  ): Promise<MessageView[]> {
    const q = new URLSearchParams()
    if (opts.contact !== undefined) q.set('contact', opts.contact)
    if (opts.limit !== undefined) q.set('limit', String(opts.limit))
    if (opts.before !== undefined) q.set('before', opts.before)
    const qs = q.toString()
    return this.#request('GET', `/v1/messages${qs === '' ? '' : `?${qs}`}`)
  }

  // ---- Edits, deletes, reactions, disappearing (CLI.md "Conversations, receipts, edits") ----

  editMessage(id: string, text: string): Promise<{ id: string; edited: true }> {
    return this.#request('POST', `/v1/messages/${encodeURIComponent(id)}/edit`, { text })
  }

  deleteMessage(id: string, forEveryone = false): Promise<{ id: string; deleted: true }> {
    return this.#request('POST', `/v1/messages/${encodeURIComponent(id)}/delete`, {
      forEveryone,
    })
  }

  reactMessage(
    id: string,
    emoji: string,
    remove = false,
  ): Promise<{ id: string; reactions: Record<string, string[]> }> {
    return this.#request('POST', `/v1/messages/${encodeURIComponent(id)}/react`, {
      emoji,
      remove,
    })
  }

  /** `ttlSeconds` 0 turns the timer off. */
  setDisappearing(
    ref: string,
    ttlSeconds: number,
  ): Promise<{ conversation: string; ttlSeconds: number }> {
    return this.#request('POST', `/v1/conversations/${encodeURIComponent(ref)}/disappearing`, {
      ttlSeconds,
    })
  }

  /** Messages matching every word of `query`, newest first (GET /v1/search). */
  search(
    query: string,
    opts: { conversation?: string; limit?: number } = {},
  ): Promise<MessageView[]> {
    const q = new URLSearchParams({ q: query })
    if (opts.conversation !== undefined) q.set('conversation', opts.conversation)
    if (opts.limit !== undefined) q.set('limit', String(opts.limit))
    return this.#request('GET', `/v1/search?${q.toString()}`)
  }

  // ---- Conversations, read marks, settings (CLI.md "Conversations, receipts, edits") ----

  conversations(): Promise<ConversationView[]> {
    return this.#request('GET', '/v1/conversations')
  }

  /** `ref`: a contact's name or PeerId, or a group's name or id. */
  readConversation(ref: string): Promise<{ conversation: string; read: number }> {
    return this.#request('POST', `/v1/conversations/${encodeURIComponent(ref)}/read`, {})
  }

  settings(): Promise<SettingsView> {
    return this.#request('GET', '/v1/settings')
  }

  setSettings(s: Partial<SettingsView>): Promise<SettingsView> {
    return this.#request('POST', '/v1/settings', s)
  }

  // ---- Groups (CLI.md "Groups") ----

  // ---- Files (docs/files.md) ----
  /** `path` absolute. Sealing a large file takes a while: FILE_SEND_TIMEOUT_MS. */
  sendFile(to: string, path: string): Promise<FileInfo> {
    return this.#request('POST', '/v1/files', { to, path }, FILE_SEND_TIMEOUT_MS)
  }

  listFiles(): Promise<FileListRow[]> {
    return this.#request('GET', '/v1/files')
  }

  /** Resolves when the file is written (FILE_GET_TIMEOUT_MS); `out` absolute. */
  getFile(fileId: string, out?: string): Promise<FileInfo & { path: string }> {
    const body = out === undefined ? {} : { out }
    return this.#request(
      'POST',
      `/v1/files/${encodeURIComponent(fileId)}/get`,
      body,
      FILE_GET_TIMEOUT_MS,
    )
  }

  cancelFile(fileId: string): Promise<{ fileId: string; cancelled: boolean }> {
    return this.#request('POST', `/v1/files/${encodeURIComponent(fileId)}/cancel`, {})
  }

  listGroups(): Promise<GroupView[]> {
    return this.#request('GET', '/v1/groups')
  }

  createGroup(name: string): Promise<{ groupId: string; name: string }> {
    return this.#request('POST', '/v1/groups', { name })
  }

  addGroupMember(
    group: string,
    contact: string,
    admin = false,
  ): Promise<{ groupId: string; members: string[] }> {
    const body = { contact, ...(admin ? { admin } : {}) }
    return this.#request('POST', `/v1/groups/${encodeURIComponent(group)}/members`, body)
  }

  removeGroupMember(
    group: string,
    contact: string,
  ): Promise<{ groupId: string; members: string[] }> {
    const path = `/v1/groups/${encodeURIComponent(group)}/members/${encodeURIComponent(contact)}`
    return this.#request('DELETE', path)
  }

  renameGroup(group: string, name: string): Promise<{ groupId: string; name: string }> {
    return this.#request('POST', `/v1/groups/${encodeURIComponent(group)}/name`, { name })
  }

  leaveGroup(group: string): Promise<{ groupId: string; members: string[] }> {
    return this.#request('POST', `/v1/groups/${encodeURIComponent(group)}/leave`, {})
  }

  sendGroup(
    group: string,
    text: string,
    opts: { replyTo?: string } = {},
  ): Promise<{ id: string; status: MessageStatus }> {
    return this.#request('POST', `/v1/groups/${encodeURIComponent(group)}/messages`, {
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
    return this.#request(
      'GET',
      `/v1/groups/${encodeURIComponent(group)}/messages${qs === '' ? '' : `?${qs}`}`,
    )
  }

  /** Subscribes to the daemon's events. Resolves once the socket is open. */
  events(onEvent: (e: ServiceEvent) => void): Promise<EventStream> {
    const url = new URL('/v1/events', this.info.api)
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
    const ws = new WebSocket(url, {
      headers: { Authorization: `Bearer ${this.#token}` },
      handshakeTimeout: REQUEST_TIMEOUT_MS,
      perMessageDeflate: false,
    })
    const closed = new Promise<void>((resolve) => ws.on('close', () => resolve()))
    ws.on('message', (data) => {
      let event: ServiceEvent
      try {
        event = JSON.parse(rawText(data)) as ServiceEvent
      } catch {
        return
      }
      onEvent(event)
    })
    return new Promise((resolve, reject) => {
      ws.on('open', () => resolve({ close: () => ws.close(), closed }))
      ws.on('unexpected-response', (_req, res) => {
        reject(
          new ApiError(
            res.statusCode === 401 ? 'Unauthorized' : 'BadResponse',
            `events: HTTP ${res.statusCode}`,
            res.statusCode ?? 0,
          ),
        )
        res.resume()
        ws.terminate()
      })
      ws.on('error', () => {
        reject(new DaemonNotRunningError(`the daemon at ${this.info.api} is not answering`))
      })
    })
  }
}
