// Encryption at rest and the store's files: no plaintext or key bytes in kith.db or its WAL (and,
// as a control that proves the search works, both ARE found in an unencrypted database written
// the same way); file modes; passphrase and key-file unlocking; create/open refusals.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import Database from 'better-sqlite3-multiple-ciphers'
import { SqliteChatStore } from '../../src/store/chat.js'
import { DB_FILE, KDF_FILE, KEY_FILE, SCRYPT_N } from '../../src/store/database.js'
import { StoreExistsError, StoreLockedError, StoreNotFoundError } from '../../src/store/errors.js'
import { migrate } from '../../src/store/migrations.js'
import { SqliteProtocolStore } from '../../src/store/protocol.js'
import { createNodeStore, openNodeStore } from '../../src/store/sqlite.js'
import type { ProtocolStore } from '../../src/core/store/types.js'
import type { ChatStore } from '../../src/store/types.js'
import { msg, newIdentity, tempHome } from './helpers.js'

const mode = (path: string): number => statSync(path).mode & 0o777

/** The same writes for the encrypted store and the plain control. */
function writeSecrets(chat: ChatStore, protocol: ProtocolStore) {
  const marker = `secret-plaintext-marker-${randomBytes(8).toString('hex')}`
  const sessionBytes = randomBytes(48)
  chat.transaction(() => {
    chat.insertMessage(msg({ text: marker }))
    protocol.storeSession('peerA', sessionBytes)
  })
  return { marker: Buffer.from(marker), sessionBytes }
}

/** Which of `needles` occur in the database's files (kith.db, -wal, -shm) right now. */
function foundIn(home: string, needles: Record<string, Buffer>): string[] {
  const files = readdirSync(home).filter((f) => f.startsWith(DB_FILE))
  const found = new Set<string>()
  for (const f of files) {
    const data = readFileSync(join(home, f))
    for (const [what, bytes] of Object.entries(needles)) {
      if (data.includes(bytes)) found.add(`${what} in ${f}`)
    }
  }
  return [...found].sort()
}

void describe('encryption at rest', () => {
  void it('kith.db and its WAL hold no message text, record bytes or identity seed', () => {
    const { home, cleanup } = tempHome()
    try {
      const identity = newIdentity()
      const store = createNodeStore(home, identity, 'me')
      const { marker, sessionBytes } = writeSecrets(store, store.protocol)
      const seed = Buffer.from(identity.exportSeed())
      assert.ok(existsSync(join(home, `${DB_FILE}-wal`)), 'the WAL exists while open')
      assert.deepEqual(foundIn(home, { marker, sessionBytes, seed }), [], 'while open')
      store.close()
      assert.deepEqual(foundIn(home, { marker, sessionBytes, seed }), [], 'after close')
      const header = readFileSync(join(home, DB_FILE)).subarray(0, 16)
      assert.notEqual(header.toString('latin1'), 'SQLite format 3\0')
    } finally {
      cleanup()
    }
  })

  void it('control: the same writes to an unencrypted database are found (the search works)', () => {
    const { dir, cleanup } = tempHome()
    try {
      const db = new Database(join(dir, DB_FILE))
      db.pragma('journal_mode = WAL')
      migrate(db)
      const { marker, sessionBytes } = writeSecrets(
        new SqliteChatStore(db),
        new SqliteProtocolStore(db, newIdentity()),
      )
      const found = foundIn(dir, { marker, sessionBytes })
      db.close()
      assert.ok(
        found.some((f) => f.startsWith('marker')),
        `marker not found: ${found.join()}`,
      )
      assert.ok(
        found.some((f) => f.startsWith('sessionBytes')),
        `session not found: ${found.join()}`,
      )
    } finally {
      cleanup()
    }
  })

  void it('creates the home 0700 and store.key, kith.db, its WAL and shm 0600', () => {
    const { home, cleanup } = tempHome()
    try {
      const store = createNodeStore(home, newIdentity(), 'me')
      store.setSetting('k', 'v')
      assert.equal(mode(home), 0o700)
      for (const f of [KEY_FILE, DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`]) {
        assert.equal(mode(join(home, f)), 0o600, f)
      }
      assert.match(readFileSync(join(home, KEY_FILE), 'utf8'), /^[0-9a-f]{64}\n$/)
      assert.equal(existsSync(join(home, KDF_FILE)), false)
      store.close()
    } finally {
      cleanup()
    }
  })

  void it('tightens a store.key that others can read to 0600 and opens', () => {
    const { home, cleanup } = tempHome()
    try {
      createNodeStore(home, newIdentity(), 'me').close()
      chmodSync(join(home, KEY_FILE), 0o644)
      openNodeStore(home).close()
      assert.equal(mode(join(home, KEY_FILE)), 0o600)
    } finally {
      cleanup()
    }
  })

  void it('a different key file → StoreLockedError; a missing one too', () => {
    const { home, cleanup } = tempHome()
    try {
      createNodeStore(home, newIdentity(), 'me').close()
      const good = readFileSync(join(home, KEY_FILE))
      writeFileSync(join(home, KEY_FILE), randomBytes(32).toString('hex') + '\n', { mode: 0o600 })
      assert.throws(() => openNodeStore(home), {
        name: 'StoreLockedError',
        message: 'wrong passphrase or key file',
      })
      assert.throws(() => openNodeStore(home, { passphrase: 'x' }), StoreLockedError)
      writeFileSync(join(home, KEY_FILE), good)
      openNodeStore(home).close()
    } finally {
      cleanup()
    }
  })

  void it('passphrase: scrypt parameters kept, no store.key, wrong → locked, right → opens', (t) => {
    const { home, cleanup } = tempHome()
    try {
      const identity = newIdentity()
      let start = performance.now()
      const store = createNodeStore(home, identity, 'me', { passphrase: 'correct horse' })
      t.diagnostic(`create with scrypt: ${(performance.now() - start).toFixed(0)} ms`)
      const { marker, sessionBytes } = writeSecrets(store, store.protocol)
      store.close()
      assert.equal(existsSync(join(home, KEY_FILE)), false)
      assert.equal(mode(join(home, KDF_FILE)), 0o600)
      const kdf = JSON.parse(readFileSync(join(home, KDF_FILE), 'utf8')) as Record<string, unknown>
      assert.deepEqual(Object.keys(kdf).sort(), ['N', 'kdf', 'p', 'r', 'salt'])
      assert.equal(kdf.kdf, 'scrypt')
      assert.equal(kdf.N, SCRYPT_N)
      assert.match(kdf.salt as string, /^[0-9a-f]{32}$/)
      assert.deepEqual(foundIn(home, { marker, sessionBytes }), [])

      assert.throws(() => openNodeStore(home, { passphrase: 'wrong horse' }), {
        name: 'StoreLockedError',
        message: 'wrong passphrase or key file',
      })
      assert.throws(() => openNodeStore(home), {
        name: 'StoreLockedError',
        message: /KITH_PASSPHRASE/,
      })
      start = performance.now()
      const again = openNodeStore(home, { passphrase: 'correct horse' })
      t.diagnostic(`open with scrypt: ${(performance.now() - start).toFixed(0)} ms`)
      assert.equal(again.peerId, identity.peerId)
      assert.equal(again.protocol.loadSession('peerA')?.length, sessionBytes.length)
      again.close()
      assert.equal(existsSync(join(home, KEY_FILE)), false)
    } finally {
      cleanup()
    }
  })

  void it('refuses an empty passphrase', () => {
    const { home, cleanup } = tempHome()
    try {
      assert.throws(
        () => createNodeStore(home, newIdentity(), 'me', { passphrase: '' }),
        RangeError,
      )
      assert.equal(existsSync(home), false)
    } finally {
      cleanup()
    }
  })
})

void describe('create and open', () => {
  void it('open without a store → StoreNotFoundError, creating nothing', () => {
    const { home, cleanup } = tempHome()
    try {
      assert.throws(() => openNodeStore(home), StoreNotFoundError)
      assert.equal(existsSync(home), false)
    } finally {
      cleanup()
    }
  })

  void it('create over an existing store → StoreExistsError, whatever the secret', () => {
    const { home, cleanup } = tempHome()
    try {
      const identity = newIdentity()
      const store = createNodeStore(home, identity, 'me')
      assert.equal(store.getIdentityName(), 'me')
      store.close()
      assert.throws(() => createNodeStore(home, newIdentity(), 'other'), StoreExistsError)
      assert.throws(
        () => createNodeStore(home, newIdentity(), 'other', { passphrase: 'p' }),
        StoreExistsError,
      )
      const again = openNodeStore(home)
      assert.equal(again.peerId, identity.peerId)
      assert.equal(again.getIdentityName(), 'me')
      again.close()
    } finally {
      cleanup()
    }
  })
})
