// stop() leaves no timers or handles behind: a child process that ran two nodes (a DM each way,
// watches with redial timers armed) exits by itself promptly after stopping them.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const fixture = fileURLToPath(new URL('./fixtures/lifecycle.ts', import.meta.url))

describe('node lifecycle', () => {
  it('after stop() the process exits on its own within 1 s', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    let stoppedAt = 0
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      if (stoppedAt === 0 && out.includes('stopped')) stoppedAt = Date.now()
    })
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000)
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
    clearTimeout(killer)
    const exitMs = Date.now() - stoppedAt
    assert.equal(code, 0, out)
    assert.ok(stoppedAt > 0, out)
    const handles = JSON.parse(/stopped (.*)/.exec(out)![1]!) as string[]
    console.log(
      `# exit ${exitMs} ms after stop; handles right after stop: ${handles.join(', ') || 'none'}`,
    )
    assert.ok(exitMs < 1_000, `exited ${exitMs} ms after stop`)
  })
})
