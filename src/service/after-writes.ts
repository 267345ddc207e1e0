// When work that is not on a message's critical path may run (issue 17): after the frames handed
// to the node in this turn of the event loop have reached the socket. The node writes a
// connection's frames once per loop turn, at setImmediate (src/node/libp2p/write-batch.ts), and
// that immediate is queued from the microtasks that follow a send, i.e. after anything the sender
// itself queued with setImmediate. Work queued here runs in the check phase of the NEXT loop turn:
// after that write, so the receiver starts on the frame while this process answers the POST and
// pushes its own events. It owns nothing else and knows nothing of what the work is.

/** Runs `fn` after this turn's socket writes (see the header); returns nothing to wait on. */
export function afterWrites(fn: () => void): void {
  setImmediate(() => setImmediate(fn))
}

/** afterWrites as a promise (the local API answers a POST with it). */
export function afterWritesDone(): Promise<void> {
  return new Promise((resolve) => afterWrites(resolve))
}
