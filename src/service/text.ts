// The rules for the text of a message a user sends (direct or group), checked before anything is
// encrypted or stored, by the service (so the API refuses it) and by the CLI before it calls the
// API (so the CLI's error is the same one): a text is never blank, and never longer than
// MAX_TEXT_BYTES. This module owns those two rules and their errors; it knows nothing of the wire
// beyond the size of a ChatContent.
import { MAX_CHAT_CONTENT_BYTES } from '../core/wire/limits.js'
import { defineError, InvalidArgumentError } from './errors.js'

/**
 * The most UTF-8 bytes the text of one message may have: 63 KiB (64,512 bytes). The text travels
 * inside a ChatContent, capped at MAX_CHAT_CONTENT_BYTES (64 KiB), which also carries the message
 * id (18 B with framing), the sender's PeerId (40 B), seq and sentAt (≤ 22 B), a group id (18 B),
 * an invite proof (34 B), a profile name (≤ 259 B) and the text's own framing (8 B): ≤ 399 B
 * today. The remaining ≈ 600 B leave room for the reply/edit fields of issue 14, so a text that
 * passes this check is never refused later by the encoder (MessageTooLargeError: ChatContent …).
 */
export const MAX_TEXT_BYTES = MAX_CHAT_CONTENT_BYTES - 1024

/** A text over MAX_TEXT_BYTES (HTTP 400, CLI exit 1). Its message says both sizes, never the text. */
export class MessageTooLongError extends defineError('MessageTooLong') {}

const grouped = (n: number) => n.toLocaleString('en-US')

/** `the text is 65,604 bytes; at most 64,512`, or undefined when `text` is not too long. */
export function textTooLong(text: string): string | undefined {
  const bytes = Buffer.byteLength(text, 'utf8')
  if (bytes <= MAX_TEXT_BYTES) return undefined
  return `the text is ${grouped(bytes)} bytes; at most ${grouped(MAX_TEXT_BYTES)}`
}

/** True for a text with nothing but white space (or nothing): it is not sent. */
export function isBlank(text: string): boolean {
  return text.trim() === ''
}

/** Throws InvalidArgumentError for a blank text, MessageTooLongError for one too long. */
export function checkText(text: string): void {
  if (isBlank(text)) throw new InvalidArgumentError('empty message')
  const tooLong = textTooLong(text)
  if (tooLong !== undefined) throw new MessageTooLongError(tooLong)
}

/**
 * Most texts one batch send (`POST /v1/messages` with `texts`, `kith send - --lines`) queues in
 * one transaction. 500 short texts commit in a few ms and their events fit one event-loop turn;
 * the API's body limit (6 × 63 KiB + 64 KiB) bounds the bytes, so long texts go in fewer.
 */
export const MAX_SEND_BATCH = 500
