// Minimal types for `ws` 8.x (the package ships none and @types/ws is not a dependency): only the
// parts the local API server and its client use. Replace with @types/ws if it is ever added.
declare module 'ws' {
  import { EventEmitter } from 'node:events'
  import type { ClientRequest, IncomingMessage } from 'node:http'
  import type { Duplex } from 'node:stream'

  export type RawData = Buffer | ArrayBuffer | Buffer[]

  export interface ClientOptions {
    headers?: Record<string, string>
    maxPayload?: number
    handshakeTimeout?: number
    perMessageDeflate?: boolean
  }

  export class WebSocket extends EventEmitter {
    static readonly CONNECTING: 0
    static readonly OPEN: 1
    static readonly CLOSING: 2
    static readonly CLOSED: 3
    constructor(address: string | URL, options?: ClientOptions)
    readonly readyState: 0 | 1 | 2 | 3
    readonly bufferedAmount: number
    send(data: string | Buffer, cb?: (err?: Error) => void): void
    close(code?: number, reason?: string): void
    terminate(): void
    ping(data?: Buffer): void
    on(event: 'open', listener: () => void): this
    on(event: 'message', listener: (data: RawData, isBinary: boolean) => void): this
    on(event: 'close', listener: (code: number, reason: Buffer) => void): this
    on(event: 'error', listener: (err: Error) => void): this
    on(event: 'pong', listener: (data: Buffer) => void): this
    on(
      event: 'unexpected-response',
      listener: (req: ClientRequest, res: IncomingMessage) => void,
    ): this
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- EventEmitter's own signature
    on(event: string | symbol, listener: (...args: any[]) => void): this
  }

  export interface ServerOptions {
    noServer?: boolean
    maxPayload?: number
    perMessageDeflate?: boolean
    clientTracking?: boolean
  }

  export class WebSocketServer extends EventEmitter {
    constructor(options: ServerOptions)
    readonly clients: Set<WebSocket>
    handleUpgrade(
      req: IncomingMessage,
      socket: Duplex,
      head: Buffer,
      callback: (ws: WebSocket, req: IncomingMessage) => void,
    ): void
    close(callback?: (err?: Error) => void): void
  }

  export default WebSocket
}
