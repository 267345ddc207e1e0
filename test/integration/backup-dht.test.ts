// A restore without a contact's saved card (docs/protocol.md §7.1): `kith restore` starts no
// session with it (`"sessions":0`); when the restored daemon connects to the contact it looks the
// contact's signed card up in the DHT and starts the session from it (service/direct/restore.ts
// startSessionFromDht), and both directions are delivered.
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { openNodeStore } from '../../src/store/sqlite.js'
import {
  chatOnly,
  json,
  jsonLines,
  newHome,
  run,
  startDaemon,
  startPair,
  stopAll,
  stopDaemon,
  until,
  type Daemon,
  type MessageLine,
} from './harness.js'

const PASS = { KITH_BACKUP_PASSPHRASE: 'dht backup passphrase' }

void describe(
  'restore without a saved card: session from the DHT card',
  { timeout: 300_000 },
  () => {
    const homes: string[] = []
    let a: Daemon
    let b: Daemon
    before(async () => {
      ;[a, b] = await startPair(homes)
      await json(b.home, ['send', 'alice', 'hi alice', '--wait', '--timeout', '30'])
      await json(a.home, ['contacts', 'rename', b.peerId, 'bob'])
    })
    after(() => stopAll(homes))

    void it('restores with no session, then starts one from the DHT and chats', async () => {
      await stopDaemon(a)
      // Forget Bob's card, as a node that never received it.
      const store = openNodeStore(a.home)
      try {
        store.setSetting(`card.of.${b.peerId}`, '')
        ;(store as unknown as { db: { prepare(s: string): { run(k: string): void } } }).db
          .prepare('DELETE FROM settings WHERE key = ?')
          .run(`card.of.${b.peerId}`)
      } finally {
        store.close()
      }
      const dir = newHome('backup-dht')
      homes.push(dir)
      const file = join(dir, 'a.kithbackup')
      assert.equal((await run(a.home, ['backup', '--out', file], { env: PASS })).code, 0)
      rmSync(a.home, { recursive: true, force: true })
      const home = join(dir, 'alice')
      const r = await run(home, ['restore', file, '--json'], { env: PASS })
      assert.equal(r.code, 0, r.stderr)
      assert.equal((JSON.parse(r.stdout) as { sessions: number }).sessions, 0)
      a = await startDaemon('alice', home)
      const toBob = await run(a.home, ['send', 'bob', 'back again', '--wait', '--timeout', '120'])
      assert.equal(toBob.code, 0, `Alice → Bob: ${toBob.stdout} ${toBob.stderr}`)
      const toAlice = await run(b.home, ['send', 'alice', 'welcome', '--wait', '--timeout', '120'])
      assert.equal(toAlice.code, 0, `Bob → Alice: ${toAlice.stdout} ${toAlice.stderr}`)
      await until('Alice shows Bob’s message', async () =>
        chatOnly(await jsonLines<MessageLine>(a.home, ['messages', 'bob'])).some(
          (m) => m.text === 'welcome',
        ),
      )
    })
  },
)
