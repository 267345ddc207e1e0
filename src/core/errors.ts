// The one error family of Kith (KithError, defineError) and the protocol core's own errors: one
// class per failure, told apart by `.name` (js-libp2p interface/src/errors.ts) with a stable `code`
// and an `is()` type guard (libsignal node/ts/Errors.ts). This module knows no layer above the core
// and no HTTP status or exit code. Messages never contain key material or plaintext.

/**
 * The one base of every Kith error, in every layer (core, store, node, service; docs/architecture.md
 * "Errors"). A subclass is made with `defineError(name)`; its `.name` is part of the contract (the
 * API's `{ "error": "<Name>" }`, the CLI's `Name: message` line and exit code), so a name is never
 * changed once shipped. How a name maps to an HTTP status and an exit code is src/api's one table
 * (src/api/error-table.ts), not the error's: an error knows what failed, not who reports it.
 */
export abstract class KithError extends Error {
  abstract readonly code: string
  /** True for any Kith error (subclasses narrow by `.name`). */
  static isKithError(err: unknown): err is KithError {
    return err instanceof KithError
  }
}

/**
 * A KithError subclass named `name` (its `.name` and `code`), with a static `is()` type guard that
 * tells it apart by `.name`, so it also works across module copies (libsignal node/ts/Errors.ts).
 * Every layer defines its errors with this. `X.is(err)` narrows `err` to X (the subclass it is
 * called on), e.g. `if (MailboxQuotaError.is(err)) err.quota`.
 */
export function defineError<N extends string>(name: N) {
  const C = class extends KithError {
    override readonly name: N = name
    readonly code: N = name
    static is<T extends abstract new (...args: never[]) => KithError>(
      this: T,
      err: unknown,
    ): err is InstanceType<T> {
      return err instanceof Error && err.name === name
    }
  }
  Object.defineProperty(C, 'name', { value: name })
  return C
}

/** The `.name` of a thrown value, for a log line or an error's message: what failed, never the
 *  thrown value's own message (which may quote a peer's bytes). Replaces `(err as Error).name`. */
export function errorName(err: unknown): string {
  return err instanceof Error ? err.name : typeof err
}

/** An AEAD tag, header or signature did not authenticate. State is unchanged. */
export class DecryptionError extends defineError('DecryptionError') {}
/** A message was already decrypted once (replay or duplicate delivery). State is unchanged. */
export class DuplicateMessageError extends defineError('DuplicateMessageError') {}
/** A message would skip more keys than a named limit allows (MAX_SKIP, MAX_FORWARD_JUMPS). */
export class TooManySkippedKeysError extends defineError('TooManySkippedKeysError') {}
/** Bytes that do not parse as the expected structure. */
export class MalformedMessageError extends defineError('MalformedMessageError') {}
/** Input longer than the named size limit of its decoder. */
export class MessageTooLargeError extends defineError('MessageTooLargeError') {}
/** A wire or record version this code does not speak. */
export class UnsupportedVersionError extends defineError('UnsupportedVersionError') {}
/** A signature over a prekey, card or message did not verify. */
export class InvalidSignatureError extends defineError('InvalidSignatureError') {}
/** A key of the wrong length or a degenerate (low-order) point. */
export class InvalidKeyError extends defineError('InvalidKeyError') {}
/** A prekey named by an initial message is not (or no longer) in the store. */
export class PrekeyNotFoundError extends defineError('PrekeyNotFoundError') {}
/** There is no session with the peer to encrypt or decrypt with. */
export class NoSessionError extends defineError('NoSessionError') {}
/** The peer's identity key differs from the one we trust for it. */
export class UntrustedIdentityError extends defineError('UntrustedIdentityError') {}
/** No sender key state for (group, sender), or for the chain a message names. */
export class NoSenderKeyError extends defineError('NoSenderKeyError') {}
/** A signed record (contact card) that verified but whose expiry has passed: fetch a fresh one. */
export class CardExpiredError extends defineError('CardExpiredError') {}
/** A signed card whose expiry lies more than CARD_MAX_FUTURE_MS ahead (identity/card.ts): a
 *  far-future card would outlive every refresh and pin a stale record for years. */
export class CardExpiryTooFarError extends defineError('CardExpiryTooFarError') {}
