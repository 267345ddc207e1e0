// Kith's Kad-DHT service: @libp2p/kad-dht 16 with its server side bounded (issue 11, finding 2).
// kad-dht has no hook for any of this (no datastore limits, no put quota, no message size limit
// on inbound streams: rpc/index.js reads with `pbStream(stream)`, no maxDataLength; upstream:
// js-libp2p#3377 for the selector on put, no issue or PR found for the rest), so this module
// wraps it in ONE
// place, the service factory, by handing kad-dht a view of its components:
//  - `datastore`: the DhtRecordStore (store.ts): capped records, quotas per PeerId and network
//    group, eviction, the selector on every put, provider records refused;
//  - `registrar`: kad-dht's inbound handler runs inside an AsyncLocalStorage context naming the
//    remote PeerId and network group (the store and the validators read it), and each inbound
//    stream is metered: at most DHT_MAX_INBOUND_STREAM_BYTES per stream and
//    DHT_INBOUND_BUDGET_BYTES over all open ones, else the stream is aborted; streams over the
//    opener's or its group's stream rate are aborted before kad-dht sees them;
//  - validators: on an inbound PUT_VALUE, the putter's and its group's rate is checked before
//    the record's own validator (the card signature) runs, and every refusal is counted.
// Our own queries run outside that context: they are never limited here.
//
// This module owns the wrapping and the DHT's counters. It knows nothing of cards (the record
// policies and validators come from the caller) nor of contacts.
import { AsyncLocalStorage } from 'node:async_hooks'
import { kadDHT } from '@libp2p/kad-dht'
import { networkPrefix } from '../connectivity/net-prefix.js'
import {
  DhtInboundBudgetError,
  DhtRateLimitError,
  DhtRecordRefusedError,
  DhtStreamRateLimitError,
  DhtStreamTooLargeError,
} from './errors.js'
import { DEFAULT_DHT_LIMITS, type DhtLimits } from './limits.js'
import { RateTable } from './rate.js'
import { DhtRecordStore, type PutContext, type RecordPolicy } from './store.js'
import type {
  Connection,
  Stream,
  StreamCloseEvent,
  StreamHandler,
  StreamHandlerOptions,
} from '@libp2p/interface'
import type { KadDHT, KadDHTComponents, KadDHTInit, ValidateFn } from '@libp2p/kad-dht'

export {
  DhtInboundBudgetError,
  DhtProviderRefusedError,
  DhtRateLimitError,
  DhtRecordRefusedError,
  DhtStaleRecordError,
  DhtStoreFullError,
  DhtStreamRateLimitError,
  DhtStreamTooLargeError,
} from './errors.js'
export {
  DEFAULT_DHT_LIMITS,
  DHT_GROUP_PUT_BURST,
  DHT_GROUP_PUTS_PER_MINUTE,
  DHT_INBOUND_BUDGET_BYTES,
  DHT_MAX_INBOUND_STREAM_BYTES,
  DHT_MAX_INBOUND_STREAMS_PER_PEER,
  DHT_MAX_RECORD_BYTES,
  DHT_MAX_RECORDS,
  DHT_MAX_RECORDS_PER_GROUP,
  DHT_MAX_RECORDS_PER_PEER,
  DHT_PEER_PUT_BURST,
  DHT_PEER_PUTS_PER_MINUTE,
  DHT_PEER_STREAM_BURST,
  DHT_PEER_STREAMS_PER_MINUTE,
  DHT_GROUP_STREAM_BURST,
  DHT_GROUP_STREAMS_PER_MINUTE,
  DHT_RATE_TABLE_ENTRIES,
  DHT_SWEEP_INTERVAL_MS,
  type DhtLimits,
} from './limits.js'
export type { PutContext, RecordPolicy } from './store.js'

/** The DHT's counters in NodeMetrics.dht. */
export interface DhtMetrics {
  /** Records held for the DHT and their bytes. */
  records: number
  bytes: number
  /** Records dropped for room or over a PeerId's or group's quota. */
  evicted: number
  /** Inbound requests refused (their stream aborted), by error name: DhtProviderRefusedError,
   *  DhtRateLimitError, DhtStaleRecordError, CardExpiryTooFarError, InvalidSignatureError, … */
  rejected: Record<string, number>
}

export interface BoundedKadDHTInit extends Omit<KadDHTInit, 'validators' | 'selectors'> {
  /** Key namespaces stored, with their validator (run on every put and get answer), selector
   *  and expiry. Namespaces not listed are refused from peers (kad-dht's default `pk` too). */
  records: Record<string, RecordPolicy & { validate: ValidateFn }>
  limits?: Partial<DhtLimits>
  now?: () => number
}

/** kad-dht's service with the DHT's counters. */
export type BoundedKadDHT = KadDHT & { kithMetrics(): DhtMetrics }

/** The remote's PeerId and network group, for quotas. */
function contextOf(connection: Connection): PutContext {
  return { peer: connection.remotePeer.toString(), group: networkPrefix(connection.remoteAddr) }
}

export function boundedKadDHT(
  init: BoundedKadDHTInit,
): (components: KadDHTComponents) => BoundedKadDHT {
  const { records, limits: partial, now = Date.now, ...rest } = init
  const limits: DhtLimits = { ...DEFAULT_DHT_LIMITS, ...partial }
  return (components) => {
    const inbound = new AsyncLocalStorage<PutContext>()
    const rejected: Record<string, number> = {}
    const reject = (name: string): void => {
      rejected[name] = (rejected[name] ?? 0) + 1
    }
    const store = new DhtRecordStore({
      inner: components.datastore,
      ...(rest.datastorePrefix != null ? { prefix: rest.datastorePrefix } : {}),
      policies: records,
      limits,
      context: () => inbound.getStore(),
      now,
    })
    const peerRate = new RateTable(
      limits.peerPutBurst,
      limits.peerPutsPerMinute,
      limits.rateTableEntries,
    )
    const groupRate = new RateTable(
      limits.groupPutBurst,
      limits.groupPutsPerMinute,
      limits.rateTableEntries,
    )

    const peerStreams = new RateTable(
      limits.peerStreamBurst,
      limits.peerStreamsPerMinute,
      limits.rateTableEntries,
    )
    const groupStreams = new RateTable(
      limits.groupStreamBurst,
      limits.groupStreamsPerMinute,
      limits.rateTableEntries,
    )

    // Validators: rate first (cheap), then the namespace's own validator (the card signature).
    const validators: Record<string, ValidateFn> = {
      // kad-dht's default /pk/ records: Kith's keys are inside its PeerIds; store none.
      pk: () => {
        throw new DhtRecordRefusedError('/pk/ records are not stored')
      },
    }
    for (const [ns, policy] of Object.entries(records)) {
      validators[ns] = async (key, value, options) => {
        const ctx = inbound.getStore()
        if (ctx != null) {
          const t = now()
          if (!peerRate.take(ctx.peer, t) || !groupRate.take(ctx.group, t)) {
            throw new DhtRateLimitError('too many puts from this peer or its network')
          }
        }
        await policy.validate(key, value, options)
      }
    }
    const selectors = Object.fromEntries(Object.entries(records).map(([ns, p]) => [ns, p.select]))

    // Every inbound stream we abort is counted here, once, by its error's name: kad-dht's RPC
    // aborts the stream with whatever its handler threw (rpc/index.js onIncomingStream), so
    // refusals of the store, the validators, kad-dht's own checks and its read timeout
    // (TimeoutError) all end up here, as do this meter's own aborts.
    let pending = 0
    const meter = (stream: Stream): void => {
      let got = 0
      const onMessage = (evt: { data: { byteLength: number } }): void => {
        const n = evt.data.byteLength
        got += n
        pending += n
        if (got > limits.maxInboundStreamBytes) {
          stream.abort(new DhtStreamTooLargeError('inbound DHT stream over its byte limit'))
        } else if (pending > limits.inboundBudgetBytes) {
          stream.abort(new DhtInboundBudgetError('inbound DHT streams over the node-wide budget'))
        }
      }
      stream.addEventListener('message', onMessage)
      stream.addEventListener(
        'close',
        (evt: StreamCloseEvent) => {
          pending -= got
          stream.removeEventListener('message', onMessage)
          // UnexpectedEOFError: the peer closed its side after its request, the normal end of
          // a kad-dht stream (rpc/index.js reads once more before it sees the close).
          const name = evt.local === true ? evt.error?.name : undefined
          if (name != null && name !== 'UnexpectedEOFError') reject(name)
        },
        { once: true },
      )
    }

    const registrar = components.registrar
    const handle = (
      protocol: string,
      handler: StreamHandler,
      options?: StreamHandlerOptions,
    ): Promise<void> =>
      registrar.handle(
        protocol,
        (stream, connection) => {
          meter(stream)
          const ctx = contextOf(connection)
          const t = now()
          if (!peerStreams.take(ctx.peer, t) || !groupStreams.take(ctx.group, t)) {
            stream.abort(new DhtStreamRateLimitError('too many DHT streams from this peer'))
            return
          }
          return inbound.run(ctx, () => handler(stream, connection))
        },
        {
          ...options,
          maxInboundStreams: Math.min(
            options?.maxInboundStreams ?? limits.maxInboundStreamsPerPeer,
            limits.maxInboundStreamsPerPeer,
          ),
        },
      )
    const view = new Proxy(components, {
      get(target, prop) {
        if (prop === 'datastore') return datastore
        if (prop === 'registrar') return registrarView
        return Reflect.get(target, prop) as unknown
      },
    })
    const datastore = store.datastore()
    const registrarView = new Proxy(registrar, {
      get(target, prop) {
        if (prop === 'handle') return handle
        const v: unknown = Reflect.get(target, prop, target)
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
      },
    })

    const dht = kadDHT({ ...rest, validators, selectors })(view)
    const metrics = (): DhtMetrics => ({ ...store.metrics(), rejected: { ...rejected } })
    return Object.assign(dht, { kithMetrics: metrics })
  }
}
