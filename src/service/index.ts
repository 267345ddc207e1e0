// The service's public face: ChatService and the ChatApi it implements, the views and events the
// API serves, the error base the API maps to statuses, and the few helpers the API needs
// (eslint.config.js zone "api → service"). Its light half, the limits and text rules the API's
// clients check too, is ./limits.ts (the API imports it once: src/api/limits.ts). Explicit
// names, never `export *`.
export { ChatService, createChatService, type ChatServiceDeps } from './chat.js'
export type {
  ChatApi,
  ContactView,
  ConversationView,
  GroupRejected,
  GroupView,
  MessageView,
  NodeStatus,
  ProfileView,
  RequestView,
  SearchRequest,
  SendOptions,
  ServiceEvent,
  SettingsView,
} from './types.js'
export { KithError } from './errors.js'
export type { FileInfo } from './files/info.js'
export type { FileListRow } from './types.js'
export { DOWNLOADS_DIR, FILES_DIR } from './files/limits.js'
export { safeName } from './files/disk.js'
export { startRestoredSessions } from './direct/restore.js'
export { afterWritesDone } from './after-writes.js'
export type { MessageStatus } from '../store/types.js'
export type { ConnectionInfo } from '../node/index.js'
