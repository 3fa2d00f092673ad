/** Frees one resource; may be sync or async. */
export type Release = () => unknown

/**
 * Runs every release, last first, each one even when an earlier one failed; rejects with the
 * first error once all have run. Resources are created in dependency order (database →
 * Redis → producers → workers → HTTP), so the reverse closes dependants before what they
 * use: graphile-worker's `withReleasers`, STYLE.md §7.
 */
export async function releaseAll(releases: readonly Release[]): Promise<void> {
  let first: { err: unknown } | undefined
  for (const release of releases.toReversed()) {
    try {
      await release()
    } catch (err) {
      first ??= { err }
    }
  }
  if (first !== undefined) throw first.err
}

/**
 * Runs every release at once (peers that do not depend on each other: the workers of several
 * queues); rejects with the first error once all have settled.
 */
export async function releaseTogether(releases: readonly Release[]): Promise<void> {
  const results = await Promise.allSettled(releases.map(async (release) => release()))
  const failed = results.find((r) => r.status === 'rejected')
  if (failed !== undefined) throw failed.reason
}
