// Deterministic test messages for the read path (src/core/testing/prng.ts seeds them).

/** A message of about `size` octets whose lines sometimes start with "." (stuffed by POP3). */
export function generatedMessage(n: number, size: number, random: () => number): string {
  let text = `Subject: message ${n}\r\nMessage-ID: <${n}@read-path.test>\r\n\r\n`;
  while (text.length < size) text += `${random() < 0.1 ? '.' : ''}${'x'.repeat(Math.floor(random() * 70))}\r\n`;
  return text;
}
