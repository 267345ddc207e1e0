// Where a node's data lives (CLI.md "Conventions"): `--home DIR`, else $KITH_HOME, else
// $XDG_DATA_HOME/kith, else ~/.local/share/kith. Pure: the environment is passed in.
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

export function resolveHome(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  home: () => string = homedir,
): string {
  if (flag !== undefined && flag !== '') return resolve(flag)
  if (env.KITH_HOME !== undefined && env.KITH_HOME !== '') return resolve(env.KITH_HOME)
  // XDG Base Directory spec: a relative XDG_DATA_HOME is invalid and must be ignored.
  const xdg = env.XDG_DATA_HOME
  if (xdg !== undefined && xdg.startsWith('/')) return join(xdg, 'kith')
  return join(home(), '.local', 'share', 'kith')
}
