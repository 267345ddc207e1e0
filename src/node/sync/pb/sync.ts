import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Request {
  groupId: Uint8Array<ArrayBuffer>
  opHashes: Uint8Array<ArrayBuffer>[]
  marks: Mark[]
}

export namespace Request {
  let _codec: Codec<Request>

  export const codec = (): Codec<Request> => {
    if (_codec == null) {
      _codec = message<Request>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.groupId != null && obj.groupId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.groupId)
        }

        if (obj.opHashes != null && obj.opHashes.length > 0) {
          for (const value of obj.opHashes) {
            w.uint32(18)
            w.bytes(value)
          }
        }

        if (obj.marks != null && obj.marks.length > 0) {
          for (const value of obj.marks) {
            w.uint32(26)
            Mark.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          groupId: uint8ArrayAlloc(0),
          opHashes: [],
          marks: []
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
              if (opts.limits?.opHashes != null && obj.opHashes.length === opts.limits.opHashes) {
                throw new MaxLengthError('Decode error - repeated field "opHashes" had too many elements')
              }

              obj.opHashes.push(reader.bytes())
              break
            }
            case 3: {
              if (opts.limits?.marks != null && obj.marks.length === opts.limits.marks) {
                throw new MaxLengthError('Decode error - repeated field "marks" had too many elements')
              }

              obj.marks.push(Mark.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.marks$
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
          opHashes: 0,
          marks: 0
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
              if (opts.limits?.opHashes != null && obj.opHashes === opts.limits.opHashes) {
                throw new MaxLengthError('Streaming decode error - repeated field "opHashes" had too many elements')
              }

              yield {
                field: `${prefix}.opHashes[]`,
                index: obj.opHashes,
                value: reader.bytes()
              }

              obj.opHashes++

              break
            }
            case 3: {
              if (opts.limits?.marks != null && obj.marks === opts.limits.marks) {
                throw new MaxLengthError('Streaming decode error - repeated field "marks" had too many elements')
              }

              for (const evt of Mark.codec().stream(reader, reader.uint32(), `${prefix}.marks[]`, {
                limits: opts.limits?.marks$
              })) {
                yield {
                  ...evt,
                  index: obj.marks
                }
              }

              obj.marks++

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

  export interface RequestGroupIdFieldEvent {
    field: '$.groupId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RequestOpHashesFieldEvent {
    field: '$.opHashes[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface RequestMarksSenderFieldEvent {
    field: '$.marks[].sender'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface RequestMarksSeqFieldEvent {
    field: '$.marks[].seq'
    value: bigint
    index: number
  }

  export function encode (obj: Partial<Request>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Request.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Request>): Request {
    return decodeMessage(buf, Request.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Request>): Generator<RequestGroupIdFieldEvent | RequestOpHashesFieldEvent | RequestMarksSenderFieldEvent | RequestMarksSeqFieldEvent> {
    return streamMessage(buf, Request.codec(), opts)
  }
}

export interface Mark {
  sender: Uint8Array<ArrayBuffer>
  seq: bigint
}

export namespace Mark {
  let _codec: Codec<Mark>

  export const codec = (): Codec<Mark> => {
    if (_codec == null) {
      _codec = message<Mark>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.sender != null && obj.sender.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.sender)
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(16)
          w.uint64(obj.seq)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          sender: uint8ArrayAlloc(0),
          seq: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.sender = reader.bytes()
              break
            }
            case 2: {
              obj.seq = reader.uint64()
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
                field: `${prefix}.sender`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.seq`,
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

  export interface MarkSenderFieldEvent {
    field: '$.sender'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MarkSeqFieldEvent {
    field: '$.seq'
    value: bigint
  }

  export function encode (obj: Partial<Mark>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Mark.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Mark>): Mark {
    return decodeMessage(buf, Mark.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Mark>): Generator<MarkSenderFieldEvent | MarkSeqFieldEvent> {
    return streamMessage(buf, Mark.codec(), opts)
  }
}

export interface Response {
  ops: Uint8Array<ArrayBuffer>[]
  secrets: Uint8Array<ArrayBuffer>[]
  envelopes: Envelope[]
  more?: boolean
}

export namespace Response {
  let _codec: Codec<Response>

  export const codec = (): Codec<Response> => {
    if (_codec == null) {
      _codec = message<Response>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.ops != null && obj.ops.length > 0) {
          for (const value of obj.ops) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if (obj.secrets != null && obj.secrets.length > 0) {
          for (const value of obj.secrets) {
            w.uint32(18)
            w.bytes(value)
          }
        }

        if (obj.envelopes != null && obj.envelopes.length > 0) {
          for (const value of obj.envelopes) {
            w.uint32(26)
            Envelope.codec().encode(value, w)
          }
        }

        if (obj.more != null) {
          w.uint32(32)
          w.bool(obj.more)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          ops: [],
          secrets: [],
          envelopes: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.ops != null && obj.ops.length === opts.limits.ops) {
                throw new MaxLengthError('Decode error - repeated field "ops" had too many elements')
              }

              obj.ops.push(reader.bytes())
              break
            }
            case 2: {
              if (opts.limits?.secrets != null && obj.secrets.length === opts.limits.secrets) {
                throw new MaxLengthError('Decode error - repeated field "secrets" had too many elements')
              }

              obj.secrets.push(reader.bytes())
              break
            }
            case 3: {
              if (opts.limits?.envelopes != null && obj.envelopes.length === opts.limits.envelopes) {
                throw new MaxLengthError('Decode error - repeated field "envelopes" had too many elements')
              }

              obj.envelopes.push(Envelope.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.envelopes$
              }))
              break
            }
            case 4: {
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
          ops: 0,
          secrets: 0,
          envelopes: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
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
            case 2: {
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
            case 3: {
              if (opts.limits?.envelopes != null && obj.envelopes === opts.limits.envelopes) {
                throw new MaxLengthError('Streaming decode error - repeated field "envelopes" had too many elements')
              }

              for (const evt of Envelope.codec().stream(reader, reader.uint32(), `${prefix}.envelopes[]`, {
                limits: opts.limits?.envelopes$
              })) {
                yield {
                  ...evt,
                  index: obj.envelopes
                }
              }

              obj.envelopes++

              break
            }
            case 4: {
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

  export interface ResponseOpsFieldEvent {
    field: '$.ops[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface ResponseSecretsFieldEvent {
    field: '$.secrets[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface ResponseEnvelopesSenderFieldEvent {
    field: '$.envelopes[].sender'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ResponseEnvelopesSeqFieldEvent {
    field: '$.envelopes[].seq'
    value: bigint
    index: number
  }

  export interface ResponseEnvelopesDataFieldEvent {
    field: '$.envelopes[].data'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ResponseMoreFieldEvent {
    field: '$.more'
    value: boolean
  }

  export function encode (obj: Partial<Response>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Response.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Response>): Response {
    return decodeMessage(buf, Response.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Response>): Generator<ResponseOpsFieldEvent | ResponseSecretsFieldEvent | ResponseEnvelopesSenderFieldEvent | ResponseEnvelopesSeqFieldEvent | ResponseEnvelopesDataFieldEvent | ResponseMoreFieldEvent> {
    return streamMessage(buf, Response.codec(), opts)
  }
}

export interface Envelope {
  sender: Uint8Array<ArrayBuffer>
  seq: bigint
  data: Uint8Array<ArrayBuffer>
}

export namespace Envelope {
  let _codec: Codec<Envelope>

  export const codec = (): Codec<Envelope> => {
    if (_codec == null) {
      _codec = message<Envelope>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.sender != null && obj.sender.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.sender)
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(16)
          w.uint64(obj.seq)
        }

        if ((obj.data != null && obj.data.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.data)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          sender: uint8ArrayAlloc(0),
          seq: 0n,
          data: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.sender = reader.bytes()
              break
            }
            case 2: {
              obj.seq = reader.uint64()
              break
            }
            case 3: {
              obj.data = reader.bytes()
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
                field: `${prefix}.sender`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.data`,
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

  export interface EnvelopeSenderFieldEvent {
    field: '$.sender'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EnvelopeSeqFieldEvent {
    field: '$.seq'
    value: bigint
  }

  export interface EnvelopeDataFieldEvent {
    field: '$.data'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Envelope>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Envelope.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Envelope>): Envelope {
    return decodeMessage(buf, Envelope.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Envelope>): Generator<EnvelopeSenderFieldEvent | EnvelopeSeqFieldEvent | EnvelopeDataFieldEvent> {
    return streamMessage(buf, Envelope.codec(), opts)
  }
}
