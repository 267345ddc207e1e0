// The other process of the dm bench's floor (./dm-floor.ts): the two primitives of a message's
// path that cross from the bench to a daemon and back, with nothing of Kith behind them.
//   HTTP       a minimal node:http server: POST /v1/messages with a bearer token, the JSON body
//              read and parsed, a small JSON answer (what daemon A's API does around
//              ChatService.send, without the send) carrying in `at` this process's clock when
//              the body had been read.
//   WebSocket  a `ws` server on the same port (noServer, no compression, as src/api/events.ts):
//              each frame the bench sends asks for one event frame back, of the given JSON,
//              carrying this process's clock (performance.timeOrigin + now()) in `stamp` when it
//              was handed to ws (what daemon B's /v1/events does with a `message` event).
// Run as `node <tsx loader> dm-floor-child.ts` with KITH_FLOOR_TOKEN and KITH_FLOOR_EVENT (the
// event JSON, with "stamp":0 to fill in) in its environment; it prints
// `{"event":"ready","port":N}` and stops on SIGTERM/SIGINT.
import { createServer } from 'node:http'
import { performance } from 'node:perf_hooks'
import { WebSocketServer } from 'ws'

const token = process.env.KITH_FLOOR_TOKEN ?? ''
const event = process.env.KITH_FLOOR_EVENT ?? '{"stamp":0}'
const [head, tail] = event.split('"stamp":0')
if (token === '' || tail === undefined) {
  console.error('dm-floor-child: KITH_FLOOR_TOKEN and KITH_FLOOR_EVENT (with "stamp":0) needed')
  process.exit(2)
}

let answered = 0
const server = createServer((req, res) => {
  if (req.headers.authorization !== `Bearer ${token}`) {
    res.writeHead(401).end()
    return
  }
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    let body: { contact?: unknown; text?: unknown }
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body
    } catch {
      res.writeHead(400).end()
      return
    }
    if (typeof body.contact !== 'string' || typeof body.text !== 'string') {
      res.writeHead(400).end()
      return
    }
    // Daemon A's answer (a 32-hex-digit id and the status), and when the body had been read
    // and parsed (this process's clock): the request's one-way time.
    const at = performance.timeOrigin + performance.now()
    const answer = JSON.stringify({
      id: (++answered).toString(16).padStart(32, '0'),
      status: 'sent',
      at,
    })
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(answer),
    })
    res.end(answer)
  })
})

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false })
server.on('upgrade', (req, socket, headBytes) => {
  if (req.headers.authorization !== `Bearer ${token}`) {
    socket.destroy()
    return
  }
  wss.handleUpgrade(req, socket, headBytes, (ws) => {
    ws.on('message', () => {
      const stamp = performance.timeOrigin + performance.now()
      ws.send(`${head}"stamp":${stamp}${tail}`)
    })
  })
})

server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  process.stdout.write(`${JSON.stringify({ event: 'ready', port })}\n`)
})

const stop = () => {
  for (const ws of wss.clients) ws.terminate()
  server.close(() => process.exit(0))
  server.closeAllConnections()
}
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
