/**
 * A strict reader of the Prometheus text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/): every line is a HELP or
 * TYPE comment or a sample; anything else is reported. Samples are returned with their labels.
 */
export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*'
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*'
// Prometheus reads values with Go's ParseFloat, which takes NaN in any case: prom-client
// writes `Nan` for an event-loop lag with no sample yet.
const VALUE = '(?:[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?|[+-]?Inf|[Nn][Aa][Nn])'
const LABEL_PAIR = `${LABEL}="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"`
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL_PAIR})(?:,${LABEL_PAIR})*,?)?\\})? (${VALUE})(?: -?\\d+)?$`)
const HELP = new RegExp(`^# HELP (${NAME}) .*$`)
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`)
const PAIRS = new RegExp(`(${LABEL})="((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"`, 'g')

export function parsePrometheusText(text: string): { samples: Sample[]; errors: string[]; types: Map<string, string> } {
  const samples: Sample[] = []
  const errors: string[] = []
  const types = new Map<string, string>()
  const lines = text.split('\n')
  if (lines.at(-1) !== '') errors.push('the exposition does not end with a newline')
  for (const [i, line] of lines.slice(0, -1).entries()) {
    if (line === '') continue
    const type = TYPE.exec(line)
    if (type !== null) {
      if (types.has(type[1]!)) errors.push(`line ${i + 1}: a second TYPE for ${type[1]}`)
      types.set(type[1]!, type[2]!)
      continue
    }
    if (HELP.test(line)) continue
    const m = SAMPLE.exec(line)
    if (m === null) {
      errors.push(`line ${i + 1}: not a valid line: ${line}`)
      continue
    }
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(PAIRS)].map((p) => [p[1]!, p[2]!]))
    samples.push({ name: m[1]!, labels, value: Number(m[3]!.replace('Inf', 'Infinity')) })
  }
  return { samples, errors, types }
}

/** The value of the sample `name` whose labels include `labels`; undefined when there is none. */
export function sampleValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value
}
