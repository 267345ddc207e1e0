// Typed errors of /kith/mailbox: one class per failure, told apart by `.name` (STYLE.md §4), with
// `code` and an `is()` guard. A depositor reports MailboxQuotaError / MailboxRefusedError as the
// mailbox named them on the wire; the other errors are local. Messages never hold envelope bytes.
import { defineError } from '../../core/errors.js'

/** Defined with the holdings' port, which the store throws it through (it never imports node/). */
export { MailboxQuotaError } from '../../core/store/mailbox.js'
/** The mailbox does not hold mail for this recipient (its policy), for itself, or at all (the
 *  peer does not speak /kith/mailbox). */
export class MailboxRefusedError extends defineError('MailboxRefusedError') {}
/** A deposit that is no Kith 1:1 envelope (wire version, type, field sizes, padded length): the
 *  mailbox refuses it before storing anything. */
export class MailboxEnvelopeError extends defineError('MailboxEnvelopeError') {}
/** A fetch by someone other than the recipient, or whose challenge signature did not verify. */
export class MailboxAuthError extends defineError('MailboxAuthError') {}
/** The mailbox answered out of protocol (wrong response, bad field lengths). */
export class MailboxProtocolError extends defineError('MailboxProtocolError') {}
/** A /kith/mailbox stream could not be opened, or was closed or reset mid-exchange. */
export class MailboxStreamError extends defineError('MailboxStreamError') {}
/** A request got no answer within MAILBOX_REQUEST_TIMEOUT_MS. */
export class MailboxTimeoutError extends defineError('MailboxTimeoutError') {}
/** An inbound /kith/mailbox stream sent no request for MAILBOX_STREAM_IDLE_MS. */
export class MailboxIdleTimeoutError extends defineError('MailboxIdleTimeoutError') {}

/** Error names a mailbox may put in DepositResult.error / Failure.error. */
export const WIRE_ERRORS = [
  'MailboxQuotaError',
  'MailboxRefusedError',
  'MailboxAuthError',
  'MailboxEnvelopeError',
] as const
