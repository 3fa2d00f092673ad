export { createCodeReader } from './code-reader.js'
export { createPdfReader, type PdfReader, type PdfReaderOptions, type PdfReading } from './pdf-reader.js'
export { readImageHeader, type ImageHeader } from './image-header.js'
export { CODE_FORMATS, type CodeFormat, type CodeReader, type CodeReaderOptions, type DecodedCode } from './types.js'
