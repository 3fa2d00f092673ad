export { createIngest, type Ingest, type IngestDeps } from './ingest.js'
export { isValidSignature, signBody } from './verify-signature.js'
