// GET /v1/search?q=…&conversation=…&limit=… (CLI.md "Conversations, receipts, edits": `kith
// search`): message lines matching every word of `q`, newest first. One route, one ChatApi call;
// an API without chat (`kith relay`) answers 404 NotAvailable. Knows nothing of HTTP plumbing
// (./server.ts) or of the index (../store/search.ts).
import type { ChatApi } from '../service/index.js'
import { MAX_SEARCH_LIMIT, MAX_SEARCH_QUERY_CHARS } from './limits.js'
import { HttpError } from './errors.js'
import { bad, int, type Route } from './routes.js'

export function searchRoutes(api: ChatApi): Route[] {
  return [
    {
      method: 'GET',
      path: /^\/v1\/search$/,
      handle: ({ query }) => {
        if (api.search === undefined) {
          throw new HttpError(404, 'NotAvailable', 'this node has no messages')
        }
        const q = query.get('q')
        if (q === null || q.trim() === '') throw bad('"q" must be a non-empty string')
        if (q.length > MAX_SEARCH_QUERY_CHARS) {
          throw bad(`"q" must be at most ${MAX_SEARCH_QUERY_CHARS} characters`)
        }
        const conversation = query.get('conversation') ?? ''
        const limit = query.get('limit')
        return {
          body: api.search({
            query: q,
            ...(conversation !== '' ? { conversation } : {}),
            ...(limit !== null ? { limit: int(limit, 'limit', 1, MAX_SEARCH_LIMIT) } : {}),
          }),
        }
      },
    },
  ]
}
