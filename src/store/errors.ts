// Typed errors of the node store: one class per failure, told apart by `.name`, with a stable
// `code` and an `is()` guard, like the core's (src/core/errors.ts). They extend the core's
// KithError so a caller can tell any Kith failure from a bug. Messages name files and peers, never
// keys, passphrases or message text.
import { defineError as define } from '../core/errors.js'

/** The store cannot be unlocked: wrong passphrase or key file, or the wrong kind of secret. */
export class StoreLockedError extends define('StoreLockedError') {}
/** `createNodeStore` found an initialized store (`kith init` on an existing home). */
export class StoreExistsError extends define('StoreExistsError') {}
/** `openNodeStore` found no initialized store (no database, or no identity in it). */
export class StoreNotFoundError extends define('StoreNotFoundError') {}
/** The database was written by a newer Kith (its schema version is above ours). */
export class StoreVersionError extends define('StoreVersionError') {}
/** A contact name that already belongs to another peer. */
export class ContactExistsError extends define('ContactExistsError') {}
