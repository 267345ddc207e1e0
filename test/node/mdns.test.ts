// mDNS discovery of a watched peer triggers an immediate dial. mDNS multicasts on every
// interface, so this runs only inside a private network namespace (`unshare -n`, needs root and
// iproute2) whose only interface is loopback; elsewhere the test is skipped.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const fixture = fileURLToPath(new URL('./fixtures/mdns.ts', import.meta.url))
const canNamespace =
  process.getuid?.() === 0 &&
  spawnSync('unshare', ['-n', 'ip', 'link', 'set', 'lo', 'up'], { stdio: 'ignore' }).status === 0

describe('mDNS (inside a network namespace)', () => {
  it(
    'a watched peer discovered over mDNS is dialled at once',
    { skip: canNamespace ? false : 'needs root and unshare -n' },
    () => {
      const setup =
        'ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo'
      const r = spawnSync(
        'unshare',
        ['-n', 'sh', '-c', `${setup} && exec "$0" --import tsx "$1"`, process.execPath, fixture],
        { encoding: 'utf8', timeout: 30_000 },
      )
      assert.equal(r.status, 0, r.stderr)
      const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
        discovered: boolean
        connected: boolean
        dialMs: number
      }
      console.log(`# mDNS: connected ${result.dialMs} ms after discovery`)
      assert.ok(result.discovered, 'B was not discovered')
      assert.ok(result.connected, 'A did not dial B after discovering it')
      assert.ok(result.dialMs < 2_000, `dial took ${result.dialMs} ms after discovery`)
    },
  )
})
