/**
 * The WhatsApp Cloud API (Graph API) transport: send a text, mark a message read, download
 * media. Every call is bounded by `timeoutMs` and by the caller's signal; failures become
 * {@link WhatsAppApiError}s that say whether trying again can help (see graph-errors.ts).
 *
 * Calls go through undici's `request()` over a keep-alive agent the client owns, not the
 * global `fetch`: fetch's Request/Response objects, web streams and signal plumbing cost
 * about a tenth of the main thread under load for the two calls made per message (issue #3).
 */
import { Agent, type Dispatcher } from 'undici'
import type { Secret } from '../config/index.js'
import { AtendeError, MediaUrlRefusedError, WhatsAppApiError } from '../errors.js'
import { badResponseError, headerOf, httpError, transportError } from './graph-errors.js'
import { readCappedBody } from './media-body.js'
import { createMediaHostPolicy } from './media-hosts.js'
import type { OutboundContent } from '../domain/index.js'
import type { CustomerRef, DownloadedMedia, DownloadMediaOptions, MarkReadInput, SendInput, SendTextInput, WhatsAppClient } from './types.js'
import { linkSignal } from '../lib/index.js'

export interface CloudClientOptions {
  /**
   * Graph API root including the version, e.g. `https://graph.facebook.com/v21.0`; a fake
   * server's URL in tests. A trailing slash is ignored.
   */
  apiBaseUrl: string
  /** System-user access token, sent as `Authorization: Bearer …` on every call. */
  token: Secret
  /** Longest one HTTP call may take, response body included, in milliseconds. */
  timeoutMs: number
  /**
   * Hosts besides `apiBaseUrl`'s that media URLs (and redirects) may point at, and that so
   * receive the token: host names or IP addresses, no ports (WHATSAPP_MEDIA_HOSTS). See
   * media-hosts.ts. @defaultValue [] (the API's host only)
   */
  mediaHosts?: readonly string[]
}

export interface CloudClient extends WhatsAppClient {
  /**
   * Closes the client's keep-alive connections once calls in flight finish. Optional to
   * call: idle sockets never hold the process open and close themselves after 4 s.
   */
  close(): Promise<void>
}

/**
 * Redirects followed per GET, each target checked like the first URL (media-hosts.ts).
 * Graph calls are not expected to redirect; a CDN may, once or twice. fetch's 20 were
 * followed to any host before (issue #8).
 */
const MAX_REDIRECTS = 3
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308])

type GraphResponse = Dispatcher.ResponseData

export function createCloudClient(options: CloudClientOptions): CloudClient {
  const base = options.apiBaseUrl.replace(/\/+$/, '')
  const { timeoutMs } = options
  const hosts = createMediaHostPolicy({ apiBaseUrl: base, mediaHosts: options.mediaHosts ?? [] })
  const authorization = () => `Bearer ${options.token.reveal()}`
  // Keep-alive, unlimited connections per origin and idle sockets unref'd: the defaults of
  // the agent behind the global fetch. Every connection resolves its host through the media
  // host policy, so a name that may get the token cannot resolve to a private address.
  const agent = new Agent({ connect: { lookup: hosts.lookup } })

  /**
   * One request, following up to {@link MAX_REDIRECTS} redirects of a GET by hand: every
   * target passes `hosts.check` before it gets the token, and one that fails is refused,
   * not followed without the token. A POST is never redirected (a send must not repeat).
   */
  async function requestFollowing(url: URL, init: { method: 'GET' | 'POST'; json?: unknown }, signal: AbortSignal): Promise<GraphResponse> {
    let target = url
    for (let redirects = 0; ; redirects++) {
      hosts.check(target)
      const response = await agent.request({
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method: init.method,
        headers:
          init.json === undefined
            ? { authorization: authorization() }
            : { authorization: authorization(), 'content-type': 'application/json' },
        body: init.json === undefined ? null : JSON.stringify(init.json),
        signal,
      })
      const location = headerOf(response.headers, 'location')
      if (init.method !== 'GET' || !REDIRECT_STATUSES.has(response.statusCode) || location === undefined) return response
      await response.body.dump().catch(() => undefined)
      if (redirects === MAX_REDIRECTS) throw new MediaUrlRefusedError(`more than ${MAX_REDIRECTS} redirects; the last pointed at ${new URL(location, target).hostname}`, 'redirects')
      target = new URL(location, target)
    }
  }

  /**
   * Runs one HTTP exchange under the caller's signal and our timeout, mapping every failure.
   * The timeout spans `read` too, and every path consumes or destroys the body, so the
   * socket goes back to the pool (or is closed) and never lingers half-read.
   */
  async function exchange<T>(
    operation: string,
    url: string,
    init: { method: 'GET' | 'POST'; json?: unknown },
    signal: AbortSignal | undefined,
    read: (response: GraphResponse) => Promise<T>,
  ): Promise<T> {
    // A send aborted before it began surely did not leave (transportError's mayHaveSent).
    const abortedBeforeStart = signal?.aborted === true
    // Aborts with the reason AbortSignal.timeout gives, so the error's cause reads as it did with fetch.
    const deadline = linkSignal([signal], timeoutMs)

    let body: GraphResponse['body'] | undefined
    try {
      const response = await requestFollowing(new URL(url), init, deadline.signal)
      body = response.body
      const status = response.statusCode
      if (status < 200 || status > 299) {
        const text = await body.text().catch(() => '')
        throw httpError(operation, { status, headers: response.headers, body: text }, options.token.reveal())
      }
      return await read(response)
    } catch (err) {
      // Ours already say what happened (an API answer, media over its cap, a refused URL);
      // a refusal by the host lookup reaches us as the connection's error or its cause.
      if (err instanceof AtendeError) throw err
      if (err instanceof Error && err.cause instanceof MediaUrlRefusedError) throw err.cause
      throw transportError(operation, err, { timedOut: deadline.timedOut, callerAborted: signal?.aborted === true, timeoutMs, abortedBeforeStart })
    } finally {
      deadline.release()
      // Only a `read` that threw before reading leaves the body untouched; free the socket.
      if (body !== undefined && !body.bodyUsed) body.destroy()
    }
  }

  async function sendText(input: SendTextInput): Promise<{ wamid: string }> {
    return post(input, { type: 'text', text: { body: input.text, preview_url: false } }, input.replyToWamid)
  }

  async function send(input: SendInput): Promise<{ wamid: string }> {
    return post(input, messageFields(input.content), undefined)
  }

  async function post(input: SendInput | SendTextInput, fields: Record<string, unknown>, replyToWamid: string | undefined): Promise<{ wamid: string }> {
    const body = {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      ...recipientOf(input.to),
      ...fields,
      ...(replyToWamid === undefined ? {} : { context: { message_id: replyToWamid } }),
      ...(input.bizOpaqueCallbackData === undefined ? {} : { biz_opaque_callback_data: input.bizOpaqueCallbackData }),
    }
    const url = `${base}/${encodeURIComponent(input.phoneNumberId)}/messages`
    return exchange('send', url, { method: 'POST', json: body }, input.signal, async (response) => {
      const wamid = messageIdOf(await response.body.json().catch(() => undefined))
      // Meta accepted something we cannot track: the error says it may have been sent, so
      // the outbox row becomes `unknown` and is never sent again blindly (invariant 6).
      if (wamid === undefined) throw badResponseError('send', 'messages[0].id', response.statusCode)
      return { wamid }
    })
  }

  async function markRead(input: MarkReadInput): Promise<void> {
    const url = `${base}/${encodeURIComponent(input.phoneNumberId)}/messages`
    const body = { messaging_product: 'whatsapp', status: 'read', message_id: input.wamid }
    await exchange('mark-read', url, { method: 'POST', json: body }, input.signal, async (response) => {
      // Read to the end so the socket is reused. The answer itself does not matter, so a
      // body cut short is not an error (fetch's `body.cancel()` did not look at it either).
      await response.body.dump().catch(() => undefined)
    })
  }

  /**
   * Two steps: the media id gives a short-lived URL (it expires after 5 minutes), and that
   * URL needs the same bearer token. So the two calls run back to back, never cached.
   */
  async function downloadMedia(mediaId: string, { maxBytes, signal }: DownloadMediaOptions): Promise<DownloadedMedia> {
    const meta = await exchange('media lookup', `${base}/${encodeURIComponent(mediaId)}`, { method: 'GET' }, signal, async (r) =>
      mediaInfoOf(await r.body.json().catch(() => undefined), r.statusCode),
    )
    const url = parsedMediaUrl(meta.url)
    return exchange('media download', url, { method: 'GET' }, signal, async (response) => ({
      bytes: await readCappedBody(response, maxBytes),
      mimeType: meta.mimeType ?? headerOf(response.headers, 'content-type'),
    }))
  }

  return { transport: 'cloud', sendText, send, markRead, downloadMedia, close: () => agent.close() }
}

/**
 * The type-specific fields of a send, as the Cloud API takes them: a template's parameters
 * fill its body's `{{1}}`, `{{2}}`… in order; reply buttons are `type: button`.
 */
export function messageFields(content: OutboundContent): Record<string, unknown> {
  switch (content.type) {
    case 'text':
      return { type: 'text', text: { body: content.text, preview_url: false } }
    case 'template': {
      const { name, language, parameters } = content.template
      const components = parameters.length === 0 ? [] : [{ type: 'body', parameters: parameters.map((text) => ({ type: 'text', text })) }]
      return { type: 'template', template: { name, language: { code: language }, ...(components.length === 0 ? {} : { components }) } }
    }
    case 'interactive': {
      const i = content.interactive
      const action = i.kind === 'buttons'
        ? { buttons: i.buttons.map((b) => ({ type: 'reply', reply: { id: b.id, title: b.title } })) }
        : { button: i.button, sections: i.sections }
      return { type: 'interactive', interactive: { type: i.kind === 'buttons' ? 'button' : 'list', body: { text: i.body }, action } }
    }
  }
}

/**
 * Customers reached by phone get `to`. A customer known only by a business-scoped user id
 * (usernames, 2026) gets `recipient` instead.
 * Assumption: this follows Meta's BSUID guide as relayed by BSPs (YCloud, Kapso): `recipient`
 * takes a BSUID, and `to` wins when both are sent. Revisit once Meta's reference lists it.
 */
function recipientOf(customer: CustomerRef): { to: string } | { recipient: string } {
  if (customer.waId !== undefined && customer.waId !== '') return { to: customer.waId }
  if (customer.userId !== undefined && customer.userId !== '') return { recipient: customer.userId }
  throw new WhatsAppApiError('WhatsApp send needs a customer waId or userId; got neither', { retryable: false })
}

function messageIdOf(body: unknown): string | undefined {
  const messages = (body as { messages?: unknown } | null | undefined)?.messages
  if (!Array.isArray(messages)) return undefined
  const id = (messages[0] as { id?: unknown } | null | undefined)?.id
  return typeof id === 'string' && id !== '' ? id : undefined
}

function mediaInfoOf(body: unknown, status: number): { url: string; mimeType: string | undefined } {
  const b = (body ?? {}) as { url?: unknown; mime_type?: unknown }
  if (typeof b.url !== 'string' || b.url === '') throw badResponseError('media lookup', 'a url', status)
  return { url: b.url, mimeType: typeof b.mime_type === 'string' && b.mime_type !== '' ? b.mime_type : undefined }
}

/** The download URL from Meta's answer; whether it may get the token is checked when it is requested. */
function parsedMediaUrl(raw: string): string {
  try {
    return new URL(raw).toString()
  } catch (err) {
    throw new WhatsAppApiError('WhatsApp media lookup answered a url that does not parse', { retryable: false, cause: err })
  }
}
