import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { expect } from 'vitest'
import { secret } from '../../src/config/index.js'
import type { DashboardDeps } from '../../src/http/index.js'

export const CARLA_TOKEN = 'carla-agent-token-0001'
export const BRUNO_TOKEN = 'bruno-agent-token-0002'

/** The dashboard as the tests build it: two agents, the simulator on, in-process queue page. */
export function dashboardDeps(overrides: Partial<DashboardDeps> = {}): DashboardDeps {
  return {
    agents: [
      { name: 'Carla', token: secret(CARLA_TOKEN) },
      { name: 'Bruno', token: secret(BRUNO_TOKEN) },
    ],
    simulator: true,
    queueBoard: { kind: 'database' },
    changePollMs: 50,
    ...overrides,
  }
}

let clients = 0
/** A client address of its own, so failed logins of different tests never add up to a lockout. */
export const freshClient = () => `198.51.100.${++clients % 250}`

export interface LoggedIn {
  /** `Cookie` header value. */
  cookie: string
  csrf: string
}

/** The session cookie of a response, as a `Cookie` header value. */
export function sessionCookie(res: LightMyRequestResponse): string | undefined {
  const c = res.cookies.find((k) => k.name === 'atende_session')
  return c === undefined || c.value === '' ? undefined : `atende_session=${c.value}`
}

/** Logs in with `token` (JSON) and reads the session's CSRF token. */
export async function login(app: FastifyInstance, token: string, remoteAddress = freshClient()): Promise<LoggedIn> {
  const res = await app.inject({ method: 'POST', url: '/admin/login', payload: { token }, remoteAddress })
  expect(res.statusCode).toBe(302)
  const cookie = sessionCookie(res)!
  const session = await app.inject({ url: '/admin/api/session', headers: { cookie, accept: 'application/json' } })
  expect(session.statusCode).toBe(200)
  return { cookie, csrf: session.json().csrfToken }
}

/** Headers of a JSON call of the signed-in page. */
export function asPage(s: LoggedIn, withCsrf = true): Record<string, string> {
  return { cookie: s.cookie, accept: 'application/json', ...(withCsrf ? { 'x-csrf-token': s.csrf } : {}) }
}
