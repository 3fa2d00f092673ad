import { Agent, request } from 'undici'

/**
 * A `fetch` for the OpenAI SDK over undici's `request()`. The global fetch builds web
 * Request/Response objects, web streams and signal plumbing around every call: under load
 * that was a tenth of the main thread. The SDK needs only a status, headers and a body it
 * reads whole, so this answers a `Response` built from the buffered body. JSON bodies only.
 */
export function createLightFetch(agent: Agent = new Agent()): typeof fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    const body = init?.body
    if (body !== undefined && body !== null && typeof body !== 'string') {
      throw new TypeError('light fetch sends string bodies only')
    }
    const res = await request(url, {
      method: (init?.method ?? 'GET') as 'GET',
      headers: headerPairs(init?.headers),
      body: body ?? undefined,
      signal: init?.signal ?? undefined,
      dispatcher: agent,
    })
    const bytes = await res.body.arrayBuffer()
    const headers = new Headers()
    for (const [name, value] of Object.entries(res.headers)) {
      if (value === undefined) continue
      for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v)
    }
    const empty = res.statusCode === 204 || res.statusCode === 205 || res.statusCode === 304
    return new Response(empty ? null : bytes, { status: res.statusCode, headers })
  }
}

function headerPairs(headers: NonNullable<RequestInit['headers']> | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  if (headers === undefined) return out
  const entries = headers instanceof Headers ? headers.entries() : Array.isArray(headers) ? headers : Object.entries(headers)
  for (const [name, value] of entries) out[name.toLowerCase()] = typeof value === 'string' ? value : value.join(', ')
  return out
}
