// `kith backup --out FILE` → {"path","bytes"} and `kith restore FILE` → {"peerId","contacts",
// "messages","sessions"} (CLI.md "Conversations, receipts, edits"; docs/security.md "Backups").
// The backup passphrase comes from KITH_BACKUP_PASSPHRASE; without it, on a terminal, it is asked
// for without echo (twice for a new backup), else the command refuses. KITH_PASSPHRASE still
// opens (or, on restore, protects) the store itself. Both work on the store directly
// (src/daemon/backup.ts, loaded lazily), not through the daemon.
import { existsSync, statSync } from 'node:fs'
import type { Command } from 'commander'
import { ctxOf } from '../context.js'
import { UsageError, writeErr, writeJson, writeOut } from '../output.js'

/** Reads a line from the terminal without echoing it (raw mode; Ctrl-C aborts). */
function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin
  return new Promise((resolve, reject) => {
    // Echo off before the prompt shows: what is typed after seeing it is never echoed.
    stdin.setRawMode(true)
    process.stderr.write(question)
    let value = ''
    stdin.resume()
    stdin.setEncoding('utf8')
    const done = (err?: Error) => {
      stdin.setRawMode(false)
      stdin.pause()
      stdin.off('data', onData)
      process.stderr.write('\n')
      if (err !== undefined) reject(err)
      else resolve(value)
    }
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done()
        if (ch === '\u0003') return done(new UsageError('cancelled'))
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1)
        else value += ch
      }
    }
    stdin.on('data', onData)
  })
}

/** KITH_BACKUP_PASSPHRASE, else a prompt on a terminal, else UsageError. */
async function backupPassphrase(confirm: boolean): Promise<string> {
  const env = process.env.KITH_BACKUP_PASSPHRASE
  if (env !== undefined && env !== '') return env
  if (process.stdin.isTTY !== true) {
    throw new UsageError('set KITH_BACKUP_PASSPHRASE (not empty) to the backup’s passphrase')
  }
  const p = await promptHidden('Backup passphrase: ')
  if (p === '') throw new UsageError('the backup passphrase must not be empty')
  if (confirm && (await promptHidden('Again: ')) !== p) {
    throw new UsageError('the passphrases do not match')
  }
  return p
}

export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description(
      'write an encrypted backup of identity, contacts, groups and history ' +
        '(passphrase: KITH_BACKUP_PASSPHRASE); never the sessions',
    )
    .requiredOption('--out <file>', 'where to write it (0600; replaced atomically)')
    .action(async (o: { out: string }, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const passphrase = await backupPassphrase(true)
      const { passphraseFromEnv } = await import('../../daemon/local.js')
      const { backupHome } = await import('../../daemon/backup.js')
      const r = backupHome(ctx.home, o.out, passphrase, passphraseFromEnv())
      if (ctx.json) writeJson(r)
      else writeOut(`Wrote ${r.bytes} bytes to ${r.path}`)
    })

  program
    .command('restore <file>')
    .description(
      'restore a backup into an empty KITH_HOME (no daemon running); sessions with contacts ' +
        'are started afresh, never replayed',
    )
    .action(async (file: string, _o: unknown, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const passphrase = await backupPassphrase(false)
      const { passphraseFromEnv } = await import('../../daemon/local.js')
      const { MAX_BACKUP_FILE_BYTES, restoreHome } = await import('../../daemon/backup.js')
      if (!existsSync(file)) throw new UsageError(`no such file: ${file}`)
      if (statSync(file).size > MAX_BACKUP_FILE_BYTES) {
        throw new UsageError(`${file} is larger than any backup (${MAX_BACKUP_FILE_BYTES} bytes)`)
      }
      const r = restoreHome(ctx.home, file, passphrase, passphraseFromEnv())
      if (ctx.json) {
        writeJson(r)
        return
      }
      writeOut(`Restored ${r.peerId}: ${r.contacts} contacts, ${r.messages} messages`)
      if (r.sessions < r.contacts) {
        writeErr(
          `${r.contacts - r.sessions} contact(s) had no saved card: the daemon looks their ` +
            'cards up when they connect (or add their invite again)',
        )
      }
    })
}
