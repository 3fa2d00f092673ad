/**
 * pdf.js 5.6 (bundled by unpdf 1.7.0) calls `ArrayBuffer.prototype.transferToFixedLength`
 * (ES2024) when it builds a page's operator list, which rendering needs and the text layer
 * does not. Node 20's V8 lacks it (Node 21 has it), and pdf.js then silently draws an empty
 * page. Installed in the PDF worker thread only: each thread has its own globals, so the
 * main thread is never patched. A no-op where the method exists.
 */
export function installTransferToFixedLength(): void {
  const proto = ArrayBuffer.prototype as ArrayBuffer & { transferToFixedLength?: unknown }
  if (typeof proto.transferToFixedLength === 'function') return
  Object.defineProperty(ArrayBuffer.prototype, 'transferToFixedLength', {
    value(this: ArrayBuffer, newLength: number = this.byteLength): ArrayBuffer {
      // Detaches the original as the real method does, without copying when the length stays.
      const moved = structuredClone(this, { transfer: [this] })
      if (newLength === moved.byteLength) return moved
      const resized = new ArrayBuffer(newLength)
      new Uint8Array(resized).set(new Uint8Array(moved, 0, Math.min(newLength, moved.byteLength)))
      return resized
    },
    writable: true,
    configurable: true,
  })
}
