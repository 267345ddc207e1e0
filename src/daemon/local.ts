// The commands that work on the store directly, without a daemon: `init` and `id` (CLI.md
// "Node"), and the store opening `daemon` shares with them. Thin wrappers over src/store: this
// module decides only the defaults (identity name, KITH_PASSPHRASE) and always closes what it
// opened. Loaded lazily by src/cli/commands, so commands that only talk to the API never load
// SQLite.
import { userInfo } from 'node:os'
import { IdentityKeyPair } from '../core/identity/identity.js'
import { nodeCrypto, nodeRng } from '../platform/node-crypto.js'
import { createNodeStore, openNodeStore, StoreNotFoundError } from '../store/index.js'
import type { SqliteNodeStore } from '../store/index.js'

export interface IdentityInfo {
  peerId: string
  name: string
}

/** KITH_PASSPHRASE, when set and non-empty, unlocks (or at creation, protects) the store. */
export function passphraseFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const p = env.KITH_PASSPHRASE
  return p === undefined || p === '' ? undefined : p
}

/** The name a new identity gets without --name: the login name, else "kith". */
export function defaultName(): string {
  try {
    const n = userInfo().username
    return n === '' ? 'kith' : n
  } catch {
    return 'kith'
  }
}

/** Creates identity + store in `home`, returning it open. Throws StoreExistsError. */
export function createStore(home: string, name: string, passphrase?: string): SqliteNodeStore {
  const identity = IdentityKeyPair.generate(nodeCrypto, nodeRng)
  return createNodeStore(home, identity, name, { passphrase, crypto: nodeCrypto })
}

/** Opens the store of `home`. Throws StoreNotFoundError, StoreLockedError. */
export function openStore(home: string, passphrase?: string): SqliteNodeStore {
  return openNodeStore(home, { passphrase, crypto: nodeCrypto })
}

/** Opens the store of `home`, creating it first if there is none (`kith daemon`). */
export function openOrCreateStore(
  home: string,
  name: string | undefined,
  passphrase?: string,
): { store: SqliteNodeStore; created: boolean } {
  try {
    return { store: openStore(home, passphrase), created: false }
  } catch (err) {
    if (!StoreNotFoundError.is(err)) throw err
  }
  return { store: createStore(home, name ?? defaultName(), passphrase), created: true }
}

/** `kith init`: creates the identity and store; refuses (StoreExistsError) if one exists. */
export function initNode(
  home: string,
  name: string | undefined,
  passphrase?: string,
): IdentityInfo {
  const store = createStore(home, name ?? defaultName(), passphrase)
  try {
    return { peerId: store.peerId, name: store.getIdentityName() }
  } finally {
    store.close()
  }
}

/** `kith id`: the identity of `home` (StoreNotFoundError if there is none). */
export function showIdentity(home: string, passphrase?: string): IdentityInfo {
  const store = openStore(home, passphrase)
  try {
    return { peerId: store.peerId, name: store.getIdentityName() }
  } finally {
    store.close()
  }
}
