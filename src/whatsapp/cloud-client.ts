/**
 * The WhatsApp Cloud API (Graph API) transport: send a text, mark a message read, download
 * media. Every call is bounded by `timeoutMs` and by the caller's signal; failures become
 * {@link WhatsAppApiError}s that say whether trying again can help (see graph-errors.ts).
 */
import type { Secret } from '../config/index.js'
import { WhatsAppApiError } from '../errors.js'
import { badResponseError, httpError, transportError } from './graph-errors.js'
import type { CustomerRef, DownloadedMedia, MarkReadInput, SendTextInput, WhatsAppClient } from './types.js'

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

export function createCloudClient(options: CloudClientOptions): WhatsAppClient {
  const base = options.apiBaseUrl.replace(/\/+$/, '')
  const { timeoutMs } = options
  const mediaProtocols = new URL(base).protocol === 'https:' ? ['https:'] : ['https:', 'http:']
  const authorization = () => `Bearer ${options.token.reveal()}`

  /** Runs one HTTP exchange under the caller's signal and our timeout, mapping every failure. */
  async function exchange<T>(
    operation: string,
    url: string,
    init: { method: 'GET' | 'POST'; json?: unknown },
    signal: AbortSignal | undefined,
    read: (response: Response) => Promise<T>,
  ): Promise<T> {
    const timeout = AbortSignal.timeout(timeoutMs)
    const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout])
    try {
      const response = await fetch(url, {
        method: init.method,
        headers: {
          authorization: authorization(),
          ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
        signal: combined,
      })
      if (!response.ok) throw await httpError(operation, response, options.token.reveal())
      return await read(response)
    } catch (err) {
      if (err instanceof WhatsAppApiError) throw err
      throw transportError(operation, err, {
        timedOut: timeout.aborted,
        callerAborted: signal?.aborted === true,
        timeoutMs,
      })
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
      const wamid = messageIdOf(await response.json().catch(() => undefined))
      // Meta accepted something we cannot track; retrying may duplicate, but the outbox
      // counts that, and silence is worse (DESIGN.md, invariant 6).
      if (wamid === undefined) throw badResponseError('send', 'messages[0].id', response.status)
      return { wamid }
    })
  }

  async function markRead(input: MarkReadInput): Promise<void> {
    const url = `${base}/${encodeURIComponent(input.phoneNumberId)}/messages`
    const body = { messaging_product: 'whatsapp', status: 'read', message_id: input.wamid }
    await exchange('mark-read', url, { method: 'POST', json: body }, input.signal, async (response) => {
      await response.body?.cancel()
    })
  }

  /**
   * Two steps: the media id gives a short-lived URL (it expires after 5 minutes), and that
   * URL needs the same bearer token. So the two calls run back to back, never cached.
   */
  async function downloadMedia(mediaId: string, signal?: AbortSignal): Promise<DownloadedMedia> {
    const meta = await exchange('media lookup', `${base}/${encodeURIComponent(mediaId)}`, { method: 'GET' }, signal, async (r) =>
      mediaInfoOf(await r.json().catch(() => undefined), r.status),
    )
    const url = checkedMediaUrl(meta.url, mediaProtocols)
    return exchange('media download', url, { method: 'GET' }, signal, async (response) => ({
      bytes: Buffer.from(await response.arrayBuffer()),
      mimeType: meta.mimeType ?? response.headers.get('content-type') ?? undefined,
    }))
  }

  return { transport: 'cloud', sendText, markRead, downloadMedia }
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
