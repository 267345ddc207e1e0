// Contact names (issue 11 finding 7, "Names"): what a name may contain, and the check that it is
// free. A name is shown in a terminal and typed as a command argument, so it holds no character
// that could forge text there, and it never looks like a PeerId: a PeerId argument always means
// that PeerId (store/chat.ts getContact). This module owns those rules; it knows nothing of how
// names are stored beyond asking the store who holds one, and nothing of escaping output (the CLI
// escapes everything that came from a peer, names included).
import type { ChatStore } from '../../store/types.js'
import { InvalidNameError, NameTakenError } from '../errors.js'

/** The longest contact name, in code points: room for a full name in one column of
 *  `contacts list`, and always within the wire's MAX_NAME_BYTES (256 B: 64 × 4 B of UTF-8). */
export const MAX_CONTACT_NAME_CHARS = 64

// Unicode general categories Cc (C0, DEL, C1), Cf (format: bidi embeddings, overrides and
// isolates U+202A–202E / U+2066–2069, LRM/RLM/ALM, zero-width U+200B–200D, word joiner, BOM,
// soft hyphen, tags), Zl/Zp (line and paragraph separators), Cs (lone surrogates) and Co (private
// use, rendered as anything). UAX #9 §2 lists the bidi controls; all are in Cf.
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}\u2060-\u206f]/u
/** Base58btc strings as long as a PeerId (Ed25519 "12D3KooW…" is 52, RSA "Qm…" 46): refused as
 *  names whether or not they decode, so no name can pass for a PeerId to a reader either. */
const PEER_ID_SHAPE = /^[1-9A-HJ-NP-Za-km-z]{40,64}$/

/** Why `name` cannot be a contact name, or undefined if it can (before the taken check). */
export function nameProblem(name: string): string | undefined {
  if (typeof name !== 'string') return 'a name is a string'
  if (name.length === 0) return 'a name cannot be empty'
  if (name !== name.trim()) return 'a name cannot start or end with a space'
  if (FORBIDDEN.test(name)) return 'a name cannot hold control, format or bidi characters'
  if ([...name].length > MAX_CONTACT_NAME_CHARS)
    return `a name is at most ${MAX_CONTACT_NAME_CHARS} characters`
  if (name.normalize('NFC') !== name) return 'a name must be in Unicode NFC form'
  if (PEER_ID_SHAPE.test(name)) return 'a name cannot look like a PeerId'
  return undefined
}

/** A name clean enough to show (a peer's own name: its invite's or its profile's). */
export function isCleanName(name: string): boolean {
  return nameProblem(name) === undefined
}

/** Throws InvalidNameError unless `name` is a valid contact name, NameTakenError if another peer
 *  (a contact, blocked or not, or its PeerId) has it. */
export function checkName(store: ChatStore, name: string, peerId: string): string {
  const problem = nameProblem(name)
  if (problem !== undefined) throw new InvalidNameError(problem)
  if (!isFree(store, name, peerId)) throw new NameTakenError(`the name "${name}" is taken`)
  return name
}

/** Whether no contact other than `peerId` has this name. */
export function isFree(store: ChatStore, name: string, peerId: string): boolean {
  const holder = store.getContact(name, { includeBlocked: true })
  return holder === undefined || holder.peerId === peerId
}
