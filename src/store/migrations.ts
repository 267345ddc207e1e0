// The store's schema, as numbered migrations. This module owns the tables and indexes and the
// `PRAGMA user_version` that records how many migrations a database has had; it knows nothing of
// keys or files (./database.ts) or of how rows map to objects (./protocol.ts, ./chat.ts).
//
// Rules: a migration is never edited once released, only appended; each runs in its own
// transaction together with the user_version bump, so a crash leaves the database at a version
// boundary. A database from a newer Kith (user_version above ours) is refused, never downgraded.
import type { SqliteDatabase } from './database.js'
import { StoreVersionError } from './errors.js'
import { SEARCH_DEFERRED_MIGRATION, SEARCH_MIGRATION } from './search.js'

export const MIGRATIONS: readonly string[] = [
  // 1: identity, the core's ProtocolStore tables, contacts, messages, outbox, sequences, settings.
  `
  CREATE TABLE identity (
    id INTEGER PRIMARY KEY CHECK (id = 1),          -- one row: this device
    seed BLOB NOT NULL CHECK (length(seed) = 32),   -- Ed25519 seed (the libp2p private key)
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );

  CREATE TABLE signed_prekeys (
    id INTEGER PRIMARY KEY,
    public_key BLOB NOT NULL,
    private_key BLOB NOT NULL,
    signature BLOB NOT NULL,
    created_at INTEGER NOT NULL
  );

  CREATE TABLE one_time_prekeys (
    id INTEGER PRIMARY KEY,
    public_key BLOB NOT NULL,
    private_key BLOB NOT NULL,
    signature BLOB NOT NULL,
    created_at INTEGER NOT NULL
  );

  CREATE TABLE kem_prekeys (
    id INTEGER PRIMARY KEY,
    public_key BLOB NOT NULL,
    secret_key BLOB NOT NULL,
    signature BLOB NOT NULL,
    last_resort INTEGER NOT NULL CHECK (last_resort IN (0, 1)),
    created_at INTEGER NOT NULL
  );

  CREATE TABLE sessions (
    peer TEXT PRIMARY KEY,                          -- PeerId
    record BLOB NOT NULL                            -- core/session/record.ts, opaque here
  );

  CREATE TABLE sender_keys (
    sender TEXT NOT NULL,                           -- PeerId
    distribution_id BLOB NOT NULL,
    record BLOB NOT NULL,                           -- core/group/record.ts, opaque here
    PRIMARY KEY (sender, distribution_id)
  );

  CREATE TABLE contacts (
    peer_id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    verified INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1)),
    key_changed INTEGER NOT NULL DEFAULT 0 CHECK (key_changed IN (0, 1)),
    addrs TEXT NOT NULL DEFAULT '[]',               -- JSON array of multiaddr strings
    added_at INTEGER NOT NULL,
    last_seen INTEGER
  );

  CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    conversation TEXT NOT NULL,
    sender TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    seq INTEGER NOT NULL,
    text TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'delivered')),
    -- Display position: the earliest received_at among this sender's messages in this
    -- conversation with seq >= this one's (kept by chat.ts on insert). Ordering by
    -- (sort_at, sender, seq) is then oldest first AND each sender's messages in seq order,
    -- even when a lower seq arrives after a higher one (a retry, a mailbox fetch).
    sort_at INTEGER NOT NULL
  );
  CREATE INDEX messages_by_conversation ON messages (conversation, received_at);
  CREATE INDEX messages_display ON messages (conversation, sort_at, sender, seq);
  CREATE INDEX messages_display_all ON messages (sort_at, sender, seq);
  CREATE INDEX messages_by_sender ON messages (conversation, sender, seq);

  CREATE TABLE outbox (
    message_id TEXT PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    peer TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL
  );
  CREATE INDEX outbox_by_peer ON outbox (peer);

  CREATE TABLE seqs (
    conversation TEXT PRIMARY KEY,
    next INTEGER NOT NULL
  );

  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // 2: mailbox holdings — sealed envelopes this node holds for others (./mailbox.ts), and their
  // running totals per recipient, per depositor and overall, kept by triggers so that a quota
  // check is a primary-key lookup, not a scan.
  `
  CREATE TABLE mailbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,           -- item id (never reused): the fetch cursor
    recipient TEXT NOT NULL,                        -- PeerId
    depositor TEXT NOT NULL,                        -- PeerId of the connection that deposited
    digest BLOB NOT NULL CHECK (length(digest) = 32),  -- SHA-256 of envelope: idempotent deposits
    envelope BLOB NOT NULL,                         -- sealed; never opened here
    size INTEGER NOT NULL CHECK (size = length(envelope) AND size > 0),
    deposited_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX mailbox_by_digest ON mailbox (recipient, digest);
  CREATE INDEX mailbox_by_recipient ON mailbox (recipient, id);
  CREATE INDEX mailbox_by_expiry ON mailbox (expires_at);

  CREATE TABLE mailbox_usage (
    kind TEXT NOT NULL CHECK (kind IN ('recipient', 'depositor', 'total')),
    peer TEXT NOT NULL,                             -- '' for the total
    items INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    PRIMARY KEY (kind, peer)
  ) WITHOUT ROWID;

  CREATE TRIGGER mailbox_usage_insert AFTER INSERT ON mailbox BEGIN
    INSERT INTO mailbox_usage (kind, peer, items, bytes)
      VALUES ('recipient', NEW.recipient, 1, NEW.size), ('depositor', NEW.depositor, 1, NEW.size),
             ('total', '', 1, NEW.size)
      ON CONFLICT (kind, peer) DO UPDATE SET items = items + 1, bytes = bytes + excluded.bytes;
  END;
  CREATE TRIGGER mailbox_usage_delete AFTER DELETE ON mailbox BEGIN
    UPDATE mailbox_usage SET items = items - 1, bytes = bytes - OLD.size
      WHERE (kind = 'recipient' AND peer = OLD.recipient)
         OR (kind = 'depositor' AND peer = OLD.depositor)
         OR (kind = 'total' AND peer = '');
    DELETE FROM mailbox_usage
      WHERE items = 0 AND kind != 'total'
        AND ((kind = 'recipient' AND peer = OLD.recipient)
          OR (kind = 'depositor' AND peer = OLD.depositor));
  END;
  `,
  // 3: groups (./groups.ts) — the group list with its replayed state, the signed op log with the
  // topic secret each op introduced, Sender Key records per (group, sender) with the chain id we
  // hold current, retained group ciphertexts, per-sender delivery marks, messages held back for a
  // gap, what own key we handed to whom, and the outbox of pairwise control contents
  // (GroupUpdate), which never appear in `messages`.
  `
  CREATE TABLE groups (
    group_id TEXT PRIMARY KEY,                      -- 32 lowercase hex chars
    name TEXT NOT NULL,
    members TEXT NOT NULL DEFAULT '[]',             -- JSON, replayed state (sorted PeerIds)
    admins TEXT NOT NULL DEFAULT '[]',
    epoch INTEGER NOT NULL DEFAULT 0,
    topic TEXT NOT NULL DEFAULT '',                 -- '' while the topic secret is unknown
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),  -- 0: removed or left
    created_at INTEGER NOT NULL
  );
  CREATE INDEX groups_by_name ON groups (name);

  CREATE TABLE group_ops (
    group_id TEXT NOT NULL REFERENCES groups (group_id) ON DELETE CASCADE,
    hash BLOB NOT NULL CHECK (length(hash) = 32),   -- SHA-256 of the signed op
    op BLOB NOT NULL,                               -- encoded signed GroupControl
    secret BLOB CHECK (secret IS NULL OR length(secret) = 32),
    PRIMARY KEY (group_id, hash)
  ) WITHOUT ROWID;

  CREATE TABLE group_sender_keys (
    group_id TEXT NOT NULL REFERENCES groups (group_id) ON DELETE CASCADE,
    sender TEXT NOT NULL,                           -- PeerId (ours included)
    record BLOB NOT NULL,                           -- core/group/record.ts, opaque here
    current_chain INTEGER,                          -- the chain id the validator accepts
    retired TEXT NOT NULL DEFAULT '[]',             -- JSON chain ids replaced by a rotation
    PRIMARY KEY (group_id, sender)
  ) WITHOUT ROWID;

  CREATE TABLE group_envelopes (
    group_id TEXT NOT NULL REFERENCES groups (group_id) ON DELETE CASCADE,
    sender TEXT NOT NULL,
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,                             -- the published SenderKeyMessage
    received_at INTEGER NOT NULL,
    PRIMARY KEY (group_id, sender, seq)
  ) WITHOUT ROWID;
  CREATE INDEX group_envelopes_by_time ON group_envelopes (group_id, received_at);

  CREATE TABLE group_marks (
    group_id TEXT NOT NULL REFERENCES groups (group_id) ON DELETE CASCADE,
    sender TEXT NOT NULL,
    seq INTEGER NOT NULL,                           -- highest seq delivered contiguously
    PRIMARY KEY (group_id, sender)
  ) WITHOUT ROWID;

  CREATE TABLE group_held (
    group_id TEXT NOT NULL REFERENCES groups (group_id) ON DELETE CASCADE,
    sender TEXT NOT NULL,
    seq INTEGER NOT NULL,
    content BLOB NOT NULL,                          -- decrypted ChatContent, shown once the gap fills
    received_at INTEGER NOT NULL,
    PRIMARY KEY (group_id, sender, seq)
  ) WITHOUT ROWID;

  CREATE TABLE group_keys_sent (
    group_id TEXT NOT NULL REFERENCES groups (group_id) ON DELETE CASCADE,
    peer TEXT NOT NULL,
    chain_id INTEGER NOT NULL,                      -- our chain id last queued for this peer
    PRIMARY KEY (group_id, peer)
  ) WITHOUT ROWID;

  CREATE TABLE control_outbox (
    message_id TEXT PRIMARY KEY,                    -- the ChatContent's id (acked by receipts)
    peer TEXT NOT NULL,
    content BLOB NOT NULL,                          -- encoded ChatContent, opaque here
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX control_outbox_by_peer ON control_outbox (peer, created_at);
  `,
  // 4: mailbox quotas per depositor network prefix and a global item cap (./mailbox.ts; issue 11
  // finding 9): each held envelope records its depositor's prefix ('' for none), and
  // mailbox_usage also keeps running totals per prefix. The usage table is rebuilt because its
  // CHECK names the kinds; its rows carry over.
  `
  DROP TRIGGER mailbox_usage_insert;
  DROP TRIGGER mailbox_usage_delete;
  ALTER TABLE mailbox ADD COLUMN prefix TEXT NOT NULL DEFAULT '';

  CREATE TABLE mailbox_usage_v4 (
    kind TEXT NOT NULL CHECK (kind IN ('recipient', 'depositor', 'prefix', 'total')),
    peer TEXT NOT NULL,                             -- PeerId, prefix, or '' for the total
    items INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    PRIMARY KEY (kind, peer)
  ) WITHOUT ROWID;
  INSERT INTO mailbox_usage_v4 SELECT kind, peer, items, bytes FROM mailbox_usage;
  DROP TABLE mailbox_usage;
  ALTER TABLE mailbox_usage_v4 RENAME TO mailbox_usage;

  CREATE TRIGGER mailbox_usage_insert AFTER INSERT ON mailbox BEGIN
    INSERT INTO mailbox_usage (kind, peer, items, bytes)
      VALUES ('recipient', NEW.recipient, 1, NEW.size), ('depositor', NEW.depositor, 1, NEW.size),
             ('total', '', 1, NEW.size)
      ON CONFLICT (kind, peer) DO UPDATE SET items = items + 1, bytes = bytes + excluded.bytes;
    INSERT INTO mailbox_usage (kind, peer, items, bytes)
      SELECT 'prefix', NEW.prefix, 1, NEW.size WHERE NEW.prefix != ''
      ON CONFLICT (kind, peer) DO UPDATE SET items = items + 1, bytes = bytes + excluded.bytes;
  END;
  CREATE TRIGGER mailbox_usage_delete AFTER DELETE ON mailbox BEGIN
    UPDATE mailbox_usage SET items = items - 1, bytes = bytes - OLD.size
      WHERE (kind = 'recipient' AND peer = OLD.recipient)
         OR (kind = 'depositor' AND peer = OLD.depositor)
         OR (kind = 'prefix' AND peer = OLD.prefix AND OLD.prefix != '')
         OR (kind = 'total' AND peer = '');
    DELETE FROM mailbox_usage
      WHERE items = 0 AND kind != 'total'
        AND ((kind = 'recipient' AND peer = OLD.recipient)
          OR (kind = 'depositor' AND peer = OLD.depositor)
          OR (kind = 'prefix' AND peer = OLD.prefix));
  END;
  `,
  // Message requests, blocking and invite proofs (./trust.ts; issue 11 findings 5, 7, 12): the
  // name a contact gives itself and the invite secret we still prove to it, blocked PeerIds, the
  // hashes of the invite secrets we issued (standing or single-use), and the bounded list of
  // strangers' held messages. Contacts named like a PeerId that is not their own (finding 7: an
  // impostor's invite name) are renamed to their own PeerId.
  `
  ALTER TABLE contacts ADD COLUMN profile_name TEXT NOT NULL DEFAULT '';
  ALTER TABLE contacts ADD COLUMN invite_proof BLOB
    CHECK (invite_proof IS NULL OR length(invite_proof) = 16);
  UPDATE contacts SET name = peer_id
    WHERE name != peer_id AND length(name) BETWEEN 40 AND 60
      AND (name GLOB '12D3KooW*' OR name GLOB 'Qm*')
      AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.name = contacts.peer_id);

  CREATE TABLE blocked (
    peer_id TEXT PRIMARY KEY,
    blocked_at INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE invite_secrets (
    hash BLOB PRIMARY KEY CHECK (length(hash) = 32),  -- SHA-256 of the secret in the link
    once INTEGER NOT NULL CHECK (once IN (0, 1)),   -- 1: consumed by the first peer proving it
    created_at INTEGER NOT NULL,
    used_by TEXT                                    -- PeerId that consumed a single-use one
  ) WITHOUT ROWID;
  CREATE INDEX invite_secrets_by_age ON invite_secrets (once, created_at);

  CREATE TABLE requests (
    peer_id TEXT PRIMARY KEY,
    profile_name TEXT NOT NULL DEFAULT '',
    first_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX requests_by_age ON requests (first_at);

  CREATE TABLE request_messages (
    id TEXT PRIMARY KEY,                            -- the message id: duplicates held once
    peer_id TEXT NOT NULL REFERENCES requests (peer_id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    text TEXT NOT NULL,
    size INTEGER NOT NULL,                          -- UTF-8 bytes of text
    sent_at INTEGER NOT NULL,
    received_at INTEGER NOT NULL
  );
  CREATE INDEX request_messages_by_peer ON request_messages (peer_id, received_at);
  `,
  // 6: read marks (`kith read`, `kith conversations`; protocol.md §4.8 READ receipts). read_at is
  // when an incoming message was marked read here, or when the peer's READ receipt for an
  // outgoing one arrived; the status `read` is derived from it (./chat.ts), since the status
  // column's CHECK cannot be widened without rebuilding the table (whose outbox rows cascade).
  // The partial index holds exactly the unread incoming messages: counting a conversation's
  // unread is a range of that index, and marking them read walks only it.
  `
  ALTER TABLE messages ADD COLUMN read_at INTEGER;
  CREATE INDEX messages_unread ON messages (conversation)
    WHERE direction = 'in' AND read_at IS NULL;
  `,
  // 7: history lines that are not text (CLI.md "Conversations, receipts, edits": `"kind"`): a
  // group's membership and name changes are stored as `event` rows when their op is applied
  // (service/groups/events.ts), text = the event as JSON, sender '' (outside every sender's seq
  // order), read on arrival. Rows from before are text.
  `
  ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'text'
    CHECK (kind IN ('text', 'file', 'event'));
  `,
  // 8: replies, edits, deletes, reactions, disappearing messages (./edits.ts; protocol.md
  // §4.8.1–4.8.5). reply_to: the quoted id as sent (the quoted message may be unknown here).
  // edited_at/edit_id: the sender's clock and content id of the latest edit applied (a replayed
  // older edit loses to it). deleted: a tombstone whose text was wiped. ttl: the disappearing
  // timer (seconds) the message was sent or received under; expires_at: when the sweeper wipes
  // it — set at insert for our own (sent_at + ttl), when read for incoming ones (the trigger:
  // Signal starts an incoming message's timer when it is read). Reactions: one per reactor per
  // message, `emoji` '' a removal kept for its time (latest wins). Timers: the conversation's
  // current one (latest set_at wins). Held edits: edits, deletes and reactions for a message not
  // here yet, applied when it arrives (bounded: service/edits.ts MAX_HELD_EDITS).
  `
  ALTER TABLE messages ADD COLUMN reply_to TEXT;
  ALTER TABLE messages ADD COLUMN edited_at INTEGER;
  ALTER TABLE messages ADD COLUMN edit_id TEXT;
  ALTER TABLE messages ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1));
  ALTER TABLE messages ADD COLUMN ttl INTEGER;
  ALTER TABLE messages ADD COLUMN expires_at INTEGER;
  CREATE INDEX messages_expiring ON messages (expires_at) WHERE expires_at IS NOT NULL;
  CREATE TRIGGER messages_expire_on_read AFTER UPDATE OF read_at ON messages
    WHEN NEW.ttl IS NOT NULL AND NEW.direction = 'in' AND NEW.read_at IS NOT NULL
      AND OLD.read_at IS NULL AND NEW.expires_at IS NULL
  BEGIN
    UPDATE messages SET expires_at = NEW.read_at + NEW.ttl * 1000 WHERE id = NEW.id;
  END;

  CREATE TABLE reactions (
    message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    reactor TEXT NOT NULL,                          -- a PeerId, or 'me'
    emoji TEXT NOT NULL,                            -- '' once removed
    at INTEGER NOT NULL,                            -- the reactor's clock
    PRIMARY KEY (message_id, reactor)
  ) WITHOUT ROWID;

  CREATE TABLE timers (
    conversation TEXT PRIMARY KEY,
    ttl INTEGER NOT NULL,                           -- seconds; 0: off
    set_at INTEGER NOT NULL                         -- the setter's clock
  ) WITHOUT ROWID;

  CREATE TABLE held_edits (
    id TEXT PRIMARY KEY,                            -- the edit's own content id
    target TEXT NOT NULL,
    conversation TEXT NOT NULL,
    actor TEXT NOT NULL,
    content BLOB NOT NULL,                          -- the encoded ChatContent
    received_at INTEGER NOT NULL
  );
  CREATE INDEX held_edits_by_target ON held_edits (target);
  CREATE INDEX held_edits_by_age ON held_edits (received_at);
  `,
  // 9 (issue 15): files sent and received
  // (service/files/, docs/files.md). One row per file id: the manifest as received (it holds the
  // file key; the database is encrypted at rest), who sent it in which conversation, and its
  // download state. The chunks themselves live on disk under KITH_HOME/files/, sealed, never here.
  `
  CREATE TABLE files (
    file_id TEXT PRIMARY KEY,                       -- hex of the manifest's 16-byte id
    message_id TEXT NOT NULL,                       -- the file message in messages
    conversation TEXT NOT NULL,                     -- contact PeerId, or group id (hex)
    sender TEXT NOT NULL,                           -- PeerId of who sent it (us for 'out')
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,                           -- hex, of the plaintext
    manifest BLOB NOT NULL,                         -- encoded FileManifest
    state TEXT NOT NULL CHECK (state IN ('pending', 'fetching', 'done', 'cancelled')),
    path TEXT,                                      -- where a finished download was written
    created_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX files_by_time ON files (created_at);
  `,
  // 10: full-text search of message text (./search.ts: FTS5 index, triggers, backfill).
  SEARCH_MIGRATION,
  // 11 (issue 17): the outbox keeps its message's seq, so a flush reads the next MAX_BATCH due
  // entries in seq order from an index (chat.ts outboxDue) instead of joining and sorting the
  // peer's whole outbox, and the retry timer's min(next_attempt_at) is an index lookup.
  `
  ALTER TABLE outbox ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
  UPDATE outbox SET seq = coalesce((SELECT seq FROM messages WHERE id = message_id), 0);
  DROP INDEX outbox_by_peer;
  CREATE INDEX outbox_by_seq ON outbox (peer, seq);
  CREATE INDEX outbox_due ON outbox (peer, next_attempt_at);
  `,
  // 12 (issue 13 "one session path"):
  // sender keys live in group_sender_keys only (./group-log.ts, the core's SenderKeyStore); the
  // sender_keys table of migration 1, written by nothing but a compliance test, goes.
  `
  DROP TABLE IF EXISTS sender_keys;
  `,
  // 13 (issue 17): the search index off the message's commit — rows above a watermark are indexed
  // later, a batch per transaction (./search.ts: the invariant, the view, the new triggers).
  SEARCH_DEFERRED_MIGRATION,
  // 14 (issue 17): fewer pages per one-message commit (docs/performance.md "Pages per commit").
  // messages_by_conversation served no query (display order is messages_display, a sender's
  // history messages_by_sender); the outbox is keyed by its message id WITHOUT ROWID, one b-tree
  // where a rowid table and its primary key's index were two, for the insert at send and the
  // delete at the ack alike. Same columns, same order.
  `
  DROP INDEX messages_by_conversation;
  CREATE TABLE outbox_v14 (
    message_id TEXT PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    peer TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    seq INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
  INSERT INTO outbox_v14 (message_id, peer, attempts, next_attempt_at, seq)
    SELECT message_id, peer, attempts, next_attempt_at, seq FROM outbox;
  DROP TABLE outbox;
  ALTER TABLE outbox_v14 RENAME TO outbox;
  CREATE INDEX outbox_by_seq ON outbox (peer, seq);
  CREATE INDEX outbox_due ON outbox (peer, next_attempt_at);
  `,
]

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length

export function schemaVersion(db: SqliteDatabase): number {
  return db.pragma('user_version', { simple: true }) as number
}

/** Brings `db` up to SCHEMA_VERSION, one transaction per migration. Returns how many ran. */
export function migrate(db: SqliteDatabase): number {
  const from = schemaVersion(db)
  if (from > SCHEMA_VERSION) {
    throw new StoreVersionError(
      `store schema version ${from} is newer than this Kith's (${SCHEMA_VERSION})`,
    )
  }
  for (let v = from; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      // Re-read inside the write lock: another process may have migrated meanwhile.
      if (schemaVersion(db) !== v) return
      db.exec(MIGRATIONS[v]!)
      db.pragma(`user_version = ${v + 1}`)
    }).immediate()
  }
  return SCHEMA_VERSION - from
}
