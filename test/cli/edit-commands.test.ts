// `kith chat`'s /reply, /edit, /delete and /react (src/cli/chat/edit-commands.ts): each acts on
// the right message — received ones for /reply and /react, our own last for /edit and /delete —
// history lines are never a target, and with nothing to act on it is a usage error (no API call).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ApiClient } from '../../src/api/client.js'
import { LastMessages, runEditCommand } from '../../src/cli/chat/edit-commands.js'
import { parseLine } from '../../src/cli/chat/input.js'

function fakeClient(calls: unknown[][]): ApiClient {
  return {
    editMessage: (id: string, text: string) => (calls.push(['edit', id, text]), Promise.resolve()),
    deleteMessage: (id: string, all: boolean) => (
      calls.push(['delete', id, all]),
      Promise.resolve()
    ),
    reactMessage: (id: string, e: string) => (calls.push(['react', id, e]), Promise.resolve()),
  } as unknown as ApiClient
}

void describe('chat edit commands', () => {
  void it('parse as commands', () => {
    assert.deepEqual(parseLine('/edit fixed text'), {
      kind: 'command',
      name: 'edit',
      arg: 'fixed text',
    })
    assert.deepEqual(parseLine('/react 👍'), { kind: 'command', name: 'react', arg: '👍' })
  })

  void it('target the last received or our last own message, never a history line', async () => {
    const calls: unknown[][] = []
    const client = fakeClient(calls)
    const last = new LastMessages()
    const sent: unknown[][] = []
    const send = (text: string, replyTo: string) => (sent.push([text, replyTo]), Promise.resolve())
    await assert.rejects(runEditCommand('edit', 'x', last, client, send), { name: 'UsageError' })
    await assert.rejects(runEditCommand('reply', 'x', last, client, send), { name: 'UsageError' })
    last.saw({ id: 'in1', direction: 'in' })
    last.saw({ id: 'out1', direction: 'out' })
    last.saw({ id: 'ev', direction: 'in', kind: 'event' })
    await runEditCommand('reply', 'sure', last, client, send)
    await runEditCommand('react', '👍', last, client, send)
    await runEditCommand('edit', 'fixed', last, client, send)
    await runEditCommand('delete', '', last, client, send)
    await assert.rejects(runEditCommand('react', '', last, client, send), { name: 'UsageError' })
    assert.deepEqual(sent, [['sure', 'in1']])
    assert.deepEqual(calls, [
      ['react', 'in1', '👍'],
      ['edit', 'out1', 'fixed'],
      ['delete', 'out1', true],
    ])
  })
})
