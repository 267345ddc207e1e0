// The node's store: SQLite, encrypted at rest (ARCHITECTURE.md "Storage"). Explicit exports only.
export type {
  ChatStore,
  Contact,
  Direction,
  MessageStatus,
  NodeStore,
  OutboxEntry,
  StoredMessage,
  SyncProtocolStore,
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
export { SqliteProtocolStore } from './protocol.js'
export {
  DEFAULT_MAILBOX_QUOTAS,
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
