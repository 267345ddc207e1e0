// Entry of the honest contact's worker thread: Node 20 does not pass `--import tsx` on to
// workers, so register tsx's loader here, then run the TypeScript worker (honest-worker.ts).
import { register } from 'tsx/esm/api'

register()
await import('./honest-worker.ts')
