export { turnDueAt, type DebounceSettings } from './turn-due.js'
export { splitReply, MAX_TEXT_CHARS } from './split-reply.js'
export { stripNul, stripNulDeep } from './text.js'
export { hasAnyLimit, paceFor, reserveSlot, slotIntervalUs, type SendPace, type SendRates, type SlotDecision } from './send-pace.js'
