export { createEventRelay, eventBody, signEvent, SIGNATURE_HEADER, type EventBody, type EventRelay, type EventRelayOptions } from './relay.js'
