import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export enum EnvelopeType {
  ENVELOPE_TYPE_UNSPECIFIED = 'ENVELOPE_TYPE_UNSPECIFIED',
  PREKEY = 'PREKEY',
  RATCHET = 'RATCHET',
  SENDER_KEY = 'SENDER_KEY'
}

enum __EnvelopeTypeValues {
  ENVELOPE_TYPE_UNSPECIFIED = 0,
  PREKEY = 1,
  RATCHET = 2,
  SENDER_KEY = 3
}

export namespace EnvelopeType {
  export const codec = (): Codec<EnvelopeType> => {
    return enumeration<EnvelopeType>(__EnvelopeTypeValues)
  }
}

export interface Envelope {
  version: number
  type: EnvelopeType
  body: Uint8Array<ArrayBuffer>
}

export namespace Envelope {
  let _codec: Codec<Envelope>

  export const codec = (): Codec<Envelope> => {
    if (_codec == null) {
      _codec = message<Envelope>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.type != null && __EnvelopeTypeValues[obj.type] !== 0) {
          w.uint32(16)
          EnvelopeType.codec().encode(obj.type, w)
        }

        if ((obj.body != null && obj.body.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.body)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          type: EnvelopeType.ENVELOPE_TYPE_UNSPECIFIED,
          body: uint8ArrayAlloc(0)
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
              obj.type = EnvelopeType.codec().decode(reader)
              break
            }
            case 3: {
              obj.body = reader.bytes()
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
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.type`,
                value: EnvelopeType.codec().decode(reader)
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.body`,
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

  export interface EnvelopeVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface EnvelopeTypeFieldEvent {
    field: '$.type'
    value: EnvelopeType
  }

  export interface EnvelopeBodyFieldEvent {
    field: '$.body'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Envelope>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Envelope.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Envelope>): Envelope {
    return decodeMessage(buf, Envelope.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Envelope>): Generator<EnvelopeVersionFieldEvent | EnvelopeTypeFieldEvent | EnvelopeBodyFieldEvent> {
    return streamMessage(buf, Envelope.codec(), opts)
  }
}

export interface RatchetMessage {
  header: Uint8Array<ArrayBuffer>
  ciphertext: Uint8Array<ArrayBuffer>
}

export namespace RatchetMessage {
  let _codec: Codec<RatchetMessage>

  export const codec = (): Codec<RatchetMessage> => {
    if (_codec == null) {
      _codec = message<RatchetMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.header != null && obj.header.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.header)
        }

        if ((obj.ciphertext != null && obj.ciphertext.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.ciphertext)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          header: uint8ArrayAlloc(0),
          ciphertext: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.header = reader.bytes()
              break
            }
            case 2: {
              obj.ciphertext = reader.bytes()
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
                field: `${prefix}.header`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.ciphertext`,
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

  export interface RatchetMessageHeaderFieldEvent {
    field: '$.header'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RatchetMessageCiphertextFieldEvent {
    field: '$.ciphertext'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<RatchetMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RatchetMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RatchetMessage>): RatchetMessage {
    return decodeMessage(buf, RatchetMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RatchetMessage>): Generator<RatchetMessageHeaderFieldEvent | RatchetMessageCiphertextFieldEvent> {
    return streamMessage(buf, RatchetMessage.codec(), opts)
  }
}

export interface PrekeyMessage {
  identityKey: Uint8Array<ArrayBuffer>
  ephemeralKey: Uint8Array<ArrayBuffer>
  signedPrekeyId: number
  kemPrekeyId: number
  kemCiphertext: Uint8Array<ArrayBuffer>
  oneTimePrekeyId?: number
  message?: RatchetMessage
}

export namespace PrekeyMessage {
  let _codec: Codec<PrekeyMessage>

  export const codec = (): Codec<PrekeyMessage> => {
    if (_codec == null) {
      _codec = message<PrekeyMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.identityKey != null && obj.identityKey.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.identityKey)
        }

        if ((obj.ephemeralKey != null && obj.ephemeralKey.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.ephemeralKey)
        }

        if ((obj.signedPrekeyId != null && obj.signedPrekeyId !== 0)) {
          w.uint32(24)
          w.uint32(obj.signedPrekeyId)
        }

        if ((obj.kemPrekeyId != null && obj.kemPrekeyId !== 0)) {
          w.uint32(32)
          w.uint32(obj.kemPrekeyId)
        }

        if ((obj.kemCiphertext != null && obj.kemCiphertext.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.kemCiphertext)
        }

        if (obj.oneTimePrekeyId != null) {
          w.uint32(48)
          w.uint32(obj.oneTimePrekeyId)
        }

        if (obj.message != null) {
          w.uint32(58)
          RatchetMessage.codec().encode(obj.message, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          identityKey: uint8ArrayAlloc(0),
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
              obj.identityKey = reader.bytes()
              break
            }
            case 2: {
              obj.ephemeralKey = reader.bytes()
              break
            }
            case 3: {
              obj.signedPrekeyId = reader.uint32()
              break
            }
            case 4: {
              obj.kemPrekeyId = reader.uint32()
              break
            }
            case 5: {
              obj.kemCiphertext = reader.bytes()
              break
            }
            case 6: {
              obj.oneTimePrekeyId = reader.uint32()
              break
            }
            case 7: {
              obj.message = RatchetMessage.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.message
              })
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
                field: `${prefix}.identityKey`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.ephemeralKey`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.signedPrekeyId`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.kemPrekeyId`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.kemCiphertext`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.oneTimePrekeyId`,
                value: reader.uint32()
              }
              break
            }
            case 7: {
              yield * RatchetMessage.codec().stream(reader, reader.uint32(), `${prefix}.message`, {
                limits: opts.limits?.message
              })

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

  export interface PrekeyMessageIdentityKeyFieldEvent {
    field: '$.identityKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PrekeyMessageEphemeralKeyFieldEvent {
    field: '$.ephemeralKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PrekeyMessageSignedPrekeyIdFieldEvent {
    field: '$.signedPrekeyId'
    value: number
  }

  export interface PrekeyMessageKemPrekeyIdFieldEvent {
    field: '$.kemPrekeyId'
    value: number
  }

  export interface PrekeyMessageKemCiphertextFieldEvent {
    field: '$.kemCiphertext'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PrekeyMessageOneTimePrekeyIdFieldEvent {
    field: '$.oneTimePrekeyId'
    value: number
  }

  export interface PrekeyMessageMessageHeaderFieldEvent {
    field: '$.message.header'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PrekeyMessageMessageCiphertextFieldEvent {
    field: '$.message.ciphertext'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<PrekeyMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PrekeyMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PrekeyMessage>): PrekeyMessage {
    return decodeMessage(buf, PrekeyMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PrekeyMessage>): Generator<PrekeyMessageIdentityKeyFieldEvent | PrekeyMessageEphemeralKeyFieldEvent | PrekeyMessageSignedPrekeyIdFieldEvent | PrekeyMessageKemPrekeyIdFieldEvent | PrekeyMessageKemCiphertextFieldEvent | PrekeyMessageOneTimePrekeyIdFieldEvent | PrekeyMessageMessageHeaderFieldEvent | PrekeyMessageMessageCiphertextFieldEvent> {
    return streamMessage(buf, PrekeyMessage.codec(), opts)
  }
}

export interface SignedPrekey {
  id: number
  publicKey: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace SignedPrekey {
  let _codec: Codec<SignedPrekey>

  export const codec = (): Codec<SignedPrekey> => {
    if (_codec == null) {
      _codec = message<SignedPrekey>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== 0)) {
          w.uint32(8)
          w.uint32(obj.id)
        }

        if ((obj.publicKey != null && obj.publicKey.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.publicKey)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: 0,
          publicKey: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.uint32()
              break
            }
            case 2: {
              obj.publicKey = reader.bytes()
              break
            }
            case 3: {
              obj.signature = reader.bytes()
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
                field: `${prefix}.id`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.publicKey`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.signature`,
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

  export interface SignedPrekeyIdFieldEvent {
    field: '$.id'
    value: number
  }

  export interface SignedPrekeyPublicKeyFieldEvent {
    field: '$.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedPrekeySignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SignedPrekey>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SignedPrekey.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedPrekey>): SignedPrekey {
    return decodeMessage(buf, SignedPrekey.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedPrekey>): Generator<SignedPrekeyIdFieldEvent | SignedPrekeyPublicKeyFieldEvent | SignedPrekeySignatureFieldEvent> {
    return streamMessage(buf, SignedPrekey.codec(), opts)
  }
}

export interface SignedKemPrekey {
  id: number
  publicKey: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
  lastResort: boolean
}

export namespace SignedKemPrekey {
  let _codec: Codec<SignedKemPrekey>

  export const codec = (): Codec<SignedKemPrekey> => {
    if (_codec == null) {
      _codec = message<SignedKemPrekey>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== 0)) {
          w.uint32(8)
          w.uint32(obj.id)
        }

        if ((obj.publicKey != null && obj.publicKey.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.publicKey)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.signature)
        }

        if ((obj.lastResort != null && obj.lastResort !== false)) {
          w.uint32(32)
          w.bool(obj.lastResort)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: 0,
          publicKey: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0),
          lastResort: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.uint32()
              break
            }
            case 2: {
              obj.publicKey = reader.bytes()
              break
            }
            case 3: {
              obj.signature = reader.bytes()
              break
            }
            case 4: {
              obj.lastResort = reader.bool()
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
                field: `${prefix}.id`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.publicKey`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.lastResort`,
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

  export interface SignedKemPrekeyIdFieldEvent {
    field: '$.id'
    value: number
  }

  export interface SignedKemPrekeyPublicKeyFieldEvent {
    field: '$.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedKemPrekeySignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedKemPrekeyLastResortFieldEvent {
    field: '$.lastResort'
    value: boolean
  }

  export function encode (obj: Partial<SignedKemPrekey>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SignedKemPrekey.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedKemPrekey>): SignedKemPrekey {
    return decodeMessage(buf, SignedKemPrekey.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedKemPrekey>): Generator<SignedKemPrekeyIdFieldEvent | SignedKemPrekeyPublicKeyFieldEvent | SignedKemPrekeySignatureFieldEvent | SignedKemPrekeyLastResortFieldEvent> {
    return streamMessage(buf, SignedKemPrekey.codec(), opts)
  }
}

export interface OneTimePrekey {
  id: number
  publicKey: Uint8Array<ArrayBuffer>
}

export namespace OneTimePrekey {
  let _codec: Codec<OneTimePrekey>

  export const codec = (): Codec<OneTimePrekey> => {
    if (_codec == null) {
      _codec = message<OneTimePrekey>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== 0)) {
          w.uint32(8)
          w.uint32(obj.id)
        }

        if ((obj.publicKey != null && obj.publicKey.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.publicKey)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: 0,
          publicKey: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.uint32()
              break
            }
            case 2: {
              obj.publicKey = reader.bytes()
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
                field: `${prefix}.id`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.publicKey`,
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

  export interface OneTimePrekeyIdFieldEvent {
    field: '$.id'
    value: number
  }

  export interface OneTimePrekeyPublicKeyFieldEvent {
    field: '$.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<OneTimePrekey>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, OneTimePrekey.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OneTimePrekey>): OneTimePrekey {
    return decodeMessage(buf, OneTimePrekey.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OneTimePrekey>): Generator<OneTimePrekeyIdFieldEvent | OneTimePrekeyPublicKeyFieldEvent> {
    return streamMessage(buf, OneTimePrekey.codec(), opts)
  }
}

export interface PrekeyBundle {
  identityKey: Uint8Array<ArrayBuffer>
  signedPrekey?: SignedPrekey
  kemPrekey?: SignedKemPrekey
  oneTimePrekey?: OneTimePrekey
  oneTimeKemPrekey?: SignedKemPrekey
}

export namespace PrekeyBundle {
  let _codec: Codec<PrekeyBundle>

  export const codec = (): Codec<PrekeyBundle> => {
    if (_codec == null) {
      _codec = message<PrekeyBundle>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.identityKey != null && obj.identityKey.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.identityKey)
        }

        if (obj.signedPrekey != null) {
          w.uint32(18)
          SignedPrekey.codec().encode(obj.signedPrekey, w)
        }

        if (obj.kemPrekey != null) {
          w.uint32(26)
          SignedKemPrekey.codec().encode(obj.kemPrekey, w)
        }

        if (obj.oneTimePrekey != null) {
          w.uint32(34)
          OneTimePrekey.codec().encode(obj.oneTimePrekey, w)
        }

        if (obj.oneTimeKemPrekey != null) {
          w.uint32(42)
          SignedKemPrekey.codec().encode(obj.oneTimeKemPrekey, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          identityKey: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.identityKey = reader.bytes()
              break
            }
            case 2: {
              obj.signedPrekey = SignedPrekey.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.signedPrekey
              })
              break
            }
            case 3: {
              obj.kemPrekey = SignedKemPrekey.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.kemPrekey
              })
              break
            }
            case 4: {
              obj.oneTimePrekey = OneTimePrekey.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.oneTimePrekey
              })
              break
            }
            case 5: {
              obj.oneTimeKemPrekey = SignedKemPrekey.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.oneTimeKemPrekey
              })
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
                field: `${prefix}.identityKey`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield * SignedPrekey.codec().stream(reader, reader.uint32(), `${prefix}.signedPrekey`, {
                limits: opts.limits?.signedPrekey
              })

              break
            }
            case 3: {
              yield * SignedKemPrekey.codec().stream(reader, reader.uint32(), `${prefix}.kemPrekey`, {
                limits: opts.limits?.kemPrekey
              })

              break
            }
            case 4: {
              yield * OneTimePrekey.codec().stream(reader, reader.uint32(), `${prefix}.oneTimePrekey`, {
                limits: opts.limits?.oneTimePrekey
              })

              break
            }
            case 5: {
              yield * SignedKemPrekey.codec().stream(reader, reader.uint32(), `${prefix}.oneTimeKemPrekey`, {
                limits: opts.limits?.oneTimeKemPrekey
              })

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

  export interface PrekeyBundleIdentityKeyFieldEvent {
    field: '$.identityKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PrekeyBundleSignedPrekeyIdFieldEvent {
    field: '$.signedPrekey.id'
    value: number
  }

  export interface PrekeyBundleSignedPrekeyPublicKeyFieldEvent {
    field: '$.signedPrekey.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PrekeyBundleSignedPrekeySignatureFieldEvent {
    field: '$.signedPrekey.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PrekeyBundleKemPrekeyIdFieldEvent {
    field: '$.kemPrekey.id'
    value: number
  }

  export interface PrekeyBundleKemPrekeyPublicKeyFieldEvent {
    field: '$.kemPrekey.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PrekeyBundleKemPrekeySignatureFieldEvent {
    field: '$.kemPrekey.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PrekeyBundleKemPrekeyLastResortFieldEvent {
    field: '$.kemPrekey.lastResort'
    value: boolean
  }

  export interface PrekeyBundleOneTimePrekeyIdFieldEvent {
    field: '$.oneTimePrekey.id'
    value: number
  }

  export interface PrekeyBundleOneTimePrekeyPublicKeyFieldEvent {
    field: '$.oneTimePrekey.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PrekeyBundleOneTimeKemPrekeyIdFieldEvent {
    field: '$.oneTimeKemPrekey.id'
    value: number
  }

  export interface PrekeyBundleOneTimeKemPrekeyPublicKeyFieldEvent {
    field: '$.oneTimeKemPrekey.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PrekeyBundleOneTimeKemPrekeySignatureFieldEvent {
    field: '$.oneTimeKemPrekey.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PrekeyBundleOneTimeKemPrekeyLastResortFieldEvent {
    field: '$.oneTimeKemPrekey.lastResort'
    value: boolean
  }

  export function encode (obj: Partial<PrekeyBundle>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PrekeyBundle.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PrekeyBundle>): PrekeyBundle {
    return decodeMessage(buf, PrekeyBundle.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PrekeyBundle>): Generator<PrekeyBundleIdentityKeyFieldEvent | PrekeyBundleSignedPrekeyIdFieldEvent | PrekeyBundleSignedPrekeyPublicKeyFieldEvent | PrekeyBundleSignedPrekeySignatureFieldEvent | PrekeyBundleKemPrekeyIdFieldEvent | PrekeyBundleKemPrekeyPublicKeyFieldEvent | PrekeyBundleKemPrekeySignatureFieldEvent | PrekeyBundleKemPrekeyLastResortFieldEvent | PrekeyBundleOneTimePrekeyIdFieldEvent | PrekeyBundleOneTimePrekeyPublicKeyFieldEvent | PrekeyBundleOneTimeKemPrekeyIdFieldEvent | PrekeyBundleOneTimeKemPrekeyPublicKeyFieldEvent | PrekeyBundleOneTimeKemPrekeySignatureFieldEvent | PrekeyBundleOneTimeKemPrekeyLastResortFieldEvent> {
    return streamMessage(buf, PrekeyBundle.codec(), opts)
  }
}

export interface SenderKeyMessage {
  content: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace SenderKeyMessage {
  let _codec: Codec<SenderKeyMessage>

  export const codec = (): Codec<SenderKeyMessage> => {
    if (_codec == null) {
      _codec = message<SenderKeyMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.content != null && obj.content.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.content)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          content: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.content = reader.bytes()
              break
            }
            case 2: {
              obj.signature = reader.bytes()
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
                field: `${prefix}.content`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.signature`,
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

  export interface SenderKeyMessageContentFieldEvent {
    field: '$.content'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SenderKeyMessageSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SenderKeyMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SenderKeyMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SenderKeyMessage>): SenderKeyMessage {
    return decodeMessage(buf, SenderKeyMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SenderKeyMessage>): Generator<SenderKeyMessageContentFieldEvent | SenderKeyMessageSignatureFieldEvent> {
    return streamMessage(buf, SenderKeyMessage.codec(), opts)
  }
}

export interface SenderKeyContent {
  distributionId: Uint8Array<ArrayBuffer>
  chainId: number
  iteration: number
  ciphertext: Uint8Array<ArrayBuffer>
}

export namespace SenderKeyContent {
  let _codec: Codec<SenderKeyContent>

  export const codec = (): Codec<SenderKeyContent> => {
    if (_codec == null) {
      _codec = message<SenderKeyContent>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.distributionId != null && obj.distributionId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.distributionId)
        }

        if ((obj.chainId != null && obj.chainId !== 0)) {
          w.uint32(16)
          w.uint32(obj.chainId)
        }

        if ((obj.iteration != null && obj.iteration !== 0)) {
          w.uint32(24)
          w.uint32(obj.iteration)
        }

        if ((obj.ciphertext != null && obj.ciphertext.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.ciphertext)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          distributionId: uint8ArrayAlloc(0),
          chainId: 0,
          iteration: 0,
          ciphertext: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.distributionId = reader.bytes()
              break
            }
            case 2: {
              obj.chainId = reader.uint32()
              break
            }
            case 3: {
              obj.iteration = reader.uint32()
              break
            }
            case 4: {
              obj.ciphertext = reader.bytes()
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
                field: `${prefix}.distributionId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.chainId`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.iteration`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.ciphertext`,
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

  export interface SenderKeyContentDistributionIdFieldEvent {
    field: '$.distributionId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SenderKeyContentChainIdFieldEvent {
    field: '$.chainId'
    value: number
  }

  export interface SenderKeyContentIterationFieldEvent {
    field: '$.iteration'
    value: number
  }

  export interface SenderKeyContentCiphertextFieldEvent {
    field: '$.ciphertext'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SenderKeyContent>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SenderKeyContent.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SenderKeyContent>): SenderKeyContent {
    return decodeMessage(buf, SenderKeyContent.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SenderKeyContent>): Generator<SenderKeyContentDistributionIdFieldEvent | SenderKeyContentChainIdFieldEvent | SenderKeyContentIterationFieldEvent | SenderKeyContentCiphertextFieldEvent> {
    return streamMessage(buf, SenderKeyContent.codec(), opts)
  }
}

export interface SenderKeyDistribution {
  distributionId: Uint8Array<ArrayBuffer>
  chainId: number
  iteration: number
  chainKey: Uint8Array<ArrayBuffer>
  signingKey: Uint8Array<ArrayBuffer>
}

export namespace SenderKeyDistribution {
  let _codec: Codec<SenderKeyDistribution>

  export const codec = (): Codec<SenderKeyDistribution> => {
    if (_codec == null) {
      _codec = message<SenderKeyDistribution>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.distributionId != null && obj.distributionId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.distributionId)
        }

        if ((obj.chainId != null && obj.chainId !== 0)) {
          w.uint32(16)
          w.uint32(obj.chainId)
        }

        if ((obj.iteration != null && obj.iteration !== 0)) {
          w.uint32(24)
          w.uint32(obj.iteration)
        }

        if ((obj.chainKey != null && obj.chainKey.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.chainKey)
        }

        if ((obj.signingKey != null && obj.signingKey.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.signingKey)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          distributionId: uint8ArrayAlloc(0),
          chainId: 0,
          iteration: 0,
          chainKey: uint8ArrayAlloc(0),
          signingKey: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.distributionId = reader.bytes()
              break
            }
            case 2: {
              obj.chainId = reader.uint32()
              break
            }
            case 3: {
              obj.iteration = reader.uint32()
              break
            }
            case 4: {
              obj.chainKey = reader.bytes()
              break
            }
            case 5: {
              obj.signingKey = reader.bytes()
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
                field: `${prefix}.distributionId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.chainId`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.iteration`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.chainKey`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.signingKey`,
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

  export interface SenderKeyDistributionDistributionIdFieldEvent {
    field: '$.distributionId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SenderKeyDistributionChainIdFieldEvent {
    field: '$.chainId'
    value: number
  }

  export interface SenderKeyDistributionIterationFieldEvent {
    field: '$.iteration'
    value: number
  }

  export interface SenderKeyDistributionChainKeyFieldEvent {
    field: '$.chainKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SenderKeyDistributionSigningKeyFieldEvent {
    field: '$.signingKey'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SenderKeyDistribution>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SenderKeyDistribution.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SenderKeyDistribution>): SenderKeyDistribution {
    return decodeMessage(buf, SenderKeyDistribution.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SenderKeyDistribution>): Generator<SenderKeyDistributionDistributionIdFieldEvent | SenderKeyDistributionChainIdFieldEvent | SenderKeyDistributionIterationFieldEvent | SenderKeyDistributionChainKeyFieldEvent | SenderKeyDistributionSigningKeyFieldEvent> {
    return streamMessage(buf, SenderKeyDistribution.codec(), opts)
  }
}

export interface ContactCard {
  peerId: Uint8Array<ArrayBuffer>
  addrs: string[]
  prekeys?: PrekeyBundle
  mailboxes: Uint8Array<ArrayBuffer>[]
  seq: bigint
  expiresAt: bigint
}

export namespace ContactCard {
  let _codec: Codec<ContactCard>

  export const codec = (): Codec<ContactCard> => {
    if (_codec == null) {
      _codec = message<ContactCard>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.peerId)
        }

        if (obj.addrs != null && obj.addrs.length > 0) {
          for (const value of obj.addrs) {
            w.uint32(18)
            w.string(value)
          }
        }

        if (obj.prekeys != null) {
          w.uint32(26)
          PrekeyBundle.codec().encode(obj.prekeys, w)
        }

        if (obj.mailboxes != null && obj.mailboxes.length > 0) {
          for (const value of obj.mailboxes) {
            w.uint32(34)
            w.bytes(value)
          }
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(40)
          w.uint64(obj.seq)
        }

        if ((obj.expiresAt != null && obj.expiresAt !== 0n)) {
          w.uint32(48)
          w.uint64(obj.expiresAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: uint8ArrayAlloc(0),
          addrs: [],
          mailboxes: [],
          seq: 0n,
          expiresAt: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peerId = reader.bytes()
              break
            }
            case 2: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              obj.addrs.push(reader.string())
              break
            }
            case 3: {
              obj.prekeys = PrekeyBundle.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.prekeys
              })
              break
            }
            case 4: {
              if (opts.limits?.mailboxes != null && obj.mailboxes.length === opts.limits.mailboxes) {
                throw new MaxLengthError('Decode error - repeated field "mailboxes" had too many elements')
              }

              obj.mailboxes.push(reader.bytes())
              break
            }
            case 5: {
              obj.seq = reader.uint64()
              break
            }
            case 6: {
              obj.expiresAt = reader.uint64()
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
          addrs: 0,
          mailboxes: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.peerId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              if (opts.limits?.addrs != null && obj.addrs === opts.limits.addrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements')
              }

              yield {
                field: `${prefix}.addrs[]`,
                index: obj.addrs,
                value: reader.string()
              }

              obj.addrs++

              break
            }
            case 3: {
              yield * PrekeyBundle.codec().stream(reader, reader.uint32(), `${prefix}.prekeys`, {
                limits: opts.limits?.prekeys
              })

              break
            }
            case 4: {
              if (opts.limits?.mailboxes != null && obj.mailboxes === opts.limits.mailboxes) {
                throw new MaxLengthError('Streaming decode error - repeated field "mailboxes" had too many elements')
              }

              yield {
                field: `${prefix}.mailboxes[]`,
                index: obj.mailboxes,
                value: reader.bytes()
              }

              obj.mailboxes++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.expiresAt`,
                value: reader.uint64()
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

  export interface ContactCardPeerIdFieldEvent {
    field: '$.peerId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ContactCardAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: string
  }

  export interface ContactCardPrekeysIdentityKeyFieldEvent {
    field: '$.prekeys.identityKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ContactCardPrekeysSignedPrekeyIdFieldEvent {
    field: '$.prekeys.signedPrekey.id'
    value: number
  }

  export interface ContactCardPrekeysSignedPrekeyPublicKeyFieldEvent {
    field: '$.prekeys.signedPrekey.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ContactCardPrekeysSignedPrekeySignatureFieldEvent {
    field: '$.prekeys.signedPrekey.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ContactCardPrekeysKemPrekeyIdFieldEvent {
    field: '$.prekeys.kemPrekey.id'
    value: number
  }

  export interface ContactCardPrekeysKemPrekeyPublicKeyFieldEvent {
    field: '$.prekeys.kemPrekey.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ContactCardPrekeysKemPrekeySignatureFieldEvent {
    field: '$.prekeys.kemPrekey.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ContactCardPrekeysKemPrekeyLastResortFieldEvent {
    field: '$.prekeys.kemPrekey.lastResort'
    value: boolean
  }

  export interface ContactCardPrekeysOneTimePrekeyIdFieldEvent {
    field: '$.prekeys.oneTimePrekey.id'
    value: number
  }

  export interface ContactCardPrekeysOneTimePrekeyPublicKeyFieldEvent {
    field: '$.prekeys.oneTimePrekey.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ContactCardPrekeysOneTimeKemPrekeyIdFieldEvent {
    field: '$.prekeys.oneTimeKemPrekey.id'
    value: number
  }

  export interface ContactCardPrekeysOneTimeKemPrekeyPublicKeyFieldEvent {
    field: '$.prekeys.oneTimeKemPrekey.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ContactCardPrekeysOneTimeKemPrekeySignatureFieldEvent {
    field: '$.prekeys.oneTimeKemPrekey.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ContactCardPrekeysOneTimeKemPrekeyLastResortFieldEvent {
    field: '$.prekeys.oneTimeKemPrekey.lastResort'
    value: boolean
  }

  export interface ContactCardMailboxesFieldEvent {
    field: '$.mailboxes[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface ContactCardSeqFieldEvent {
    field: '$.seq'
    value: bigint
  }

  export interface ContactCardExpiresAtFieldEvent {
    field: '$.expiresAt'
    value: bigint
  }

  export function encode (obj: Partial<ContactCard>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ContactCard.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ContactCard>): ContactCard {
    return decodeMessage(buf, ContactCard.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ContactCard>): Generator<ContactCardPeerIdFieldEvent | ContactCardAddrsFieldEvent | ContactCardPrekeysIdentityKeyFieldEvent | ContactCardPrekeysSignedPrekeyIdFieldEvent | ContactCardPrekeysSignedPrekeyPublicKeyFieldEvent | ContactCardPrekeysSignedPrekeySignatureFieldEvent | ContactCardPrekeysKemPrekeyIdFieldEvent | ContactCardPrekeysKemPrekeyPublicKeyFieldEvent | ContactCardPrekeysKemPrekeySignatureFieldEvent | ContactCardPrekeysKemPrekeyLastResortFieldEvent | ContactCardPrekeysOneTimePrekeyIdFieldEvent | ContactCardPrekeysOneTimePrekeyPublicKeyFieldEvent | ContactCardPrekeysOneTimeKemPrekeyIdFieldEvent | ContactCardPrekeysOneTimeKemPrekeyPublicKeyFieldEvent | ContactCardPrekeysOneTimeKemPrekeySignatureFieldEvent | ContactCardPrekeysOneTimeKemPrekeyLastResortFieldEvent | ContactCardMailboxesFieldEvent | ContactCardSeqFieldEvent | ContactCardExpiresAtFieldEvent> {
    return streamMessage(buf, ContactCard.codec(), opts)
  }
}

export interface SignedContactCard {
  card: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace SignedContactCard {
  let _codec: Codec<SignedContactCard>

  export const codec = (): Codec<SignedContactCard> => {
    if (_codec == null) {
      _codec = message<SignedContactCard>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.card != null && obj.card.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.card)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          card: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.card = reader.bytes()
              break
            }
            case 2: {
              obj.signature = reader.bytes()
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
                field: `${prefix}.card`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.signature`,
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

  export interface SignedContactCardCardFieldEvent {
    field: '$.card'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedContactCardSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SignedContactCard>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SignedContactCard.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedContactCard>): SignedContactCard {
    return decodeMessage(buf, SignedContactCard.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedContactCard>): Generator<SignedContactCardCardFieldEvent | SignedContactCardSignatureFieldEvent> {
    return streamMessage(buf, SignedContactCard.codec(), opts)
  }
}

export interface Invite {
  version: number
  peerId: Uint8Array<ArrayBuffer>
  addrs: string[]
  bundle?: PrekeyBundle
  name: string
  secret: Uint8Array<ArrayBuffer>
  packedAddrs: Uint8Array<ArrayBuffer>[]
  signature: Uint8Array<ArrayBuffer>
}

export namespace Invite {
  let _codec: Codec<Invite>

  export const codec = (): Codec<Invite> => {
    if (_codec == null) {
      _codec = message<Invite>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.peerId != null && obj.peerId.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.peerId)
        }

        if (obj.addrs != null && obj.addrs.length > 0) {
          for (const value of obj.addrs) {
            w.uint32(26)
            w.string(value)
          }
        }

        if (obj.bundle != null) {
          w.uint32(34)
          PrekeyBundle.codec().encode(obj.bundle, w)
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(42)
          w.string(obj.name)
        }

        if ((obj.secret != null && obj.secret.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.secret)
        }

        if (obj.packedAddrs != null && obj.packedAddrs.length > 0) {
          for (const value of obj.packedAddrs) {
            w.uint32(58)
            w.bytes(value)
          }
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(66)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          peerId: uint8ArrayAlloc(0),
          addrs: [],
          name: '',
          secret: uint8ArrayAlloc(0),
          packedAddrs: [],
          signature: uint8ArrayAlloc(0)
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
              obj.peerId = reader.bytes()
              break
            }
            case 3: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              obj.addrs.push(reader.string())
              break
            }
            case 4: {
              obj.bundle = PrekeyBundle.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.bundle
              })
              break
            }
            case 5: {
              obj.name = reader.string()
              break
            }
            case 6: {
              obj.secret = reader.bytes()
              break
            }
            case 7: {
              if (opts.limits?.packedAddrs != null && obj.packedAddrs.length === opts.limits.packedAddrs) {
                throw new MaxLengthError('Decode error - repeated field "packedAddrs" had too many elements')
              }

              obj.packedAddrs.push(reader.bytes())
              break
            }
            case 8: {
              obj.signature = reader.bytes()
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
          addrs: 0,
          packedAddrs: 0
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
              yield {
                field: `${prefix}.peerId`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              if (opts.limits?.addrs != null && obj.addrs === opts.limits.addrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements')
              }

              yield {
                field: `${prefix}.addrs[]`,
                index: obj.addrs,
                value: reader.string()
              }

              obj.addrs++

              break
            }
            case 4: {
              yield * PrekeyBundle.codec().stream(reader, reader.uint32(), `${prefix}.bundle`, {
                limits: opts.limits?.bundle
              })

              break
            }
            case 5: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.secret`,
                value: reader.bytes()
              }
              break
            }
            case 7: {
              if (opts.limits?.packedAddrs != null && obj.packedAddrs === opts.limits.packedAddrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "packedAddrs" had too many elements')
              }

              yield {
                field: `${prefix}.packedAddrs[]`,
                index: obj.packedAddrs,
                value: reader.bytes()
              }

              obj.packedAddrs++

              break
            }
            case 8: {
              yield {
                field: `${prefix}.signature`,
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

  export interface InviteVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface InvitePeerIdFieldEvent {
    field: '$.peerId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface InviteAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: string
  }

  export interface InviteBundleIdentityKeyFieldEvent {
    field: '$.bundle.identityKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface InviteBundleSignedPrekeyIdFieldEvent {
    field: '$.bundle.signedPrekey.id'
    value: number
  }

  export interface InviteBundleSignedPrekeyPublicKeyFieldEvent {
    field: '$.bundle.signedPrekey.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface InviteBundleSignedPrekeySignatureFieldEvent {
    field: '$.bundle.signedPrekey.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface InviteBundleKemPrekeyIdFieldEvent {
    field: '$.bundle.kemPrekey.id'
    value: number
  }

  export interface InviteBundleKemPrekeyPublicKeyFieldEvent {
    field: '$.bundle.kemPrekey.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface InviteBundleKemPrekeySignatureFieldEvent {
    field: '$.bundle.kemPrekey.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface InviteBundleKemPrekeyLastResortFieldEvent {
    field: '$.bundle.kemPrekey.lastResort'
    value: boolean
  }

  export interface InviteBundleOneTimePrekeyIdFieldEvent {
    field: '$.bundle.oneTimePrekey.id'
    value: number
  }

  export interface InviteBundleOneTimePrekeyPublicKeyFieldEvent {
    field: '$.bundle.oneTimePrekey.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface InviteBundleOneTimeKemPrekeyIdFieldEvent {
    field: '$.bundle.oneTimeKemPrekey.id'
    value: number
  }

  export interface InviteBundleOneTimeKemPrekeyPublicKeyFieldEvent {
    field: '$.bundle.oneTimeKemPrekey.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface InviteBundleOneTimeKemPrekeySignatureFieldEvent {
    field: '$.bundle.oneTimeKemPrekey.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface InviteBundleOneTimeKemPrekeyLastResortFieldEvent {
    field: '$.bundle.oneTimeKemPrekey.lastResort'
    value: boolean
  }

  export interface InviteNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface InviteSecretFieldEvent {
    field: '$.secret'
    value: Uint8Array<ArrayBuffer>
  }

  export interface InvitePackedAddrsFieldEvent {
    field: '$.packedAddrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface InviteSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Invite>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Invite.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Invite>): Invite {
    return decodeMessage(buf, Invite.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Invite>): Generator<InviteVersionFieldEvent | InvitePeerIdFieldEvent | InviteAddrsFieldEvent | InviteBundleIdentityKeyFieldEvent | InviteBundleSignedPrekeyIdFieldEvent | InviteBundleSignedPrekeyPublicKeyFieldEvent | InviteBundleSignedPrekeySignatureFieldEvent | InviteBundleKemPrekeyIdFieldEvent | InviteBundleKemPrekeyPublicKeyFieldEvent | InviteBundleKemPrekeySignatureFieldEvent | InviteBundleKemPrekeyLastResortFieldEvent | InviteBundleOneTimePrekeyIdFieldEvent | InviteBundleOneTimePrekeyPublicKeyFieldEvent | InviteBundleOneTimeKemPrekeyIdFieldEvent | InviteBundleOneTimeKemPrekeyPublicKeyFieldEvent | InviteBundleOneTimeKemPrekeySignatureFieldEvent | InviteBundleOneTimeKemPrekeyLastResortFieldEvent | InviteNameFieldEvent | InviteSecretFieldEvent | InvitePackedAddrsFieldEvent | InviteSignatureFieldEvent> {
    return streamMessage(buf, Invite.codec(), opts)
  }
}

export interface Text {
  text: string
}

export namespace Text {
  let _codec: Codec<Text>

  export const codec = (): Codec<Text> => {
    if (_codec == null) {
      _codec = message<Text>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.text != null && obj.text !== '')) {
          w.uint32(10)
          w.string(obj.text)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          text: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.text = reader.string()
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
                field: `${prefix}.text`,
                value: reader.string()
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

  export interface TextTextFieldEvent {
    field: '$.text'
    value: string
  }

  export function encode (obj: Partial<Text>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Text.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Text>): Text {
    return decodeMessage(buf, Text.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Text>): Generator<TextTextFieldEvent> {
    return streamMessage(buf, Text.codec(), opts)
  }
}

export enum ReceiptKind {
  DELIVERED = 'DELIVERED',
  READ = 'READ'
}

enum __ReceiptKindValues {
  DELIVERED = 0,
  READ = 1
}

export namespace ReceiptKind {
  export const codec = (): Codec<ReceiptKind> => {
    return enumeration<ReceiptKind>(__ReceiptKindValues)
  }
}

export interface Receipt {
  kind: ReceiptKind
  messageIds: Uint8Array<ArrayBuffer>[]
}

export namespace Receipt {
  let _codec: Codec<Receipt>

  export const codec = (): Codec<Receipt> => {
    if (_codec == null) {
      _codec = message<Receipt>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.kind != null && __ReceiptKindValues[obj.kind] !== 0) {
          w.uint32(8)
          ReceiptKind.codec().encode(obj.kind, w)
        }

        if (obj.messageIds != null && obj.messageIds.length > 0) {
          for (const value of obj.messageIds) {
            w.uint32(18)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          kind: ReceiptKind.DELIVERED,
          messageIds: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.kind = ReceiptKind.codec().decode(reader)
              break
            }
            case 2: {
              if (opts.limits?.messageIds != null && obj.messageIds.length === opts.limits.messageIds) {
                throw new MaxLengthError('Decode error - repeated field "messageIds" had too many elements')
              }

              obj.messageIds.push(reader.bytes())
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
          messageIds: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.kind`,
                value: ReceiptKind.codec().decode(reader)
              }
              break
            }
            case 2: {
              if (opts.limits?.messageIds != null && obj.messageIds === opts.limits.messageIds) {
                throw new MaxLengthError('Streaming decode error - repeated field "messageIds" had too many elements')
              }

              yield {
                field: `${prefix}.messageIds[]`,
                index: obj.messageIds,
                value: reader.bytes()
              }

              obj.messageIds++

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

  export interface ReceiptKindFieldEvent {
    field: '$.kind'
    value: ReceiptKind
  }

  export interface ReceiptMessageIdsFieldEvent {
    field: '$.messageIds[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Receipt>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Receipt.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Receipt>): Receipt {
    return decodeMessage(buf, Receipt.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Receipt>): Generator<ReceiptKindFieldEvent | ReceiptMessageIdsFieldEvent> {
    return streamMessage(buf, Receipt.codec(), opts)
  }
}

export enum GroupOp {
  CREATE = 'CREATE',
  ADD = 'ADD',
  REMOVE = 'REMOVE',
  LEAVE = 'LEAVE',
  RENAME = 'RENAME'
}

enum __GroupOpValues {
  CREATE = 0,
  ADD = 1,
  REMOVE = 2,
  LEAVE = 3,
  RENAME = 4
}

export namespace GroupOp {
  export const codec = (): Codec<GroupOp> => {
    return enumeration<GroupOp>(__GroupOpValues)
  }
}

export interface GroupControl {
  groupId: Uint8Array<ArrayBuffer>
  op: GroupOp
  members: Uint8Array<ArrayBuffer>[]
  admins: Uint8Array<ArrayBuffer>[]
  name: string
  epoch: bigint
  actor: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
  senderKey?: SenderKeyDistribution
}

export namespace GroupControl {
  let _codec: Codec<GroupControl>

  export const codec = (): Codec<GroupControl> => {
    if (_codec == null) {
      _codec = message<GroupControl>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.groupId != null && obj.groupId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.groupId)
        }

        if (obj.op != null && __GroupOpValues[obj.op] !== 0) {
          w.uint32(16)
          GroupOp.codec().encode(obj.op, w)
        }

        if (obj.members != null && obj.members.length > 0) {
          for (const value of obj.members) {
            w.uint32(26)
            w.bytes(value)
          }
        }

        if (obj.admins != null && obj.admins.length > 0) {
          for (const value of obj.admins) {
            w.uint32(34)
            w.bytes(value)
          }
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(42)
          w.string(obj.name)
        }

        if ((obj.epoch != null && obj.epoch !== 0n)) {
          w.uint32(48)
          w.uint64(obj.epoch)
        }

        if ((obj.actor != null && obj.actor.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.actor)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(66)
          w.bytes(obj.signature)
        }

        if (obj.senderKey != null) {
          w.uint32(74)
          SenderKeyDistribution.codec().encode(obj.senderKey, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          groupId: uint8ArrayAlloc(0),
          op: GroupOp.CREATE,
          members: [],
          admins: [],
          name: '',
          epoch: 0n,
          actor: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.groupId = reader.bytes()
              break
            }
            case 2: {
              obj.op = GroupOp.codec().decode(reader)
              break
            }
            case 3: {
              if (opts.limits?.members != null && obj.members.length === opts.limits.members) {
                throw new MaxLengthError('Decode error - repeated field "members" had too many elements')
              }

              obj.members.push(reader.bytes())
              break
            }
            case 4: {
              if (opts.limits?.admins != null && obj.admins.length === opts.limits.admins) {
                throw new MaxLengthError('Decode error - repeated field "admins" had too many elements')
              }

              obj.admins.push(reader.bytes())
              break
            }
            case 5: {
              obj.name = reader.string()
              break
            }
            case 6: {
              obj.epoch = reader.uint64()
              break
            }
            case 7: {
              obj.actor = reader.bytes()
              break
            }
            case 8: {
              obj.signature = reader.bytes()
              break
            }
            case 9: {
              obj.senderKey = SenderKeyDistribution.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.senderKey
              })
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
          members: 0,
          admins: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.groupId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.op`,
                value: GroupOp.codec().decode(reader)
              }
              break
            }
            case 3: {
              if (opts.limits?.members != null && obj.members === opts.limits.members) {
                throw new MaxLengthError('Streaming decode error - repeated field "members" had too many elements')
              }

              yield {
                field: `${prefix}.members[]`,
                index: obj.members,
                value: reader.bytes()
              }

              obj.members++

              break
            }
            case 4: {
              if (opts.limits?.admins != null && obj.admins === opts.limits.admins) {
                throw new MaxLengthError('Streaming decode error - repeated field "admins" had too many elements')
              }

              yield {
                field: `${prefix}.admins[]`,
                index: obj.admins,
                value: reader.bytes()
              }

              obj.admins++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.epoch`,
                value: reader.uint64()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.actor`,
                value: reader.bytes()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            case 9: {
              yield * SenderKeyDistribution.codec().stream(reader, reader.uint32(), `${prefix}.senderKey`, {
                limits: opts.limits?.senderKey
              })

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

  export interface GroupControlGroupIdFieldEvent {
    field: '$.groupId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface GroupControlOpFieldEvent {
    field: '$.op'
    value: GroupOp
  }

  export interface GroupControlMembersFieldEvent {
    field: '$.members[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface GroupControlAdminsFieldEvent {
    field: '$.admins[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface GroupControlNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface GroupControlEpochFieldEvent {
    field: '$.epoch'
    value: bigint
  }

  export interface GroupControlActorFieldEvent {
    field: '$.actor'
    value: Uint8Array<ArrayBuffer>
  }

  export interface GroupControlSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface GroupControlSenderKeyDistributionIdFieldEvent {
    field: '$.senderKey.distributionId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface GroupControlSenderKeyChainIdFieldEvent {
    field: '$.senderKey.chainId'
    value: number
  }

  export interface GroupControlSenderKeyIterationFieldEvent {
    field: '$.senderKey.iteration'
    value: number
  }

  export interface GroupControlSenderKeyChainKeyFieldEvent {
    field: '$.senderKey.chainKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface GroupControlSenderKeySigningKeyFieldEvent {
    field: '$.senderKey.signingKey'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<GroupControl>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, GroupControl.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GroupControl>): GroupControl {
    return decodeMessage(buf, GroupControl.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GroupControl>): Generator<GroupControlGroupIdFieldEvent | GroupControlOpFieldEvent | GroupControlMembersFieldEvent | GroupControlAdminsFieldEvent | GroupControlNameFieldEvent | GroupControlEpochFieldEvent | GroupControlActorFieldEvent | GroupControlSignatureFieldEvent | GroupControlSenderKeyDistributionIdFieldEvent | GroupControlSenderKeyChainIdFieldEvent | GroupControlSenderKeyIterationFieldEvent | GroupControlSenderKeyChainKeyFieldEvent | GroupControlSenderKeySigningKeyFieldEvent> {
    return streamMessage(buf, GroupControl.codec(), opts)
  }
}

export interface GroupUpdate {
  groupId: Uint8Array<ArrayBuffer>
  ops: Uint8Array<ArrayBuffer>[]
  secrets: Uint8Array<ArrayBuffer>[]
  senderKey?: SenderKeyDistribution
  cards: Uint8Array<ArrayBuffer>[]
}

export namespace GroupUpdate {
  let _codec: Codec<GroupUpdate>

  export const codec = (): Codec<GroupUpdate> => {
    if (_codec == null) {
      _codec = message<GroupUpdate>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.groupId != null && obj.groupId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.groupId)
        }

        if (obj.ops != null && obj.ops.length > 0) {
          for (const value of obj.ops) {
            w.uint32(18)
            w.bytes(value)
          }
        }

        if (obj.secrets != null && obj.secrets.length > 0) {
          for (const value of obj.secrets) {
            w.uint32(26)
            w.bytes(value)
          }
        }

        if (obj.senderKey != null) {
          w.uint32(34)
          SenderKeyDistribution.codec().encode(obj.senderKey, w)
        }

        if (obj.cards != null && obj.cards.length > 0) {
          for (const value of obj.cards) {
            w.uint32(42)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          groupId: uint8ArrayAlloc(0),
          ops: [],
          secrets: [],
          cards: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.groupId = reader.bytes()
              break
            }
            case 2: {
              if (opts.limits?.ops != null && obj.ops.length === opts.limits.ops) {
                throw new MaxLengthError('Decode error - repeated field "ops" had too many elements')
              }

              obj.ops.push(reader.bytes())
              break
            }
            case 3: {
              if (opts.limits?.secrets != null && obj.secrets.length === opts.limits.secrets) {
                throw new MaxLengthError('Decode error - repeated field "secrets" had too many elements')
              }

              obj.secrets.push(reader.bytes())
              break
            }
            case 4: {
              obj.senderKey = SenderKeyDistribution.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.senderKey
              })
              break
            }
            case 5: {
              if (opts.limits?.cards != null && obj.cards.length === opts.limits.cards) {
                throw new MaxLengthError('Decode error - repeated field "cards" had too many elements')
              }

              obj.cards.push(reader.bytes())
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
          ops: 0,
          secrets: 0,
          cards: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.groupId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              if (opts.limits?.ops != null && obj.ops === opts.limits.ops) {
                throw new MaxLengthError('Streaming decode error - repeated field "ops" had too many elements')
              }

              yield {
                field: `${prefix}.ops[]`,
                index: obj.ops,
                value: reader.bytes()
              }

              obj.ops++

              break
            }
            case 3: {
              if (opts.limits?.secrets != null && obj.secrets === opts.limits.secrets) {
                throw new MaxLengthError('Streaming decode error - repeated field "secrets" had too many elements')
              }

              yield {
                field: `${prefix}.secrets[]`,
                index: obj.secrets,
                value: reader.bytes()
              }

              obj.secrets++

              break
            }
            case 4: {
              yield * SenderKeyDistribution.codec().stream(reader, reader.uint32(), `${prefix}.senderKey`, {
                limits: opts.limits?.senderKey
              })

              break
            }
            case 5: {
              if (opts.limits?.cards != null && obj.cards === opts.limits.cards) {
                throw new MaxLengthError('Streaming decode error - repeated field "cards" had too many elements')
              }

              yield {
                field: `${prefix}.cards[]`,
                index: obj.cards,
                value: reader.bytes()
              }

              obj.cards++

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

  export interface GroupUpdateGroupIdFieldEvent {
    field: '$.groupId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface GroupUpdateOpsFieldEvent {
    field: '$.ops[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface GroupUpdateSecretsFieldEvent {
    field: '$.secrets[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface GroupUpdateSenderKeyDistributionIdFieldEvent {
    field: '$.senderKey.distributionId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface GroupUpdateSenderKeyChainIdFieldEvent {
    field: '$.senderKey.chainId'
    value: number
  }

  export interface GroupUpdateSenderKeyIterationFieldEvent {
    field: '$.senderKey.iteration'
    value: number
  }

  export interface GroupUpdateSenderKeyChainKeyFieldEvent {
    field: '$.senderKey.chainKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface GroupUpdateSenderKeySigningKeyFieldEvent {
    field: '$.senderKey.signingKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface GroupUpdateCardsFieldEvent {
    field: '$.cards[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<GroupUpdate>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, GroupUpdate.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GroupUpdate>): GroupUpdate {
    return decodeMessage(buf, GroupUpdate.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GroupUpdate>): Generator<GroupUpdateGroupIdFieldEvent | GroupUpdateOpsFieldEvent | GroupUpdateSecretsFieldEvent | GroupUpdateSenderKeyDistributionIdFieldEvent | GroupUpdateSenderKeyChainIdFieldEvent | GroupUpdateSenderKeyIterationFieldEvent | GroupUpdateSenderKeyChainKeyFieldEvent | GroupUpdateSenderKeySigningKeyFieldEvent | GroupUpdateCardsFieldEvent> {
    return streamMessage(buf, GroupUpdate.codec(), opts)
  }
}

export interface FileManifest {
  fileId: Uint8Array<ArrayBuffer>
  name: string
  size: bigint
  chunkSize: number
  chunkHashes: Uint8Array<ArrayBuffer>[]
  key: Uint8Array<ArrayBuffer>
  sha256: Uint8Array<ArrayBuffer>
  mime: string
  chunkHashRoot: Uint8Array<ArrayBuffer>
}

export namespace FileManifest {
  let _codec: Codec<FileManifest>

  export const codec = (): Codec<FileManifest> => {
    if (_codec == null) {
      _codec = message<FileManifest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.fileId != null && obj.fileId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.fileId)
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(18)
          w.string(obj.name)
        }

        if ((obj.size != null && obj.size !== 0n)) {
          w.uint32(24)
          w.uint64(obj.size)
        }

        if ((obj.chunkSize != null && obj.chunkSize !== 0)) {
          w.uint32(32)
          w.uint32(obj.chunkSize)
        }

        if (obj.chunkHashes != null && obj.chunkHashes.length > 0) {
          for (const value of obj.chunkHashes) {
            w.uint32(42)
            w.bytes(value)
          }
        }

        if ((obj.key != null && obj.key.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.key)
        }

        if ((obj.sha256 != null && obj.sha256.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.sha256)
        }

        if ((obj.mime != null && obj.mime !== '')) {
          w.uint32(66)
          w.string(obj.mime)
        }

        if ((obj.chunkHashRoot != null && obj.chunkHashRoot.byteLength > 0)) {
          w.uint32(74)
          w.bytes(obj.chunkHashRoot)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          fileId: uint8ArrayAlloc(0),
          name: '',
          size: 0n,
          chunkSize: 0,
          chunkHashes: [],
          key: uint8ArrayAlloc(0),
          sha256: uint8ArrayAlloc(0),
          mime: '',
          chunkHashRoot: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.fileId = reader.bytes()
              break
            }
            case 2: {
              obj.name = reader.string()
              break
            }
            case 3: {
              obj.size = reader.uint64()
              break
            }
            case 4: {
              obj.chunkSize = reader.uint32()
              break
            }
            case 5: {
              if (opts.limits?.chunkHashes != null && obj.chunkHashes.length === opts.limits.chunkHashes) {
                throw new MaxLengthError('Decode error - repeated field "chunkHashes" had too many elements')
              }

              obj.chunkHashes.push(reader.bytes())
              break
            }
            case 6: {
              obj.key = reader.bytes()
              break
            }
            case 7: {
              obj.sha256 = reader.bytes()
              break
            }
            case 8: {
              obj.mime = reader.string()
              break
            }
            case 9: {
              obj.chunkHashRoot = reader.bytes()
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
          chunkHashes: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.fileId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.size`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.chunkSize`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              if (opts.limits?.chunkHashes != null && obj.chunkHashes === opts.limits.chunkHashes) {
                throw new MaxLengthError('Streaming decode error - repeated field "chunkHashes" had too many elements')
              }

              yield {
                field: `${prefix}.chunkHashes[]`,
                index: obj.chunkHashes,
                value: reader.bytes()
              }

              obj.chunkHashes++

              break
            }
            case 6: {
              yield {
                field: `${prefix}.key`,
                value: reader.bytes()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.sha256`,
                value: reader.bytes()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.mime`,
                value: reader.string()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.chunkHashRoot`,
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

  export interface FileManifestFileIdFieldEvent {
    field: '$.fileId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FileManifestNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface FileManifestSizeFieldEvent {
    field: '$.size'
    value: bigint
  }

  export interface FileManifestChunkSizeFieldEvent {
    field: '$.chunkSize'
    value: number
  }

  export interface FileManifestChunkHashesFieldEvent {
    field: '$.chunkHashes[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface FileManifestKeyFieldEvent {
    field: '$.key'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FileManifestSha256FieldEvent {
    field: '$.sha256'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FileManifestMimeFieldEvent {
    field: '$.mime'
    value: string
  }

  export interface FileManifestChunkHashRootFieldEvent {
    field: '$.chunkHashRoot'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<FileManifest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FileManifest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FileManifest>): FileManifest {
    return decodeMessage(buf, FileManifest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FileManifest>): Generator<FileManifestFileIdFieldEvent | FileManifestNameFieldEvent | FileManifestSizeFieldEvent | FileManifestChunkSizeFieldEvent | FileManifestChunkHashesFieldEvent | FileManifestKeyFieldEvent | FileManifestSha256FieldEvent | FileManifestMimeFieldEvent | FileManifestChunkHashRootFieldEvent> {
    return streamMessage(buf, FileManifest.codec(), opts)
  }
}

export interface Edit {
  targetId: Uint8Array<ArrayBuffer>
  text: string
}

export namespace Edit {
  let _codec: Codec<Edit>

  export const codec = (): Codec<Edit> => {
    if (_codec == null) {
      _codec = message<Edit>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.targetId != null && obj.targetId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.targetId)
        }

        if ((obj.text != null && obj.text !== '')) {
          w.uint32(18)
          w.string(obj.text)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          targetId: uint8ArrayAlloc(0),
          text: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.targetId = reader.bytes()
              break
            }
            case 2: {
              obj.text = reader.string()
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
                field: `${prefix}.targetId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.text`,
                value: reader.string()
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

  export interface EditTargetIdFieldEvent {
    field: '$.targetId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EditTextFieldEvent {
    field: '$.text'
    value: string
  }

  export function encode (obj: Partial<Edit>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Edit.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Edit>): Edit {
    return decodeMessage(buf, Edit.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Edit>): Generator<EditTargetIdFieldEvent | EditTextFieldEvent> {
    return streamMessage(buf, Edit.codec(), opts)
  }
}

export interface Delete {
  targetId: Uint8Array<ArrayBuffer>
}

export namespace Delete {
  let _codec: Codec<Delete>

  export const codec = (): Codec<Delete> => {
    if (_codec == null) {
      _codec = message<Delete>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.targetId != null && obj.targetId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.targetId)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          targetId: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.targetId = reader.bytes()
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
                field: `${prefix}.targetId`,
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

  export interface DeleteTargetIdFieldEvent {
    field: '$.targetId'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Delete>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Delete.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Delete>): Delete {
    return decodeMessage(buf, Delete.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Delete>): Generator<DeleteTargetIdFieldEvent> {
    return streamMessage(buf, Delete.codec(), opts)
  }
}

export interface Reaction {
  targetId: Uint8Array<ArrayBuffer>
  emoji: string
  remove: boolean
}

export namespace Reaction {
  let _codec: Codec<Reaction>

  export const codec = (): Codec<Reaction> => {
    if (_codec == null) {
      _codec = message<Reaction>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.targetId != null && obj.targetId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.targetId)
        }

        if ((obj.emoji != null && obj.emoji !== '')) {
          w.uint32(18)
          w.string(obj.emoji)
        }

        if ((obj.remove != null && obj.remove !== false)) {
          w.uint32(24)
          w.bool(obj.remove)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          targetId: uint8ArrayAlloc(0),
          emoji: '',
          remove: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.targetId = reader.bytes()
              break
            }
            case 2: {
              obj.emoji = reader.string()
              break
            }
            case 3: {
              obj.remove = reader.bool()
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
                field: `${prefix}.targetId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.emoji`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.remove`,
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

  export interface ReactionTargetIdFieldEvent {
    field: '$.targetId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ReactionEmojiFieldEvent {
    field: '$.emoji'
    value: string
  }

  export interface ReactionRemoveFieldEvent {
    field: '$.remove'
    value: boolean
  }

  export function encode (obj: Partial<Reaction>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Reaction.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Reaction>): Reaction {
    return decodeMessage(buf, Reaction.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Reaction>): Generator<ReactionTargetIdFieldEvent | ReactionEmojiFieldEvent | ReactionRemoveFieldEvent> {
    return streamMessage(buf, Reaction.codec(), opts)
  }
}

export interface Disappearing {
  ttlSeconds: number
}

export namespace Disappearing {
  let _codec: Codec<Disappearing>

  export const codec = (): Codec<Disappearing> => {
    if (_codec == null) {
      _codec = message<Disappearing>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.ttlSeconds != null && obj.ttlSeconds !== 0)) {
          w.uint32(8)
          w.uint32(obj.ttlSeconds)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          ttlSeconds: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.ttlSeconds = reader.uint32()
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
                field: `${prefix}.ttlSeconds`,
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

  export interface DisappearingTtlSecondsFieldEvent {
    field: '$.ttlSeconds'
    value: number
  }

  export function encode (obj: Partial<Disappearing>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Disappearing.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Disappearing>): Disappearing {
    return decodeMessage(buf, Disappearing.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Disappearing>): Generator<DisappearingTtlSecondsFieldEvent> {
    return streamMessage(buf, Disappearing.codec(), opts)
  }
}

export interface ChatContent {
  messageId: Uint8Array<ArrayBuffer>
  sender: Uint8Array<ArrayBuffer>
  seq: bigint
  sentAt: bigint
  conversation: Uint8Array<ArrayBuffer>
  inviteProof: Uint8Array<ArrayBuffer>
  profileName: string
  replyTo: Uint8Array<ArrayBuffer>
  text?: Text
  receipt?: Receipt
  groupControl?: GroupControl
  file?: FileManifest
  card?: Uint8Array<ArrayBuffer>
  group?: GroupUpdate
  edit?: Edit
  delete?: Delete
  reaction?: Reaction
  disappearing?: Disappearing
}

export namespace ChatContent {
  let _codec: Codec<ChatContent>

  export const codec = (): Codec<ChatContent> => {
    if (_codec == null) {
      _codec = message<ChatContent>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }

        if (obj.disappearing != null) {
          obj.reaction = undefined
          obj.delete = undefined
          obj.edit = undefined
          obj.group = undefined
          obj.card = undefined
          obj.file = undefined
          obj.groupControl = undefined
          obj.receipt = undefined
          obj.text = undefined
        }

        if (obj.reaction != null) {
          obj.disappearing = undefined
          obj.delete = undefined
          obj.edit = undefined
          obj.group = undefined
          obj.card = undefined
          obj.file = undefined
          obj.groupControl = undefined
          obj.receipt = undefined
          obj.text = undefined
        }

        if (obj.delete != null) {
          obj.disappearing = undefined
          obj.reaction = undefined
          obj.edit = undefined
          obj.group = undefined
          obj.card = undefined
          obj.file = undefined
          obj.groupControl = undefined
          obj.receipt = undefined
          obj.text = undefined
        }

        if (obj.edit != null) {
          obj.disappearing = undefined
          obj.reaction = undefined
          obj.delete = undefined
          obj.group = undefined
          obj.card = undefined
          obj.file = undefined
          obj.groupControl = undefined
          obj.receipt = undefined
          obj.text = undefined
        }

        if (obj.group != null) {
          obj.disappearing = undefined
          obj.reaction = undefined
          obj.delete = undefined
          obj.edit = undefined
          obj.card = undefined
          obj.file = undefined
          obj.groupControl = undefined
          obj.receipt = undefined
          obj.text = undefined
        }

        if (obj.card != null) {
          obj.disappearing = undefined
          obj.reaction = undefined
          obj.delete = undefined
          obj.edit = undefined
          obj.group = undefined
          obj.file = undefined
          obj.groupControl = undefined
          obj.receipt = undefined
          obj.text = undefined
        }

        if (obj.file != null) {
          obj.disappearing = undefined
          obj.reaction = undefined
          obj.delete = undefined
          obj.edit = undefined
          obj.group = undefined
          obj.card = undefined
          obj.groupControl = undefined
          obj.receipt = undefined
          obj.text = undefined
        }

        if (obj.groupControl != null) {
          obj.disappearing = undefined
          obj.reaction = undefined
          obj.delete = undefined
          obj.edit = undefined
          obj.group = undefined
          obj.card = undefined
          obj.file = undefined
          obj.receipt = undefined
          obj.text = undefined
        }

        if (obj.receipt != null) {
          obj.disappearing = undefined
          obj.reaction = undefined
          obj.delete = undefined
          obj.edit = undefined
          obj.group = undefined
          obj.card = undefined
          obj.file = undefined
          obj.groupControl = undefined
          obj.text = undefined
        }

        if (obj.text != null) {
          obj.disappearing = undefined
          obj.reaction = undefined
          obj.delete = undefined
          obj.edit = undefined
          obj.group = undefined
          obj.card = undefined
          obj.file = undefined
          obj.groupControl = undefined
          obj.receipt = undefined
        }

        if ((obj.messageId != null && obj.messageId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.messageId)
        }

        if ((obj.sender != null && obj.sender.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.sender)
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(24)
          w.uint64(obj.seq)
        }

        if ((obj.sentAt != null && obj.sentAt !== 0n)) {
          w.uint32(32)
          w.uint64(obj.sentAt)
        }

        if ((obj.conversation != null && obj.conversation.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.conversation)
        }

        if ((obj.inviteProof != null && obj.inviteProof.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.inviteProof)
        }

        if ((obj.profileName != null && obj.profileName !== '')) {
          w.uint32(58)
          w.string(obj.profileName)
        }

        if ((obj.replyTo != null && obj.replyTo.byteLength > 0)) {
          w.uint32(66)
          w.bytes(obj.replyTo)
        }

        if (obj.text != null) {
          w.uint32(82)
          Text.codec().encode(obj.text, w)
        }

        if (obj.receipt != null) {
          w.uint32(90)
          Receipt.codec().encode(obj.receipt, w)
        }

        if (obj.groupControl != null) {
          w.uint32(98)
          GroupControl.codec().encode(obj.groupControl, w)
        }

        if (obj.file != null) {
          w.uint32(106)
          FileManifest.codec().encode(obj.file, w)
        }

        if (obj.card != null) {
          w.uint32(114)
          w.bytes(obj.card)
        }

        if (obj.group != null) {
          w.uint32(122)
          GroupUpdate.codec().encode(obj.group, w)
        }

        if (obj.edit != null) {
          w.uint32(130)
          Edit.codec().encode(obj.edit, w)
        }

        if (obj.delete != null) {
          w.uint32(138)
          Delete.codec().encode(obj.delete, w)
        }

        if (obj.reaction != null) {
          w.uint32(146)
          Reaction.codec().encode(obj.reaction, w)
        }

        if (obj.disappearing != null) {
          w.uint32(154)
          Disappearing.codec().encode(obj.disappearing, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          messageId: uint8ArrayAlloc(0),
          sender: uint8ArrayAlloc(0),
          seq: 0n,
          sentAt: 0n,
          conversation: uint8ArrayAlloc(0),
          inviteProof: uint8ArrayAlloc(0),
          profileName: '',
          replyTo: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.messageId = reader.bytes()
              break
            }
            case 2: {
              obj.sender = reader.bytes()
              break
            }
            case 3: {
              obj.seq = reader.uint64()
              break
            }
            case 4: {
              obj.sentAt = reader.uint64()
              break
            }
            case 5: {
              obj.conversation = reader.bytes()
              break
            }
            case 6: {
              obj.inviteProof = reader.bytes()
              break
            }
            case 7: {
              obj.profileName = reader.string()
              break
            }
            case 8: {
              obj.replyTo = reader.bytes()
              break
            }
            case 10: {
              obj.text = Text.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.text
              })
              break
            }
            case 11: {
              obj.receipt = Receipt.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.receipt
              })
              break
            }
            case 12: {
              obj.groupControl = GroupControl.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.groupControl
              })
              break
            }
            case 13: {
              obj.file = FileManifest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.file
              })
              break
            }
            case 14: {
              obj.card = reader.bytes()
              break
            }
            case 15: {
              obj.group = GroupUpdate.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.group
              })
              break
            }
            case 16: {
              obj.edit = Edit.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.edit
              })
              break
            }
            case 17: {
              obj.delete = Delete.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.delete
              })
              break
            }
            case 18: {
              obj.reaction = Reaction.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.reaction
              })
              break
            }
            case 19: {
              obj.disappearing = Disappearing.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.disappearing
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        if (obj.disappearing != null) {
          delete obj.reaction
          delete obj.delete
          delete obj.edit
          delete obj.group
          delete obj.card
          delete obj.file
          delete obj.groupControl
          delete obj.receipt
          delete obj.text
        }

        if (obj.reaction != null) {
          delete obj.disappearing
          delete obj.delete
          delete obj.edit
          delete obj.group
          delete obj.card
          delete obj.file
          delete obj.groupControl
          delete obj.receipt
          delete obj.text
        }

        if (obj.delete != null) {
          delete obj.disappearing
          delete obj.reaction
          delete obj.edit
          delete obj.group
          delete obj.card
          delete obj.file
          delete obj.groupControl
          delete obj.receipt
          delete obj.text
        }

        if (obj.edit != null) {
          delete obj.disappearing
          delete obj.reaction
          delete obj.delete
          delete obj.group
          delete obj.card
          delete obj.file
          delete obj.groupControl
          delete obj.receipt
          delete obj.text
        }

        if (obj.group != null) {
          delete obj.disappearing
          delete obj.reaction
          delete obj.delete
          delete obj.edit
          delete obj.card
          delete obj.file
          delete obj.groupControl
          delete obj.receipt
          delete obj.text
        }

        if (obj.card != null) {
          delete obj.disappearing
          delete obj.reaction
          delete obj.delete
          delete obj.edit
          delete obj.group
          delete obj.file
          delete obj.groupControl
          delete obj.receipt
          delete obj.text
        }

        if (obj.file != null) {
          delete obj.disappearing
          delete obj.reaction
          delete obj.delete
          delete obj.edit
          delete obj.group
          delete obj.card
          delete obj.groupControl
          delete obj.receipt
          delete obj.text
        }

        if (obj.groupControl != null) {
          delete obj.disappearing
          delete obj.reaction
          delete obj.delete
          delete obj.edit
          delete obj.group
          delete obj.card
          delete obj.file
          delete obj.receipt
          delete obj.text
        }

        if (obj.receipt != null) {
          delete obj.disappearing
          delete obj.reaction
          delete obj.delete
          delete obj.edit
          delete obj.group
          delete obj.card
          delete obj.file
          delete obj.groupControl
          delete obj.text
        }

        if (obj.text != null) {
          delete obj.disappearing
          delete obj.reaction
          delete obj.delete
          delete obj.edit
          delete obj.group
          delete obj.card
          delete obj.file
          delete obj.groupControl
          delete obj.receipt
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.messageId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.sender`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.sentAt`,
                value: reader.uint64()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.conversation`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.inviteProof`,
                value: reader.bytes()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.profileName`,
                value: reader.string()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.replyTo`,
                value: reader.bytes()
              }
              break
            }
            case 10: {
              yield * Text.codec().stream(reader, reader.uint32(), `${prefix}.text`, {
                limits: opts.limits?.text
              })

              break
            }
            case 11: {
              yield * Receipt.codec().stream(reader, reader.uint32(), `${prefix}.receipt`, {
                limits: opts.limits?.receipt
              })

              break
            }
            case 12: {
              yield * GroupControl.codec().stream(reader, reader.uint32(), `${prefix}.groupControl`, {
                limits: opts.limits?.groupControl
              })

              break
            }
            case 13: {
              yield * FileManifest.codec().stream(reader, reader.uint32(), `${prefix}.file`, {
                limits: opts.limits?.file
              })

              break
            }
            case 14: {
              yield {
                field: `${prefix}.card`,
                value: reader.bytes()
              }
              break
            }
            case 15: {
              yield * GroupUpdate.codec().stream(reader, reader.uint32(), `${prefix}.group`, {
                limits: opts.limits?.group
              })

              break
            }
            case 16: {
              yield * Edit.codec().stream(reader, reader.uint32(), `${prefix}.edit`, {
                limits: opts.limits?.edit
              })

              break
            }
            case 17: {
              yield * Delete.codec().stream(reader, reader.uint32(), `${prefix}.delete`, {
                limits: opts.limits?.delete
              })

              break
            }
            case 18: {
              yield * Reaction.codec().stream(reader, reader.uint32(), `${prefix}.reaction`, {
                limits: opts.limits?.reaction
              })

              break
            }
            case 19: {
              yield * Disappearing.codec().stream(reader, reader.uint32(), `${prefix}.disappearing`, {
                limits: opts.limits?.disappearing
              })

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

  export interface ChatContentMessageIdFieldEvent {
    field: '$.messageId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatContentSenderFieldEvent {
    field: '$.sender'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatContentSeqFieldEvent {
    field: '$.seq'
    value: bigint
  }

  export interface ChatContentSentAtFieldEvent {
    field: '$.sentAt'
    value: bigint
  }

  export interface ChatContentConversationFieldEvent {
    field: '$.conversation'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatContentInviteProofFieldEvent {
    field: '$.inviteProof'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatContentProfileNameFieldEvent {
    field: '$.profileName'
    value: string
  }

  export interface ChatContentReplyToFieldEvent {
    field: '$.replyTo'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatContentTextTextFieldEvent {
    field: '$.text.text'
    value: string
  }

  export interface ChatContentReceiptKindFieldEvent {
    field: '$.receipt.kind'
    value: ReceiptKind
  }

  export interface ChatContentReceiptMessageIdsFieldEvent {
    field: '$.receipt.messageIds[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatContentGroupControlGroupIdFieldEvent {
    field: '$.groupControl.groupId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatContentGroupControlOpFieldEvent {
    field: '$.groupControl.op'
    value: GroupOp
  }

  export interface ChatContentGroupControlMembersFieldEvent {
    field: '$.groupControl.members[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatContentGroupControlAdminsFieldEvent {
    field: '$.groupControl.admins[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatContentGroupControlNameFieldEvent {
    field: '$.groupControl.name'
    value: string
  }

  export interface ChatContentGroupControlEpochFieldEvent {
    field: '$.groupControl.epoch'
    value: bigint
  }

  export interface ChatContentGroupControlActorFieldEvent {
    field: '$.groupControl.actor'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatContentGroupControlSignatureFieldEvent {
    field: '$.groupControl.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatContentGroupControlSenderKeyDistributionIdFieldEvent {
    field: '$.groupControl.senderKey.distributionId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatContentGroupControlSenderKeyChainIdFieldEvent {
    field: '$.groupControl.senderKey.chainId'
    value: number
  }

  export interface ChatContentGroupControlSenderKeyIterationFieldEvent {
    field: '$.groupControl.senderKey.iteration'
    value: number
  }

  export interface ChatContentGroupControlSenderKeyChainKeyFieldEvent {
    field: '$.groupControl.senderKey.chainKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatContentGroupControlSenderKeySigningKeyFieldEvent {
    field: '$.groupControl.senderKey.signingKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatContentFileFileIdFieldEvent {
    field: '$.file.fileId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatContentFileNameFieldEvent {
    field: '$.file.name'
    value: string
  }

  export interface ChatContentFileSizeFieldEvent {
    field: '$.file.size'
    value: bigint
  }

  export interface ChatContentFileChunkSizeFieldEvent {
    field: '$.file.chunkSize'
    value: number
  }

  export interface ChatContentFileChunkHashesFieldEvent {
    field: '$.file.chunkHashes[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatContentFileKeyFieldEvent {
    field: '$.file.key'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatContentFileSha256FieldEvent {
    field: '$.file.sha256'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatContentFileMimeFieldEvent {
    field: '$.file.mime'
    value: string
  }

  export interface ChatContentFileChunkHashRootFieldEvent {
    field: '$.file.chunkHashRoot'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatContentCardFieldEvent {
    field: '$.card'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatContentGroupGroupIdFieldEvent {
    field: '$.group.groupId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatContentGroupOpsFieldEvent {
    field: '$.group.ops[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatContentGroupSecretsFieldEvent {
    field: '$.group.secrets[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatContentGroupSenderKeyDistributionIdFieldEvent {
    field: '$.group.senderKey.distributionId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatContentGroupSenderKeyChainIdFieldEvent {
    field: '$.group.senderKey.chainId'
    value: number
  }

  export interface ChatContentGroupSenderKeyIterationFieldEvent {
    field: '$.group.senderKey.iteration'
    value: number
  }

  export interface ChatContentGroupSenderKeyChainKeyFieldEvent {
    field: '$.group.senderKey.chainKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatContentGroupSenderKeySigningKeyFieldEvent {
    field: '$.group.senderKey.signingKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatContentGroupCardsFieldEvent {
    field: '$.group.cards[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatContentEditTargetIdFieldEvent {
    field: '$.edit.targetId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatContentEditTextFieldEvent {
    field: '$.edit.text'
    value: string
  }

  export interface ChatContentDeleteTargetIdFieldEvent {
    field: '$.delete.targetId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatContentReactionTargetIdFieldEvent {
    field: '$.reaction.targetId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatContentReactionEmojiFieldEvent {
    field: '$.reaction.emoji'
    value: string
  }

  export interface ChatContentReactionRemoveFieldEvent {
    field: '$.reaction.remove'
    value: boolean
  }

  export interface ChatContentDisappearingTtlSecondsFieldEvent {
    field: '$.disappearing.ttlSeconds'
    value: number
  }

  export function encode (obj: Partial<ChatContent>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ChatContent.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChatContent>): ChatContent {
    return decodeMessage(buf, ChatContent.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChatContent>): Generator<ChatContentMessageIdFieldEvent | ChatContentSenderFieldEvent | ChatContentSeqFieldEvent | ChatContentSentAtFieldEvent | ChatContentConversationFieldEvent | ChatContentInviteProofFieldEvent | ChatContentProfileNameFieldEvent | ChatContentReplyToFieldEvent | ChatContentTextTextFieldEvent | ChatContentReceiptKindFieldEvent | ChatContentReceiptMessageIdsFieldEvent | ChatContentGroupControlGroupIdFieldEvent | ChatContentGroupControlOpFieldEvent | ChatContentGroupControlMembersFieldEvent | ChatContentGroupControlAdminsFieldEvent | ChatContentGroupControlNameFieldEvent | ChatContentGroupControlEpochFieldEvent | ChatContentGroupControlActorFieldEvent | ChatContentGroupControlSignatureFieldEvent | ChatContentGroupControlSenderKeyDistributionIdFieldEvent | ChatContentGroupControlSenderKeyChainIdFieldEvent | ChatContentGroupControlSenderKeyIterationFieldEvent | ChatContentGroupControlSenderKeyChainKeyFieldEvent | ChatContentGroupControlSenderKeySigningKeyFieldEvent | ChatContentFileFileIdFieldEvent | ChatContentFileNameFieldEvent | ChatContentFileSizeFieldEvent | ChatContentFileChunkSizeFieldEvent | ChatContentFileChunkHashesFieldEvent | ChatContentFileKeyFieldEvent | ChatContentFileSha256FieldEvent | ChatContentFileMimeFieldEvent | ChatContentFileChunkHashRootFieldEvent | ChatContentCardFieldEvent | ChatContentGroupGroupIdFieldEvent | ChatContentGroupOpsFieldEvent | ChatContentGroupSecretsFieldEvent | ChatContentGroupSenderKeyDistributionIdFieldEvent | ChatContentGroupSenderKeyChainIdFieldEvent | ChatContentGroupSenderKeyIterationFieldEvent | ChatContentGroupSenderKeyChainKeyFieldEvent | ChatContentGroupSenderKeySigningKeyFieldEvent | ChatContentGroupCardsFieldEvent | ChatContentEditTargetIdFieldEvent | ChatContentEditTextFieldEvent | ChatContentDeleteTargetIdFieldEvent | ChatContentReactionTargetIdFieldEvent | ChatContentReactionEmojiFieldEvent | ChatContentReactionRemoveFieldEvent | ChatContentDisappearingTtlSecondsFieldEvent> {
    return streamMessage(buf, ChatContent.codec(), opts)
  }
}
