// The mailboxes the user configured (docs/mailbox.md "Which mailboxes are ours"): `--mailbox`
// multiaddrs (named whatever they announce) and `--bootstrap` relays (named once seen to serve
// mailboxes), by PeerId. Pure parsing; it knows nothing of choosing, depositing or fetching.
import { multiaddr } from '@multiformats/multiaddr'

/** A mailbox the user configured (`--bootstrap` relay or `--mailbox`): its PeerId and address. */
export interface ConfiguredMailbox {
  peerId: string
  /** `--mailbox`: named whatever it announces; `--bootstrap`: once it is seen to serve mailboxes. */
  explicit: boolean
  addrs: string[]
}

/** The PeerIds and addresses of configured multiaddrs; those without /p2p/<id> are skipped. */
export function configuredMailboxes(
  bootstrap: readonly string[],
  explicit: readonly string[],
): ConfiguredMailbox[] {
  const out = new Map<string, ConfiguredMailbox>()
  const add = (ma: string, isExplicit: boolean) => {
    let peerId: string | undefined
    try {
      peerId = multiaddr(ma)
        .getComponents()
        .findLast((c) => c.name === 'p2p')?.value
    } catch {
      peerId = undefined
    }
    if (peerId === undefined) return
    const e = out.get(peerId) ?? { peerId, explicit: false, addrs: [] }
    e.explicit ||= isExplicit
    if (!e.addrs.includes(ma)) e.addrs.push(ma)
    out.set(peerId, e)
  }
  for (const ma of explicit) add(ma, true)
  for (const ma of bootstrap) add(ma, false)
  return [...out.values()]
}
