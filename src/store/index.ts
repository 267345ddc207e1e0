// The node's store: SQLite, encrypted at rest (ARCHITECTURE.md "Storage"). Explicit exports only.
export type {
  ChatStore,
  Contact,
  ContactsStore,
  ControlEntry,
  Direction,
  EditStore,
  HeldEdit,
  GroupEnvelope,
  GroupOpRow,
  GroupRow,
  GroupStore,
  HeldMessage,
  SenderKeyRow,
  MessageStatus,
  MessagesStore,
  NodeStore,
  OutboxEntry,
  OutboxStore,
  SettingsStore,
  StoredMessage,
  StoreTransactions,
} from './types.js'
export {
  createNodeStore,
  initIdentity,
  loadIdentity,
  openNodeStore,
  SqliteNodeStore,
  type NodeStoreOptions,
} from './sqlite.js'
export {
  BUSY_TIMEOUT_MS,
  DB_FILE,
  exists,
  KDF_FILE,
  KEY_FILE,
  openDatabase,
  SCRYPT_N,
  SCRYPT_P,
  SCRYPT_R,
  type OpenOptions,
  type SqliteDatabase,
} from './database.js'
export { migrate, MIGRATIONS, SCHEMA_VERSION, schemaVersion } from './migrations.js'
export { SqliteChatStore } from './chat.js'
export { SqliteEditStore } from './edits.js'
export { SqliteProtocolStore } from './protocol.js'
export {
  GROUP_RETENTION_COUNT,
  GROUP_RETENTION_MS,
  SqliteGroupStore,
  type GroupStoreOptions,
} from './groups.js'
export {
  MAX_MAILBOX_PEER_CHARS,
  SqliteMailboxHoldings,
  type SqliteMailboxOptions,
} from './mailbox.js'
export {
  ContactExistsError,
  StoreExistsError,
  StoreLockedError,
  StoreNotFoundError,
  StoreVersionError,
} from './errors.js'
