// Human lines for group messages and group history lines (issue 14): `[name]` before a group's
// lines in `messages`, `* <sentence>` for an event built with the CLI's name book ("you" for
// ourselves), and everything a peer chose — group name, member names — through printable().
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { messageLine } from '../../src/cli/commands/message-lines.js'
import type { MessageView } from '../../src/service/types.js'

const RAW = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u // eslint-disable-line no-control-regex

const base: MessageView = {
  id: 'm1',
  conversation: 'g1',
  from: 'pA',
  direction: 'in',
  text: 'hi',
  sentAt: 0,
  receivedAt: 0,
  status: 'delivered',
  kind: 'text',
  group: { id: 'g1', name: 'friends' },
}
const names: Record<string, string> = { pA: 'alice', pC: 'carol', pMe: 'me' }
const book = (p: string) => names[p] ?? p

void describe('group lines in human output (issue 14)', () => {
  void it('marks a group message with its group in all-conversation output only', () => {
    assert.match(messageLine(base, book, true), / {2}\[friends\] alice: hi$/)
    assert.match(messageLine(base, book, false), / {2}alice: hi$/)
    const out = messageLine({ ...base, direction: 'out', from: 'pMe', status: 'sent' }, book, true)
    assert.match(out, / {2}\[friends\] me: hi {2}✓$/)
  })

  void it('prints event lines with the name book, ourselves as "you"', () => {
    const ev = (event: MessageView['event']) =>
      messageLine({ ...base, kind: 'event', text: 'stored', event }, book, false)
    assert.match(ev({ type: 'added', by: 'pA', members: ['pC'] }), / {2}\* alice added carol$/)
    assert.match(ev({ type: 'left', by: 'pC', members: [] }), / {2}\* carol left$/)
    assert.match(
      ev({ type: 'removed', by: 'pA', members: ['pMe'] }),
      / {2}\* you were removed by alice$/,
    )
    assert.match(ev({ type: 'removed', by: 'pMe', members: ['pC'] }), / {2}\* you removed carol$/)
  })

  void it('escapes what a peer chose: group names, member names', () => {
    const evil = '\x1b[2J\u202eevil\r\nbob: fake'
    const tagged = messageLine({ ...base, group: { id: 'g1', name: evil } }, book, true)
    const renamed = messageLine(
      { ...base, kind: 'event', event: { type: 'renamed', by: 'px', members: [], name: evil } },
      (p) => (p === 'px' ? evil : p),
      true,
    )
    for (const l of [tagged, renamed]) {
      assert.doesNotMatch(l, RAW)
      assert.ok(!l.includes('\n'))
    }
  })
})
