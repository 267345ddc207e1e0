// `kith invite` and `kith contacts add` as a user pastes (issue 14): piped, `invite` prints the
// link alone — no QR, no escape code; on a terminal (a pty from script(1)) the QR is printed when
// the terminal is wide enough, and a one-line hint instead when it is not; a link pasted with line
// breaks and spaces inside it, quoted or as several shell words, adds the contact.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { after, before, describe, it } from 'node:test'
import { json, KITH, run, startDaemon, stopAll, type Daemon } from './harness.js'

/** `kith invite` on a pty `cols` wide (script(1) from util-linux); its output as the terminal
 *  shows it (CRLF line ends). */
function inviteOnTty(home: string, cols: number): string {
  const cmd = `stty cols ${cols} rows 100; ${KITH} --home ${home} invite`
  const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', timeout: 60_000 })
  return r.stdout
}

void describe('invite paste and QR', { timeout: 180_000 }, () => {
  const homes: string[] = []
  let a: Daemon
  let b: Daemon
  let link: string
  before(async () => {
    a = await startDaemon('alice')
    b = await startDaemon('bob')
    homes.push(a.home, b.home)
  })
  after(() => stopAll(homes))

  void it('piped: the link alone, no QR and no escape code', async () => {
    const r = await run(a.home, ['invite'])
    assert.equal(r.code, 0)
    assert.ok(!r.stdout.includes('\x1b'), 'no ANSI escape in a pipe')
    assert.ok(!r.stderr.includes('\x1b'))
    const lines = r.stdout.trim().split('\n')
    assert.equal(lines.length, 1)
    link = lines[0]!
    assert.match(link, /^kith:\/\//)
  })

  void it('on a terminal: the QR when it fits, a one-line hint when it does not', () => {
    const wide = inviteOnTty(a.home, 1000)
    assert.ok(wide.includes('\x1b['), 'a QR drawn in colour')
    const narrow = inviteOnTty(a.home, 20)
    assert.ok(!narrow.includes('\x1b['), 'no QR at 20 columns')
    assert.match(narrow, /the QR code needs \d+ columns, the terminal has 20/)
  })

  void it('a link with line breaks and spaces inside is accepted, quoted or in pieces', async () => {
    const third = Math.floor(link.length / 3)
    const broken = `  ${link.slice(0, third)}\n${link.slice(third, 2 * third)} \r\n\t${link.slice(2 * third)}\n`
    const added = await json<{ peerId: string }>(b.home, [
      'contacts',
      'add',
      broken,
      '--name',
      'al',
    ])
    assert.equal(added.peerId, a.peerId)
    await json(b.home, ['contacts', 'remove', 'al'])
    // Unquoted pieces: a piece that begins with '-' (base64url has them) is an option to any
    // command line, so a user would quote that link; cut where the second piece does not.
    let cut = third
    while (link[cut] === '-') cut++
    const pieces = await json<{ peerId: string }>(b.home, [
      'contacts',
      'add',
      link.slice(0, cut),
      link.slice(cut),
      '--name',
      'al2',
    ])
    assert.equal(pieces.peerId, a.peerId)
  })
})
