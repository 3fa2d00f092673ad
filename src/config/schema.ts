import { z } from 'zod'
import { adminEnv } from './env-admin.js'
import { aiEnv } from './env-ai.js'
import { lifecycleEnv } from './env-lifecycle.js'
import { opsEnv } from './env-ops.js'
import { privacyEnv } from './env-privacy.js'
import { processingEnv } from './env-processing.js'
import { databaseEnv, redisEnv, serverEnv } from './env-server.js'
import { whatsappEnv } from './env-whatsapp.js'
import { queueEnvShape } from './queues.js'

/**
 * Every environment variable Atende reads, with its default. `.env.example` and the README
 * table document the same list; `test/config` checks they agree. One area per file
 * (`env-*.ts`); their order here is the order of the fields, and so of the problems a bad
 * configuration lists.
 */
export const envSchema = z.object({
  ...serverEnv,
  ...databaseEnv,
  ...redisEnv,
  ...whatsappEnv,
  ...aiEnv,
  ...adminEnv,
  ...processingEnv,
  ...privacyEnv,
  ...opsEnv,
  ...lifecycleEnv,
  ...queueEnvShape(),
})

export type Env = z.infer<typeof envSchema>
