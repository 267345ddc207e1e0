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
// Two versions. Version 1 (`kith invite --full`) carries the signed prekey bundle, so first
// contact needs no lookup and works while the inviter is offline; it is ≈2,000 characters.
// Version 2 (the default, CLI.md "kith invite prints a link of at most 400 characters, details
// come over the network on first contact") carries no bundle and its addresses as binary
// multiaddrs (≈50 bytes for a relayed one instead of ≈96 characters): the adder fetches the
// inviter's signed card (with its bundle) over /kith/card, proving the link's secret
// (node/card/index.ts), or from the DHT. As many addresses as fit are kept, best first; the
// name, a hint, is dropped when even none do. A short link is signed by the PeerId's key
// (SHORT_INVITE_SIGNATURE_CONTEXT), so its name, addresses and secret are the inviter's as given;
// the signature is made and checked through callbacks and verifyShortInvite, keeping the
// encoding here free of key handling. A 400-character link is a version-10 QR code
// (57 modules): 61 columns with its quiet zone, which fits an 80-column terminal.
import { base64urlnopad } from '@scure/base'
import { concat, equalBytes, utf8 } from '../bytes.js'
import type { CryptoProvider } from '../crypto/provider.js'
import {
  InvalidKeyError,
  InvalidSignatureError,
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

/** The full link's version (with the prekey bundle). */
export const INVITE_VERSION = 1
/** The short link's version (no bundle; packed addresses; a secret is required). */
export const SHORT_INVITE_VERSION = 2
/** The longest short link encodeShortInviteLink writes (CLI.md "Conversations, receipts, edits"). */
export const MAX_SHORT_INVITE_LINK_CHARS = 400
/** One packed multiaddr in a short link: a relayed address with two PeerIds is ≈90 bytes. */
export const MAX_PACKED_ADDR_BYTES = 128
/** Domain separation of a short link's signature: Ed25519 over this ‖ the Invite without its
 *  signature (differs from the card's "kith-card-v1" from the fifth byte on). */
export const SHORT_INVITE_SIGNATURE_CONTEXT = utf8('kith-invite-v2')
const SIGNATURE_BYTES = 64
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

export interface ShortInviteInput {
  peerId: string | Uint8Array
  /** Binary multiaddrs, best first; those that do not fit MAX_SHORT_INVITE_LINK_CHARS are left out. */
  packedAddrs: Uint8Array[]
  name: string
  /** INVITE_SECRET_BYTES: required, the adder proves it to fetch our card. */
  secret: Uint8Array
  /** Ed25519 signature by the PeerId's key of `message` (the caller holds the key). */
  sign(message: Uint8Array): Uint8Array
}

export interface DecodedInvite {
  version: typeof INVITE_VERSION | typeof SHORT_INVITE_VERSION
  /** The inviter's PeerId string ("12D3KooW…"). */
  peerId: string
  /** Version 1's multiaddr strings (empty in version 2). */
  addrs: string[]
  /** Version 2's binary multiaddrs (empty in version 1): the node layer parses them. */
  packedAddrs: Uint8Array[]
  /** Version 1: shape-checked and bound to the PeerId, signatures NOT verified yet. Version 2:
   *  undefined (fetched on first contact). */
  bundle: DecodedPrekeyBundle | undefined
  /** Unchecked: may hold control characters (service/direct/names.ts decides whether to show it). */
  name: string
  /** INVITE_SECRET_BYTES, or empty (a link from before invite secrets). */
  secret: Uint8Array
  /** Version 2: what the signature covers and the signature, for verifyShortInvite. */
  signed?: { message: Uint8Array; signature: Uint8Array }
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
    packedAddrs: [],
    signature: new Uint8Array(0),
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

/**
 * Encodes a short (version 2) link of at most MAX_SHORT_INVITE_LINK_CHARS: the addresses that
 * fit, best first; without the name if even none do.
 */
export function encodeShortInviteLink(invite: ShortInviteInput): string {
  const peerId = peerIdBytesFromPublicKey(publicKeyFromPeerId(invite.peerId))
  const packed = listUpTo(
    encodeRules,
    'Invite.packedAddrs',
    invite.packedAddrs,
    MAX_CARD_ADDRS,
    (w, a) => {
      if (!(a instanceof Uint8Array)) encodeRules.bad(`${w}: expected bytes`)
      encodeRules.max(`${w} bytes`, a.length, MAX_PACKED_ADDR_BYTES)
      return a
    },
  )
  const secret = encodeRules.len('Invite.secret', invite.secret, INVITE_SECRET_BYTES)
  const name = utf8UpTo(encodeRules, 'Invite.name', invite.name, MAX_NAME_BYTES)
  const link = (n: number, withName: boolean): string => {
    const unsigned = wire<pb.Invite>({
      version: SHORT_INVITE_VERSION,
      peerId,
      addrs: [],
      name: withName ? name : '',
      secret,
      packedAddrs: packed.slice(0, n),
      signature: new Uint8Array(0),
    })
    const signature = encodeRules.len(
      'Invite.signature',
      invite.sign(concat(SHORT_INVITE_SIGNATURE_CONTEXT, pb.Invite.encode(unsigned))),
      SIGNATURE_BYTES,
    )
    return (
      INVITE_LINK_PREFIX +
      base64urlnopad.encode(
        pb.Invite.encode({ ...unsigned, signature: wire<Uint8Array<ArrayBuffer>>(signature) }),
      )
    )
  }
  for (let n = packed.length; n >= 0; n--) {
    const l = link(n, true)
    if (l.length <= MAX_SHORT_INVITE_LINK_CHARS) return l
  }
  return link(0, false) // PeerId + secret alone: ≈90 characters
}

const limitedInvite = {
  decode: (bytes: Uint8Array): pb.Invite =>
    pb.Invite.decode(bytes, { limits: { addrs: MAX_CARD_ADDRS, packedAddrs: MAX_CARD_ADDRS } }),
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
  if (invite.version === SHORT_INVITE_VERSION) return decodeShort(invite)
  if (invite.version !== INVITE_VERSION) {
    throw new UnsupportedVersionError(
      `Invite: version ${invite.version}, expected ${INVITE_VERSION} or ${SHORT_INVITE_VERSION}`,
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
    version: INVITE_VERSION,
    peerId: peerIdFromPublicKey(publicKey),
    addrs: invite.addrs,
    packedAddrs: [],
    bundle,
    name: utf8UpTo(decodeRules, 'Invite.name', invite.name, MAX_NAME_BYTES),
    secret: decodeRules.len('Invite.secret', invite.secret, 0, INVITE_SECRET_BYTES),
  }
}

/** A version 2 payload: no bundle and no string addresses; a secret of INVITE_SECRET_BYTES. */
function decodeShort(invite: pb.Invite): DecodedInvite {
  const publicKey = publicKeyFromPeerId(invite.peerId) // InvalidKeyError unless Ed25519
  if (invite.bundle !== undefined || invite.addrs.length > 0) {
    throw new MalformedMessageError('Invite: a short link carries no bundle and no addrs')
  }
  return {
    version: SHORT_INVITE_VERSION,
    peerId: peerIdFromPublicKey(publicKey),
    addrs: [],
    packedAddrs: listUpTo(
      decodeRules,
      'Invite.packedAddrs',
      invite.packedAddrs,
      MAX_CARD_ADDRS,
      (w, a) => {
        decodeRules.max(`${w} bytes`, a.length, MAX_PACKED_ADDR_BYTES)
        return a
      },
    ),
    bundle: undefined,
    name: utf8UpTo(decodeRules, 'Invite.name', invite.name, MAX_NAME_BYTES),
    secret: decodeRules.len('Invite.secret', invite.secret, INVITE_SECRET_BYTES),
    signed: {
      message: concat(
        SHORT_INVITE_SIGNATURE_CONTEXT,
        pb.Invite.encode({ ...invite, signature: new Uint8Array(0) }),
      ),
      signature: decodeRules.len('Invite.signature', invite.signature, SIGNATURE_BYTES),
    },
  }
}

/**
 * Checks a short link's signature with its PeerId's key (InvalidSignatureError). A version 1
 * link is unsigned and passes (its bundle's signatures are checked at the handshake).
 */
export function verifyShortInvite(crypto: CryptoProvider, invite: DecodedInvite): void {
  if (invite.version !== SHORT_INVITE_VERSION) return
  const s = invite.signed
  const key = publicKeyFromPeerId(invite.peerId)
  if (s === undefined || !crypto.ed25519Verify(key, s.message, s.signature)) {
    throw new InvalidSignatureError('Invite: the short link’s signature does not verify')
  }
}
