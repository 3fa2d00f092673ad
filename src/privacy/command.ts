import { AtendeError } from '../errors.js'
import type { CustomerId } from '../store/index.js'
import { parseCustomerId } from './customer-id.js'

/** `atende privacy export|erase <waId>`, parsed. */
export interface PrivacyCommand {
  action: 'export' | 'erase'
  customer: CustomerId
}

/** The command, or what is wrong with it (never the id given): the CLI prints it and exits 2. */
export function parsePrivacyCommand(args: readonly string[]): { ok: true; command: PrivacyCommand } | { ok: false; problem: string; usage: boolean } {
  const [action, id] = args
  if ((action !== 'export' && action !== 'erase') || id === undefined || args.length !== 2) {
    return { ok: false, problem: "expected 'privacy export <waId>' or 'privacy erase <waId>'", usage: true }
  }
  try {
    return { ok: true, command: { action, customer: parseCustomerId(id) } }
  } catch (err) {
    if (err instanceof AtendeError && err.code === 'ATD_BAD_REQUEST') return { ok: false, problem: err.message, usage: false }
    throw err
  }
}
