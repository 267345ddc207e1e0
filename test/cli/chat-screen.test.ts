// The chat's pieces without a terminal: what a typed line means (../../src/cli/chat/input.ts) and
// what the screen writes (../../src/cli/chat/screen.ts) — a status change rewrites the message's
// own line by moving the cursor up exactly the rows below it, prints nothing on a pipe or once the
// line has scrolled off, a date line comes when the day changes, colour obeys NO_COLOR.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { helpLines, parseLine } from '../../src/cli/chat/input.js'
import { ChatScreen, useColor } from '../../src/cli/chat/screen.js'
import { displayWidth, rowsOf } from '../../src/cli/chat/width.js'
import type { MessageView } from '../../src/service/types.js'

const ESC = String.fromCharCode(0x1b)

function fakeScreen(tty: boolean, rows = 24, columns = 80, color = false) {
  const out: string[] = []
  const err: string[] = []
  const screen = new ChatScreen({
    out: { write: (s: string) => out.push(s), isTTY: tty, rows, columns },
    err: { write: (s: string) => err.push(s) },
    tty,
    color,
    reprompt: () => undefined,
    inputRow: () => 0,
  })
  return { screen, out, err }
}

const day = (d: number, h = 12) => new Date(2026, 11, d, h, 0).getTime()
function msg(id: string, text: string, sentAt: number, out = true): MessageView {
  return {
    id,
    conversation: 'c',
    from: 'p',
    direction: out ? 'out' : 'in',
    text,
    sentAt,
    receivedAt: sentAt,
    status: out ? 'sent' : 'delivered',
  }
}

describe('chat input', () => {
  it('tells commands from messages: /word is never sent, //text sends /text', () => {
    assert.deepEqual(parseLine('hello'), { kind: 'send', text: 'hello' })
    assert.deepEqual(parseLine('  '), { kind: 'empty' })
    assert.deepEqual(parseLine('/help'), { kind: 'command', name: 'help', arg: '' })
    assert.deepEqual(parseLine('/QUIT'), { kind: 'command', name: 'quit', arg: '' })
    assert.deepEqual(parseLine('/read'), { kind: 'command', name: 'read', arg: '' })
    assert.deepEqual(parseLine('/frob x'), { kind: 'unknown', word: '/frob' })
    assert.deepEqual(parseLine('/toString'), { kind: 'unknown', word: '/toString' })
    assert.deepEqual(parseLine('//etc/hosts'), { kind: 'send', text: '/etc/hosts' })
    const help = helpLines().join('\n')
    for (const c of ['/help', '/read', '/quit', '//text']) assert.ok(help.includes(c), c)
  })
})

describe('chat screen', () => {
  it('rewrites a status in place, moving up the rows below the line', () => {
    const { screen, out } = fakeScreen(true)
    screen.message(msg('m1', 'first', day(4)), 'me')
    screen.message(msg('m2', 'x'.repeat(100), day(4)), 'me') // wraps: 2 rows at 80 columns
    out.length = 0
    screen.status('m1', 'delivered')
    assert.equal(out.length, 1)
    // m1 (1 row) + m2 (2 rows) between the cursor and m1's row.
    assert.equal(out[0], `${ESC}7${ESC}[3A\r12:00 me: first  ✓✓ ${ESC}8`)
    screen.status('m1', 'sent') // never backwards
    screen.status('m1', 'delivered') // nor twice
    assert.equal(out.length, 1)
  })

  it('prints nothing for ticks on a pipe, or for a line scrolled off', () => {
    const pipe = fakeScreen(false)
    pipe.screen.message(msg('m1', 'first', day(4)), 'me')
    const n = pipe.out.length
    pipe.screen.status('m1', 'delivered')
    pipe.screen.status('m1', 'read')
    assert.equal(pipe.out.length, n)
    assert.ok(!pipe.out.join('').includes(ESC))

    const tty = fakeScreen(true, 5)
    tty.screen.message(msg('m1', 'first', day(4)), 'me')
    for (let i = 0; i < 5; i++) tty.screen.info(`line ${i}`)
    tty.out.length = 0
    tty.screen.status('m1', 'delivered')
    assert.deepEqual(tty.out, [])
  })

  it('writes a date line when the day changes, in history and live', () => {
    const { screen, out } = fakeScreen(false)
    screen.message(msg('a', 'one', day(3, 9)), 'me')
    screen.message(msg('b', 'two', day(3, 23)), 'bob')
    screen.message(msg('c', 'three', day(4, 0)), 'bob')
    const dates = out.filter((l) => l.startsWith('──'))
    assert.deepEqual(dates, [
      '── Thursday, 3 December 2026 ──\n',
      '── Friday, 4 December 2026 ──\n',
    ])
  })

  it('colours only on a TTY and never with NO_COLOR', () => {
    assert.equal(useColor(true, {}), true)
    assert.equal(useColor(true, { NO_COLOR: '1' }), false)
    assert.equal(useColor(true, { NO_COLOR: '' }), true)
    assert.equal(useColor(false, {}), false)
    const plain = fakeScreen(true, 24, 80, false)
    plain.screen.message(msg('m', 'hi', day(4)), 'me')
    assert.ok(!plain.out.join('').includes(`${ESC}[2m`))
    const coloured = fakeScreen(true, 24, 80, true)
    coloured.screen.message(msg('m', 'hi', day(4)), 'me')
    assert.ok(coloured.out.join('').includes(`${ESC}[2m`))
  })

  it('counts wide characters twice and marks as nothing', () => {
    assert.equal(displayWidth('abc'), 3)
    assert.equal(displayWidth('日本'), 4)
    assert.equal(displayWidth('😀'), 2)
    assert.equal(displayWidth('e\u0301'), 1)
    assert.equal(rowsOf('x'.repeat(80), 80), 1)
    assert.equal(rowsOf(`${'x'.repeat(81)}\nshort`, 80), 3)
  })
})
