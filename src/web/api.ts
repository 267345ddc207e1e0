// The page's side of the local API (docs/cli.md, docs/web.md): one fetch wrapper that sends the
// session's CSRF token on every state-changing request and turns error bodies into ApiFailure, and
// one typed function per route the screens use. The session cookie is HttpOnly: this module never
// sees it, nor the API token. Knows nothing of screens.
import type {
  ContactView,
  DeleteView,
  EditView,
  FileInfo,
  FileListRow,
  ReactView,
  ConversationView,
  GroupView,
  MessageStatus,
  NodeStatus,
  MessageView,
  ProfileView,
  RequestView,
  SettingsView,
  WebSessionView,
} from '../api/contract.js'

/** The header the API reads the CSRF token from (src/api/web-auth.ts CSRF_HEADER). */
const CSRF_HEADER = 'X-Kith-CSRF'

/** A refused or failed request: the API's error name (`Unauthorized`, `ContactNotFound`…), or
 *  `Offline` when the daemon did not answer at all. */
export class ApiFailure extends Error {
  constructor(
    override readonly name: string,
    message: string,
    readonly status: number,
  ) {
    super(message)
  }
}

let csrf = ''
/** Called when a request finds the session gone (401): the app shows the login screen. */
let onLoggedOut: () => void = () => undefined

export function setLoggedOutHandler(fn: () => void): void {
  onLoggedOut = fn
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: {
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...(method !== 'GET' ? { [CSRF_HEADER]: csrf } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
  } catch {
    throw new ApiFailure('Offline', 'the Kith daemon is not answering', 0)
  }
  let data: unknown
  try {
    data = await res.json()
  } catch {
    throw new ApiFailure('BadResponse', `HTTP ${res.status}`, res.status)
  }
  if (!res.ok) {
    const e = data as { error?: unknown; message?: unknown }
    const name = typeof e.error === 'string' ? e.error : `Http${res.status}`
    const failure = new ApiFailure(
      name,
      typeof e.message === 'string' ? e.message : name,
      res.status,
    )
    if (res.status === 401 && !path.startsWith('/v1/web/login')) onLoggedOut()
    throw failure
  }
  return data as T
}

const enc = encodeURIComponent

// ---- Session -----------------------------------------------------------------------------------

/** Exchanges the one-time code from `kith web` for the session cookie. */
export async function login(code: string): Promise<WebSessionView> {
  const s = await call<WebSessionView>('POST', '/v1/web/login', { code })
  csrf = s.csrf
  return s
}

/** The current session (after a reload); ApiFailure 401 when there is none. */
export async function session(): Promise<WebSessionView> {
  const s = await call<WebSessionView>('GET', '/v1/web/session')
  csrf = s.csrf
  return s
}

export async function logout(): Promise<void> {
  await call('POST', '/v1/web/logout', {})
  csrf = ''
}

// ---- Profile, settings -------------------------------------------------------------------------

export const status = () => call<NodeStatus>('GET', '/v1/status')
export const profile = () => call<ProfileView>('GET', '/v1/profile')
export const setProfileName = (name: string) => call<ProfileView>('POST', '/v1/profile', { name })
export const settings = () => call<SettingsView>('GET', '/v1/settings')
export const setSettings = (s: Partial<SettingsView>) =>
  call<SettingsView>('POST', '/v1/settings', s)

// ---- Conversations and messages ----------------------------------------------------------------

export const conversations = () => call<ConversationView[]>('GET', '/v1/conversations')
export const markRead = (ref: string) =>
  call<{ conversation: string; read: number }>('POST', `/v1/conversations/${enc(ref)}/read`, {})

/** The newest `limit` messages of a conversation, oldest first. */
export function messages(kind: 'direct' | 'group', ref: string, limit: number) {
  return kind === 'group'
    ? call<MessageView[]>('GET', `/v1/groups/${enc(ref)}/messages?limit=${limit}`)
    : call<MessageView[]>('GET', `/v1/messages?contact=${enc(ref)}&limit=${limit}`)
}

/** Sends `text`; `replyTo`: the id of the message it quotes. */
export function send(kind: 'direct' | 'group', ref: string, text: string, replyTo?: string) {
  const reply = replyTo !== undefined ? { replyTo } : {}
  return kind === 'group'
    ? call<{ id: string; status: MessageStatus }>('POST', `/v1/groups/${enc(ref)}/messages`, {
        text,
        ...reply,
      })
    : call<{ id: string; status: MessageStatus }>('POST', '/v1/messages', {
        contact: ref,
        text,
        ...reply,
      })
}

export const editMessage = (id: string, text: string) =>
  call<EditView>('POST', `/v1/messages/${enc(id)}/edit`, { text })
export const deleteMessage = (id: string, forEveryone: boolean) =>
  call<DeleteView>('POST', `/v1/messages/${enc(id)}/delete`, { forEveryone })
export const react = (id: string, emoji: string, remove: boolean) =>
  call<ReactView>('POST', `/v1/messages/${enc(id)}/react`, { emoji, remove })

// ---- Files -------------------------------------------------------------------------------------

export const files = () => call<FileListRow[]>('GET', '/v1/files')
/** Fetches what is missing and writes the file out on the daemon's side. */
export const getFile = (id: string) =>
  call<FileInfo & { path: string }>('POST', `/v1/files/${enc(id)}/get`, {})
/** Where the finished file's bytes are served as an attachment download. */
export const fileContentUrl = (id: string) => `/v1/files/${enc(id)}/content`

/** Sends a file's bytes (the page has no path to give): `to` a contact or group. */
export async function upload(to: string, file: File): Promise<FileInfo> {
  let res: Response
  try {
    res = await fetch(`/v1/files/upload?to=${enc(to)}&name=${enc(file.name)}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/octet-stream', [CSRF_HEADER]: csrf },
      body: file,
    })
  } catch {
    throw new ApiFailure('Offline', 'the Kith daemon is not answering', 0)
  }
  const data = (await res.json().catch(() => ({}))) as { error?: string; message?: string }
  if (!res.ok) {
    throw new ApiFailure(
      data.error ?? `Http${res.status}`,
      data.message ?? 'upload failed',
      res.status,
    )
  }
  return data as unknown as FileInfo
}

// ---- Contacts, requests, verification ----------------------------------------------------------

export const contacts = () => call<ContactView[]>('GET', '/v1/contacts')
export const invite = () => call<{ link: string; peerId: string }>('GET', '/v1/invite')
export const addContact = (link: string, name?: string) =>
  call<{ name: string; peerId: string }>('POST', '/v1/contacts', {
    link,
    ...(name !== undefined && name !== '' ? { name } : {}),
  })
export const renameContact = (ref: string, name: string) =>
  call<{ name: string; peerId: string }>('POST', `/v1/contacts/${enc(ref)}/rename`, { name })
export const blockContact = (ref: string, blocked: boolean) =>
  call<{ peerId: string; blocked: boolean }>(
    'POST',
    `/v1/contacts/${enc(ref)}/${blocked ? 'block' : 'unblock'}`,
    {},
  )
export const requests = () => call<RequestView[]>('GET', '/v1/requests')
export const acceptRequest = (peerId: string) =>
  call<{ peerId: string; accepted: boolean }>('POST', `/v1/requests/${enc(peerId)}/accept`, {})
export const blockRequest = (peerId: string) =>
  call<{ peerId: string; accepted: boolean }>('POST', `/v1/requests/${enc(peerId)}/block`, {})
export const safetyNumber = (ref: string) =>
  call<{ contact: string; safetyNumber: string }>('GET', `/v1/contacts/${enc(ref)}/verify`)
export const confirmSafetyNumber = (ref: string, number: string) =>
  call<{ verified: boolean }>('POST', `/v1/contacts/${enc(ref)}/verify`, { number })

// ---- Groups ------------------------------------------------------------------------------------

export const groups = () => call<GroupView[]>('GET', '/v1/groups')
export const createGroup = (name: string) =>
  call<{ groupId: string; name: string }>('POST', '/v1/groups', { name })
export const addMember = (group: string, contact: string) =>
  call<{ groupId: string; members: string[] }>('POST', `/v1/groups/${enc(group)}/members`, {
    contact,
  })
export const removeMember = (group: string, member: string) =>
  call<{ groupId: string; members: string[] }>(
    'DELETE',
    `/v1/groups/${enc(group)}/members/${enc(member)}`,
  )
export const leaveGroup = (group: string) =>
  call<{ groupId: string; members: string[] }>('POST', `/v1/groups/${enc(group)}/leave`, {})
