/**
 * Issue #8, finding 5: the Graph API bearer token goes only to the API's host and to
 * WHATSAPP_MEDIA_HOSTS; at most 3 redirects are followed, each to an allowed host again; a
 * URL or redirect anywhere else is refused, not fetched without the token; and a listed
 * host name that resolves to a private address is refused. Two fake Graph servers on
 * distinct loopback hosts (127.0.0.1 is the API, 127.0.0.2 another host) record headers.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { secret } from '../../src/config/index.js'
import { MediaUrlRefusedError, type MediaUrlRefusal } from '../../src/errors.js'
import { createCloudClient, type CloudClient, type CloudClientOptions } from '../../src/whatsapp/index.js'
import { startFakeGraph, type FakeGraph, type GraphHandler, type ScriptedResponse } from '../helpers/fake-graph.js'

const TOKEN = 'test-token-placeholder'
const BYTES = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])

let api: FakeGraph
let other: FakeGraph
const clients: CloudClient[] = []

beforeEach(async () => {
  api = await startFakeGraph()
  other = await startFakeGraph({ host: '127.0.0.2' })
  other.addMedia('elsewhere', { bytes: BYTES, mimeType: 'image/jpeg' })
})

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()))
  await Promise.all([api.close(), other.close()])
})

function clientWith(options: Partial<CloudClientOptions> = {}): CloudClient {
  const client = createCloudClient({ apiBaseUrl: api.url, token: secret(TOKEN), timeoutMs: 5_000, mediaHosts: [], ...options })
  clients.push(client)
  return client
}

/** The API's lookup of `mediaId` answers `url`; anything else falls through to the defaults. */
function lookupAnswers(url: string, more: GraphHandler = () => undefined): void {
  api.setHandler((r) => (r.kind === 'media-lookup' ? { body: { url, mime_type: 'image/jpeg' } } : more(r)))
}

/** `/media-download/hop-N` redirects (relative Location) to hop-(N-1); hop-0 serves the bytes. */
const hops: GraphHandler = (r): ScriptedResponse | undefined => {
  const n = /\/media-download\/hop-(\d+)$/.exec(r.path)?.[1]
  if (n === undefined) return undefined
  if (n === '0') return { body: BYTES, headers: { 'content-type': 'image/jpeg' } }
  return { status: 302, headers: { location: `/media-download/hop-${Number(n) - 1}` }, body: '' }
}

async function refused(client: CloudClient, reason: MediaUrlRefusal): Promise<MediaUrlRefusedError> {
  const err = await client.downloadMedia('3000000000000031', { maxBytes: 1_000 }).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(MediaUrlRefusedError)
  expect(err).toMatchObject({ code: 'ATD_MEDIA_URL_REFUSED', retryable: false, reason })
  return err as MediaUrlRefusedError
}

const downloads = (fake: FakeGraph) => fake.requests.filter((r) => r.kind === 'media-download')

describe('cloud client media hosts', () => {
  it('refuses a lookup URL on a host outside the allowlist: no request, so no token', async () => {
    lookupAnswers(`${other.origin}/media-download/elsewhere`)
    const err = await refused(clientWith(), 'host')
    expect(err.message).toContain('127.0.0.2')
    expect(other.requests).toEqual([])
  })

  it('sends the token to a host listed in mediaHosts', async () => {
    lookupAnswers(`${other.origin}/media-download/elsewhere`)
    const media = await clientWith({ mediaHosts: ['127.0.0.2'] }).downloadMedia('3000000000000031', { maxBytes: 1_000 })
    expect(media.bytes).toEqual(BYTES)
    expect(downloads(other).map((r) => r.headers.authorization)).toEqual([`Bearer ${TOKEN}`])
  })

  it('allows the API base host by name, even though it resolves to a loopback address', async () => {
    const byName = api.origin.replace('127.0.0.1', 'localhost')
    lookupAnswers(`${byName}/media-download/3000000000000031`)
    api.addMedia('3000000000000031', { bytes: BYTES, mimeType: 'image/jpeg' })
    const client = clientWith({ apiBaseUrl: `${byName}/v21.0` })
    expect((await client.downloadMedia('3000000000000031', { maxBytes: 1_000 })).bytes).toEqual(BYTES)
    expect(downloads(api).map((r) => r.headers.authorization)).toEqual([`Bearer ${TOKEN}`])
  })

  it('refuses a listed host name that resolves to a private address, before any request', async () => {
    lookupAnswers(`${api.origin.replace('127.0.0.1', 'localhost')}/media-download/3000000000000031`)
    api.addMedia('3000000000000031', { bytes: BYTES, mimeType: 'image/jpeg' })
    const err = await refused(clientWith({ mediaHosts: ['localhost'] }), 'private-address')
    expect(err.message).toContain('localhost')
    expect(downloads(api)).toEqual([])
  })
})

describe('cloud client media redirects', () => {
  it('follows 3 redirects on allowed hosts, with the token on each', async () => {
    lookupAnswers(`${api.origin}/media-download/hop-3`, hops)
    const media = await clientWith().downloadMedia('3000000000000031', { maxBytes: 1_000 })
    expect(media.bytes).toEqual(BYTES)
    expect(downloads(api).map((r) => [r.path, r.headers.authorization])).toEqual(
      [3, 2, 1, 0].map((n) => [`/media-download/hop-${n}`, `Bearer ${TOKEN}`]),
    )
  })

  it('refuses a 4th redirect without following it', async () => {
    lookupAnswers(`${api.origin}/media-download/hop-4`, hops)
    await refused(clientWith(), 'redirects')
    expect(downloads(api).map((r) => r.path)).toEqual([4, 3, 2, 1].map((n) => `/media-download/hop-${n}`))
  })

  it('refuses a redirect to a host outside the allowlist, and does not follow it anonymously', async () => {
    lookupAnswers(`${api.origin}/media-download/moved`, (r) =>
      r.path === '/media-download/moved' ? { status: 302, headers: { location: `${other.origin}/media-download/elsewhere` }, body: '' } : undefined,
    )
    await refused(clientWith(), 'host')
    expect(other.requests).toEqual([])
  })

  it('takes the token along a redirect to a listed media host', async () => {
    lookupAnswers(`${api.origin}/media-download/moved`, (r) =>
      r.path === '/media-download/moved' ? { status: 307, headers: { location: `${other.origin}/media-download/elsewhere` }, body: '' } : undefined,
    )
    const media = await clientWith({ mediaHosts: ['127.0.0.2'] }).downloadMedia('3000000000000031', { maxBytes: 1_000 })
    expect(media.bytes).toEqual(BYTES)
    expect(downloads(other).map((r) => r.headers.authorization)).toEqual([`Bearer ${TOKEN}`])
  })

  it('refuses a redirect to a listed host name that resolves to a private address', async () => {
    lookupAnswers(`${api.origin}/media-download/moved`, (r) =>
      r.path === '/media-download/moved'
        ? { status: 302, headers: { location: `${other.origin.replace('127.0.0.2', 'localhost')}/media-download/elsewhere` }, body: '' }
        : undefined,
    )
    await refused(clientWith({ mediaHosts: ['localhost'] }), 'private-address')
  })
})
