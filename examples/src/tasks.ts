// The tasks the pool examples run: a tasks module is an ES module whose named
// exports are the tasks, loaded by local worker threads and by serving processes.
export const square = (x: number) => x * x

export function isPrime(n: number): boolean {
  if (n < 2) return false
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false
  return true
}
