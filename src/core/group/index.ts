// Sender Keys for group messaging (libsignal group_cipher.rs, sender_keys.rs), signed membership
// ops and their replay (./op.ts, ./control.ts), and the topic validator's verdict
// (./validate.ts). The public surface of src/core/group: explicit names only, never `export *`
// (STYLE.md layout).
export { createOwnState, encryptWithRecord, decryptWithRecord } from './cipher.js'
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
} from './sender-keys.js'
export type { SenderKeyContext } from './cipher.js'
export type { PendingGroupDecrypt } from './sender-keys.js'
export {
  encodeDistribution,
  decodeDistribution,
  decodeSenderKeyMessage,
  SIGNATURE_BYTES,
} from './message.js'
export type { SenderKeyContentFields, SenderKeyMessageFields } from './message.js'
export { SenderKeyRecord, SenderKeyState, RECORD_VERSION, SIGNING_KEY_BYTES } from './record.js'
export type { SenderKeyStateInit } from './record.js'
export {
  SenderChainKey,
  SenderMessageKey,
  CHAIN_KEY_BYTES,
  MESSAGE_CIPHER_KEY_BYTES,
  MESSAGE_NONCE_BYTES,
} from './chain.js'
export {
  MAX_FORWARD_JUMPS,
  MAX_MESSAGE_KEYS,
  MAX_SENDER_KEY_STATES,
  MAX_ITERATION,
  MAX_DISTRIBUTION_ID_BYTES,
  MAX_EPOCH_STEP,
  MAX_RETIRED_CHAINS,
} from './limits.js'
export {
  GroupOp,
  GroupStateError,
  GroupEpochError,
  checkOpEpoch,
  knownEpoch,
  signGroupOp,
  verifyGroupOp,
  replayGroup,
  groupTopic,
  leaveSecret,
  comparePeerIds,
} from './control.js'
export type { GroupOpInit, GroupOpRecord, GroupState, ReplayOptions } from './control.js'
export {
  peekSenderKeyMessage,
  checkSenderKeyMessage,
  judgeSenderKeyMessage,
  provesSignature,
} from './validate.js'
export type { GroupMessageVerdict, VerifiedSenderKeyMessage } from './validate.js'
