// `kith chat` as a user meets it: a real terminal (tmux) attached to a real daemon. History is
// shown, a typed line is sent and acked (✓✓), and the peer's reply appears live.
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { json, jsonLines, KITH, startPair, stopAll, until, type MessageLine } from './harness.js'

const homes: string[] = []
const session = `kith-test-${process.pid}`
const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' })
const hasTmux = spawnSync('tmux', ['-V']).status === 0
after(() => {
  if (hasTmux) spawnSync('tmux', ['kill-session', '-t', session])
  stopAll(homes)
})

describe('kith chat in a terminal', { timeout: 120_000 }, () => {
  it(
    'shows history, sends typed lines with delivery ticks, shows replies live',
    { skip: hasTmux ? false : 'tmux is not installed (.ci/run installs it)' },
    async () => {
      const [a, b] = await startPair(homes)
      await json(b.home, ['send', 'alice', 'earlier message', '--wait'])
      tmux(
        'new-session',
        '-d',
        '-s',
        session,
        '-x',
        '120',
        '-y',
        '30',
        `${KITH} --home ${b.home} chat alice`,
      )
      const screen = () => tmux('capture-pane', '-p', '-t', session)
      await until(
        'history shown',
        () => Promise.resolve(screen().includes('earlier message')),
        20_000,
      )
      tmux('send-keys', '-t', session, 'typed in the terminal', 'Enter')
      const got = await until('alice received the typed line', async () => {
        const ms = await jsonLines<MessageLine>(a.home, ['messages'])
        return ms.find((m) => m.text === 'typed in the terminal')
      })
      assert.equal(got.from, b.peerId)
      await until(
        'delivered tick on screen',
        () => Promise.resolve(/typed in the terminal.*✓✓|✓✓.*typed in the terminal/.test(screen())),
        20_000,
      )
      await json(a.home, ['send', b.peerId, 'live reply from alice'])
      await until(
        'reply shown live',
        () => Promise.resolve(screen().includes('live reply from alice')),
        20_000,
      )
      tmux('send-keys', '-t', session, '/quit', 'Enter')
      await until(
        'chat exited',
        () =>
          Promise.resolve(
            spawnSync('tmux', ['has-session', '-t', session]).status !== 0 ||
              screen().trim() === '',
          ),
        10_000,
      )
    },
  )
})
