/** Polls `attempt` every 50 ms until it answers true: how long that took, or a throw at `boundMs`. */
export async function untilTrue(
  attempt: () => Promise<boolean>,
  boundMs: number,
  what: string,
): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await attempt().catch(() => false)) return performance.now() - started;
    if (performance.now() - started > boundMs) throw new Error(`${what}: not within ${boundMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
