import type { FastifyInstance, FastifyRequest } from 'fastify'
import { isValidSignature } from '../../src/ingest/index.js'
import { installServerTiming } from '../../src/http/server-timing.js'

/**
 * What every baseline shares with Atende, so the bench reads them the same way: the raw-JSON
 * parser, the server-side timing histogram at `/api/metrics/http`, the readiness line the
 * harness waits for, and a clean exit on SIGTERM. Call before adding the webhook route.
 */
export function prepareBaseline(app: FastifyInstance): void {
  const timing = installServerTiming(app)
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 3 * 1024 * 1024 }, (_req, body, done) => done(null, body))
  app.get('/api/metrics/http', async () => timing.snapshot())
  app.delete('/api/metrics/http', async (_req, reply) => {
    timing.reset()
    return reply.code(204).send()
  })
}

export async function listenBaseline(app: FastifyInstance, onClose: () => Promise<unknown> = async () => {}): Promise<void> {
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
  process.stdout.write(`${JSON.stringify({ msg: 'atende started' })}\n`)
  process.on('SIGTERM', () => void app.close().then(onClose).then(() => process.exit(0)))
}

/** The raw body when its X-Hub-Signature-256 is valid for `secret`; undefined: answer 401. */
export function verifiedBody(request: FastifyRequest, secret: string): Buffer | undefined {
  const raw = request.body as Buffer
  const sig = request.headers['x-hub-signature-256']
  return isValidSignature(raw, typeof sig === 'string' ? sig : undefined, secret) ? raw : undefined
}
