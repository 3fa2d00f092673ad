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
  /** Bad input: one line on stderr, exit 2. */
  const refuse = (problem: unknown): never => {
    console.error(`routing: ${problem instanceof Error ? problem.message : String(problem)}`)
    process.exit(2)
  }
  const kbPath = flags['knowledge-base'] ?? refuse('--knowledge-base <file> and --set <file> go together')
  const setPath = flags.set ?? refuse('--knowledge-base <file> and --set <file> go together')
  if (setPath.endsWith('.held-out.txt')) refuse(`${setPath} is a held-out set: it is never read message by message; run without --set for its figures`)
  const kb = await loadKnowledgeBase(kbPath).catch(refuse)
  let samples: RoutingSample[] = []
  try {
    samples = readRoutingSamples(setPath)
  } catch (err) {
    refuse(err)
  }
  const ids = new Set(kb.departments.map((d) => d.id))
  const unknown = [...new Set(samples.map((s) => s.department).filter((d) => !ids.has(d)))]
  if (unknown.length > 0) refuse(`${setPath} names departments the base does not have: ${unknown.join(', ')} (the base has: ${[...ids].join(', ')})`)
  if (samples.length === 0) refuse(`${setPath} holds no "<department id> | <text>" line`)
  const routed = await routeAll(kb, samples)
  const row = (name: string, score: ReturnType<typeof scoreRouting>) =>
    console.log(`| ${name} | ${score.total} | ${pct(score.accuracy)} | ${pct(score.wrongRate)} | ${pct(score.unrouted / score.total)} |`)
  console.log('| department | messages | right | wrong department | not routed |')
  console.log('|---|---:|---:|---:|---:|')
  for (const d of ids) {
    const picked = samples.flatMap((s, i) => (s.department === d ? [i] : []))
    if (picked.length > 0) row(d, scoreRouting(picked.map((i) => samples[i]!), picked.map((i) => routed[i])))
  }
  const all = scoreRouting(samples, routed)
  row('**all**', all)
  if (all.misses.length > 0) console.log(`\n${all.misses.map((m) => `${m.expected} → ${m.got ?? '(not routed)'}: ${m.text}`).join('\n')}`)
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
