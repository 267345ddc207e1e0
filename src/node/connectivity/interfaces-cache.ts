// One reading of the host's interfaces shared by everyone in the process. libp2p reads them
// through os.networkInterfaces() whenever it lists our addresses (@libp2p/utils
// get-thin-waist-addresses.js, once per wildcard listener, on every getMultiaddrs(): identify,
// AutoNAT, the relay transport, the dial queue's self-dial check, our card), and on Linux each
// call opens a netlink socket. An offline node whose diallers keep failing fast then created
// 0.5–1.5 sockets a second from that alone (test/netns/loss.netns.ts, "carrier lost" and "routes
// gone", whose bound is 1). This module memoises os.networkInterfaces() for
// INTERFACES_CACHE_MS; connectivity.ts drops the memo whenever its /proc poll (every 2 s, no
// socket) sees the addresses, routes or carriers change, so a new or lost network is seen as
// soon as before. It patches the `node:os` module object, which is what libp2p calls through
// (`os.networkInterfaces()`); modules holding the named import keep the uncached function.
// It knows nothing of libp2p or of what the interfaces mean.
import os from 'node:os'

/** How long one reading of the interfaces is reused when connectivity.ts saw no change. */
export const INTERFACES_CACHE_MS = 30_000

type Interfaces = ReturnType<typeof os.networkInterfaces>

/** A memoised reader over `read` (exported for tests): the same answer for `ttlMs` unless
 *  `invalidate()` was called; each caller gets its own copy (callers may mutate it). */
export function memoise(
  read: () => Interfaces,
  ttlMs = INTERFACES_CACHE_MS,
  now: () => number = Date.now,
): { read: () => Interfaces; invalidate: () => void } {
  let cached: { at: number; value: Interfaces } | undefined
  return {
    read: () => {
      const t = now()
      if (cached === undefined || t - cached.at >= ttlMs) cached = { at: t, value: read() }
      return structuredClone(cached.value)
    },
    invalidate: () => {
      cached = undefined
    },
  }
}

let installed: ReturnType<typeof memoise> | undefined

/** Makes os.networkInterfaces() memoised for the process (idempotent). */
export function installInterfacesCache(): void {
  if (installed !== undefined) return
  installed = memoise(os.networkInterfaces.bind(os))
  os.networkInterfaces = installed.read
}

/** The host's network changed: the next os.networkInterfaces() reads the interfaces again. */
export function invalidateInterfaces(): void {
  installed?.invalidate()
}
