// The `kith` command line (CLI.md): builds the commander program, runs it, and turns every outcome
// into the contract's exit code and one-line error. Commands other than init, id and daemon talk
// to the running daemon through the local API only (src/api/client.ts).
import { readFileSync } from 'node:fs'
import { Command, CommanderError } from 'commander'
import { registerBackup } from './commands/backup.js'
import { registerChat } from './commands/chat.js'
import { registerContacts } from './commands/contacts.js'
import { registerConversations } from './commands/conversations.js'
import { registerEdits } from './commands/edits.js'
import { registerFile } from './commands/file.js'
import { registerGroup } from './commands/group.js'
import { registerMessages } from './commands/messages.js'
import { registerNode } from './commands/node.js'
import { registerProfile } from './commands/profile.js'
import { registerRequests } from './commands/requests.js'
import { registerSearch } from './commands/search.js'
import { registerWeb } from './commands/web.js'
import {
  errorLine,
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  exitCodeFor,
  writeErr,
  writeJson,
  writeOut,
} from './output.js'

/** The package's version (package.json is two levels up from src/cli and from dist/cli). */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version?: unknown
  }
  return typeof pkg.version === 'string' ? pkg.version : 'unknown'
}

/** `argv` is only read for --json, which `kith --version --json` may give after --version. */
export function buildProgram(argv: string[] = []): Command {
  const program = new Command('kith')
    .description('Kith: peer-to-peer, end-to-end encrypted chat')
    .option(
      '--home <dir>',
      'the node’s data directory (default: $KITH_HOME, else $XDG_DATA_HOME/kith, else ~/.local/share/kith)',
    )
    .option('--json', 'machine-readable output: one JSON document on stdout')
    .option('--version', 'print the version')
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    .showHelpAfterError(false)
  registerNode(program)
  registerContacts(program)
  registerMessages(program)
  registerChat(program)
  registerGroup(program)
  registerFile(program)
  registerRequests(program)
  registerProfile(program)
  registerConversations(program)
  registerEdits(program)
  registerSearch(program)
  registerBackup(program)
  registerWeb(program)
  program.on('option:version', () => {
    const v = version()
    if (argv.includes('--json')) writeJson({ version: v })
    else writeOut(`kith ${v}`)
    throw new CommanderError(0, 'commander.version', v)
  })
  return program
}

/** Runs the CLI on `argv` (without node and script) and resolves the exit code. */
export async function run(argv: string[]): Promise<number> {
  const program = buildProgram(argv)
  try {
    await program.parseAsync(argv, { from: 'user' })
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help / --version, and a bare `kith` or `kith contacts` (help on stderr: a usage error).
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT_OK
      if (err.code === 'commander.help') return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE
      writeErr(`UsageError: ${err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ')}`)
      return EXIT_USAGE
    }
    writeErr(errorLine(err))
    return exitCodeFor(err)
  }
}

/**
 * Exits once stdout and stderr have flushed. Writes to a pipe are asynchronous in Node, and
 * process.exit() drops what is still queued: `kith messages --json | …` lost everything past the
 * pipe's buffer (64 KiB). Exiting explicitly is still needed: the API client's keep-alive sockets
 * and the event stream would otherwise keep a finished command alive.
 */
function exitWhenFlushed(code: number): void {
  let pending = 2
  const done = () => {
    if (--pending === 0) process.exit(code)
  }
  process.stdout.write('', done)
  process.stderr.write('', done)
}

run(process.argv.slice(2)).then(exitWhenFlushed, (err: unknown) => {
  writeErr(errorLine(err))
  exitWhenFlushed(EXIT_FAILURE)
})
