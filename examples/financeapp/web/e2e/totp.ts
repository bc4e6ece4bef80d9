import { createHmac } from 'node:crypto'

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** base32Decode decodes an RFC 4648 base32 secret (spaces and padding ignored). */
export function base32Decode(s: string): Buffer {
  const clean = s.replace(/[\s=]/g, '').toUpperCase()
  let bits = 0
  let value = 0
  const out: number[] = []
  for (const ch of clean) {
    const i = alphabet.indexOf(ch)
    if (i < 0) throw new Error(`totp: invalid base32 character ${ch}`)
    value = (value << 5) | i
    bits += 5
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff)
      bits -= 8
    }
  }
  return Buffer.from(out)
}

/** totp computes the RFC 6238 code (SHA-1, 6 digits, 30 s) of a base32 secret. */
export function totp(secret: string, now = Date.now(), step = 30): string {
  const counter = Buffer.alloc(8)
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 1000 / step)))
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest()
  const off = (mac[mac.length - 1] ?? 0) & 0x0f
  const bin = mac.readUInt32BE(off) & 0x7fffffff
  return String(bin % 1_000_000).padStart(6, '0')
}
