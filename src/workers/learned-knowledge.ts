import type { AiProvider, KnowledgeBase } from '../ai/index.js'
import { withAdditions } from '../ai/index.js'
import { createCoalescer } from '../lib/index.js'
import { knowledgeVersion, loadKnowledgeAdditions, type Db } from '../store/index.js'

export interface LearnedAiOptions {
  db: Db
  /** The knowledge base file, the business's base. */
  kb: KnowledgeBase
  /** Builds the configured provider (local or openai) over a knowledge base. */
  build: (kb: KnowledgeBase) => AiProvider
}

/**
 * The configured AI provider over the knowledge base file plus the approved additions in the
 * database (issue #9, milestone D). Before every turn it reads the additions' version (one
 * small query); when another process approved an entry, it rebuilds the provider, so every
 * process answers with it from its next turn, with no restart and no message between
 * processes. Turns that start while a read is in flight share the next one: it begins after
 * they did, so it sees every approval committed before them, and under load one query
 * serves many turns. Decision 0017.
 */
export function createLearnedAi(options: LearnedAiOptions): AiProvider {
  let current: { version: string; provider: AiProvider } | undefined
  let loading: Promise<AiProvider> | undefined
  const base = options.build(options.kb)
  const readVersion = createCoalescer<void, string>({
    flush: async (turns) => {
      const version = await knowledgeVersion(options.db)
      return turns.map(() => ({ ok: true, value: version }))
    },
  })

  async function provider(): Promise<AiProvider> {
    const version = await readVersion()
    if (current?.version === version) return current.provider
    // Concurrent turns that see the same new version share one rebuild.
    loading ??= (async () => {
      const additions = await loadKnowledgeAdditions(options.db)
      const latest = additions.length === 0 ? base : options.build(withAdditions(options.kb, additions))
      current = { version, provider: latest }
      return latest
    })().finally(() => (loading = undefined))
    return loading
  }

  return {
    name: base.name,
    async reply(input) {
      return (await provider()).reply(input)
    },
  }
}
