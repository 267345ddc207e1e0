// Contacts, invites, verification, our profile, message requests and blocking (CLI.md "Contacts and
// verification", "Profile, requests, blocking"): each route calls one ChatApi method. `:ref` is a
// contact's name or PeerId; `:peerId` a PeerId. Knows nothing of HTTP plumbing (./server.ts); the
// typed errors the service throws (InvalidName 400, NameTaken 409, RequestNotFound 404…) carry
// their own status (./errors.ts).
import type { ChatApi } from '../service/index.js'
import { HttpError } from './errors.js'
import { bad, flag, REF, str, type Route } from './routes.js'

/** An API without a profile (`kith relay`): 404 NotAvailable. */
function noProfile(): never {
  throw new HttpError(404, 'NotAvailable', 'this node has no profile')
}

export function contactRoutes(api: ChatApi): Route[] {
  return [
    {
      method: 'GET',
      path: /^\/v1\/invite$/,
      handle: ({ query }) => ({
        body: api.invite({
          ...(flag(query, 'once') ? { once: true } : {}),
          ...(flag(query, 'full') ? { full: true } : {}),
        }),
      }),
    },
    { method: 'GET', path: /^\/v1\/contacts$/, handle: () => ({ body: api.listContacts() }) },
    {
      method: 'POST',
      path: /^\/v1\/contacts$/,
      handle: async ({ body }) => ({
        status: 201,
        body: await api.addContact(str(body, 'link'), str(body, 'name', true)),
      }),
    },
    {
      method: 'DELETE',
      path: new RegExp(`^/v1/contacts/${REF}$`),
      handle: ({ params, query }) => ({
        body: api.removeContact(params[0] ?? '', flag(query, 'purge')),
      }),
    },
    {
      method: 'POST',
      path: new RegExp(`^/v1/contacts/${REF}/rename$`),
      handle: ({ params, body }) => ({
        body: api.renameContact(params[0] ?? '', str(body, 'name')),
      }),
    },
    {
      method: 'POST',
      path: new RegExp(`^/v1/contacts/${REF}/block$`),
      handle: ({ params }) => ({ body: api.blockContact(params[0] ?? '') }),
    },
    {
      method: 'POST',
      path: new RegExp(`^/v1/contacts/${REF}/unblock$`),
      handle: ({ params }) => ({ body: api.unblockContact(params[0] ?? '') }),
    },
    {
      method: 'GET',
      path: new RegExp(`^/v1/contacts/${REF}/verify$`),
      handle: ({ params }) => ({ body: api.safetyNumber(params[0] ?? '') }),
    },
    {
      method: 'POST',
      path: new RegExp(`^/v1/contacts/${REF}/verify$`),
      handle: ({ params, body }) => ({
        body: api.confirmSafetyNumber(params[0] ?? '', str(body, 'number')),
      }),
    },
    // Our profile (`kith profile`). The name may be anything the service's name rules allow:
    // an empty or unclean one is its InvalidName (400), not a route error.
    {
      method: 'GET',
      path: /^\/v1\/profile$/,
      handle: () => ({ body: api.profile?.() ?? noProfile() }),
    },
    {
      method: 'POST',
      path: /^\/v1\/profile$/,
      handle: ({ body }) => {
        if (typeof body.name !== 'string') throw bad('"name" must be a string')
        return { body: api.setProfileName?.(body.name) ?? noProfile() }
      },
    },
    { method: 'GET', path: /^\/v1\/requests$/, handle: () => ({ body: api.listRequests() }) },
    {
      method: 'POST',
      path: new RegExp(`^/v1/requests/${REF}/accept$`),
      handle: ({ params, body }) => ({
        body: api.acceptRequest(params[0] ?? '', str(body, 'name', true)),
      }),
    },
    {
      method: 'POST',
      path: new RegExp(`^/v1/requests/${REF}/block$`),
      handle: ({ params }) => ({ body: api.blockRequest(params[0] ?? '') }),
    },
  ]
}
