// Node commands (CLI.md "Node"): init, id, daemon, relay, status, peers. `init`, `id`, `daemon`
// and `relay` work on the store through the composition root (loaded lazily: src/daemon/local.ts,
// daemon.ts, relay.ts); the rest ask the API.
import type { Command } from 'commander'
import { collect, ctxOf } from '../context.js'
import { parseFileHoldHours, parseMailboxAddr, parseMailboxTtl } from '../options.js'
import { printable, table, UsageError, writeJson, writeOut } from '../output.js'

/** `--api HOST:PORT` (or just PORT): the API binds to 127.0.0.1 only. */
export function parseApiAddress(value: string): { host: '127.0.0.1'; port: number } {
  const m = /^(?:(127\.0\.0\.1|localhost):)?(\d{1,5})$/.exec(value)
  const port = Number(m?.[2])
  if (m === null || port > 65535) {
    throw new UsageError(`--api must be 127.0.0.1:PORT (the API is local only), not "${value}"`)
  }
  return { host: '127.0.0.1', port }
}

/** `--stun-port`: a UDP port, 0 for any. */
export function parseStunPort(value: string): number {
  const port = Number(value)
  if (!/^\d{1,5}$/.test(value) || port > 65535) {
    throw new UsageError(`--stun-port must be a UDP port (0-65535), not "${value}"`)
  }
  return port
}

/** A time for humans: local ISO-like date and time, to the second. */
function when(ms: number): string {
  const d = new Date(ms)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

/** The flags `daemon` and `relay` share. */
interface HomeFlags {
  listen: string[]
  bootstrap: string[]
  mdns: boolean
  api: string
  name?: string
}

/** The options `daemon` and `relay` share, last in their help. */
function withHomeFlags(cmd: Command): Command {
  return cmd
    .option('--no-mdns', 'do not discover peers on the LAN')
    .option('--api <host:port>', 'local API address', '127.0.0.1:0')
    .option('--name <name>', 'name of the identity, if one is created')
}

/** What `daemon` and `relay` both hand the composition root (src/daemon/run.ts). */
async function homeOptions(o: HomeFlags, cmd: Command) {
  const ctx = ctxOf(cmd)
  const api = parseApiAddress(o.api)
  const { passphraseFromEnv } = await import('../../daemon/local.js')
  return {
    home: ctx.home,
    listen: o.listen,
    bootstrap: o.bootstrap,
    mdns: o.mdns,
    api,
    passphrase: passphraseFromEnv(),
    name: o.name,
    json: ctx.json,
  }
}

export function registerNode(program: Command): void {
  program
    .command('init')
    .description('create this node’s identity and store')
    .option('--name <name>', 'the name shown to contacts')
    .action(async (o: { name?: string }, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const { initNode, passphraseFromEnv } = await import('../../daemon/local.js')
      const id = initNode(ctx.home, o.name, passphraseFromEnv())
      if (ctx.json) writeJson(id)
      else writeOut(`Created identity ${id.peerId} (${printable(id.name)}) in ${ctx.home}`)
    })

  program
    .command('id')
    .description('print this node’s identity (no daemon needed)')
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const { passphraseFromEnv, showIdentity } = await import('../../daemon/local.js')
      const id = showIdentity(ctx.home, passphraseFromEnv())
      if (ctx.json) writeJson(id)
      else writeOut(`${id.peerId}  ${printable(id.name)}`)
    })

  const daemon = program
    .command('daemon')
    .description('run the node in the foreground (creates it first if needed)')
    .option('--listen <multiaddr>', 'listen address (repeatable)', collect, [])
    .option('--bootstrap <multiaddr>', 'bootstrap peer (repeatable)', collect, [])
    .option(
      '--mailbox <multiaddr>',
      'a mailbox you chose, with /p2p/<id> (repeatable)',
      collect,
      [],
    )
    .option(
      '--stun <host:port>',
      'STUN server for hole punching (repeatable; default: port 3478 of each bootstrap relay)',
      collect,
    )
    .option('--no-upnp', 'do not map the listen port on the router (UPnP IGD)')
  withHomeFlags(daemon).action(async (o: DaemonFlags, cmd: Command) => {
    const { runDaemon } = await import('../../daemon/daemon.js')
    process.exitCode = await runDaemon({
      ...(await homeOptions(o, cmd)),
      mailbox: o.mailbox.map(parseMailboxAddr),
      stun: o.stun,
      upnp: o.upnp,
    })
  })

  const relay = program
    .command('relay')
    .description(
      'run a public node: circuit relay, DHT server, bootstrap peer and mailbox for others',
    )
    .option(
      '--listen <multiaddr>',
      'listen address (repeatable; default /ip4/0.0.0.0/tcp/4001 and /ip4/0.0.0.0/tcp/4002/ws)',
      collect,
      [],
    )
    .option('--announce <multiaddr>', 'public address to announce (repeatable)', collect, [])
    .option(
      '--bootstrap <multiaddr>',
      'another relay to join the DHT through (repeatable)',
      collect,
      [],
    )
    .option('--stun-port <port>', 'UDP port of the STUN server (0: any)', '3478')
    .option('--no-stun', 'run no STUN server')
    .option('--mailbox-ttl <days>', 'how long held mail is kept: N[d|h|m] (default 14d, max 90d)')
    .option('--file-hold-hours <hours>', 'how long deposited file chunks are kept (default 48)')
  withHomeFlags(relay).action(async (o: RelayFlags, cmd: Command) => {
    const { runRelay } = await import('../../daemon/relay.js')
    process.exitCode = await runRelay({
      ...(await homeOptions(o, cmd)),
      fileHoldMs: o.fileHoldHours !== undefined ? parseFileHoldHours(o.fileHoldHours) : undefined,
      mailboxTtlMs: o.mailboxTtl !== undefined ? parseMailboxTtl(o.mailboxTtl) : undefined,
      announce: o.announce,
      stunPort: o.stun ? parseStunPort(o.stunPort) : undefined,
    })
  })

  program
    .command('status')
    .description('node state')
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const client = ctx.client()
      const s = await client.status()
      if (ctx.json) {
        writeJson(s)
        return
      }
      // A contact's name next to a PeerId it appears as (a relay, a mailbox; issue 14).
      // `kith relay` has no contacts (its API answers 404): then PeerIds alone.
      const contacts = await client.listContacts().catch(() => [])
      const names = new Map(contacts.map((c) => [c.peerId, c.name]))
      const label = (peerId: string): string => {
        const name = names.get(peerId)
        return name === undefined ? peerId : `${printable(name)} (${peerId})`
      }
      writeOut(
        [
          `Peer ID      ${s.peerId}`,
          `Name         ${printable(s.name)}`,
          `NAT          ${s.nat}`,
          ...(s.network === undefined
            ? []
            : [`Network      ${s.network} since ${when(s.networkSince ?? 0)}`]),
          `Connections  ${s.connections}`,
          ...(s.contactsConnected === undefined
            ? []
            : [
                `Contacts     ${s.contactsConnected.direct} connected directly, ${s.contactsConnected.relayed} through a relay`,
              ]),
          ...(s.reservations === undefined
            ? []
            : s.reservations.length === 0
              ? ['Relays       no reservation']
              : s.reservations.map(
                  (r, i) =>
                    `${i === 0 ? 'Relays      ' : '            '} ${label(r.relay)} since ${when(r.since)} (${r.addr})`,
                )),
          ...(s.upnp == null
            ? []
            : [
                `Port map     ${printable(s.upnp.externalAddr)} on ${printable(s.upnp.gateway)} since ${when(s.upnp.since)}${s.upnp.protocol === 'nat-pmp' ? ' (NAT-PMP)' : ''}`,
              ]),
          `Mailboxes    ${s.mailboxes.length === 0 ? 'none' : s.mailboxes.map(label).join(', ')}`,
          'Addresses',
          ...(s.addrs.length === 0 ? ['  none'] : s.addrs.map((a) => `  ${a}`)),
        ].join('\n'),
      )
    })

  program
    .command('peers')
    .description('connected peers')
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const client = ctx.client()
      const [list, contacts] = await Promise.all([client.peers(), client.listContacts()])
      // A contact's name next to its PeerId (the name we gave it; issue 14).
      const names = new Map(contacts.map((c) => [c.peerId, c.name]))
      const peers = list.map((p) => {
        const name = names.get(p.peerId)
        return name === undefined ? p : { ...p, name }
      })
      if (ctx.json) {
        writeJson(peers)
        return
      }
      if (peers.length === 0) {
        writeOut('no connected peers')
        return
      }
      writeOut(
        table(
          ['PEER', 'NAME', 'LINK', 'PROTOCOLS', 'ADDRESS'],
          peers.map((p) => [
            p.peerId,
            'name' in p ? printable(p.name) : '',
            p.direct ? 'direct' : 'relayed',
            String(p.protocols.length),
            printable(p.addrs[0] ?? ''), // as the peer announced it
          ]),
        ),
      )
    })
}

interface RelayFlags extends HomeFlags {
  announce: string[]
  stun: boolean
  stunPort: string
  mailboxTtl?: string
  fileHoldHours?: string
}

interface DaemonFlags extends HomeFlags {
  mailbox: string[]
  stun?: string[]
  upnp: boolean
}
