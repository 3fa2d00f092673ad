import { SIMULATOR_PHONE_NUMBER_ID } from '../domain/index.js'
import type { WhatsAppClient } from './types.js'

/**
 * Routes everything addressed from the simulator's reserved number to `console`, whatever
 * transport `client` is: a simulated conversation never reaches Meta (docs/decisions/0026).
 * Applied in every process that sends, whether or not the simulator is enabled there, so a
 * worker beside an `api` with the simulator on keeps the promise too. Media is never routed:
 * the simulator sends text only, and a media id is no business number.
 *
 * A new send method on {@link WhatsAppClient} must be routed here as well (the test of this
 * module sends through every method from the simulator's number).
 */
export function withSimulatorConsole(client: WhatsAppClient, consoleClient: WhatsAppClient): WhatsAppClient {
  if (client.transport === 'console') return client
  const pick = (phoneNumberId: string) => (phoneNumberId === SIMULATOR_PHONE_NUMBER_ID ? consoleClient : client)
  return {
    transport: client.transport,
    sendText: (input) => pick(input.phoneNumberId).sendText(input),
    send: (input) => pick(input.phoneNumberId).send(input),
    markRead: (input) => pick(input.phoneNumberId).markRead(input),
    downloadMedia: (mediaId, options) => client.downloadMedia(mediaId, options),
  }
}
