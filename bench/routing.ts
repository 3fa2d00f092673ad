// `npx tsx bench/routing.ts`: the local router's accuracy and wrong-department rate on every
// routing set (test/fixtures/routing). `--tuning` runs the tuning sets only, `--misses` lists
// their misses, `--calibrate` sweeps the thresholds on them. The held-out sets are never
// inspected message by message nor swept, so they stay held out.
import { createLocalProvider, loadKnowledgeBase } from '../src/ai/index.js'
import { createDepartmentRouter } from '../src/ai/department-router.js'
import { createAnalyzer } from '../src/ai/text-analysis.js'
import { routingSets, scoreRouting } from '../test/fixtures/routing/sets.js'

const tuningOnly = process.argv.includes('--tuning') || process.argv.includes('--calibrate')
const showMisses = process.argv.includes('--misses')
const pct = (x: number) => `${(100 * x).toFixed(1)} %`
const sets = routingSets().filter((s) => !tuningOnly || s.purpose === 'tuning')

if (process.argv.includes('--calibrate')) {
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
  const ai = createLocalProvider(await loadKnowledgeBase(set.knowledgeBase))
  const routed: Array<string | undefined> = []
  for (const s of set.samples) {
    const reply = await ai.reply({ conversationId: 1, history: [], unanswered: [{ direction: 'in', text: s.text }], currentDepartment: undefined })
    routed.push(reply.department)
  }
  const score = scoreRouting(set.samples, routed)
  console.log(`| ${set.name} | ${set.purpose} | ${score.total} | ${pct(score.accuracy)} | ${pct(score.wrongRate)} | ${pct(score.unrouted / score.total)} |`)
  if (showMisses && set.purpose === 'tuning') {
    for (const m of score.misses) misses.push(`${set.name}: ${m.expected} → ${m.got ?? '(none)'}: ${m.text}`)
  }
}
if (misses.length > 0) console.log(`\n${misses.join('\n')}`)
