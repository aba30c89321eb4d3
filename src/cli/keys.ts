// Key names people write in settings ("C-\", "^]", "ctrl-a") to the byte sent.
export function parseKey(spec: string): number | null {
  const s = spec.trim();
  const m = /^(?:\^|c-|ctrl-|ctrl\+)(.)$/i.exec(s);
  if (m) {
    const ch = m[1].toUpperCase().charCodeAt(0);
    if (ch === 0x3f) return 0x7f; // ^?
    if (ch >= 0x40 && ch <= 0x5f) return ch - 0x40;
    return null;
  }
  if (s.length === 1) return s.charCodeAt(0);
  return null;
}

export function keyName(byte: number): string {
  if (byte < 0x20) return 'Ctrl-' + String.fromCharCode(byte + 0x40);
  if (byte === 0x7f) return 'Ctrl-?';
  return String.fromCharCode(byte);
}
