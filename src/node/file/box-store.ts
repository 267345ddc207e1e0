// The chunks a mailbox holds for recipients that are away (docs/files.md "Offline delivery"):
// sealed file chunks deposited by a sender, kept ON DISK (never in SQLite, never in memory
// beyond a small index) as <dir>/<recipient>/<fileId>/<index>, with the depositor of a
// (recipient, fileId) pair and its network prefix in <dir>/<recipient>/<fileId>/owner (the first depositor owns it: no
// one else can add to or overwrite it). Bounded by per-depositor, per-recipient,
// per-network-prefix and total byte quotas and an expiry (FILE_HOLD_MS, from each chunk's mtime, so it survives restarts). The
// chunks are ciphertext the box cannot open nor verify (it has no manifest): the recipient
// verifies every chunk against its manifest. It knows nothing of streams or peers' rights.
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { bump } from '../tally.js'
import { FileBoxQuotaError, FileBoxRefusedError } from './errors.js'

/** How long a mailbox keeps deposited chunks: 48 h, as SimpleX's XFTP relays hold files — long
 *  enough for a recipient away over a night or a weekend day, short enough that a relay's disk
 *  turns over. `kith relay --file-hold-hours` changes it. */
export const FILE_HOLD_MS = 48 * 3_600_000
/** Chunk bytes a mailbox holds in total: a relay's disk budget for files (a quarter of its 1 GiB
 *  envelope budget's order; a file is far bigger than a message). */
export const FILEBOX_MAX_TOTAL_BYTES = 256 * 1024 * 1024
/** Chunk bytes held for one recipient: a quarter of the total, so four recipients' worth of big
 *  files cannot be crowded out by one. */
export const FILEBOX_QUOTA_PER_RECIPIENT_BYTES = 64 * 1024 * 1024
/** Chunk bytes one depositor may have held, over all recipients: one sender cannot fill the box. */
export const FILEBOX_QUOTA_PER_DEPOSITOR_BYTES = 64 * 1024 * 1024
/** Chunk bytes held from one network prefix (node/connectivity/net-prefix.ts: an IPv4 /24, an IPv6 /48, or
 *  one relay's circuits), over all its identities: half the total, so identities being free
 *  (issue 11 finding 9), one network can never fill the box alone and others still get in. */
export const FILEBOX_QUOTA_PER_PREFIX_BYTES = 128 * 1024 * 1024
/** How often expired chunks are swept while running (also at start and before each deposit's
 *  quota check would refuse). */
export const FILEBOX_SWEEP_MS = 10 * 60_000

/** The file box's directory inside KITH_HOME (daemon and relay alike). */
export const FILEBOX_DIR = 'filebox'

export interface FileBoxLimits {
  holdMs?: number
  totalBytes?: number
  perRecipientBytes?: number
  perDepositorBytes?: number
  perPrefixBytes?: number
}

interface Held {
  bytes: number
  depositor: string
  prefix: string
  at: number
}

/** The `owner` file: who deposited a (recipient, fileId) and from which network prefix. */
interface Owner {
  depositor: string
  prefix: string
}

const HEX32 = /^[0-9a-f]{32}$/
const PEER = /^[1-9A-HJ-NP-Za-km-z]{40,64}$/

export class FileBoxStore {
  readonly #dir: string
  readonly #holdMs: number
  readonly #total: number
  readonly #perRecipient: number
  readonly #perDepositor: number
  readonly #perPrefix: number
  readonly #now: () => number
  /** `${recipient}/${fileId}/${index}` → what is on disk. */
  readonly #held = new Map<string, Held>()
  readonly #owners = new Map<string, Owner>()
  readonly #byRecipient = new Map<string, number>()
  readonly #byDepositor = new Map<string, number>()
  readonly #byPrefix = new Map<string, number>()
  #bytes = 0

  constructor(dir: string, limits: FileBoxLimits = {}, now: () => number = Date.now) {
    this.#dir = dir
    this.#holdMs = limits.holdMs ?? FILE_HOLD_MS
    this.#total = limits.totalBytes ?? FILEBOX_MAX_TOTAL_BYTES
    this.#perRecipient = limits.perRecipientBytes ?? FILEBOX_QUOTA_PER_RECIPIENT_BYTES
    this.#perDepositor = limits.perDepositorBytes ?? FILEBOX_QUOTA_PER_DEPOSITOR_BYTES
    this.#perPrefix = limits.perPrefixBytes ?? FILEBOX_QUOTA_PER_PREFIX_BYTES
    this.#now = now
  }

  /** Rebuilds the index from disk (what a previous run held), dropping what expired. */
  async init(): Promise<void> {
    await mkdir(this.#dir, { recursive: true, mode: 0o700 })
    for (const recipient of await readdir(this.#dir).catch(() => [])) {
      if (!PEER.test(recipient)) continue
      for (const fileId of await readdir(join(this.#dir, recipient)).catch(() => [])) {
        const fdir = join(this.#dir, recipient, fileId)
        const owner = await readFile(join(fdir, 'owner'), 'utf8')
          .then((t) => JSON.parse(t) as Owner)
          .catch(() => undefined)
        if (
          !HEX32.test(fileId) ||
          typeof owner?.depositor !== 'string' ||
          !PEER.test(owner.depositor) ||
          typeof owner.prefix !== 'string'
        ) {
          await rm(fdir, { recursive: true, force: true })
          continue
        }
        this.#owners.set(`${recipient}/${fileId}`, owner)
        for (const name of await readdir(fdir)) {
          if (!/^\d{1,10}$/.test(name)) continue
          const st = await stat(join(fdir, name))
          this.#index(recipient, fileId, Number(name), {
            bytes: st.size,
            ...owner,
            at: st.mtimeMs,
          })
        }
      }
    }
    await this.sweep()
  }

  #index(recipient: string, fileId: string, index: number, h: Held): void {
    this.#held.set(`${recipient}/${fileId}/${index}`, h)
    this.#bytes += h.bytes
    bump(this.#byRecipient, recipient, h.bytes)
    bump(this.#byDepositor, h.depositor, h.bytes)
    bump(this.#byPrefix, h.prefix, h.bytes)
  }

  #path(recipient: string, fileId: string, index?: number): string {
    const p = join(this.#dir, recipient, fileId)
    return index === undefined ? p : join(p, String(index))
  }

  /** Stores one chunk. FileBoxRefusedError: another depositor owns this file here;
   *  FileBoxQuotaError: over a quota (nothing stored). */
  async put(
    recipient: string,
    depositor: string,
    prefix: string,
    fileId: string,
    index: number,
    data: Uint8Array,
  ): Promise<void> {
    if (!PEER.test(recipient) || !PEER.test(depositor) || !HEX32.test(fileId)) {
      throw new FileBoxRefusedError('bad recipient, depositor or file id')
    }
    const fkey = `${recipient}/${fileId}`
    const owner = this.#owners.get(fkey)
    if (owner !== undefined && owner.depositor !== depositor) {
      throw new FileBoxRefusedError('another depositor holds this file here')
    }
    const prev = this.#held.get(`${fkey}/${index}`)
    const grow = data.length - (prev?.bytes ?? 0)
    const over = () =>
      this.#bytes + grow > this.#total
        ? 'total'
        : (this.#byRecipient.get(recipient) ?? 0) + grow > this.#perRecipient
          ? 'recipient'
          : (this.#byDepositor.get(depositor) ?? 0) + grow > this.#perDepositor
            ? 'depositor'
            : (this.#byPrefix.get(owner?.prefix ?? prefix) ?? 0) + grow > this.#perPrefix
              ? 'network prefix'
              : undefined
    if (over() !== undefined) await this.sweep()
    const which = over()
    if (which !== undefined) throw new FileBoxQuotaError(`file box quota (${which}) exceeded`)
    await mkdir(this.#path(recipient, fileId), { recursive: true, mode: 0o700 })
    if (owner === undefined) {
      const o: Owner = { depositor, prefix }
      await writeFile(join(this.#path(recipient, fileId), 'owner'), JSON.stringify(o), {
        mode: 0o600,
      })
      this.#owners.set(fkey, o)
    }
    await writeFile(this.#path(recipient, fileId, index), data, { mode: 0o600 })
    if (prev !== undefined) this.#forget(recipient, `${fkey}/${index}`, prev)
    // Counted under the prefix the file was first deposited from (its owner's).
    this.#index(recipient, fileId, index, {
      bytes: data.length,
      depositor,
      prefix: owner?.prefix ?? prefix,
      at: this.#now(),
    })
  }

  #forget(recipient: string, key: string, h: Held): void {
    this.#held.delete(key)
    this.#bytes -= h.bytes
    bump(this.#byRecipient, recipient, -h.bytes)
    bump(this.#byDepositor, h.depositor, -h.bytes)
    bump(this.#byPrefix, h.prefix, -h.bytes)
  }

  /** Whether anything of `fileId` is held for `recipient`. */
  holds(recipient: string, fileId: string): boolean {
    return this.#owners.has(`${recipient}/${fileId}`)
  }

  /** The chunk held for `recipient`, or undefined (never held, expired, or unreadable). */
  async get(recipient: string, fileId: string, index: number): Promise<Uint8Array | undefined> {
    const h = this.#held.get(`${recipient}/${fileId}/${index}`)
    if (h === undefined || this.#now() - h.at > this.#holdMs) return undefined
    try {
      return new Uint8Array(await readFile(this.#path(recipient, fileId, index)))
    } catch {
      return undefined
    }
  }

  /** Deletes every chunk older than the hold time (and files left empty). */
  async sweep(): Promise<void> {
    const cutoff = this.#now() - this.#holdMs
    const touched = new Set<string>()
    for (const [key, h] of [...this.#held]) {
      if (h.at > cutoff) continue
      const [recipient = '', fileId = '', index = ''] = key.split('/')
      this.#forget(recipient, key, h)
      await rm(this.#path(recipient, fileId, Number(index)), { force: true })
      touched.add(`${recipient}/${fileId}`)
    }
    for (const fkey of touched) {
      if ([...this.#held.keys()].some((k) => k.startsWith(`${fkey}/`))) continue
      this.#owners.delete(fkey)
      await rm(join(this.#dir, fkey), { recursive: true, force: true })
    }
  }

  usage(): { bytes: number; chunks: number; files: number } {
    return { bytes: this.#bytes, chunks: this.#held.size, files: this.#owners.size }
  }
}
