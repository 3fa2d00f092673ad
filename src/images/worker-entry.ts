import { createRequire } from 'node:module'
import { dirname, extname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** How to start a worker thread running `code-reader.worker`. */
export interface WorkerEntry {
  filename: string
  execArgv: string[]
}

/** `--import tsx`, `--import file:///…/tsx/dist/loader.mjs` and the like: tsx is already registered. */
const isTsxFlag = (arg: string) => arg === 'tsx' || arg.startsWith('tsx/') || /[\\/]tsx[\\/]dist[\\/]/.test(arg)

/**
 * The worker file next to this one, with the same extension. From compiled JavaScript the
 * thread needs nothing more. From TypeScript source the thread needs tsx. Threads inherit
 * `process.execArgv`, which already carries it under `tsx src/main.ts` or
 * `node --import tsx`, but not inside a test runner that transforms files itself (vitest),
 * so it is added by absolute URL when missing.
 *
 * On Node 20 only tsx's require hook reaches a worker thread; its ESM hooks do not
 * (nodejs/node#47747, privatenumber/tsx#354: `import()` of a `.ts` file there fails with
 * ERR_UNKNOWN_FILE_EXTENSION). piscina `require()`s a worker file before trying `import()`,
 * so under tsx the worker is loaded as CommonJS: it must stay free of top-level `await`,
 * and what it imports needs a CommonJS build (zxing-wasm ships one).
 */
export function codeReaderWorkerEntry(): WorkerEntry {
  return workerEntry('code-reader.worker')
}

/** {@link codeReaderWorkerEntry} for another worker file of this folder, by its base name. */
export function workerEntry(baseName: string): WorkerEntry {
  const here = fileURLToPath(import.meta.url)
  const extension = extname(here)
  const filename = join(dirname(here), `${baseName}${extension}`)
  const execArgv = [...process.execArgv]
  if (extension === '.ts' && !execArgv.some(isTsxFlag)) {
    execArgv.push('--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href)
  }
  return { filename, execArgv }
}
