// /v1/groups… (docs/groups.md, CLI.md "Groups"): `:ref` is a group's name or id. Each route calls
// one optional ChatApi group method; an API without groups (`kith relay`) answers 404
// NotAvailable. Knows nothing of HTTP plumbing (./server.ts).
import type { ChatApi } from '../service/index.js'
import { HttpError } from './errors.js'
import { replyTo } from './message-routes.js'
import { bad, int, REF, str, type Route, messageId } from './routes.js'

/** Largest `limit` of GET /v1/messages and /v1/groups/:ref/messages. */
export const MAX_MESSAGES_LIMIT = 100_000

/** A group method the API lacks (`kith relay`): 404 NotAvailable. */
function noGroups(): never {
  throw new HttpError(404, 'NotAvailable', 'this node has no groups')
}

export function groupRoutes(api: ChatApi): Route[] {
  return [
    {
      method: 'GET',
      path: /^\/v1\/groups$/,
      handle: () => ({ body: api.listGroups?.() ?? noGroups() }),
    },
    {
      method: 'POST',
      path: /^\/v1\/groups$/,
      handle: ({ body }) => ({
        status: 201,
        body: api.createGroup?.(str(body, 'name')) ?? noGroups(),
      }),
    },
    {
      method: 'POST',
      path: new RegExp(`^/v1/groups/${REF}/members$`),
      handle: ({ params, body }) => ({
        body:
          api.addGroupMember?.(params[0] ?? '', str(body, 'contact'), body.admin === true) ??
          noGroups(),
      }),
    },
    {
      method: 'DELETE',
      path: new RegExp(`^/v1/groups/${REF}/members/${REF}$`),
      handle: ({ params }) => ({
        body: api.removeGroupMember?.(params[0] ?? '', params[1] ?? '') ?? noGroups(),
      }),
    },
    {
      method: 'POST',
      path: new RegExp(`^/v1/groups/${REF}/name$`),
      handle: ({ params, body }) => ({
        body: api.renameGroup?.(params[0] ?? '', str(body, 'name')) ?? noGroups(),
      }),
    },
    {
      method: 'POST',
      path: new RegExp(`^/v1/groups/${REF}/leave$`),
      handle: ({ params }) => ({ body: api.leaveGroup?.(params[0] ?? '') ?? noGroups() }),
    },
    {
      method: 'POST',
      path: new RegExp(`^/v1/groups/${REF}/messages$`),
      handle: async ({ params, body }) => {
        if (typeof body.text !== 'string') throw bad('"text" must be a string')
        const opts = replyTo(body)
        return { body: await (api.sendGroup?.(params[0] ?? '', body.text, opts) ?? noGroups()) }
      },
    },
    {
      method: 'GET',
      path: new RegExp(`^/v1/groups/${REF}/messages$`),
      handle: ({ params, query }) => {
        const limit = query.get('limit')
        const before = query.get('before')
        return {
          body:
            api.groupMessages?.(params[0] ?? '', {
              ...(limit !== null ? { limit: int(limit, 'limit', 1, MAX_MESSAGES_LIMIT) } : {}),
              ...(before !== null ? { before: messageId(before, 'before') } : {}),
            }) ?? noGroups(),
        }
      },
    },
  ]
}
