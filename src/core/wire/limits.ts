// Named size limits of every decoder (ARCHITECTURE.md "Bounds and bad input"). Each is tested
// at MAX+1 in test/core/wire/. Sizes are in bytes of the encoded message.

/** Largest plaintext a chat message may carry before padding (text, manifest, control). */
export const MAX_PLAINTEXT_BYTES = 64 * 1024
/** Largest padded plaintext: MAX_PLAINTEXT_BYTES rounded up to its bucket (wire/padding.ts). */
export const MAX_PADDED_BYTES = 64 * 1024 + 4096
/** A ratchet message: 68-byte encrypted header, padded ciphertext + tag, protobuf framing. */
export const MAX_RATCHET_MESSAGE_BYTES = MAX_PADDED_BYTES + 256
/** A PQXDH initial message adds IK, EK, ids and the 1,088-byte ML-KEM ciphertext. */
export const MAX_PREKEY_MESSAGE_BYTES = MAX_RATCHET_MESSAGE_BYTES + 2048
/** A sender-key message: content (ids, iteration, ciphertext) and a 64-byte signature. */
export const MAX_SENDER_KEY_MESSAGE_BYTES = MAX_PADDED_BYTES + 512
/** The outer envelope around any of the above. */
export const MAX_ENVELOPE_BYTES = MAX_PREKEY_MESSAGE_BYTES + 64
/** A prekey bundle: IK, SPK, two ML-KEM-768 keys (1,184 B each), OPK, signatures. */
export const MAX_PREKEY_BUNDLE_BYTES = 4096
/** A sender-key distribution message. */
export const MAX_SENDER_KEY_DISTRIBUTION_BYTES = 512
/** A chat content record after unpadding. */
export const MAX_CHAT_CONTENT_BYTES = MAX_PLAINTEXT_BYTES
/** A signed contact card: bundle, up to MAX_CARD_ADDRS addresses and MAX_CARD_MAILBOXES. */
export const MAX_CONTACT_CARD_BYTES = 8192
export const MAX_CARD_ADDRS = 16
export const MAX_CARD_MAILBOXES = 8
/** An invite payload (bundle + addresses + name). */
export const MAX_INVITE_BYTES = 8192
/** Stored session record (current state + previous states + skipped keys). */
export const MAX_SESSION_RECORD_BYTES = 1024 * 1024
/** Stored sender-key record. */
export const MAX_SENDER_KEY_RECORD_BYTES = 1024 * 1024

// ---- Inside the encryption: fields of ChatContent (wire/content.ts), names and ids ---------
/** Message ids one receipt may acknowledge (16 B each, so ≈18 KiB of ids at the cap). */
export const MAX_RECEIPT_IDS = 1024
/** Members, and separately admins, one GroupControl may list (Signal caps groups at 1,000).
 *  38-byte PeerIds make ≈40 KiB at the cap: inside MAX_CHAT_CONTENT_BYTES. */
export const MAX_GROUP_MEMBERS = 1000
/** UTF-8 bytes of a display name (invite), group name, file name or MIME type. */
export const MAX_NAME_BYTES = 256
/** An opaque id whose exact length its owning module fixes (group, file, distribution id). */
export const MAX_ID_BYTES = 64

// ---- Groups (docs/protocol.md "Groups"; design §1–2) -----------------------------------------
/** A group id: 16 random bytes (hex in JSON and the CLI). Fixed length, not a limit. */
export const GROUP_ID_BYTES = 16
/** A topic secret (CREATE, REMOVE, LEAVE introduce one). Fixed length, not a limit. */
export const GROUP_SECRET_BYTES = 32
/** One encoded signed GroupControl op. A CREATE listing MAX_GROUP_MEMBERS members (≈40 KiB)
 *  fits; so does the largest op in one GroupUpdate (with its secret and a sender key) inside
 *  MAX_CHAT_CONTENT_BYTES. Measured: LEAVE 128 B, CREATE 133 B + 40 B per member, ADD or
 *  REMOVE of one member 168 B. */
export const MAX_GROUP_OP_BYTES = 60 * 1024
/** Ops in one group's log: replayGroup refuses more (GroupStateError). */
export const MAX_GROUP_OPS = 10_000
/** Ops one GroupUpdate may carry. The smallest signed op with its framing and an empty secret
 *  is 133 bytes, so MAX_CHAT_CONTENT_BYTES holds at most ≈490 of them (measured: 318 one-member
 *  ADDs with 32-byte secrets, 377 without): the byte cap binds first, and a longer history goes
 *  out in several updates (the service splits it). */
export const MAX_GROUP_UPDATE_OPS = 512
/** Member cards one GroupUpdate may list. A card is 1.7 KiB (one ML-KEM-768 key) to 3 KiB
 *  (with a one-time ML-KEM key), so the byte cap (MAX_CHAT_CONTENT_BYTES) allows only ≈21–37
 *  per update: the service splits larger sets over several updates. */
export const MAX_GROUP_UPDATE_CARDS = MAX_GROUP_MEMBERS

// ---- Replies, edits, deletes, reactions, disappearing (docs/protocol.md §4.8.1–4.8.5) ----------
/** UTF-8 bytes of a reaction's emoji: one grapheme. The longest RGI emoji (a family of four with
 *  skin tones, 41 B; a subdivision flag with tag characters, 28 B) fits with room to spare; a
 *  stack of combining marks posing as "one grapheme" does not. */
export const MAX_REACTION_BYTES = 64
/** Shortest disappearing timer, in seconds (Signal's smallest custom value is 1 s; 5 s leaves the
 *  sweeper, which runs every DISAPPEAR_SWEEP_MS, well inside the timer). */
export const MIN_TTL_SECONDS = 5
/** Longest disappearing timer: 4 weeks (Signal offers up to 4 weeks in its picker). */
export const MAX_TTL_SECONDS = 28 * 24 * 3600
