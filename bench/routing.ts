// `npx tsx bench/routing.ts`: the local router's accuracy and wrong-department rate on every
// routing set (test/fixtures/routing). `--misses` lists the misses of the TUNING sets only:
// the held-out sets are never inspected message by message, so they stay held out.
import { createLocalProvider, loadKnowledgeBase } from '../src/ai/index.js'
import { routingSets, scoreRouting } from '../test/fixtures/routing/sets.js'

const showMisses = process.argv.includes('--misses')
const pct = (x: number) => `${(100 * x).toFixed(1)} %`

console.log('| set | purpose | messages | right | wrong department | not routed |')
console.log('|---|---|---:|---:|---:|---:|')
const misses: string[] = []
for (const set of routingSets()) {
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
