// `kith web [--no-open]` (CLI.md "Web"): asks the daemon for a one-time login URL of the web app
// it serves, prints it and, unless --no-open, hands it to the desktop's browser opener when there
// is a desktop. The URL's code is good once and for 5 minutes (src/api/web-auth.ts); it is printed
// for this user only and never logged.
import { spawn } from 'node:child_process'
import type { Command } from 'commander'
import { ctxOf } from '../context.js'
import { formatTime, writeJson, writeOut } from '../output.js'

/** The platform's "open this URL" command, or undefined where there is no desktop to open on. */
function opener(): { cmd: string; args: string[] } | undefined {
  if (process.platform === 'darwin') return { cmd: 'open', args: [] }
  if (process.platform === 'win32') return { cmd: 'cmd', args: ['/c', 'start', '""'] }
  const env = process.env
  if ((env.DISPLAY ?? '') === '' && (env.WAYLAND_DISPLAY ?? '') === '') return undefined
  return { cmd: 'xdg-open', args: [] }
}

/** Starts the browser on `url`, detached; true if an opener was started. Failures are silent:
 *  the URL is printed anyway. */
function openBrowser(url: string): boolean {
  const o = opener()
  if (o === undefined) return false
  try {
    const child = spawn(o.cmd, [...o.args, url], { detached: true, stdio: 'ignore' })
    child.on('error', () => undefined)
    child.unref()
    return true
  } catch {
    return false
  }
}

export function registerWeb(program: Command): void {
  program
    .command('web')
    .description('print (and open in a browser) a one-time login URL for the web app')
    .option('--no-open', 'only print the URL')
    .action(async (o: { open: boolean }, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const login = await ctx.client().webLogin()
      const opened = o.open && openBrowser(login.url)
      if (ctx.json) {
        writeJson(login)
        return
      }
      writeOut(login.url)
      writeOut(
        `Good once, until ${formatTime(login.expiresAt)}.${opened ? ' Opening your browser…' : ''}`,
      )
    })
}
