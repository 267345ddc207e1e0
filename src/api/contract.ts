// The local API's contract as data types: what its JSON bodies and event frames look like
// (docs/cli.md). The web app (src/web) may import this module and nothing else of the daemon
// (eslint.config.js zone), and only types: it holds no code, so a bundle importing it gains none.
// The CLI takes its types from here too; the limits both check are in ./limits.ts.
export type {
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
} from '../service/index.js'
export type { GroupEvent, GroupEventType } from '../service/limits.js'
import type { ServiceEvent } from '../service/index.js'

/** `POST /v1/messages` with `{"contact","texts":[…]}` (a batch send): the ids in order. */
export interface SendBatchView {
  ids: string[]
  status: 'queued'
}

/** `POST /v1/messages/:id/edit`. */
export interface EditView {
  id: string
  edited: true
}

/** `POST /v1/messages/:id/delete`. */
export interface DeleteView {
  id: string
  deleted: true
}

/** `POST /v1/messages/:id/react`: the message's reactions after the change. */
export interface ReactView {
  id: string
  reactions: Record<string, string[]>
}

/** A file's progress frame on the event socket (`{"event":"file",…}`). */
export type FileProgress = Extract<ServiceEvent, { event: 'file' }>

/** `POST /v1/web/codes` (`kith web --json`, CLI.md "Web"). */
export interface WebLoginView {
  url: string
  /** ms since the epoch */
  expiresAt: number
}

/** `POST /v1/web/login`, `GET /v1/web/session`: the page's CSRF token and the session's end. */
export interface WebSessionView {
  csrf: string
  /** ms since the epoch */
  expiresAt: number
}

/** Every error body: `{ "error": "<Name>", "message": "…" }`. */
export interface ApiErrorView {
  error: string
  message: string
}
