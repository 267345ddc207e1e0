// File commands (CLI.md "Files", "Files, more"; docs/files.md): file send/list/get/cancel.
// Through the daemon's API only; paths are made absolute here (the daemon runs elsewhere). A
// progress bar on stderr, only when stderr is a TTY (cli-progress): while `send` seals (from the
// daemon's `sealing` events for our path) and while `get` fetches (polling `file list`). Names are a peer's: human output passes them through
// `printable`.
import { resolve } from 'node:path'
import cliProgress from 'cli-progress'
import type { Command } from 'commander'
import type { ApiClient } from '../../api/client.js'
import { ctxOf } from '../context.js'
import { printable, table, writeJson, writeOut } from '../output.js'

/** How often the progress bar asks the daemon how far a download got. */
export const FILE_PROGRESS_POLL_MS = 250

const FILE_ID = /^[0-9a-f]{32}$/

function human(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`
}

/** Runs `work` with a progress bar fed by polling the file's `have` (TTY only). */
async function withProgress<T>(
  client: ApiClient,
  fileId: string,
  show: boolean,
  work: Promise<T>,
): Promise<T> {
  if (!show) return work
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: ' {bar} {percentage}% | {have} of {size}', hideCursor: true },
    cliProgress.Presets.shades_classic,
  )
  let started = false
  const poll = setInterval(() => {
    void client
      .listFiles()
      .then((rows) => {
        const r = rows.find((x) => x.fileId === fileId)
        if (r === undefined) return
        const payload = { have: human(r.have), size: human(r.size) }
        if (!started) bar.start(Math.max(1, r.size), r.have, payload)
        else bar.update(r.have, payload)
        started = true
      })
      .catch(() => undefined)
  }, FILE_PROGRESS_POLL_MS)
  try {
    return await work
  } finally {
    clearInterval(poll)
    if (started) bar.stop()
  }
}

/** `file send` with a progress bar (TTY only) fed by the daemon's `sealing` events. */
async function sendWithProgress(client: ApiClient, to: string, path: string, show: boolean) {
  if (!show) return client.sendFile(to, path)
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: ' {bar} {percentage}% sealed | {have} of {size}' },
    cliProgress.Presets.shades_classic,
  )
  let started = false
  const events = await client
    .events((e) => {
      if (e.event !== 'file' || e.state !== 'sealing' || e.path !== path) return
      const payload = { have: human(e.have), size: human(e.size) }
      if (!started) bar.start(Math.max(1, e.size), e.have, payload)
      else bar.update(e.have, payload)
      started = true
    })
    .catch(() => undefined)
  try {
    return await client.sendFile(to, path)
  } finally {
    events?.close()
    if (started) bar.stop()
  }
}

export function registerFile(program: Command): void {
  const file = program.command('file').description('send and fetch files')

  file
    .command('send <to> <path>')
    .description('encrypt a file once and send it to a contact')
    .action(async (to: string, path: string, _o: unknown, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const r = await sendWithProgress(ctx.client(), to, resolve(path), process.stderr.isTTY)
      if (ctx.json) writeJson(r)
      else writeOut(`Sent ${printable(r.name)} (${human(r.size)}) as ${r.fileId}`)
    })

  file
    .command('list')
    .description('files sent and received, and how much of each is here')
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const rows = await ctx.client().listFiles()
      if (ctx.json) {
        writeJson(
          rows.map((r) => ({
            fileId: r.fileId,
            name: r.name,
            size: r.size,
            sha256: r.sha256,
            from: r.from,
            have: r.have,
            direction: r.direction,
            state: r.state,
          })),
        )
        return
      }
      if (rows.length === 0) {
        writeOut('no files')
        return
      }
      writeOut(
        table(
          ['FILE', 'NAME', 'SIZE', 'HAVE', 'STATE'],
          rows.map((r) => [
            r.fileId,
            printable(r.name),
            human(r.size),
            `${Math.floor((100 * r.have) / Math.max(1, r.size))}%`,
            r.direction === 'out' ? 'sent' : r.state,
          ]),
        ),
      )
    })

  file
    .command('get <fileId>')
    .description('fetch a file (resuming where an earlier attempt stopped) and write it out')
    .option('--out <path>', 'a directory, or the file to write (default: KITH_HOME/downloads)')
    .action(async (fileId: string, o: { out?: string }, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const id = fileId.toLowerCase()
      const client = ctx.client()
      const out = o.out === undefined ? undefined : resolve(o.out)
      const work = client.getFile(FILE_ID.test(id) ? id : fileId, out)
      const r = await withProgress(client, id, process.stderr.isTTY === true, work)
      if (ctx.json) writeJson(r)
      else writeOut(`${printable(r.path)} (${human(r.size)}, sha256 ${r.sha256})`)
    })

  file
    .command('cancel <fileId>')
    .description('stop fetching a file and drop its partial data (or stop serving one you sent)')
    .action(async (fileId: string, _o: unknown, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const r = await ctx.client().cancelFile(fileId.toLowerCase())
      if (ctx.json) writeJson(r)
      else writeOut(`Cancelled ${r.fileId}`)
    })
}
