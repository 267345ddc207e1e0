import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface SkippedKey {
  headerKey: Uint8Array<ArrayBuffer>
  n: number
  messageKey: Uint8Array<ArrayBuffer>
}

export namespace SkippedKey {
  let _codec: Codec<SkippedKey>

  export const codec = (): Codec<SkippedKey> => {
    if (_codec == null) {
      _codec = message<SkippedKey>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.headerKey != null && obj.headerKey.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.headerKey)
        }

        if ((obj.n != null && obj.n !== 0)) {
          w.uint32(16)
          w.uint32(obj.n)
        }

        if ((obj.messageKey != null && obj.messageKey.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.messageKey)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          headerKey: uint8ArrayAlloc(0),
          n: 0,
          messageKey: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.headerKey = reader.bytes()
              break
            }
            case 2: {
              obj.n = reader.uint32()
              break
            }
            case 3: {
              obj.messageKey = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.headerKey`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.n`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.messageKey`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SkippedKeyHeaderKeyFieldEvent {
    field: '$.headerKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SkippedKeyNFieldEvent {
    field: '$.n'
    value: number
  }

  export interface SkippedKeyMessageKeyFieldEvent {
    field: '$.messageKey'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SkippedKey>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SkippedKey.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SkippedKey>): SkippedKey {
    return decodeMessage(buf, SkippedKey.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SkippedKey>): Generator<SkippedKeyHeaderKeyFieldEvent | SkippedKeyNFieldEvent | SkippedKeyMessageKeyFieldEvent> {
    return streamMessage(buf, SkippedKey.codec(), opts)
  }
}

export interface PendingPrekey {
  ephemeralKey: Uint8Array<ArrayBuffer>
  signedPrekeyId: number
  kemPrekeyId: number
  kemCiphertext: Uint8Array<ArrayBuffer>
  oneTimePrekeyId?: number
}

export namespace PendingPrekey {
  let _codec: Codec<PendingPrekey>

  export const codec = (): Codec<PendingPrekey> => {
    if (_codec == null) {
      _codec = message<PendingPrekey>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.ephemeralKey != null && obj.ephemeralKey.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.ephemeralKey)
        }

        if ((obj.signedPrekeyId != null && obj.signedPrekeyId !== 0)) {
          w.uint32(16)
          w.uint32(obj.signedPrekeyId)
        }

        if ((obj.kemPrekeyId != null && obj.kemPrekeyId !== 0)) {
          w.uint32(24)
          w.uint32(obj.kemPrekeyId)
        }

        if ((obj.kemCiphertext != null && obj.kemCiphertext.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.kemCiphertext)
        }

        if (obj.oneTimePrekeyId != null) {
          w.uint32(40)
          w.uint32(obj.oneTimePrekeyId)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          ephemeralKey: uint8ArrayAlloc(0),
          signedPrekeyId: 0,
          kemPrekeyId: 0,
          kemCiphertext: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.ephemeralKey = reader.bytes()
              break
            }
            case 2: {
              obj.signedPrekeyId = reader.uint32()
              break
            }
            case 3: {
              obj.kemPrekeyId = reader.uint32()
              break
            }
            case 4: {
              obj.kemCiphertext = reader.bytes()
              break
            }
            case 5: {
              obj.oneTimePrekeyId = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.ephemeralKey`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.signedPrekeyId`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.kemPrekeyId`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.kemCiphertext`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.oneTimePrekeyId`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface PendingPrekeyEphemeralKeyFieldEvent {
    field: '$.ephemeralKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PendingPrekeySignedPrekeyIdFieldEvent {
    field: '$.signedPrekeyId'
    value: number
  }

  export interface PendingPrekeyKemPrekeyIdFieldEvent {
    field: '$.kemPrekeyId'
    value: number
  }

  export interface PendingPrekeyKemCiphertextFieldEvent {
    field: '$.kemCiphertext'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PendingPrekeyOneTimePrekeyIdFieldEvent {
    field: '$.oneTimePrekeyId'
    value: number
  }

  export function encode (obj: Partial<PendingPrekey>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PendingPrekey.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PendingPrekey>): PendingPrekey {
    return decodeMessage(buf, PendingPrekey.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PendingPrekey>): Generator<PendingPrekeyEphemeralKeyFieldEvent | PendingPrekeySignedPrekeyIdFieldEvent | PendingPrekeyKemPrekeyIdFieldEvent | PendingPrekeyKemCiphertextFieldEvent | PendingPrekeyOneTimePrekeyIdFieldEvent> {
    return streamMessage(buf, PendingPrekey.codec(), opts)
  }
}

export interface RatchetState {
  localIdentity: Uint8Array<ArrayBuffer>
  remoteIdentity: Uint8Array<ArrayBuffer>
  rootKey: Uint8Array<ArrayBuffer>
  dhsPrivate: Uint8Array<ArrayBuffer>
  dhsPublic: Uint8Array<ArrayBuffer>
  dhr: Uint8Array<ArrayBuffer>
  cks: Uint8Array<ArrayBuffer>
  ckr: Uint8Array<ArrayBuffer>
  ns: number
  nr: number
  pn: number
  hks: Uint8Array<ArrayBuffer>
  hkr: Uint8Array<ArrayBuffer>
  nhks: Uint8Array<ArrayBuffer>
  nhkr: Uint8Array<ArrayBuffer>
  skipped: SkippedKey[]
  pending?: PendingPrekey
  baseKey: Uint8Array<ArrayBuffer>
  ad: Uint8Array<ArrayBuffer>
  handshake: Uint8Array<ArrayBuffer>
  sendingPending: boolean
}

export namespace RatchetState {
  let _codec: Codec<RatchetState>

  export const codec = (): Codec<RatchetState> => {
    if (_codec == null) {
      _codec = message<RatchetState>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.localIdentity != null && obj.localIdentity.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.localIdentity)
        }

        if ((obj.remoteIdentity != null && obj.remoteIdentity.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.remoteIdentity)
        }

        if ((obj.rootKey != null && obj.rootKey.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.rootKey)
        }

        if ((obj.dhsPrivate != null && obj.dhsPrivate.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.dhsPrivate)
        }

        if ((obj.dhsPublic != null && obj.dhsPublic.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.dhsPublic)
        }

        if ((obj.dhr != null && obj.dhr.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.dhr)
        }

        if ((obj.cks != null && obj.cks.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.cks)
        }

        if ((obj.ckr != null && obj.ckr.byteLength > 0)) {
          w.uint32(66)
          w.bytes(obj.ckr)
        }

        if ((obj.ns != null && obj.ns !== 0)) {
          w.uint32(72)
          w.uint32(obj.ns)
        }

        if ((obj.nr != null && obj.nr !== 0)) {
          w.uint32(80)
          w.uint32(obj.nr)
        }

        if ((obj.pn != null && obj.pn !== 0)) {
          w.uint32(88)
          w.uint32(obj.pn)
        }

        if ((obj.hks != null && obj.hks.byteLength > 0)) {
          w.uint32(98)
          w.bytes(obj.hks)
        }

        if ((obj.hkr != null && obj.hkr.byteLength > 0)) {
          w.uint32(106)
          w.bytes(obj.hkr)
        }

        if ((obj.nhks != null && obj.nhks.byteLength > 0)) {
          w.uint32(114)
          w.bytes(obj.nhks)
        }

        if ((obj.nhkr != null && obj.nhkr.byteLength > 0)) {
          w.uint32(122)
          w.bytes(obj.nhkr)
        }

        if (obj.skipped != null && obj.skipped.length > 0) {
          for (const value of obj.skipped) {
            w.uint32(130)
            SkippedKey.codec().encode(value, w)
          }
        }

        if (obj.pending != null) {
          w.uint32(138)
          PendingPrekey.codec().encode(obj.pending, w)
        }

        if ((obj.baseKey != null && obj.baseKey.byteLength > 0)) {
          w.uint32(146)
          w.bytes(obj.baseKey)
        }

        if ((obj.ad != null && obj.ad.byteLength > 0)) {
          w.uint32(154)
          w.bytes(obj.ad)
        }

        if ((obj.handshake != null && obj.handshake.byteLength > 0)) {
          w.uint32(162)
          w.bytes(obj.handshake)
        }

        if ((obj.sendingPending != null && obj.sendingPending !== false)) {
          w.uint32(168)
          w.bool(obj.sendingPending)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          localIdentity: uint8ArrayAlloc(0),
          remoteIdentity: uint8ArrayAlloc(0),
          rootKey: uint8ArrayAlloc(0),
          dhsPrivate: uint8ArrayAlloc(0),
          dhsPublic: uint8ArrayAlloc(0),
          dhr: uint8ArrayAlloc(0),
          cks: uint8ArrayAlloc(0),
          ckr: uint8ArrayAlloc(0),
          ns: 0,
          nr: 0,
          pn: 0,
          hks: uint8ArrayAlloc(0),
          hkr: uint8ArrayAlloc(0),
          nhks: uint8ArrayAlloc(0),
          nhkr: uint8ArrayAlloc(0),
          skipped: [],
          baseKey: uint8ArrayAlloc(0),
          ad: uint8ArrayAlloc(0),
          handshake: uint8ArrayAlloc(0),
          sendingPending: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.localIdentity = reader.bytes()
              break
            }
            case 2: {
              obj.remoteIdentity = reader.bytes()
              break
            }
            case 3: {
              obj.rootKey = reader.bytes()
              break
            }
            case 4: {
              obj.dhsPrivate = reader.bytes()
              break
            }
            case 5: {
              obj.dhsPublic = reader.bytes()
              break
            }
            case 6: {
              obj.dhr = reader.bytes()
              break
            }
            case 7: {
              obj.cks = reader.bytes()
              break
            }
            case 8: {
              obj.ckr = reader.bytes()
              break
            }
            case 9: {
              obj.ns = reader.uint32()
              break
            }
            case 10: {
              obj.nr = reader.uint32()
              break
            }
            case 11: {
              obj.pn = reader.uint32()
              break
            }
            case 12: {
              obj.hks = reader.bytes()
              break
            }
            case 13: {
              obj.hkr = reader.bytes()
              break
            }
            case 14: {
              obj.nhks = reader.bytes()
              break
            }
            case 15: {
              obj.nhkr = reader.bytes()
              break
            }
            case 16: {
              if (opts.limits?.skipped != null && obj.skipped.length === opts.limits.skipped) {
                throw new MaxLengthError('Decode error - repeated field "skipped" had too many elements')
              }

              obj.skipped.push(SkippedKey.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.skipped$
              }))
              break
            }
            case 17: {
              obj.pending = PendingPrekey.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.pending
              })
              break
            }
            case 18: {
              obj.baseKey = reader.bytes()
              break
            }
            case 19: {
              obj.ad = reader.bytes()
              break
            }
            case 20: {
              obj.handshake = reader.bytes()
              break
            }
            case 21: {
              obj.sendingPending = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          skipped: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.localIdentity`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.remoteIdentity`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.rootKey`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.dhsPrivate`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.dhsPublic`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.dhr`,
                value: reader.bytes()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.cks`,
                value: reader.bytes()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.ckr`,
                value: reader.bytes()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.ns`,
                value: reader.uint32()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.nr`,
                value: reader.uint32()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.pn`,
                value: reader.uint32()
              }
              break
            }
            case 12: {
              yield {
                field: `${prefix}.hks`,
                value: reader.bytes()
              }
              break
            }
            case 13: {
              yield {
                field: `${prefix}.hkr`,
                value: reader.bytes()
              }
              break
            }
            case 14: {
              yield {
                field: `${prefix}.nhks`,
                value: reader.bytes()
              }
              break
            }
            case 15: {
              yield {
                field: `${prefix}.nhkr`,
                value: reader.bytes()
              }
              break
            }
            case 16: {
              if (opts.limits?.skipped != null && obj.skipped === opts.limits.skipped) {
                throw new MaxLengthError('Streaming decode error - repeated field "skipped" had too many elements')
              }

              for (const evt of SkippedKey.codec().stream(reader, reader.uint32(), `${prefix}.skipped[]`, {
                limits: opts.limits?.skipped$
              })) {
                yield {
                  ...evt,
                  index: obj.skipped
                }
              }

              obj.skipped++

              break
            }
            case 17: {
              yield * PendingPrekey.codec().stream(reader, reader.uint32(), `${prefix}.pending`, {
                limits: opts.limits?.pending
              })

              break
            }
            case 18: {
              yield {
                field: `${prefix}.baseKey`,
                value: reader.bytes()
              }
              break
            }
            case 19: {
              yield {
                field: `${prefix}.ad`,
                value: reader.bytes()
              }
              break
            }
            case 20: {
              yield {
                field: `${prefix}.handshake`,
                value: reader.bytes()
              }
              break
            }
            case 21: {
              yield {
                field: `${prefix}.sendingPending`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RatchetStateLocalIdentityFieldEvent {
    field: '$.localIdentity'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RatchetStateRemoteIdentityFieldEvent {
    field: '$.remoteIdentity'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RatchetStateRootKeyFieldEvent {
    field: '$.rootKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RatchetStateDhsPrivateFieldEvent {
    field: '$.dhsPrivate'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RatchetStateDhsPublicFieldEvent {
    field: '$.dhsPublic'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RatchetStateDhrFieldEvent {
    field: '$.dhr'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RatchetStateCksFieldEvent {
    field: '$.cks'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RatchetStateCkrFieldEvent {
    field: '$.ckr'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RatchetStateNsFieldEvent {
    field: '$.ns'
    value: number
  }

  export interface RatchetStateNrFieldEvent {
    field: '$.nr'
    value: number
  }

  export interface RatchetStatePnFieldEvent {
    field: '$.pn'
    value: number
  }

  export interface RatchetStateHksFieldEvent {
    field: '$.hks'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RatchetStateHkrFieldEvent {
    field: '$.hkr'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RatchetStateNhksFieldEvent {
    field: '$.nhks'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RatchetStateNhkrFieldEvent {
    field: '$.nhkr'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RatchetStateSkippedHeaderKeyFieldEvent {
    field: '$.skipped[].headerKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface RatchetStateSkippedNFieldEvent {
    field: '$.skipped[].n'
    value: number
    index: number
  }

  export interface RatchetStateSkippedMessageKeyFieldEvent {
    field: '$.skipped[].messageKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface RatchetStatePendingEphemeralKeyFieldEvent {
    field: '$.pending.ephemeralKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RatchetStatePendingSignedPrekeyIdFieldEvent {
    field: '$.pending.signedPrekeyId'
    value: number
  }

  export interface RatchetStatePendingKemPrekeyIdFieldEvent {
    field: '$.pending.kemPrekeyId'
    value: number
  }

  export interface RatchetStatePendingKemCiphertextFieldEvent {
    field: '$.pending.kemCiphertext'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RatchetStatePendingOneTimePrekeyIdFieldEvent {
    field: '$.pending.oneTimePrekeyId'
    value: number
  }

  export interface RatchetStateBaseKeyFieldEvent {
    field: '$.baseKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RatchetStateAdFieldEvent {
    field: '$.ad'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RatchetStateHandshakeFieldEvent {
    field: '$.handshake'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RatchetStateSendingPendingFieldEvent {
    field: '$.sendingPending'
    value: boolean
  }

  export function encode (obj: Partial<RatchetState>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RatchetState.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RatchetState>): RatchetState {
    return decodeMessage(buf, RatchetState.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RatchetState>): Generator<RatchetStateLocalIdentityFieldEvent | RatchetStateRemoteIdentityFieldEvent | RatchetStateRootKeyFieldEvent | RatchetStateDhsPrivateFieldEvent | RatchetStateDhsPublicFieldEvent | RatchetStateDhrFieldEvent | RatchetStateCksFieldEvent | RatchetStateCkrFieldEvent | RatchetStateNsFieldEvent | RatchetStateNrFieldEvent | RatchetStatePnFieldEvent | RatchetStateHksFieldEvent | RatchetStateHkrFieldEvent | RatchetStateNhksFieldEvent | RatchetStateNhkrFieldEvent | RatchetStateSkippedHeaderKeyFieldEvent | RatchetStateSkippedNFieldEvent | RatchetStateSkippedMessageKeyFieldEvent | RatchetStatePendingEphemeralKeyFieldEvent | RatchetStatePendingSignedPrekeyIdFieldEvent | RatchetStatePendingKemPrekeyIdFieldEvent | RatchetStatePendingKemCiphertextFieldEvent | RatchetStatePendingOneTimePrekeyIdFieldEvent | RatchetStateBaseKeyFieldEvent | RatchetStateAdFieldEvent | RatchetStateHandshakeFieldEvent | RatchetStateSendingPendingFieldEvent> {
    return streamMessage(buf, RatchetState.codec(), opts)
  }
}

export interface SessionRecord {
  version: number
  current?: RatchetState
  previous: RatchetState[]
  seenBaseKeys: Uint8Array<ArrayBuffer>[]
}

export namespace SessionRecord {
  let _codec: Codec<SessionRecord>

  export const codec = (): Codec<SessionRecord> => {
    if (_codec == null) {
      _codec = message<SessionRecord>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.current != null) {
          w.uint32(18)
          RatchetState.codec().encode(obj.current, w)
        }

        if (obj.previous != null && obj.previous.length > 0) {
          for (const value of obj.previous) {
            w.uint32(26)
            RatchetState.codec().encode(value, w)
          }
        }

        if (obj.seenBaseKeys != null && obj.seenBaseKeys.length > 0) {
          for (const value of obj.seenBaseKeys) {
            w.uint32(34)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          previous: [],
          seenBaseKeys: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.current = RatchetState.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.current
              })
              break
            }
            case 3: {
              if (opts.limits?.previous != null && obj.previous.length === opts.limits.previous) {
                throw new MaxLengthError('Decode error - repeated field "previous" had too many elements')
              }

              obj.previous.push(RatchetState.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.previous$
              }))
              break
            }
            case 4: {
              if (opts.limits?.seenBaseKeys != null && obj.seenBaseKeys.length === opts.limits.seenBaseKeys) {
                throw new MaxLengthError('Decode error - repeated field "seenBaseKeys" had too many elements')
              }

              obj.seenBaseKeys.push(reader.bytes())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          previous: 0,
          seenBaseKeys: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield * RatchetState.codec().stream(reader, reader.uint32(), `${prefix}.current`, {
                limits: opts.limits?.current
              })

              break
            }
            case 3: {
              if (opts.limits?.previous != null && obj.previous === opts.limits.previous) {
                throw new MaxLengthError('Streaming decode error - repeated field "previous" had too many elements')
              }

              for (const evt of RatchetState.codec().stream(reader, reader.uint32(), `${prefix}.previous[]`, {
                limits: opts.limits?.previous$
              })) {
                yield {
                  ...evt,
                  index: obj.previous
                }
              }

              obj.previous++

              break
            }
            case 4: {
              if (opts.limits?.seenBaseKeys != null && obj.seenBaseKeys === opts.limits.seenBaseKeys) {
                throw new MaxLengthError('Streaming decode error - repeated field "seenBaseKeys" had too many elements')
              }

              yield {
                field: `${prefix}.seenBaseKeys[]`,
                index: obj.seenBaseKeys,
                value: reader.bytes()
              }

              obj.seenBaseKeys++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SessionRecordVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface SessionRecordCurrentLocalIdentityFieldEvent {
    field: '$.current.localIdentity'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SessionRecordCurrentRemoteIdentityFieldEvent {
    field: '$.current.remoteIdentity'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SessionRecordCurrentRootKeyFieldEvent {
    field: '$.current.rootKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SessionRecordCurrentDhsPrivateFieldEvent {
    field: '$.current.dhsPrivate'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SessionRecordCurrentDhsPublicFieldEvent {
    field: '$.current.dhsPublic'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SessionRecordCurrentDhrFieldEvent {
    field: '$.current.dhr'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SessionRecordCurrentCksFieldEvent {
    field: '$.current.cks'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SessionRecordCurrentCkrFieldEvent {
    field: '$.current.ckr'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SessionRecordCurrentNsFieldEvent {
    field: '$.current.ns'
    value: number
  }

  export interface SessionRecordCurrentNrFieldEvent {
    field: '$.current.nr'
    value: number
  }

  export interface SessionRecordCurrentPnFieldEvent {
    field: '$.current.pn'
    value: number
  }

  export interface SessionRecordCurrentHksFieldEvent {
    field: '$.current.hks'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SessionRecordCurrentHkrFieldEvent {
    field: '$.current.hkr'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SessionRecordCurrentNhksFieldEvent {
    field: '$.current.nhks'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SessionRecordCurrentNhkrFieldEvent {
    field: '$.current.nhkr'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SessionRecordCurrentSkippedHeaderKeyFieldEvent {
    field: '$.current.skipped[].headerKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SessionRecordCurrentSkippedNFieldEvent {
    field: '$.current.skipped[].n'
    value: number
    index: number
  }

  export interface SessionRecordCurrentSkippedMessageKeyFieldEvent {
    field: '$.current.skipped[].messageKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SessionRecordCurrentPendingEphemeralKeyFieldEvent {
    field: '$.current.pending.ephemeralKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SessionRecordCurrentPendingSignedPrekeyIdFieldEvent {
    field: '$.current.pending.signedPrekeyId'
    value: number
  }

  export interface SessionRecordCurrentPendingKemPrekeyIdFieldEvent {
    field: '$.current.pending.kemPrekeyId'
    value: number
  }

  export interface SessionRecordCurrentPendingKemCiphertextFieldEvent {
    field: '$.current.pending.kemCiphertext'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SessionRecordCurrentPendingOneTimePrekeyIdFieldEvent {
    field: '$.current.pending.oneTimePrekeyId'
    value: number
  }

  export interface SessionRecordCurrentBaseKeyFieldEvent {
    field: '$.current.baseKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SessionRecordCurrentAdFieldEvent {
    field: '$.current.ad'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SessionRecordCurrentHandshakeFieldEvent {
    field: '$.current.handshake'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SessionRecordCurrentSendingPendingFieldEvent {
    field: '$.current.sendingPending'
    value: boolean
  }

  export interface SessionRecordPreviousLocalIdentityFieldEvent {
    field: '$.previous[].localIdentity'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SessionRecordPreviousRemoteIdentityFieldEvent {
    field: '$.previous[].remoteIdentity'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SessionRecordPreviousRootKeyFieldEvent {
    field: '$.previous[].rootKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SessionRecordPreviousDhsPrivateFieldEvent {
    field: '$.previous[].dhsPrivate'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SessionRecordPreviousDhsPublicFieldEvent {
    field: '$.previous[].dhsPublic'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SessionRecordPreviousDhrFieldEvent {
    field: '$.previous[].dhr'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SessionRecordPreviousCksFieldEvent {
    field: '$.previous[].cks'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SessionRecordPreviousCkrFieldEvent {
    field: '$.previous[].ckr'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SessionRecordPreviousNsFieldEvent {
    field: '$.previous[].ns'
    value: number
    index: number
  }

  export interface SessionRecordPreviousNrFieldEvent {
    field: '$.previous[].nr'
    value: number
    index: number
  }

  export interface SessionRecordPreviousPnFieldEvent {
    field: '$.previous[].pn'
    value: number
    index: number
  }

  export interface SessionRecordPreviousHksFieldEvent {
    field: '$.previous[].hks'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SessionRecordPreviousHkrFieldEvent {
    field: '$.previous[].hkr'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SessionRecordPreviousNhksFieldEvent {
    field: '$.previous[].nhks'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SessionRecordPreviousNhkrFieldEvent {
    field: '$.previous[].nhkr'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SessionRecordPreviousSkippedHeaderKeyFieldEvent {
    field: '$.previous[].skipped[].headerKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SessionRecordPreviousSkippedNFieldEvent {
    field: '$.previous[].skipped[].n'
    value: number
    index: number
  }

  export interface SessionRecordPreviousSkippedMessageKeyFieldEvent {
    field: '$.previous[].skipped[].messageKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SessionRecordPreviousPendingEphemeralKeyFieldEvent {
    field: '$.previous[].pending.ephemeralKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SessionRecordPreviousPendingSignedPrekeyIdFieldEvent {
    field: '$.previous[].pending.signedPrekeyId'
    value: number
    index: number
  }

  export interface SessionRecordPreviousPendingKemPrekeyIdFieldEvent {
    field: '$.previous[].pending.kemPrekeyId'
    value: number
    index: number
  }

  export interface SessionRecordPreviousPendingKemCiphertextFieldEvent {
    field: '$.previous[].pending.kemCiphertext'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SessionRecordPreviousPendingOneTimePrekeyIdFieldEvent {
    field: '$.previous[].pending.oneTimePrekeyId'
    value: number
    index: number
  }

  export interface SessionRecordPreviousBaseKeyFieldEvent {
    field: '$.previous[].baseKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SessionRecordPreviousAdFieldEvent {
    field: '$.previous[].ad'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SessionRecordPreviousHandshakeFieldEvent {
    field: '$.previous[].handshake'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SessionRecordPreviousSendingPendingFieldEvent {
    field: '$.previous[].sendingPending'
    value: boolean
    index: number
  }

  export interface SessionRecordSeenBaseKeysFieldEvent {
    field: '$.seenBaseKeys[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SessionRecord>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SessionRecord.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SessionRecord>): SessionRecord {
    return decodeMessage(buf, SessionRecord.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SessionRecord>): Generator<SessionRecordVersionFieldEvent | SessionRecordCurrentLocalIdentityFieldEvent | SessionRecordCurrentRemoteIdentityFieldEvent | SessionRecordCurrentRootKeyFieldEvent | SessionRecordCurrentDhsPrivateFieldEvent | SessionRecordCurrentDhsPublicFieldEvent | SessionRecordCurrentDhrFieldEvent | SessionRecordCurrentCksFieldEvent | SessionRecordCurrentCkrFieldEvent | SessionRecordCurrentNsFieldEvent | SessionRecordCurrentNrFieldEvent | SessionRecordCurrentPnFieldEvent | SessionRecordCurrentHksFieldEvent | SessionRecordCurrentHkrFieldEvent | SessionRecordCurrentNhksFieldEvent | SessionRecordCurrentNhkrFieldEvent | SessionRecordCurrentSkippedHeaderKeyFieldEvent | SessionRecordCurrentSkippedNFieldEvent | SessionRecordCurrentSkippedMessageKeyFieldEvent | SessionRecordCurrentPendingEphemeralKeyFieldEvent | SessionRecordCurrentPendingSignedPrekeyIdFieldEvent | SessionRecordCurrentPendingKemPrekeyIdFieldEvent | SessionRecordCurrentPendingKemCiphertextFieldEvent | SessionRecordCurrentPendingOneTimePrekeyIdFieldEvent | SessionRecordCurrentBaseKeyFieldEvent | SessionRecordCurrentAdFieldEvent | SessionRecordCurrentHandshakeFieldEvent | SessionRecordCurrentSendingPendingFieldEvent | SessionRecordPreviousLocalIdentityFieldEvent | SessionRecordPreviousRemoteIdentityFieldEvent | SessionRecordPreviousRootKeyFieldEvent | SessionRecordPreviousDhsPrivateFieldEvent | SessionRecordPreviousDhsPublicFieldEvent | SessionRecordPreviousDhrFieldEvent | SessionRecordPreviousCksFieldEvent | SessionRecordPreviousCkrFieldEvent | SessionRecordPreviousNsFieldEvent | SessionRecordPreviousNrFieldEvent | SessionRecordPreviousPnFieldEvent | SessionRecordPreviousHksFieldEvent | SessionRecordPreviousHkrFieldEvent | SessionRecordPreviousNhksFieldEvent | SessionRecordPreviousNhkrFieldEvent | SessionRecordPreviousSkippedHeaderKeyFieldEvent | SessionRecordPreviousSkippedNFieldEvent | SessionRecordPreviousSkippedMessageKeyFieldEvent | SessionRecordPreviousPendingEphemeralKeyFieldEvent | SessionRecordPreviousPendingSignedPrekeyIdFieldEvent | SessionRecordPreviousPendingKemPrekeyIdFieldEvent | SessionRecordPreviousPendingKemCiphertextFieldEvent | SessionRecordPreviousPendingOneTimePrekeyIdFieldEvent | SessionRecordPreviousBaseKeyFieldEvent | SessionRecordPreviousAdFieldEvent | SessionRecordPreviousHandshakeFieldEvent | SessionRecordPreviousSendingPendingFieldEvent | SessionRecordSeenBaseKeysFieldEvent> {
    return streamMessage(buf, SessionRecord.codec(), opts)
  }
}

export interface SenderMessageKey {
  iteration: number
  seed: Uint8Array<ArrayBuffer>
}

export namespace SenderMessageKey {
  let _codec: Codec<SenderMessageKey>

  export const codec = (): Codec<SenderMessageKey> => {
    if (_codec == null) {
      _codec = message<SenderMessageKey>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.iteration != null && obj.iteration !== 0)) {
          w.uint32(8)
          w.uint32(obj.iteration)
        }

        if ((obj.seed != null && obj.seed.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.seed)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          iteration: 0,
          seed: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.iteration = reader.uint32()
              break
            }
            case 2: {
              obj.seed = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.iteration`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.seed`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SenderMessageKeyIterationFieldEvent {
    field: '$.iteration'
    value: number
  }

  export interface SenderMessageKeySeedFieldEvent {
    field: '$.seed'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SenderMessageKey>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SenderMessageKey.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SenderMessageKey>): SenderMessageKey {
    return decodeMessage(buf, SenderMessageKey.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SenderMessageKey>): Generator<SenderMessageKeyIterationFieldEvent | SenderMessageKeySeedFieldEvent> {
    return streamMessage(buf, SenderMessageKey.codec(), opts)
  }
}

export interface SenderKeyState {
  chainId: number
  iteration: number
  chainKey: Uint8Array<ArrayBuffer>
  signingPublic: Uint8Array<ArrayBuffer>
  signingPrivate: Uint8Array<ArrayBuffer>
  skipped: SenderMessageKey[]
}

export namespace SenderKeyState {
  let _codec: Codec<SenderKeyState>

  export const codec = (): Codec<SenderKeyState> => {
    if (_codec == null) {
      _codec = message<SenderKeyState>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.chainId != null && obj.chainId !== 0)) {
          w.uint32(8)
          w.uint32(obj.chainId)
        }

        if ((obj.iteration != null && obj.iteration !== 0)) {
          w.uint32(16)
          w.uint32(obj.iteration)
        }

        if ((obj.chainKey != null && obj.chainKey.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.chainKey)
        }

        if ((obj.signingPublic != null && obj.signingPublic.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.signingPublic)
        }

        if ((obj.signingPrivate != null && obj.signingPrivate.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.signingPrivate)
        }

        if (obj.skipped != null && obj.skipped.length > 0) {
          for (const value of obj.skipped) {
            w.uint32(50)
            SenderMessageKey.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          chainId: 0,
          iteration: 0,
          chainKey: uint8ArrayAlloc(0),
          signingPublic: uint8ArrayAlloc(0),
          signingPrivate: uint8ArrayAlloc(0),
          skipped: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.chainId = reader.uint32()
              break
            }
            case 2: {
              obj.iteration = reader.uint32()
              break
            }
            case 3: {
              obj.chainKey = reader.bytes()
              break
            }
            case 4: {
              obj.signingPublic = reader.bytes()
              break
            }
            case 5: {
              obj.signingPrivate = reader.bytes()
              break
            }
            case 6: {
              if (opts.limits?.skipped != null && obj.skipped.length === opts.limits.skipped) {
                throw new MaxLengthError('Decode error - repeated field "skipped" had too many elements')
              }

              obj.skipped.push(SenderMessageKey.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.skipped$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          skipped: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.chainId`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.iteration`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.chainKey`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.signingPublic`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.signingPrivate`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              if (opts.limits?.skipped != null && obj.skipped === opts.limits.skipped) {
                throw new MaxLengthError('Streaming decode error - repeated field "skipped" had too many elements')
              }

              for (const evt of SenderMessageKey.codec().stream(reader, reader.uint32(), `${prefix}.skipped[]`, {
                limits: opts.limits?.skipped$
              })) {
                yield {
                  ...evt,
                  index: obj.skipped
                }
              }

              obj.skipped++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SenderKeyStateChainIdFieldEvent {
    field: '$.chainId'
    value: number
  }

  export interface SenderKeyStateIterationFieldEvent {
    field: '$.iteration'
    value: number
  }

  export interface SenderKeyStateChainKeyFieldEvent {
    field: '$.chainKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SenderKeyStateSigningPublicFieldEvent {
    field: '$.signingPublic'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SenderKeyStateSigningPrivateFieldEvent {
    field: '$.signingPrivate'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SenderKeyStateSkippedIterationFieldEvent {
    field: '$.skipped[].iteration'
    value: number
    index: number
  }

  export interface SenderKeyStateSkippedSeedFieldEvent {
    field: '$.skipped[].seed'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export function encode (obj: Partial<SenderKeyState>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SenderKeyState.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SenderKeyState>): SenderKeyState {
    return decodeMessage(buf, SenderKeyState.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SenderKeyState>): Generator<SenderKeyStateChainIdFieldEvent | SenderKeyStateIterationFieldEvent | SenderKeyStateChainKeyFieldEvent | SenderKeyStateSigningPublicFieldEvent | SenderKeyStateSigningPrivateFieldEvent | SenderKeyStateSkippedIterationFieldEvent | SenderKeyStateSkippedSeedFieldEvent> {
    return streamMessage(buf, SenderKeyState.codec(), opts)
  }
}

export interface SenderKeyRecord {
  version: number
  states: SenderKeyState[]
}

export namespace SenderKeyRecord {
  let _codec: Codec<SenderKeyRecord>

  export const codec = (): Codec<SenderKeyRecord> => {
    if (_codec == null) {
      _codec = message<SenderKeyRecord>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.states != null && obj.states.length > 0) {
          for (const value of obj.states) {
            w.uint32(18)
            SenderKeyState.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          states: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              if (opts.limits?.states != null && obj.states.length === opts.limits.states) {
                throw new MaxLengthError('Decode error - repeated field "states" had too many elements')
              }

              obj.states.push(SenderKeyState.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.states$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          states: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              if (opts.limits?.states != null && obj.states === opts.limits.states) {
                throw new MaxLengthError('Streaming decode error - repeated field "states" had too many elements')
              }

              for (const evt of SenderKeyState.codec().stream(reader, reader.uint32(), `${prefix}.states[]`, {
                limits: opts.limits?.states$
              })) {
                yield {
                  ...evt,
                  index: obj.states
                }
              }

              obj.states++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SenderKeyRecordVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface SenderKeyRecordStatesChainIdFieldEvent {
    field: '$.states[].chainId'
    value: number
    index: number
  }

  export interface SenderKeyRecordStatesIterationFieldEvent {
    field: '$.states[].iteration'
    value: number
    index: number
  }

  export interface SenderKeyRecordStatesChainKeyFieldEvent {
    field: '$.states[].chainKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SenderKeyRecordStatesSigningPublicFieldEvent {
    field: '$.states[].signingPublic'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SenderKeyRecordStatesSigningPrivateFieldEvent {
    field: '$.states[].signingPrivate'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SenderKeyRecordStatesSkippedIterationFieldEvent {
    field: '$.states[].skipped[].iteration'
    value: number
    index: number
  }

  export interface SenderKeyRecordStatesSkippedSeedFieldEvent {
    field: '$.states[].skipped[].seed'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export function encode (obj: Partial<SenderKeyRecord>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SenderKeyRecord.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SenderKeyRecord>): SenderKeyRecord {
    return decodeMessage(buf, SenderKeyRecord.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SenderKeyRecord>): Generator<SenderKeyRecordVersionFieldEvent | SenderKeyRecordStatesChainIdFieldEvent | SenderKeyRecordStatesIterationFieldEvent | SenderKeyRecordStatesChainKeyFieldEvent | SenderKeyRecordStatesSigningPublicFieldEvent | SenderKeyRecordStatesSigningPrivateFieldEvent | SenderKeyRecordStatesSkippedIterationFieldEvent | SenderKeyRecordStatesSkippedSeedFieldEvent> {
    return streamMessage(buf, SenderKeyRecord.codec(), opts)
  }
}
