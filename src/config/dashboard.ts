import { isAdminTokenShort } from './http.js'
import { secret, type Secret } from './secret.js'

/** One person who may log in to the dashboard's inbox with their own token (`AGENT_TOKENS`). */
export interface AgentToken {
  /** Shown in the inbox and recorded with every action the agent takes. */
  name: string
  token: Secret
}

/** Longest agent name: it is stored with every action and shown in the inbox. */
export const AGENT_NAME_MAX_CHARS = 64

/**
 * `AGENT_TOKENS`: `Carla:<token>,Bruno:<token>`. Returns the agents, or a sentence naming what
 * is wrong (never a token). Names are unique (case-insensitive: the name is who acted), tokens
 * too (a shared token could not tell who acted), and none may equal the admin token.
 */
export function parseAgentTokens(value: string | undefined, adminToken: string | undefined, production: boolean): readonly AgentToken[] | string {
  if (value === undefined) return []
  const agents: AgentToken[] = []
  const names = new Set<string>()
  const tokens = new Set<string>()
  for (const [i, pair] of value.split(',').entries()) {
    const colon = pair.indexOf(':')
    const name = colon < 0 ? '' : pair.slice(0, colon).trim()
    const token = colon < 0 ? '' : pair.slice(colon + 1).trim()
    const where = `entry ${i + 1}`
    if (name === '' || token === '') return `${where}: expected name:token, e.g. Carla:<token>,Bruno:<token>`
    if ([...name].length > AGENT_NAME_MAX_CHARS || /[\u0000-\u001f\u007f]/.test(name)) {
      return `${where}: the name must be 1 to ${AGENT_NAME_MAX_CHARS} printable characters`
    }
    if (/\s/.test(token)) return `${where} (${name}): the token must not contain spaces`
    if (production && isAdminTokenShort(token)) return `${where} (${name}): the token must be at least 32 characters when NODE_ENV=production`
    if (names.has(name.toLowerCase())) return `${where}: the name ${name} is given twice`
    if (tokens.has(token)) return `${where} (${name}): two agents share one token; give each agent their own`
    if (token === adminToken) return `${where} (${name}): an agent's token must differ from ADMIN_TOKEN`
    names.add(name.toLowerCase())
    tokens.add(token)
    agents.push({ name, token: secret(token) })
  }
  return agents
}
