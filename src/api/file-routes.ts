// /v1/files… (docs/files.md, CLI.md "Files"): `:id` is a file id (32 hex digits). Each route calls
// one optional ChatApi file method; an API without files (`kith relay`) answers 404 NotAvailable.
// Paths in bodies are the CLI's absolute paths on this machine (the API is local only). Knows
// nothing of HTTP plumbing (./server.ts).
import { isAbsolute } from 'node:path'
import type { ChatApi } from '../service/index.js'
import { HttpError } from './errors.js'
import { bad, str, type Body, type Route } from './routes.js'

/** A file method the API lacks (`kith relay`): 404 NotAvailable. */
function noFiles(): never {
  throw new HttpError(404, 'NotAvailable', 'this node has no files')
}

const FILE_ID = '([0-9a-f]{32})'

function absPath(body: Body, field: string, optional: true): string | undefined
function absPath(body: Body, field: string): string
function absPath(body: Body, field: string, optional = false): string | undefined {
  const v = optional ? str(body, field, true) : str(body, field)
  if (v !== undefined && (!isAbsolute(v) || v.includes('\0'))) {
    throw bad(`"${field}" must be an absolute path`)
  }
  return v
}

export function fileRoutes(api: ChatApi): Route[] {
  return [
    {
      method: 'GET',
      path: /^\/v1\/files$/,
      handle: async () => ({ body: await (api.listFiles?.() ?? noFiles()) }),
    },
    {
      method: 'POST',
      path: /^\/v1\/files$/,
      handle: async ({ body }) => ({
        status: 201,
        body: await (api.sendFile?.(str(body, 'to'), absPath(body, 'path')) ?? noFiles()),
      }),
    },
    {
      method: 'POST',
      path: new RegExp(`^/v1/files/${FILE_ID}/get$`),
      handle: async ({ params, body }) => ({
        body: await (api.getFile?.(params[0] ?? '', absPath(body, 'out', true)) ?? noFiles()),
      }),
    },
    {
      method: 'POST',
      path: new RegExp(`^/v1/files/${FILE_ID}/cancel$`),
      handle: async ({ params }) => ({
        body: await (api.cancelFile?.(params[0] ?? '') ?? noFiles()),
      }),
    },
  ]
}
