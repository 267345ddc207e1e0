// What every request/response protocol of the node (/kith/sync, /kith/card, /kith/file,
// /kith/filebox) does the same way around its own framing: registering its handler with
// libp2p's registrar and removing it, the streams open in either direction (aborted when the
// node stops), and the count of refused or hostile streams by error name (`kith status --json`
// metrics). It knows nothing of what the streams carry; each protocol keeps its own limits and
// errors.
import { NodeNotStartedError } from '../errors.js'
import type { Connection, Stream, StreamHandler, StreamHandlerOptions } from '@libp2p/interface'

export interface HostRegistrar {
  handle(protocol: string, handler: StreamHandler, options?: StreamHandlerOptions): Promise<void>
  unhandle(protocol: string): Promise<void>
}

export class StreamHost {
  readonly #registrar: HostRegistrar
  readonly #protocol: string
  readonly #options: StreamHandlerOptions
  readonly #serve: (stream: Stream, connection: Connection) => Promise<void>
  readonly #rejected = new Map<string, number>()
  readonly #streams = new Set<Stream>()
  #started = false

  constructor(
    registrar: HostRegistrar,
    protocol: string,
    options: StreamHandlerOptions,
    serve: (stream: Stream, connection: Connection) => Promise<void>,
  ) {
    this.#registrar = registrar
    this.#protocol = protocol
    this.#options = options
    this.#serve = serve
  }

  get started(): boolean {
    return this.#started
  }

  async start(): Promise<void> {
    if (this.#started) return
    await this.#registrar.handle(
      this.#protocol,
      (stream, connection) => void this.#serve(stream, connection),
      this.#options,
    )
    this.#started = true
  }

  async stop(): Promise<void> {
    if (!this.#started) return
    this.#started = false
    await this.#registrar.unhandle(this.#protocol)
    for (const s of this.#streams) s.abort(new NodeNotStartedError('node stopping'))
    this.#streams.clear()
  }

  /** Keeps `stream` to abort at stop(); the returned function forgets it. */
  track(stream: Stream): () => void {
    this.#streams.add(stream)
    return () => void this.#streams.delete(stream)
  }

  count(name: string): void {
    this.#rejected.set(name, (this.#rejected.get(name) ?? 0) + 1)
  }

  /** Refused and hostile streams, by error name. */
  rejected(): Record<string, number> {
    return Object.fromEntries(this.#rejected)
  }
}
