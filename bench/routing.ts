// `npx tsx bench/routing.ts`: the local router's accuracy and wrong-department rate on every
// routing set (test/fixtures/routing). `--tuning` runs the tuning sets only, `--misses` lists
// their misses, `--calibrate` sweeps the thresholds on them. The held-out sets are never
// inspected message by message nor swept, so they stay held out.
//
// On your own base: `npx tsx bench/routing.ts --knowledge-base my-base.yaml --set messages.txt`
// routes your customers' messages ("<department id> | <text>" lines, '#' for comments) and
// prints the figures per department and each message routed elsewhere or not at all.
import { parseArgs } from 'node:util'
import { createLocalProvider, loadKnowledgeBase, type KnowledgeBase } from '../src/ai/index.js'
import { createDepartmentRouter } from '../src/ai/department-router.js'
import { createAnalyzer } from '../src/ai/text-analysis.js'
import { readRoutingSamples, routingSets, scoreRouting, type RoutingSample } from '../test/fixtures/routing/sets.js'

const flags = (() => {
  try {
    return parseArgs({
      options: {
        tuning: { type: 'boolean', default: false },
        misses: { type: 'boolean', default: false },
        calibrate: { type: 'boolean', default: false },
        'knowledge-base': { type: 'string' },
        set: { type: 'string' },
      },
    }).values
  } catch (err) {
    console.error(`routing: ${(err as Error).message}; expected --tuning, --misses, --calibrate, or --knowledge-base <file> --set <file>`)
    process.exit(2)
  }
})()
const pct = (x: number) => `${(100 * x).toFixed(1)} %`

/** The department the local provider gives each message, as a first message of a conversation. */
async function routeAll(kb: KnowledgeBase, samples: readonly RoutingSample[]): Promise<Array<string | undefined>> {
  const ai = createLocalProvider(kb)
  const routed: Array<string | undefined> = []
  for (const s of samples) {
    const reply = await ai.reply({ conversationId: 1, history: [], unanswered: [{ direction: 'in', text: s.text }], currentDepartment: undefined })
    routed.push(reply.department)
  }
  return routed
}

if (flags['knowledge-base'] !== undefined || flags.set !== undefined) {
  if (flags['knowledge-base'] === undefined || flags.set === undefined) {
    console.error('routing: --knowledge-base <file> and --set <file> go together')
    process.exit(2)
  }
  if (flags.set.endsWith('.held-out.txt')) {
    console.error(`routing: ${flags.set} is a held-out set: it is never read message by message; run without --set for its figures`)
    process.exit(2)
  }
  const refuse = (err: unknown): never => {
    console.error(`routing: ${err instanceof Error ? err.message : String(err)}`)
    process.exit(2)
  }
  const kb = await loadKnowledgeBase(flags['knowledge-base']).catch(refuse)
  let samples: RoutingSample[] = []
  try {
    samples = readRoutingSamples(flags.set)
  } catch (err) {
    refuse(err)
  }
  const ids = new Set(kb.departments.map((d) => d.id))
  const unknown = [...new Set(samples.map((s) => s.department).filter((d) => !ids.has(d)))]
  if (unknown.length > 0) {
    console.error(`routing: ${flags.set} names departments the base does not have: ${unknown.join(', ')} (the base has: ${[...ids].join(', ')})`)
    process.exit(2)
  }
  if (samples.length === 0) {
    console.error(`routing: ${flags.set} holds no "<department id> | <text>" line`)
    process.exit(2)
  }
  const routed = await routeAll(kb, samples)
  console.log('| department | messages | right | wrong department | not routed |')
  console.log('|---|---:|---:|---:|---:|')
  for (const d of [...kb.departments.map((x) => x.id), undefined]) {
    const picked = samples.flatMap((s, i) => (d === undefined || s.department === d ? [i] : []))
    if (picked.length === 0) continue
    const score = scoreRouting(picked.map((i) => samples[i]!), picked.map((i) => routed[i]))
    console.log(`| ${d ?? '**all**'} | ${score.total} | ${pct(score.accuracy)} | ${pct(score.wrongRate)} | ${pct(score.unrouted / score.total)} |`)
  }
  const { misses } = scoreRouting(samples, routed)
  if (misses.length > 0) console.log(`\n${misses.map((m) => `${m.expected} → ${m.got ?? '(not routed)'}: ${m.text}`).join('\n')}`)
  process.exit(0)
}

const tuningOnly = flags.tuning || flags.calibrate
const sets = routingSets().filter((s) => !tuningOnly || s.purpose === 'tuning')

if (flags.calibrate) {
  const ranked = await Promise.all(
    sets.map(async (set) => {
      const kb = await loadKnowledgeBase(set.knowledgeBase)
      const router = createDepartmentRouter(kb, createAnalyzer(kb.business.language))
      return { set, ranks: set.samples.map((s) => router.rank(s.text)) }
    }),
  )
  console.log('| min score | min margin | right | wrong |')
  for (const minScore of [0.5, 0.6, 0.7, 0.8, 0.9]) {
    for (const margin of [1, 2, 4]) {
      let right = 0
      let wrong = 0
      let total = 0
      for (const { set, ranks } of ranked) {
        ranks.forEach(([best, second], i) => {
          total++
          if (best === undefined || best.score < minScore || (second !== undefined && best.score < second.score * margin)) return
          if (best.department === set.samples[i]!.department) right++
          else wrong++
        })
      }
      console.log(`| ${minScore} | ${margin} | ${pct(right / total)} | ${pct(wrong / total)} |`)
    }
  }
  process.exit(0)
}

console.log('| set | purpose | messages | right | wrong department | not routed |')
console.log('|---|---|---:|---:|---:|---:|')
const misses: string[] = []
for (const set of sets) {
  const routed = await routeAll(await loadKnowledgeBase(set.knowledgeBase), set.samples)
  const score = scoreRouting(set.samples, routed)
  console.log(`| ${set.name} | ${set.purpose} | ${score.total} | ${pct(score.accuracy)} | ${pct(score.wrongRate)} | ${pct(score.unrouted / score.total)} |`)
  if (flags.misses && set.purpose === 'tuning') {
    for (const m of score.misses) misses.push(`${set.name}: ${m.expected} → ${m.got ?? '(none)'}: ${m.text}`)
  }
}
if (misses.length > 0) console.log(`\n${misses.join('\n')}`)
