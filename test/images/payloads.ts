import type { ImageSetItem } from '../../bench/images/generate.js'

/** Fictional payloads: a bank boleto, a utility (arrecadação) boleto and a PIX BR Code. */
export const PAYLOADS: ImageSetItem[] = [
  { name: 'boleto-bank', format: 'ITF', text: '23793381286000123456789012345678901234567890' },
  { name: 'boleto-utility', format: 'ITF', text: '84670000001435900240200240500024384221010811' },
  {
    name: 'pix',
    format: 'QRCode',
    text: '00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Loja Exemplo6009SAO PAULO62070503***63041D3D',
  },
]
