// `kith chat` as a user meets it: a real terminal (tmux) attached to a real daemon. History is
// shown after a date line; a typed line is sent and its ticks move ✓ → ✓✓ → ✓✓✓ (read) on the
// message's own line, never as new lines; /help lists the commands; an unknown /word is an error
// and never reaches the contact, //text sends "/text"; /read marks the conversation read; a group
// message shows which group it is in; `kith chat <group>` is a group chat; colour only without
// NO_COLOR.
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import {
  json,
  jsonLines,
  KITH,
  startPair,
  stopAll,
  until,
  type Daemon,
  type MessageLine,
} from './harness.js'

const homes: string[] = []
const sessions = [`kith-test-${process.pid}`, `kith-test-${process.pid}-group`]
const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' })
const hasTmux = spawnSync('tmux', ['-V']).status === 0
after(() => {
  if (hasTmux) for (const s of sessions) spawnSync('tmux', ['kill-session', '-t', s])
  stopAll(homes)
})

/** A Select Graphic Rendition sequence (colour, dim, bold), ECMA-48 §8.3.117. */
const SGR = new RegExp(`${String.fromCharCode(0x1b)}\\[[0-9;]*m`)
const screen = (s: string) => tmux('capture-pane', '-p', '-t', s)
/** The pane with its SGR attributes as escape sequences (tmux capture-pane -e). */
const screenEscapes = (s: string) => tmux('capture-pane', '-p', '-e', '-t', s)
const linesWith = (s: string, text: string) =>
  screen(s)
    .split('\n')
    .filter((l) => l.includes(text))
const shown = async (s: string, what: string, test: (screen: string) => boolean) => {
  try {
    await until(what, () => Promise.resolve(test(screen(s))), 20_000)
  } catch (err) {
    throw new Error(`${(err as Error).message}; the screen:\n${screen(s)}`)
  }
}
const type = (s: string, line: string) => {
  tmux('send-keys', '-t', s, '-l', line)
  tmux('send-keys', '-t', s, 'Enter')
}
const texts = async (d: Daemon, args: string[]) =>
  (await jsonLines<MessageLine>(d.home, args)).map((m) => m.text)

function openChat(s: string, home: string, ref: string, env = ''): void {
  tmux(
    'new-session',
    '-d',
    '-s',
    s,
    '-x',
    '120',
    '-y',
    '30',
    `${env}${KITH} --home ${home} chat ${ref}`,
  )
}

async function closeChat(s: string): Promise<void> {
  type(s, '/quit')
  await until(
    'chat exited',
    () =>
      Promise.resolve(
        spawnSync('tmux', ['has-session', '-t', s]).status !== 0 || screen(s).trim() === '',
      ),
    10_000,
  )
}

describe('kith chat in a terminal', { timeout: 240_000 }, () => {
  it(
    'behaves like a messenger: commands, ticks in place, group chat, colour',
    { skip: hasTmux ? false : 'tmux is not installed (.ci/run installs it)' },
    async () => {
      const [a, b] = await startPair(homes)
      const [s1, s2] = sessions as [string, string]
      await json(b.home, ['send', 'alice', 'earlier message', '--wait'])
      openChat(s1, b.home, 'alice')
      await shown(s1, 'history shown', (t) => t.includes('earlier message'))
      // A date line before the first message of the day.
      const today = new Date().toLocaleDateString('en-GB', { day: 'numeric', month: 'long' })
      assert.match(screen(s1), new RegExp(`── .*${today}.* ──`))
      // Colour on a TTY without NO_COLOR (SGR sequences in the pane).
      assert.match(screenEscapes(s1), SGR)

      type(s1, '/help')
      await shown(s1, '/help listed', (t) => t.includes('/read') && t.includes('//text'))

      type(s1, '/frobnicate now')
      await shown(s1, 'unknown command refused', (t) => t.includes('Unknown command /frobnicate'))
      type(s1, '//slash text')
      type(s1, 'typed in the terminal')
      const got = await until('alice received the typed lines', async () => {
        const ms = await jsonLines<MessageLine>(a.home, ['messages'])
        return (
          ms.some((m) => m.text === '/slash text') &&
          ms.find((m) => m.text === 'typed in the terminal')
        )
      })
      assert.equal(got.from, b.peerId)
      const all = await texts(a, ['messages'])
      assert.ok(
        !all.some((t) => t.includes('frobnicate') || t.includes('/help')),
        'no command sent',
      )

      // ✓ → ✓✓ on the message's own line: exactly one line holds the text.
      await shown(s1, 'delivered tick on screen', (t) => /typed in the terminal\s+✓✓/.test(t))
      assert.equal(linesWith(s1, 'typed in the terminal').length, 1, screen(s1))
      // Alice reads it: ✓✓✓ on the same line.
      await json(a.home, ['read', b.peerId])
      await shown(s1, 'read tick on screen', (t) => /typed in the terminal\s+✓✓✓/.test(t))
      assert.equal(linesWith(s1, 'typed in the terminal').length, 1, screen(s1))
      assert.equal(linesWith(s1, 'earlier message').length, 1, screen(s1))

      await json(a.home, ['send', b.peerId, 'live reply from alice'])
      await shown(s1, 'reply shown live', (t) => t.includes('live reply from alice'))
      // /read marks it read: Bob's unread count drops to 0 and Alice sees `read`.
      type(s1, '/read')
      await shown(s1, '/read answered', (t) => /marked \d+ messages? read/.test(t))
      await until('alice sees her message read', async () => {
        const ms = await jsonLines<MessageLine>(a.home, ['messages'])
        return ms.find((m) => m.text === 'live reply from alice')?.status === 'read'
      })

      // /react, /reply, /edit and /delete act on the last message received or sent here.
      type(s1, '/react 👍')
      const reacted = await until('alice sees the reaction', async () => {
        const ms = await jsonLines<MessageLine & { reactions?: Record<string, string[]> }>(a.home, [
          'messages',
        ])
        const m = ms.find((x) => x.text === 'live reply from alice')
        return (m?.reactions?.['👍'] ?? []).includes(b.peerId) ? m : undefined
      })
      type(s1, '/reply answering you')
      const reply = await until('alice gets the reply', async () => {
        const ms = await jsonLines<MessageLine & { replyTo?: string | null }>(a.home, ['messages'])
        return ms.find((x) => x.text === 'answering you')
      })
      assert.equal(reply.replyTo, reacted.id, 'the reply quotes the last message received')
      type(s1, '/edit answering you, edited')
      await until('alice sees the edit', async () => {
        const ms = await jsonLines<MessageLine & { editedAt?: number | null }>(a.home, ['messages'])
        const m = ms.find((x) => x.id === reply.id)
        return m?.text === 'answering you, edited' && m.editedAt != null ? true : undefined
      })
      await shown(s1, 'edited shown in place', (t) => /answering you, edited.*\(edited\)/.test(t))
      type(s1, '/delete')
      await until('deleted on alice’s side too', async () => {
        const ms = await jsonLines<MessageLine & { deleted?: boolean }>(a.home, ['messages'])
        const m = ms.find((x) => x.id === reply.id)
        return m?.deleted === true && m.text === '' ? true : undefined
      })

      // A group message seen from the 1:1 chat names its group.
      const g = await json<{ groupId: string }>(b.home, ['group', 'create', 'friends'])
      await json(b.home, ['group', 'add', 'friends', 'alice'])
      await until(
        'alice is in the group',
        async () => {
          const list = await json<{ groupId: string }[]>(a.home, ['group', 'list'])
          return list.some((x) => x.groupId === g.groupId)
        },
        60_000,
      )
      await json(a.home, ['group', 'send', g.groupId, 'hello group'])
      await shown(s1, 'group notice', (t) => t.includes('(alice in friends: new message)'))
      assert.ok(!screen(s1).includes('(new message from alice)'))
      await closeChat(s1)

      // `kith chat <group>`, without colour under NO_COLOR.
      openChat(s2, b.home, 'friends', 'NO_COLOR=1 ')
      await shown(s2, 'group history', (t) => /alice: hello group/.test(t))
      // History lines are notices ("* you added alice"), not messages from someone.
      await shown(s2, 'group event line', (t) => /^\* you added /m.test(t))
      assert.doesNotMatch(screen(s2), /me: you added/, 'an event line shown as a message')
      type(s2, 'to the whole group')
      await until('alice got the group line', async () =>
        (await texts(a, ['group', 'messages', g.groupId])).includes('to the whole group'),
      )
      await json(a.home, ['group', 'send', g.groupId, 'second to group'])
      await shown(s2, 'live group message', (t) => /alice: second to group/.test(t))
      assert.doesNotMatch(screenEscapes(s2), SGR, 'no colour with NO_COLOR')
      await closeChat(s2)
    },
  )
})
