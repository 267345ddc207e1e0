// The protocol core's public surface (explicit names, never `export *`). Pure: no network, no
// filesystem, no clock or randomness of its own — callers inject a CoreContext.
export type {
  CoreContext,
  CryptoProvider,
  Rng,
  Clock,
  KemEncapsulation,
} from './crypto/provider.js'
export { nobleCrypto } from './crypto/noble.js'
export {
  KithError,
  DecryptionError,
  DuplicateMessageError,
  TooManySkippedKeysError,
  MalformedMessageError,
  MessageTooLargeError,
  UnsupportedVersionError,
  InvalidSignatureError,
  InvalidKeyError,
  PrekeyNotFoundError,
  NoSessionError,
  UntrustedIdentityError,
  NoSenderKeyError,
  CardExpiredError,
  CardExpiryTooFarError,
} from './errors.js'
export { concat, equalBytes, toHex, fromHex, utf8 } from './bytes.js'
export {
  IdentityKeyPair,
  peerIdFromPublicKey,
  publicKeyFromPeerId,
  peerIdBytesFromPublicKey,
  peerIdToBytes,
} from './identity/identity.js'
export {
  safetyNumber,
  formatSafetyNumber,
  parseSafetyNumber,
  scannablePayload,
  compareScanned,
} from './identity/fingerprint.js'
export {
  CARD_MAX_FUTURE_MS,
  signContactCard,
  verifyContactCard,
  selectNewerCard,
} from './identity/card.js'
export type { ContactCard, ContactCardInput } from './identity/card.js'
export {
  generateSignedPrekey,
  generateOneTimePrekeys,
  generateKemPrekey,
  buildPrekeyBundle,
  verifyPrekeyBundle,
} from './handshake/prekeys.js'
export { MAX_SKIP, MAX_SKIPPED_KEYS, MAX_PREVIOUS_STATES } from './ratchet/limits.js'
export { SessionRecord } from './session/record.js'
export {
  initiateSession,
  sessionEncrypt,
  parseEnvelope,
  decryptRatchetMessage,
  decryptPrekeyMessage,
  prepareRecordForSending,
} from './session/session.js'
export type { IncomingMessage, DecryptResult, PrekeyDecryptResult } from './session/session.js'
export { SessionCipher, commitDecrypted, loadSessionRecord } from './session/cipher.js'
export type { ConsumedPrekeys, Decrypted } from './session/cipher.js'
export {
  createSenderKeyDistribution,
  rotateSenderKey,
  processSenderKeyDistribution,
  groupEncrypt,
  groupDecrypt,
  groupDecryptPending,
  loadSenderKeyRecord,
  ownSenderKeyRecord,
  storeSenderKeyRecord,
  MAX_RETIRED_CHAINS,
  GroupStateError,
  signGroupOp,
  verifyGroupOp,
  replayGroup,
  groupTopic,
  leaveSecret,
  comparePeerIds,
  peekSenderKeyMessage,
  checkSenderKeyMessage,
} from './group/index.js'
export type {
  PendingGroupDecrypt,
  GroupOpInit,
  GroupOpRecord,
  GroupState,
  ReplayOptions,
  GroupMessageVerdict,
} from './group/index.js'
export { MemoryProtocolStore } from './store/memory.js'
export type {
  ProtocolStore,
  IdentityStore,
  PrekeyStore,
  SessionStore,
  SessionRecordStore,
  SenderKeyStore,
  SenderKeyEntry,
  EcPrekeyRecord,
  KemPrekeyRecord,
} from './store/types.js'
export {
  encodeEnvelope,
  decodeEnvelope,
  encodePrekeyBundle,
  decodePrekeyBundle,
  WIRE_VERSION,
} from './wire/codec.js'
export { encodeChatContent, decodeChatContent, MESSAGE_ID_BYTES } from './wire/content.js'
export { newMessageId } from './wire/message-id.js'
export {
  GROUP_ID_BYTES,
  GROUP_SECRET_BYTES,
  MAX_GROUP_MEMBERS,
  MAX_GROUP_OPS,
  MAX_GROUP_OP_BYTES,
  MAX_GROUP_UPDATE_OPS,
  MAX_GROUP_UPDATE_CARDS,
} from './wire/limits.js'
export { encodeInviteLink, decodeInviteLink } from './wire/invite.js'
export type { InviteInput, DecodedInvite } from './wire/invite.js'
export { pad, unpad, PADDING_BUCKETS } from './wire/padding.js'
export { EnvelopeType, ReceiptKind, GroupOp } from './wire/pb/wire.js'
export type { PrekeyBundle, ChatContent, GroupUpdate } from './wire/pb/wire.js'

// What the service uses besides the above, so that it reaches the core only through this module
// (eslint.config.js zone "service → core"; constants-only limits modules are open too).
export { defineError, errorName } from './errors.js'
export {
  CHUNK_BYTES,
  checkDigest,
  checkManifest,
  chunkCount,
  chunkPlainLength,
  FILE_ID_BYTES,
  FILE_KEY_BYTES,
  FILE_HASH_BYTES,
  FileSealer,
  HASH_LIST_PART_BYTES,
  hashListOf,
  MAX_FILE_BYTES,
  MAX_HASH_LIST_BYTES,
  MAX_SEALED_CHUNK_BYTES,
  MIME_SNIFF_BYTES,
  needsHashList,
  openFileChunk,
  sealedLength,
  sniffMime,
  verifyChunk,
  wireManifest,
  withHashList,
} from './file/index.js'
export {
  checkOpEpoch,
  createOwnState,
  decodeDistribution,
  decodeSenderKeyMessage,
  decryptWithRecord,
  encodeDistribution,
  encryptWithRecord,
  GroupEpochError,
  judgeSenderKeyMessage,
  knownEpoch,
  SenderKeyRecord,
  type VerifiedSenderKeyMessage,
} from './group/index.js'
export { decryptHeader } from './ratchet/kdf.js'
export { responderKeys } from './session/session.js'
export type { ContentIn } from './wire/content.js'
export { isOneEmoji } from './wire/emoji.js'
export { encodeShortInviteLink, INVITE_SECRET_BYTES, verifyShortInvite } from './wire/invite.js'
export { FileManifest, SenderKeyDistribution, SignedContactCard } from './wire/pb/wire.js'
export { ContactCard as ContactCardCodec } from './wire/pb/wire.js'
export type { PrekeyMessage } from './wire/pb/wire.js'
