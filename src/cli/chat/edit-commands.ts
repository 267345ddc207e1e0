// `kith chat`'s /reply, /edit, /delete and /react (CLI.md "kith chat"): each acts on the last
// message on screen it can mean — /reply and /react on the last one received, /edit and /delete
// on our own last one — so nobody types a message id. This module owns which message that is and
// the API call; it knows nothing of the terminal (the caller prints the line it returns).
import type { ApiClient } from '../../api/client.js'
import type { MessageView } from '../../api/contract.js'
import { UsageError } from '../output.js'
import { checkTextArg } from '../commands/messages.js'

export type EditCommand = 'reply' | 'edit' | 'delete' | 'react'

/** The last message received and the last one we sent, as the chat showed them. */
export class LastMessages {
  lastIn: string | undefined
  lastOut: string | undefined

  saw(m: Pick<MessageView, 'id' | 'direction' | 'kind'>): void {
    if (m.kind === 'event') return
    if (m.direction === 'in') this.lastIn = m.id
    else this.lastOut = m.id
  }
}

/**
 * Runs one command. `reply` sends through `send` (which shows the message); the others return a
 * notice line (the change itself arrives as an update event). UsageError when there is nothing
 * to act on or the argument is missing.
 */
export async function runEditCommand(
  name: EditCommand,
  arg: string,
  last: LastMessages,
  client: ApiClient,
  send: (text: string, replyTo: string) => Promise<void>,
): Promise<string | undefined> {
  const need = (id: string | undefined, what: string): string => {
    if (id === undefined) throw new UsageError(`no ${what} here yet`)
    return id
  }
  switch (name) {
    case 'reply': {
      const id = need(last.lastIn, 'message received')
      checkTextArg(arg)
      await send(arg, id)
      return undefined
    }
    case 'edit': {
      const id = need(last.lastOut, 'message of yours')
      checkTextArg(arg)
      await client.editMessage(id, arg)
      return '(edited your last message)'
    }
    case 'delete': {
      await client.deleteMessage(need(last.lastOut, 'message of yours'), true)
      return '(deleted your last message for everyone)'
    }
    case 'react': {
      const id = need(last.lastIn, 'message received')
      if (arg === '') throw new UsageError('/react takes one emoji')
      await client.reactMessage(id, arg)
      return undefined
    }
  }
}
