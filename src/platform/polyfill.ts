// Polyfills for what Node 20 lacks and Node 22+ has. Each is behind a feature check, so on
// newer Node this module does nothing. Imported first by every entry point.
interface PromiseWithResolvers<T> {
  promise: Promise<T>
  resolve: (value: T | PromiseLike<T>) => void
  reject: (reason?: unknown) => void
}
const P = Promise as unknown as { withResolvers?: <T>() => PromiseWithResolvers<T> }
if (typeof P.withResolvers !== 'function') {
  P.withResolvers = <T>(): PromiseWithResolvers<T> => {
    let resolve!: (value: T | PromiseLike<T>) => void
    let reject!: (reason?: unknown) => void
    const promise = new Promise<T>((res, rej) => {
      resolve = res
      reject = rej
    })
    return { promise, resolve, reject }
  }
}
export {}
