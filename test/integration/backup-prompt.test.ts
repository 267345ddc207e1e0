// `kith backup` / `kith restore` on a terminal without KITH_BACKUP_PASSPHRASE (CLI.md): the
// passphrase is asked for without echo — twice for a backup, a mismatch refused — and the file it
// writes opens with it. The terminal is a pty from script(1); answers are typed only once the
// prompt is shown (else the pty would echo them before raw mode is on).
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { KITH, newHome, run } from './harness.js'

/** Runs `kith args` on a pty, typing each answer when its prompt appears. */
function onTty(
  home: string,
  args: string[],
  answers: Array<[RegExp, string]>,
): Promise<{ code: number; out: string }> {
  const env = { ...process.env }
  delete env.KITH_BACKUP_PASSPHRASE
  const p = spawn('script', ['-qec', [KITH, '--home', home, ...args].join(' '), '/dev/null'], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let out = ''
  let next = 0
  const onData = (d: Buffer) => {
    out += d.toString()
    const a = answers[next]
    if (a !== undefined && a[0].test(out)) {
      next++
      p.stdin.write(a[1])
    }
  }
  p.stdout.on('data', onData)
  p.stderr.on('data', onData)
  const timer = setTimeout(() => p.kill('SIGKILL'), 60_000)
  return new Promise((resolve) =>
    p.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code: code ?? -1, out })
    }),
  )
}

void describe('backup passphrase prompt on a terminal', { timeout: 180_000 }, () => {
  const dir = newHome('backup-prompt')
  after(() => rmSync(dir, { recursive: true, force: true }))
  const home = join(dir, 'home')
  const file = join(dir, 'b.kithbackup')

  void it('asks twice without echo; a mismatch is refused; restore asks once', async () => {
    assert.equal((await run(home, ['init', '--name', 'tty'])).code, 0)
    const mismatch = await onTty(
      home,
      ['backup', '--out', file],
      [
        [/Backup passphrase: /, 'first one\r'],
        [/Again: /, 'second one\r'],
      ],
    )
    assert.notEqual(mismatch.code, 0)
    assert.match(mismatch.out, /do not match/)
    assert.ok(!existsSync(file))

    const ok = await onTty(
      home,
      ['backup', '--out', file],
      [
        [/Backup passphrase: /, 'typed secret\r'],
        [/Again: /, 'typed secret\r'],
      ],
    )
    assert.equal(ok.code, 0, ok.out)
    assert.ok(!ok.out.includes('typed secret'), 'the passphrase is not echoed')
    assert.ok(existsSync(file))

    const restored = await run(join(dir, 'restored'), ['restore', file, '--json'], {
      env: { KITH_BACKUP_PASSPHRASE: 'typed secret' },
    })
    assert.equal(restored.code, 0, restored.stderr)
    const viaTty = await onTty(
      join(dir, 'restored2'),
      ['restore', file],
      [[/Backup passphrase: /, 'typed secret\r']],
    )
    assert.equal(viaTty.code, 0, viaTty.out)
    assert.match(viaTty.out, /Restored 12D3KooW/)
  })
})
