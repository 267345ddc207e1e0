// A peer's session record: the current Double Ratchet state and a few earlier ones (kept so
// messages from a session that was replaced, e.g. by simultaneous initiation, still decrypt),
// serialized as a versioned protobuf for the store. This module owns that format only.
import { toHex } from '../bytes.js'
import { MalformedMessageError, UnsupportedVersionError } from '../errors.js'
import { MAX_PREVIOUS_STATES, MAX_SEEN_BASE_KEYS, MAX_SKIPPED_KEYS } from '../ratchet/limits.js'
import { RatchetState } from '../ratchet/state.js'
import { decodeLimited } from '../wire/decode.js'
import { MAX_SESSION_RECORD_BYTES } from '../wire/limits.js'
import * as pb from '../wire/pb/record.js'

export const SESSION_RECORD_VERSION = 1

export class SessionRecord {
  constructor(
    readonly current: RatchetState | undefined,
    readonly previous: readonly RatchetState[] = [],
    /** EK_A of initial messages that created sessions here, oldest first (bounded). */
    readonly seenBaseKeys: readonly Uint8Array[] = [],
  ) {}

  /** True if an initial message with this EK_A already created a session here. */
  hasSeenBaseKey(baseKey: Uint8Array): boolean {
    const id = toHex(baseKey)
    return this.seenBaseKeys.some((k) => toHex(k) === id)
  }

  /** This record with `baseKey` remembered (the oldest forgotten beyond MAX_SEEN_BASE_KEYS). */
  withSeenBaseKey(baseKey: Uint8Array): SessionRecord {
    const seen = [...this.seenBaseKeys, baseKey].slice(-MAX_SEEN_BASE_KEYS)
    return new SessionRecord(this.current, this.previous, seen)
  }

  /** All states, current first: the order decryption tries them in. */
  states(): RatchetState[] {
    return this.current === undefined ? [...this.previous] : [this.current, ...this.previous]
  }

  /** A record whose current state is `state`, the old current archived (bounded). */
  promote(state: RatchetState, replacing?: RatchetState): SessionRecord {
    const rest = this.states().filter((s) => s !== replacing && s !== state)
    return new SessionRecord(state, rest.slice(0, MAX_PREVIOUS_STATES), this.seenBaseKeys)
  }

  /** The state created from the PQXDH run with this EK_A, if any (repeated initial messages). */
  findByBaseKey(baseKey: Uint8Array): RatchetState | undefined {
    const id = toHex(baseKey)
    return this.states().find((s) => s.baseKey.length > 0 && toHex(s.baseKey) === id)
  }

  serialize(): Uint8Array {
    return pb.SessionRecord.encode({
      version: SESSION_RECORD_VERSION,
      ...(this.current === undefined ? {} : { current: toPb(this.current) }),
      previous: this.previous.map(toPb),
      seenBaseKeys: this.seenBaseKeys.map((k) => k as Uint8Array<ArrayBuffer>),
    })
  }

  static deserialize(bytes: Uint8Array): SessionRecord {
    const rec = decodeLimited(pb.SessionRecord, bytes, MAX_SESSION_RECORD_BYTES, 'SessionRecord', {
      canonical: false,
    })
    if (rec.version !== SESSION_RECORD_VERSION) {
      throw new UnsupportedVersionError(`session record version ${rec.version}`)
    }
    // A stored record is ours, but it is still bytes from disk: bound and check it.
    if (rec.previous.length > MAX_PREVIOUS_STATES)
      throw new MalformedMessageError('SessionRecord: too many previous states')
    if (rec.seenBaseKeys.length > MAX_SEEN_BASE_KEYS)
      throw new MalformedMessageError('SessionRecord: too many base keys')
    return new SessionRecord(
      rec.current === undefined ? undefined : fromPb(rec.current),
      rec.previous.map(fromPb),
      rec.seenBaseKeys,
    )
  }
}

function toPb(s: RatchetState): pb.RatchetState {
  return {
    localIdentity: s.localIdentity as Uint8Array<ArrayBuffer>,
    remoteIdentity: s.remoteIdentity as Uint8Array<ArrayBuffer>,
    rootKey: s.rootKey as Uint8Array<ArrayBuffer>,
    dhsPrivate: s.dhsPrivate as Uint8Array<ArrayBuffer>,
    dhsPublic: s.dhsPublic as Uint8Array<ArrayBuffer>,
    dhr: s.dhr as Uint8Array<ArrayBuffer>,
    cks: s.cks as Uint8Array<ArrayBuffer>,
    ckr: s.ckr as Uint8Array<ArrayBuffer>,
    ns: s.ns,
    nr: s.nr,
    pn: s.pn,
    hks: s.hks as Uint8Array<ArrayBuffer>,
    hkr: s.hkr as Uint8Array<ArrayBuffer>,
    nhks: s.nhks as Uint8Array<ArrayBuffer>,
    nhkr: s.nhkr as Uint8Array<ArrayBuffer>,
    skipped: [...s.skipped.values()].map((k) => ({
      headerKey: k.headerKey as Uint8Array<ArrayBuffer>,
      n: k.n,
      messageKey: k.messageKey as Uint8Array<ArrayBuffer>,
    })),
    ...(s.pending === undefined
      ? {}
      : {
          pending: {
            ephemeralKey: s.pending.ephemeralKey as Uint8Array<ArrayBuffer>,
            signedPrekeyId: s.pending.signedPrekeyId,
            kemPrekeyId: s.pending.kemPrekeyId,
            kemCiphertext: s.pending.kemCiphertext as Uint8Array<ArrayBuffer>,
            ...(s.pending.oneTimePrekeyId === undefined
              ? {}
              : { oneTimePrekeyId: s.pending.oneTimePrekeyId }),
          },
        }),
    baseKey: s.baseKey as Uint8Array<ArrayBuffer>,
    handshake: s.handshake as Uint8Array<ArrayBuffer>,
    ad: s.ad as Uint8Array<ArrayBuffer>,
    sendingPending: s.sendingPending,
  }
}

const KEY_FIELDS = ['localIdentity', 'remoteIdentity', 'rootKey'] as const
/** 32 bytes, or empty while the sending half of a DH ratchet step is deferred (and then empty). */
const SENDING_FIELDS = ['dhsPrivate', 'dhsPublic', 'cks', 'nhks'] as const
const OPTIONAL_KEY_FIELDS = ['dhr', 'ckr', 'hks', 'hkr', 'nhkr', 'baseKey', 'handshake'] as const

function fromPb(p: pb.RatchetState): RatchetState {
  for (const f of KEY_FIELDS)
    if (p[f].length !== 32) throw new MalformedMessageError(`SessionRecord: ${f} length`)
  for (const f of OPTIONAL_KEY_FIELDS) {
    if (p[f].length !== 0 && p[f].length !== 32)
      throw new MalformedMessageError(`SessionRecord: ${f} length`)
  }
  // Records written before the deferred sending half have no sendingPending (false) and a key
  // pair; one with it set has neither key pair, sending chain nor NHKs yet, and a DHr to derive
  // them from (src/core/ratchet/ratchet.ts dhRatchetStep).
  const lengthOk = (f: (typeof SENDING_FIELDS)[number]): boolean => {
    const n = p[f].length
    if (p.sendingPending) return n === 0
    return f === 'dhsPrivate' || f === 'dhsPublic' ? n === 32 : n === 0 || n === 32
  }
  for (const f of SENDING_FIELDS) {
    if (!lengthOk(f)) throw new MalformedMessageError(`SessionRecord: ${f} length`)
  }
  if (p.sendingPending && p.dhr.length !== 32)
    throw new MalformedMessageError('SessionRecord: dhr length')
  if (p.skipped.length > MAX_SKIPPED_KEYS)
    throw new MalformedMessageError('SessionRecord: too many skipped keys')
  const s = new RatchetState()
  s.localIdentity = p.localIdentity
  s.remoteIdentity = p.remoteIdentity
  s.rootKey = p.rootKey
  s.dhsPrivate = p.dhsPrivate
  s.dhsPublic = p.dhsPublic
  s.dhr = p.dhr
  s.cks = p.cks
  s.ckr = p.ckr
  s.ns = p.ns
  s.nr = p.nr
  s.pn = p.pn
  s.hks = p.hks
  s.hkr = p.hkr
  s.nhks = p.nhks
  s.nhkr = p.nhkr
  for (const k of p.skipped)
    s.addSkipped({ headerKey: k.headerKey, n: k.n, messageKey: k.messageKey }, toHex(k.headerKey))
  if (p.pending !== undefined) {
    s.pending = {
      ephemeralKey: p.pending.ephemeralKey,
      signedPrekeyId: p.pending.signedPrekeyId,
      kemPrekeyId: p.pending.kemPrekeyId,
      kemCiphertext: p.pending.kemCiphertext,
      oneTimePrekeyId: p.pending.oneTimePrekeyId,
    }
  }
  s.baseKey = p.baseKey
  s.handshake = p.handshake
  s.ad = p.ad
  s.sendingPending = p.sendingPending
  return s
}
