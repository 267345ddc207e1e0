// `kith backup` / `kith restore` end to end (CLI.md "Conversations, receipts, edits"; issue 14):
// Alice and Bob chat; Alice backs up (file 0600), her home is deleted; a wrong passphrase and a
// non-empty home are refused and leave nothing behind; the restore into a new home brings the same
// PeerId, contacts and history (searchable); her daemon starts with fresh sessions, and Bob →
// Alice and Alice → Bob are both delivered (Bob's old session is replaced by the one Alice starts
// from his saved card, without a key-change alarm).
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
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

interface ContactLine {
  name: string
  peerId: string
  profileName: string
  keyChanged: boolean
}

const PASS = { KITH_BACKUP_PASSPHRASE: 'a long backup passphrase' }

void describe('backup and restore between daemons', { timeout: 300_000 }, () => {
  const homes: string[] = []
  let a: Daemon
  let b: Daemon
  let file: string
  before(async () => {
    ;[a, b] = await startPair(homes)
    await json(b.home, ['send', 'alice', 'hi alice', '--wait', '--timeout', '30'])
    await json(a.home, ['contacts', 'rename', b.peerId, 'bob'])
    await json(a.home, ['send', 'bob', 'hello bob', '--wait', '--timeout', '30'])
    // Bob's card (with his prekey bundle) reached Alice: his profile name came beside it.
    await until('Alice holds Bob’s card', async () => {
      const list = await json<ContactLine[]>(a.home, ['contacts', 'list'])
      return list.find((c) => c.peerId === b.peerId)?.profileName !== ''
    })
  })
  after(() => stopAll(homes))

  void it('backs up to a 0600 file: {path, bytes}', async () => {
    const dir = newHome('backup-out')
    homes.push(dir)
    file = join(dir, 'alice.kithbackup')
    const r = await run(a.home, ['backup', '--out', file, '--json'], { env: PASS })
    assert.equal(r.code, 0, r.stderr)
    const out = JSON.parse(r.stdout) as { path: string; bytes: number }
    assert.deepEqual(out, { path: file, bytes: statSync(file).size })
    assert.equal(statSync(file).mode & 0o777, 0o600)
    const noPass = await run(a.home, ['backup', '--out', `${file}.2`], {
      env: { KITH_BACKUP_PASSPHRASE: '' },
    })
    assert.equal(noPass.code, 2, 'an empty passphrase is a usage error (stdin is not a TTY)')
    assert.match(noPass.stderr, /KITH_BACKUP_PASSPHRASE/)
    assert.ok(!existsSync(`${file}.2`))
  })

  void it('refuses a wrong passphrase and a non-empty home, leaving nothing', async () => {
    await stopDaemon(a)
    rmSync(a.home, { recursive: true, force: true })
    const fresh = join(newHome('restore-parent'), 'home')
    homes.push(fresh)
    const wrong = await run(fresh, ['restore', file], {
      env: { KITH_BACKUP_PASSPHRASE: 'not it' },
    })
    assert.equal(wrong.code, 1)
    assert.match(wrong.stderr, /^BackupPassphraseError/)
    assert.ok(!existsSync(fresh), 'no home created')
    assert.deepEqual(readdirSync(join(fresh, '..')), [], 'no temporary directory left')
    mkdirSync(fresh)
    writeFileSync(join(fresh, 'something'), 'x')
    const busy = await run(fresh, ['restore', file], { env: PASS })
    assert.equal(busy.code, 1)
    assert.match(busy.stderr, /^HomeNotEmpty/)
    rmSync(fresh, { recursive: true })
  })

  void it('restores identity, contacts and history into a new home', async () => {
    const home = join(newHome('alice-restored'), 'home')
    homes.push(join(home, '..'))
    const r = await run(home, ['restore', file, '--json'], { env: PASS })
    assert.equal(r.code, 0, r.stderr)
    const out = JSON.parse(r.stdout) as Record<string, unknown>
    assert.deepEqual(out, { peerId: a.peerId, contacts: 1, messages: 2, sessions: 1 })
    a = await startDaemon('alice', home)
    const history = chatOnly(await jsonLines<MessageLine>(home, ['messages', 'bob']))
    assert.deepEqual(
      history.map((m) => m.text),
      ['hi alice', 'hello bob'],
    )
    const found = await jsonLines<MessageLine>(home, ['search', 'hello'])
    assert.deepEqual(
      found.map((m) => m.text),
      ['hello bob'],
    )
  })

  void it('both directions are delivered over fresh sessions, no key-change alarm', async () => {
    const toAlice = await run(b.home, [
      'send',
      'alice',
      'welcome back',
      '--wait',
      '--timeout',
      '90',
    ])
    assert.equal(toAlice.code, 0, `Bob → Alice: ${toAlice.stdout} ${toAlice.stderr}`)
    const toBob = await run(a.home, ['send', 'bob', 'thanks', '--wait', '--timeout', '90'])
    assert.equal(toBob.code, 0, `Alice → Bob: ${toBob.stdout} ${toBob.stderr}`)
    await until('Alice shows Bob’s message', async () =>
      chatOnly(await jsonLines<MessageLine>(a.home, ['messages', 'bob'])).some(
        (m) => m.text === 'welcome back',
      ),
    )
    await until('Bob shows Alice’s message', async () =>
      chatOnly(await jsonLines<MessageLine>(b.home, ['messages', 'alice'])).some(
        (m) => m.text === 'thanks',
      ),
    )
    const bobsView = await json<ContactLine[]>(b.home, ['contacts', 'list'])
    assert.equal(bobsView.find((c) => c.peerId === a.peerId)?.keyChanged, false)
  })
})
