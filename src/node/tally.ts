// Counts by key that the node's caps and quotas read (streams served per peer and per network
// prefix, bytes held per recipient, DHT records per peer): a key whose count falls to zero is
// forgotten, so a map touched by many one-time askers does not grow. It knows nothing of what is
// counted.

/** Adds `by` (negative: subtracts) to `key`'s count in `counts`; at zero or below, drops it. */
export function bump(counts: Map<string, number>, key: string, by: number): void {
  const n = (counts.get(key) ?? 0) + by
  if (n <= 0) counts.delete(key)
  else counts.set(key, n)
}
