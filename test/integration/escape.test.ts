// Terminal injection (issue 11, finding 8) with real daemons: a contact ("eve") whose identity name,
// group name and message text carry a screen clear, a window-title sequence, BEL, CR/LF and a
// forged "bob: fake" line. Alice's human output — `messages`, `messages --follow`, `contacts
// list`, `group list`, and `chat` in a real terminal (tmux) — shows it all escaped; `--json`
// keeps the exact text. Every process started here is stopped here.
import { spawn, execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { json, jsonLines, KITH, run, startDaemon, stopAll, until } from './harness.js'
import type { MessageLine } from './harness.js'

const homes: string[] = []
const session = `kith-escape-${process.pid}`
const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' })
const hasTmux = spawnSync('tmux', ['-V']).status === 0
after(() => {
  if (hasTmux) spawnSync('tmux', ['kill-session', '-t', session])
  stopAll(homes)
})

/** Clears the screen, sets the window title, rings, and forges a line from "bob". */
const ATTACK = '\x1b[2J\x1b]0;pwned\x07\r\nbob: fake'
const EVIL_NAME = 'eve\x1b]0;pwned\x07\u202e\rbob'

/** No byte a peer could use to drive the terminal, and no line that starts as a forged one. */
function assertInert(out: string, what: string): void {
  assert.ok(!out.includes('\x1b'), `${what}: raw ESC in ${JSON.stringify(out)}`)
  assert.ok(!out.includes('\r'), `${what}: raw CR`)
  assert.ok(!out.includes('\x07'), `${what}: raw BEL`)
  assert.ok(!out.includes('\u202e'), `${what}: raw bidi override`)
  assert.ok(!/^bob: fake/m.test(out), `${what}: a forged line at column 0`)
}

describe('no escape byte from a peer reaches human output', { timeout: 180_000 }, () => {
  it('messages, --follow, contacts list, group list show escapes; --json is exact', async () => {
    const alice = await startDaemon('alice')
    homes.push(alice.home)
    const eve = await startDaemon('eve', undefined, undefined, ['--name', EVIL_NAME])
    homes.push(eve.home)
    // Alice adds Eve's invite without --name (its name is Eve's choice) and writes first.
    const { link } = await json<{ link: string }>(eve.home, ['invite'])
    const added = await json<{ name: string; peerId: string }>(alice.home, [
      'contacts',
      'add',
      link,
    ])
    assert.equal(added.peerId, eve.peerId)
    await json(alice.home, ['send', eve.peerId, 'hello eve', '--wait', '--timeout', '30'])
    // A live --follow reader, started before Eve answers.
    const follow = spawn(KITH, ['--home', alice.home, 'messages', '--follow'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let followed = ''
    follow.stdout.on('data', (d: Buffer) => (followed += d.toString('utf8')))
    const closed = new Promise((r) => follow.on('close', r))
    try {
      await until('follow shows the history', () => Promise.resolve(followed.includes('hello eve')))
      await json(eve.home, ['send', alice.peerId, ATTACK, '--wait', '--timeout', '30'])

      const lines = await jsonLines<MessageLine>(alice.home, ['messages'])
      assert.equal(lines.find((m) => m.direction === 'in')?.text, ATTACK, '--json keeps the text')

      const human = await run(alice.home, ['messages'])
      assert.equal(human.code, 0, human.stderr)
      assertInert(human.stdout, 'messages')
      assert.ok(human.stdout.includes('\\x1b[2J\\x1b]0;pwned\\x07'), human.stdout)
      assert.match(human.stdout, /\n {2,}\S* ?bob: fake/, 'the second line is a continuation')

      await until('follow shows the live line', () =>
        Promise.resolve(followed.includes('bob: fake')),
      )
      assertInert(followed, 'messages --follow')

      const contacts = await run(alice.home, ['contacts', 'list'])
      assert.equal(contacts.code, 0, contacts.stderr)
      assertInert(contacts.stdout, 'contacts list')
      assert.ok(contacts.stdout.includes(eve.peerId))
    } finally {
      follow.kill('SIGINT')
      await closed
    }

    // A group named by Eve, with Alice added: its name is Eve's choice too.
    const created = await run(eve.home, ['--json', 'group', 'create', `g${ATTACK}`])
    if (created.code === 0) {
      const { groupId } = JSON.parse(created.stdout) as { groupId: string }
      await json(eve.home, ['group', 'add', groupId, alice.peerId])
      await until('alice sees the group', async () => {
        const gs = await json<{ groupId: string }[]>(alice.home, ['group', 'list'])
        return gs.some((g) => g.groupId === groupId)
      })
      const groups = await run(alice.home, ['group', 'list'])
      assertInert(groups.stdout, 'group list')
      assert.ok(groups.stdout.includes(groupId))
    } else {
      // The group layer may refuse such a name outright: then nothing can reach the output.
      assert.match(created.stderr, /^Invalid/)
    }
  })

  it(
    'kith chat in a terminal: no screen clear, no title, no forged line',
    { skip: hasTmux ? false : 'tmux is not installed (.ci/run installs it)' },
    async () => {
      const alice = await startDaemon('alice')
      homes.push(alice.home)
      const eve = await startDaemon('eve', undefined, undefined, ['--name', EVIL_NAME])
      homes.push(eve.home)
      const { link } = await json<{ link: string }>(eve.home, ['invite'])
      await json(alice.home, ['contacts', 'add', link, '--name', 'eve'])
      await json(alice.home, ['send', 'eve', 'before the chat', '--wait', '--timeout', '30'])
      await json(eve.home, ['send', alice.peerId, `history ${ATTACK}`, '--wait', '--timeout', '30'])
      const raw = join(mkdtempSync(join(tmpdir(), 'kith-escape-')), 'pane.raw')
      homes.push(join(raw, '..'))
      tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '30', 'sh')
      tmux('pipe-pane', '-o', '-t', session, `cat >> ${raw}`)
      tmux('send-keys', '-t', session, `${KITH} --home ${alice.home} chat eve`, 'Enter')
      const screen = () => tmux('capture-pane', '-p', '-t', session)
      await until('history shown', () => Promise.resolve(screen().includes('before the chat')))
      await json(eve.home, ['send', alice.peerId, `live ${ATTACK}`, '--wait', '--timeout', '30'])
      await until('live line shown', () => Promise.resolve(screen().includes('live \\x1b[2J')))
      const shown = screen()
      // The screen was not cleared (the history is still there) and nothing forged a line.
      assert.ok(shown.includes('before the chat'), shown)
      assert.ok(shown.includes('history \\x1b[2J\\x1b]0;pwned\\x07'), shown)
      assert.ok(!/^bob: fake/m.test(shown), shown)
      assert.notEqual(tmux('display-message', '-p', '-t', session, '#{pane_title}').trim(), 'pwned')
      // The raw bytes the chat wrote hold none of the peer's sequences (its own prompt
      // redraws, CR ESC[2K, are the only escapes).
      const bytes = readFileSync(raw, 'utf8')
      for (const seq of ['\x1b[2J', '\x1b]0;', '\x07']) {
        assert.ok(!bytes.includes(seq), `raw terminal output holds ${JSON.stringify(seq)}`)
      }
      tmux('send-keys', '-t', session, '/quit', 'Enter')
    },
  )
})
