/**
 * The WhatsApp Cloud API (Graph API) transport: send a text, mark a message read, download
 * media. Every call is bounded by `timeoutMs` and by the caller's signal; failures become
 * {@link WhatsAppApiError}s that say whether trying again can help (see graph-errors.ts).
 *
 * Calls go through undici's `request()` over a keep-alive agent the client owns, not the
 * global `fetch`: fetch's Request/Response objects, web streams and signal plumbing cost
 * about a tenth of the main thread under load for the two calls made per message (issue #3).
 */
import { Agent, interceptors, type Dispatcher } from 'undici'
import type { Secret } from '../config/index.js'
import { AtendeError, WhatsAppApiError } from '../errors.js'
import { badResponseError, headerOf, httpError, transportError } from './graph-errors.js'
import { readCappedBody } from './media-body.js'
import type { CustomerRef, DownloadedMedia, DownloadMediaOptions, MarkReadInput, SendTextInput, WhatsAppClient } from './types.js'

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
}

export interface CloudClient extends WhatsAppClient {
  /**
   * Closes the client's keep-alive connections once calls in flight finish. Optional to
   * call: idle sockets never hold the process open and close themselves after 4 s.
   */
  close(): Promise<void>
}

/** What fetch follows by default; Graph calls are not expected to redirect, but may. */
const MAX_REDIRECTIONS = 20

type GraphResponse = Dispatcher.ResponseData

export function createCloudClient(options: CloudClientOptions): CloudClient {
  const base = options.apiBaseUrl.replace(/\/+$/, '')
  const { timeoutMs } = options
  const mediaProtocols = new URL(base).protocol === 'https:' ? ['https:'] : ['https:', 'http:']
  const authorization = () => `Bearer ${options.token.reveal()}`
  // Keep-alive, unlimited connections per origin and idle sockets unref'd: the defaults of
  // the agent behind the global fetch. The redirect interceptor strips the token from a
  // redirect to another origin, as fetch does.
  const agent = new Agent()
  const dispatcher = agent.compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTIONS }))

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
    const controller = new AbortController()
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      // The reason AbortSignal.timeout gives, so the error's cause reads as it did with fetch.
      controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))
    }, timeoutMs)
    const onCallerAbort = () => controller.abort(signal?.reason)
    if (signal?.aborted === true) onCallerAbort()
    else signal?.addEventListener('abort', onCallerAbort, { once: true })

    let body: GraphResponse['body'] | undefined
    try {
      const parsed = new URL(url)
      const response = await dispatcher.request({
        origin: parsed.origin,
        path: `${parsed.pathname}${parsed.search}`,
        method: init.method,
        headers:
          init.json === undefined
            ? { authorization: authorization() }
            : { authorization: authorization(), 'content-type': 'application/json' },
        body: init.json === undefined ? null : JSON.stringify(init.json),
        signal: controller.signal,
      })
      body = response.body
      const status = response.statusCode
      if (status < 200 || status > 299) {
        const text = await body.text().catch(() => '')
        throw httpError(operation, { status, headers: response.headers, body: text }, options.token.reveal())
      }
      return await read(response)
    } catch (err) {
      // Ours already say what happened (an API answer, media over its cap, a refused URL).
      if (err instanceof AtendeError) throw err
      throw transportError(operation, err, { timedOut, callerAborted: signal?.aborted === true, timeoutMs })
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onCallerAbort)
      // Only a `read` that threw before reading leaves the body untouched; free the socket.
      if (body !== undefined && !body.bodyUsed) body.destroy()
    }
  }

  async function sendText(input: SendTextInput): Promise<{ wamid: string }> {
    const body = {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      ...recipientOf(input.to),
      type: 'text',
      text: { body: input.text, preview_url: false },
      ...(input.replyToWamid === undefined ? {} : { context: { message_id: input.replyToWamid } }),
      ...(input.bizOpaqueCallbackData === undefined ? {} : { biz_opaque_callback_data: input.bizOpaqueCallbackData }),
    }
    const url = `${base}/${encodeURIComponent(input.phoneNumberId)}/messages`
    return exchange('send', url, { method: 'POST', json: body }, input.signal, async (response) => {
      const wamid = messageIdOf(await response.body.json().catch(() => undefined))
      // Meta accepted something we cannot track; retrying may duplicate, but the outbox
      // counts that, and silence is worse (DESIGN.md, invariant 6).
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
    const url = checkedMediaUrl(meta.url, mediaProtocols)
    return exchange('media download', url, { method: 'GET' }, signal, async (response) => ({
      bytes: await readCappedBody(response, maxBytes),
      mimeType: meta.mimeType ?? headerOf(response.headers, 'content-type'),
    }))
  }

  return { transport: 'cloud', sendText, markRead, downloadMedia, close: () => agent.close() }
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

/**
 * The download URL comes from Meta's answer and gets our token, so it must be http(s), and
 * https whenever the API itself is: the token never travels in clear text.
 */
function checkedMediaUrl(raw: string, allowed: readonly string[]): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch (err) {
    throw new WhatsAppApiError('WhatsApp media lookup answered a url that does not parse', { retryable: false, cause: err })
  }
  if (!allowed.includes(url.protocol)) {
    throw new WhatsAppApiError(
      `WhatsApp media lookup answered a ${url.protocol} url; expected one of: ${allowed.join(', ')}`,
      { retryable: false },
    )
  }
  return url.toString()
}
