import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/index.js'
import { ConfigError } from '../../src/errors.js'

const PROD = { NODE_ENV: 'production', WHATSAPP_APP_SECRET: 's' } as const
const LONG = 'x'.repeat(32)

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env)
    return []
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems]
    throw err
  }
}

describe('dashboard configuration', () => {
  it('reads AGENT_TOKENS as name:token pairs, tokens kept secret', () => {
    const config = loadConfig({ AGENT_TOKENS: 'Carla:token-carla-1, Bruno Souza:token-bruno-2' })
    expect(config.dashboard.agents.map((a) => a.name)).toEqual(['Carla', 'Bruno Souza'])
    expect(config.dashboard.agents[0]!.token.reveal()).toBe('token-carla-1')
    expect(JSON.stringify(config.dashboard)).not.toContain('token-carla-1')
  })

  it('has no agents when unset or empty', () => {
    expect(loadConfig({}).dashboard.agents).toEqual([])
    expect(loadConfig({ AGENT_TOKENS: '' }).dashboard.agents).toEqual([])
  })

  it.each([
    ['a pair without a colon', 'Carla', /entry 1: expected name:token/],
    ['an empty name', ':token-1', /entry 1: expected name:token/],
    ['an empty token', 'Carla:', /entry 1: expected name:token/],
    ['a token with a space', 'Carla:tok en', /must not contain spaces/],
    ['the same name twice (any case)', 'Carla:token-1,carla:token-2', /the name carla is given twice/],
    ['one token for two agents', 'Carla:token-1,Bruno:token-1', /share one token/],
    ['the admin token as an agent token', 'Carla:the-admin-token', /must differ from ADMIN_TOKEN/],
    ['a name of 65 characters', `${'n'.repeat(65)}:token-1`, /1 to 64 printable characters/],
  ])('refuses %s, without printing the token', (_name, value, message) => {
    const found = problems({ AGENT_TOKENS: value, ADMIN_TOKEN: 'the-admin-token' })
    expect(found).toHaveLength(1)
    expect(found[0]).toMatch(/^AGENT_TOKENS: /)
    expect(found[0]).toMatch(message)
    expect(found[0]).not.toMatch(/token-1|tok en|the-admin-token/)
  })

  it('asks for 32-character agent tokens in production', () => {
    expect(problems({ ...PROD, AGENT_TOKENS: 'Carla:short-token' })[0]).toMatch(/at least 32 characters/)
    expect(problems({ ...PROD, AGENT_TOKENS: `Carla:${LONG}` })).toEqual([])
  })

  it('turns the simulator on by default, except in production', () => {
    expect(loadConfig({}).dashboard.simulator).toBe(true)
    expect(loadConfig({ NODE_ENV: 'test' }).dashboard.simulator).toBe(true)
    expect(loadConfig(PROD).dashboard.simulator).toBe(false)
    expect(loadConfig({ ...PROD, SIMULATOR_ENABLED: 'true' }).dashboard.simulator).toBe(true)
    expect(loadConfig({ SIMULATOR_ENABLED: 'false' }).dashboard.simulator).toBe(false)
    expect(problems({ SIMULATOR_ENABLED: 'yes' })[0]).toMatch(/^SIMULATOR_ENABLED/)
  })
})
