// What this test process keeps alive, read after a full garbage collection. V8's gc() (exposed
// here without --expose-gc on the command line) frees unreachable ArrayBuffers, but their backing
// stores are swept by a background job whose result is counted in process.memoryUsage() only
// when it finishes: on a loaded 2-core machine one gc() was seen to leave 97 MiB of garbage
// counted in `arrayBuffers` (a fresh-clone CI run failed a bound on it, 2026-12-06). The next
// full GC finishes the previous sweep before it starts, so two in a row give the live figure.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/** A full garbage collection. */
export const gc: () => void = (() => {
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
})()

/** process.memoryUsage() once unreachable objects and their buffers are freed and counted. */
export function memoryAfterGc(): NodeJS.MemoryUsage {
  gc()
  gc()
  return process.memoryUsage()
}
