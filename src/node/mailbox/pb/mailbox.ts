import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Request {
  deposit?: Deposit
  fetch?: Fetch
  auth?: FetchAuth
  pull?: Pull
}

export namespace Request {
  let _codec: Codec<Request>

  export const codec = (): Codec<Request> => {
    if (_codec == null) {
      _codec = message<Request>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.deposit != null) {
          w.uint32(10)
          Deposit.codec().encode(obj.deposit, w)
        }

        if (obj.fetch != null) {
          w.uint32(18)
          Fetch.codec().encode(obj.fetch, w)
        }

        if (obj.auth != null) {
          w.uint32(26)
          FetchAuth.codec().encode(obj.auth, w)
        }

        if (obj.pull != null) {
          w.uint32(34)
          Pull.codec().encode(obj.pull, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.deposit = Deposit.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.deposit
              })
              break
            }
            case 2: {
              obj.fetch = Fetch.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.fetch
              })
              break
            }
            case 3: {
              obj.auth = FetchAuth.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.auth
              })
              break
            }
            case 4: {
              obj.pull = Pull.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.pull
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
              yield * Deposit.codec().stream(reader, reader.uint32(), `${prefix}.deposit`, {
                limits: opts.limits?.deposit
              })

              break
            }
            case 2: {
              yield * Fetch.codec().stream(reader, reader.uint32(), `${prefix}.fetch`, {
                limits: opts.limits?.fetch
              })

              break
            }
            case 3: {
              yield * FetchAuth.codec().stream(reader, reader.uint32(), `${prefix}.auth`, {
                limits: opts.limits?.auth
              })

              break
            }
            case 4: {
              yield * Pull.codec().stream(reader, reader.uint32(), `${prefix}.pull`, {
                limits: opts.limits?.pull
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

  export interface RequestDepositRecipientFieldEvent {
    field: '$.deposit.recipient'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RequestDepositEnvelopeFieldEvent {
    field: '$.deposit.envelope'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RequestFetchRecipientFieldEvent {
    field: '$.fetch.recipient'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RequestAuthSignatureFieldEvent {
    field: '$.auth.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RequestPullConfirmFieldEvent {
    field: '$.pull.confirm[]'
    index: number
    value: bigint
  }

  export interface RequestPullMoreFieldEvent {
    field: '$.pull.more'
    value: boolean
  }

  export function encode (obj: Partial<Request>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Request.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Request>): Request {
    return decodeMessage(buf, Request.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Request>): Generator<RequestDepositRecipientFieldEvent | RequestDepositEnvelopeFieldEvent | RequestFetchRecipientFieldEvent | RequestAuthSignatureFieldEvent | RequestPullConfirmFieldEvent | RequestPullMoreFieldEvent> {
    return streamMessage(buf, Request.codec(), opts)
  }
}

export interface Response {
  deposit?: DepositResult
  challenge?: Challenge
  batch?: Batch
  failure?: Failure
}

export namespace Response {
  let _codec: Codec<Response>

  export const codec = (): Codec<Response> => {
    if (_codec == null) {
      _codec = message<Response>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.deposit != null) {
          w.uint32(10)
          DepositResult.codec().encode(obj.deposit, w)
        }

        if (obj.challenge != null) {
          w.uint32(18)
          Challenge.codec().encode(obj.challenge, w)
        }

        if (obj.batch != null) {
          w.uint32(26)
          Batch.codec().encode(obj.batch, w)
        }

        if (obj.failure != null) {
          w.uint32(34)
          Failure.codec().encode(obj.failure, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.deposit = DepositResult.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.deposit
              })
              break
            }
            case 2: {
              obj.challenge = Challenge.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.challenge
              })
              break
            }
            case 3: {
              obj.batch = Batch.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.batch
              })
              break
            }
            case 4: {
              obj.failure = Failure.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.failure
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
              yield * DepositResult.codec().stream(reader, reader.uint32(), `${prefix}.deposit`, {
                limits: opts.limits?.deposit
              })

              break
            }
            case 2: {
              yield * Challenge.codec().stream(reader, reader.uint32(), `${prefix}.challenge`, {
                limits: opts.limits?.challenge
              })

              break
            }
            case 3: {
              yield * Batch.codec().stream(reader, reader.uint32(), `${prefix}.batch`, {
                limits: opts.limits?.batch
              })

              break
            }
            case 4: {
              yield * Failure.codec().stream(reader, reader.uint32(), `${prefix}.failure`, {
                limits: opts.limits?.failure
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

  export interface ResponseDepositErrorFieldEvent {
    field: '$.deposit.error'
    value: string
  }

  export interface ResponseDepositDetailFieldEvent {
    field: '$.deposit.detail'
    value: string
  }

  export interface ResponseChallengeNonceFieldEvent {
    field: '$.challenge.nonce'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ResponseBatchItemsIdFieldEvent {
    field: '$.batch.items[].id'
    value: bigint
    index: number
  }

  export interface ResponseBatchItemsEnvelopeFieldEvent {
    field: '$.batch.items[].envelope'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ResponseBatchDeletedFieldEvent {
    field: '$.batch.deleted'
    value: number
  }

  export interface ResponseFailureErrorFieldEvent {
    field: '$.failure.error'
    value: string
  }

  export interface ResponseFailureDetailFieldEvent {
    field: '$.failure.detail'
    value: string
  }

  export function encode (obj: Partial<Response>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Response.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Response>): Response {
    return decodeMessage(buf, Response.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Response>): Generator<ResponseDepositErrorFieldEvent | ResponseDepositDetailFieldEvent | ResponseChallengeNonceFieldEvent | ResponseBatchItemsIdFieldEvent | ResponseBatchItemsEnvelopeFieldEvent | ResponseBatchDeletedFieldEvent | ResponseFailureErrorFieldEvent | ResponseFailureDetailFieldEvent> {
    return streamMessage(buf, Response.codec(), opts)
  }
}

export interface Deposit {
  recipient: Uint8Array<ArrayBuffer>
  envelope: Uint8Array<ArrayBuffer>
}

export namespace Deposit {
  let _codec: Codec<Deposit>

  export const codec = (): Codec<Deposit> => {
    if (_codec == null) {
      _codec = message<Deposit>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.recipient != null && obj.recipient.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.recipient)
        }

        if ((obj.envelope != null && obj.envelope.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.envelope)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          recipient: uint8ArrayAlloc(0),
          envelope: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.recipient = reader.bytes()
              break
            }
            case 2: {
              obj.envelope = reader.bytes()
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
                field: `${prefix}.recipient`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.envelope`,
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

  export interface DepositRecipientFieldEvent {
    field: '$.recipient'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DepositEnvelopeFieldEvent {
    field: '$.envelope'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Deposit>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Deposit.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Deposit>): Deposit {
    return decodeMessage(buf, Deposit.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Deposit>): Generator<DepositRecipientFieldEvent | DepositEnvelopeFieldEvent> {
    return streamMessage(buf, Deposit.codec(), opts)
  }
}

export interface DepositResult {
  error: string
  detail: string
}

export namespace DepositResult {
  let _codec: Codec<DepositResult>

  export const codec = (): Codec<DepositResult> => {
    if (_codec == null) {
      _codec = message<DepositResult>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(10)
          w.string(obj.error)
        }

        if ((obj.detail != null && obj.detail !== '')) {
          w.uint32(18)
          w.string(obj.detail)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          error: '',
          detail: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.error = reader.string()
              break
            }
            case 2: {
              obj.detail = reader.string()
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
                field: `${prefix}.error`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.detail`,
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

  export interface DepositResultErrorFieldEvent {
    field: '$.error'
    value: string
  }

  export interface DepositResultDetailFieldEvent {
    field: '$.detail'
    value: string
  }

  export function encode (obj: Partial<DepositResult>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DepositResult.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DepositResult>): DepositResult {
    return decodeMessage(buf, DepositResult.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DepositResult>): Generator<DepositResultErrorFieldEvent | DepositResultDetailFieldEvent> {
    return streamMessage(buf, DepositResult.codec(), opts)
  }
}

export interface Fetch {
  recipient: Uint8Array<ArrayBuffer>
}

export namespace Fetch {
  let _codec: Codec<Fetch>

  export const codec = (): Codec<Fetch> => {
    if (_codec == null) {
      _codec = message<Fetch>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.recipient != null && obj.recipient.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.recipient)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          recipient: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.recipient = reader.bytes()
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
                field: `${prefix}.recipient`,
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

  export interface FetchRecipientFieldEvent {
    field: '$.recipient'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Fetch>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Fetch.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Fetch>): Fetch {
    return decodeMessage(buf, Fetch.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Fetch>): Generator<FetchRecipientFieldEvent> {
    return streamMessage(buf, Fetch.codec(), opts)
  }
}

export interface Challenge {
  nonce: Uint8Array<ArrayBuffer>
}

export namespace Challenge {
  let _codec: Codec<Challenge>

  export const codec = (): Codec<Challenge> => {
    if (_codec == null) {
      _codec = message<Challenge>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.nonce != null && obj.nonce.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.nonce)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          nonce: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.nonce = reader.bytes()
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
                field: `${prefix}.nonce`,
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

  export interface ChallengeNonceFieldEvent {
    field: '$.nonce'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Challenge>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Challenge.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Challenge>): Challenge {
    return decodeMessage(buf, Challenge.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Challenge>): Generator<ChallengeNonceFieldEvent> {
    return streamMessage(buf, Challenge.codec(), opts)
  }
}

export interface FetchAuth {
  signature: Uint8Array<ArrayBuffer>
}

export namespace FetchAuth {
  let _codec: Codec<FetchAuth>

  export const codec = (): Codec<FetchAuth> => {
    if (_codec == null) {
      _codec = message<FetchAuth>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
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

  export interface FetchAuthSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<FetchAuth>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FetchAuth.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FetchAuth>): FetchAuth {
    return decodeMessage(buf, FetchAuth.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FetchAuth>): Generator<FetchAuthSignatureFieldEvent> {
    return streamMessage(buf, FetchAuth.codec(), opts)
  }
}

export interface Pull {
  confirm: bigint[]
  more: boolean
}

export namespace Pull {
  let _codec: Codec<Pull>

  export const codec = (): Codec<Pull> => {
    if (_codec == null) {
      _codec = message<Pull>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.confirm != null && obj.confirm.length > 0) {
          for (const value of obj.confirm) {
            w.uint32(8)
            w.uint64(value)
          }
        }

        if ((obj.more != null && obj.more !== false)) {
          w.uint32(16)
          w.bool(obj.more)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          confirm: [],
          more: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.confirm != null && obj.confirm.length === opts.limits.confirm) {
                throw new MaxLengthError('Decode error - repeated field "confirm" had too many elements')
              }

              obj.confirm.push(reader.uint64())
              break
            }
            case 2: {
              obj.more = reader.bool()
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
          confirm: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.confirm != null && obj.confirm === opts.limits.confirm) {
                throw new MaxLengthError('Streaming decode error - repeated field "confirm" had too many elements')
              }

              yield {
                field: `${prefix}.confirm[]`,
                index: obj.confirm,
                value: reader.uint64()
              }

              obj.confirm++

              break
            }
            case 2: {
              yield {
                field: `${prefix}.more`,
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

  export interface PullConfirmFieldEvent {
    field: '$.confirm[]'
    index: number
    value: bigint
  }

  export interface PullMoreFieldEvent {
    field: '$.more'
    value: boolean
  }

  export function encode (obj: Partial<Pull>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Pull.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Pull>): Pull {
    return decodeMessage(buf, Pull.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Pull>): Generator<PullConfirmFieldEvent | PullMoreFieldEvent> {
    return streamMessage(buf, Pull.codec(), opts)
  }
}

export interface Item {
  id: bigint
  envelope: Uint8Array<ArrayBuffer>
}

export namespace Item {
  let _codec: Codec<Item>

  export const codec = (): Codec<Item> => {
    if (_codec == null) {
      _codec = message<Item>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== 0n)) {
          w.uint32(8)
          w.uint64(obj.id)
        }

        if ((obj.envelope != null && obj.envelope.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.envelope)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: 0n,
          envelope: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.uint64()
              break
            }
            case 2: {
              obj.envelope = reader.bytes()
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
                value: reader.uint64()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.envelope`,
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

  export interface ItemIdFieldEvent {
    field: '$.id'
    value: bigint
  }

  export interface ItemEnvelopeFieldEvent {
    field: '$.envelope'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Item>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Item.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Item>): Item {
    return decodeMessage(buf, Item.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Item>): Generator<ItemIdFieldEvent | ItemEnvelopeFieldEvent> {
    return streamMessage(buf, Item.codec(), opts)
  }
}

export interface Batch {
  items: Item[]
  deleted: number
}

export namespace Batch {
  let _codec: Codec<Batch>

  export const codec = (): Codec<Batch> => {
    if (_codec == null) {
      _codec = message<Batch>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.items != null && obj.items.length > 0) {
          for (const value of obj.items) {
            w.uint32(10)
            Item.codec().encode(value, w)
          }
        }

        if ((obj.deleted != null && obj.deleted !== 0)) {
          w.uint32(16)
          w.uint32(obj.deleted)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          items: [],
          deleted: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.items != null && obj.items.length === opts.limits.items) {
                throw new MaxLengthError('Decode error - repeated field "items" had too many elements')
              }

              obj.items.push(Item.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.items$
              }))
              break
            }
            case 2: {
              obj.deleted = reader.uint32()
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
          items: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.items != null && obj.items === opts.limits.items) {
                throw new MaxLengthError('Streaming decode error - repeated field "items" had too many elements')
              }

              for (const evt of Item.codec().stream(reader, reader.uint32(), `${prefix}.items[]`, {
                limits: opts.limits?.items$
              })) {
                yield {
                  ...evt,
                  index: obj.items
                }
              }

              obj.items++

              break
            }
            case 2: {
              yield {
                field: `${prefix}.deleted`,
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

  export interface BatchItemsIdFieldEvent {
    field: '$.items[].id'
    value: bigint
    index: number
  }

  export interface BatchItemsEnvelopeFieldEvent {
    field: '$.items[].envelope'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface BatchDeletedFieldEvent {
    field: '$.deleted'
    value: number
  }

  export function encode (obj: Partial<Batch>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Batch.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Batch>): Batch {
    return decodeMessage(buf, Batch.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Batch>): Generator<BatchItemsIdFieldEvent | BatchItemsEnvelopeFieldEvent | BatchDeletedFieldEvent> {
    return streamMessage(buf, Batch.codec(), opts)
  }
}

export interface Failure {
  error: string
  detail: string
}

export namespace Failure {
  let _codec: Codec<Failure>

  export const codec = (): Codec<Failure> => {
    if (_codec == null) {
      _codec = message<Failure>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(10)
          w.string(obj.error)
        }

        if ((obj.detail != null && obj.detail !== '')) {
          w.uint32(18)
          w.string(obj.detail)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          error: '',
          detail: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.error = reader.string()
              break
            }
            case 2: {
              obj.detail = reader.string()
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
                field: `${prefix}.error`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.detail`,
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

  export interface FailureErrorFieldEvent {
    field: '$.error'
    value: string
  }

  export interface FailureDetailFieldEvent {
    field: '$.detail'
    value: string
  }

  export function encode (obj: Partial<Failure>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Failure.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Failure>): Failure {
    return decodeMessage(buf, Failure.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Failure>): Generator<FailureErrorFieldEvent | FailureDetailFieldEvent> {
    return streamMessage(buf, Failure.codec(), opts)
  }
}
