// The `kith://invite/<payload>` link (ARCHITECTURE.md "Identity": PeerId, current multiaddrs
// and a signed prekey bundle, so first contact needs no lookup). The payload is an Invite
// protobuf in unpadded base64url (RFC 4648 §5), which survives URLs, QR codes and chat apps.
//
// This module owns the link syntax and the Invite's bounds, and binds the bundle to the PeerId:
// the bundle's identity key must be the PeerId's key. It does NOT verify the prekey signatures
// (handshake/ does, keeping this module free of crypto) and does not parse multiaddrs (node/
// does): callers must verify the bundle before using it. The name and addresses are unsigned
// hints; the link is only as trustworthy as the channel it came through.
//
// QR note: a version-40 QR code holds at most 2,953 bytes, so a link meant for a QR code should
// leave out the one-time ML-KEM prekey (1,184 B) and keep few addresses.
import { base64urlnopad } from '@scure/base'
import { equalBytes } from '../bytes.js'
import {
  InvalidKeyError,
  MalformedMessageError,
  MessageTooLargeError,
  UnsupportedVersionError,
} from '../errors.js'
import {
  peerIdBytesFromPublicKey,
  peerIdFromPublicKey,
  publicKeyFromPeerId,
} from '../identity/identity.js'
import { prekeyBundle, type DecodedPrekeyBundle } from './codec.js'
import { decodeLimited } from './decode.js'
import { MAX_CARD_ADDRS, MAX_INVITE_BYTES, MAX_NAME_BYTES } from './limits.js'
import * as pb from './pb/wire.js'
import {
  decodeRules,
  encodeRules,
  fits,
  listUpTo,
  utf8UpTo,
  wire,
  type WireInput,
} from './rules.js'

/** The invite secret's length: 128 random bits, unguessable, so a peer that proves it (ChatContent
 *  .invite_proof) got our invite link (issue 11 "Message requests"). Old links carry none. */
export const INVITE_SECRET_BYTES = 16

/** The Invite version this code writes and the only one it reads. */
export const INVITE_VERSION = 1
/** Every invite link starts with this (matched case-insensitively when decoding). */
export const INVITE_LINK_PREFIX = 'kith://invite/'
/** The longest link decodeInviteLink reads: the prefix and MAX_INVITE_BYTES in base64url. */
export const MAX_INVITE_LINK_CHARS =
  INVITE_LINK_PREFIX.length + Math.ceil((MAX_INVITE_BYTES * 4) / 3)

export interface InviteInput {
  /** The inviter's PeerId, as a string or as bytes. */
  peerId: string | Uint8Array
  /** Multiaddrs to dial, at most MAX_CARD_ADDRS. */
  addrs: string[]
  /** The inviter's prekey bundle; its identity key must be the PeerId's key. */
  bundle: WireInput<pb.PrekeyBundle>
  /** Suggested display name, at most MAX_NAME_BYTES of UTF-8 (may be empty). */
  name: string
  /** INVITE_SECRET_BYTES the adder proves back in its first messages; omitted: none. */
  secret?: Uint8Array
}

export interface DecodedInvite {
  /** The inviter's PeerId string ("12D3KooW…"). */
  peerId: string
  addrs: string[]
  /** Shape-checked and bound to the PeerId; its signatures are NOT verified yet. */
  bundle: DecodedPrekeyBundle
  /** Unchecked: may hold control characters (service/names.ts decides whether to show it). */
  name: string
  /** INVITE_SECRET_BYTES, or empty (a link from before invite secrets). */
  secret: Uint8Array
}

/** Encodes an invite link. InvalidKeyError when the bundle is not the PeerId's. */
export function encodeInviteLink(invite: InviteInput): string {
  const publicKey = publicKeyFromPeerId(invite.peerId)
  const bundle = prekeyBundle(encodeRules, 'Invite.bundle', invite.bundle)
  if (!equalBytes(bundle.identityKey, publicKey)) {
    throw new InvalidKeyError('Invite: the bundle identity key is not the PeerId key')
  }
  const msg = {
    version: INVITE_VERSION,
    peerId: peerIdBytesFromPublicKey(publicKey),
    // Each address is bounded only by the whole: fits() below.
    addrs: listUpTo(encodeRules, 'Invite.addrs', invite.addrs, MAX_CARD_ADDRS, (w, a) =>
      typeof a === 'string' ? a : encodeRules.bad(`${w}: expected a string`),
    ),
    bundle,
    name: utf8UpTo(encodeRules, 'Invite.name', invite.name, MAX_NAME_BYTES),
    secret: encodeRules.len(
      'Invite.secret',
      invite.secret ?? new Uint8Array(0),
      0,
      INVITE_SECRET_BYTES,
    ),
  }
  const bytes = fits('Invite', pb.Invite.encode(wire<pb.Invite>(msg)), MAX_INVITE_BYTES)
  return INVITE_LINK_PREFIX + base64urlnopad.encode(bytes)
}

const limitedInvite = {
  decode: (bytes: Uint8Array): pb.Invite =>
    pb.Invite.decode(bytes, { limits: { addrs: MAX_CARD_ADDRS } }),
  encode: (value: pb.Invite): Uint8Array => pb.Invite.encode(value),
}

/**
 * Decodes an invite link (surrounding whitespace ignored). Throws MessageTooLargeError past
 * MAX_INVITE_BYTES, MalformedMessageError for a bad link or payload, UnsupportedVersionError,
 * and InvalidKeyError when the PeerId is not an Ed25519 one or the bundle is not its.
 * Callers must still verify the bundle's signatures.
 */
export function decodeInviteLink(link: string): DecodedInvite {
  if (typeof link !== 'string') throw new TypeError('link: expected a string')
  const trimmed = link.trim()
  if (trimmed.length > MAX_INVITE_LINK_CHARS) {
    throw new MessageTooLargeError(
      `invite link: ${trimmed.length} characters exceeds the limit of ${MAX_INVITE_LINK_CHARS}`,
    )
  }
  // RFC 3986 §3.1: schemes are case-insensitive; the base64url payload is not.
  if (trimmed.slice(0, INVITE_LINK_PREFIX.length).toLowerCase() !== INVITE_LINK_PREFIX) {
    throw new MalformedMessageError(`invite link: does not start with ${INVITE_LINK_PREFIX}`)
  }
  let bytes: Uint8Array
  try {
    bytes = base64urlnopad.decode(trimmed.slice(INVITE_LINK_PREFIX.length))
  } catch {
    throw new MalformedMessageError('invite link: payload is not unpadded base64url')
  }
  const invite = decodeLimited(limitedInvite, bytes, MAX_INVITE_BYTES, 'Invite')
  if (invite.version !== INVITE_VERSION) {
    throw new UnsupportedVersionError(
      `Invite: version ${invite.version}, expected ${INVITE_VERSION}`,
    )
  }
  const publicKey = publicKeyFromPeerId(invite.peerId) // InvalidKeyError unless Ed25519
  const bundle = wire<DecodedPrekeyBundle>(
    prekeyBundle(decodeRules, 'Invite.bundle', invite.bundle),
  )
  if (!equalBytes(bundle.identityKey, publicKey)) {
    throw new InvalidKeyError('Invite: the bundle identity key is not the PeerId key')
  }
  return {
    peerId: peerIdFromPublicKey(publicKey),
    addrs: invite.addrs,
    bundle,
    name: utf8UpTo(decodeRules, 'Invite.name', invite.name, MAX_NAME_BYTES),
    secret: decodeRules.len('Invite.secret', invite.secret, 0, INVITE_SECRET_BYTES),
  }
}
